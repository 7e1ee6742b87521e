"""The route table: every jwst-lab URL and its handler, in one list.

Each handler names its route group (``feature``, as ``GET /info`` lists them) and
declares the model each of its methods answers with (``@answers``).
"""

from __future__ import annotations

from typing import Any

from .base import PREFIX
from .crds import (
    CrdsBestrefsHandler,
    CrdsContextHandler,
    CrdsContextsHandler,
    CrdsDiffHandler,
    CrdsFetchHandler,
    CrdsMappingHandler,
    CrdsStatusHandler,
)
from .downloads import DownloadsHandler
from .events import EventsHandler
from .images import CatalogHandler, ImageInfoHandler, ImagePixelHandler
from .info import InfoHandler, UnknownRouteHandler
from .jobs import JobCancelHandler, JobHandler, JobLogHandler, JobRerunHandler, JobsHandler
from .mast import MastObservationsHandler, MastPeekHandler, MastProductsHandler, MastTokenHandler
from .pipeline import (
    ApplicablePipelinesHandler,
    AssociationsHandler,
    ParameterFilesHandler,
    PipelineParametersHandler,
    PipelinesHandler,
    PipelineSpecHandler,
    PreviewHandler,
    StrunCommandHandler,
)
from .runs import RunCancelHandler, RunHandler, RunResumeHandler, RunsHandler
from .spectra import (
    CubeHandler,
    CubeSliceHandler,
    CubeSpectrumHandler,
    SpectraHandler,
    SpectralImageHandler,
    SpectralImagePreviewHandler,
)

#: (path under PREFIX, handler). ``api/openapi.yaml`` lists the same paths.
ROUTES: list[tuple[str, type[Any]]] = [
    ("/info", InfoHandler),
    ("/events", EventsHandler),
    ("/pipelines", PipelinesHandler),
    (r"/pipelines/(?P<alias>[^/]+)/spec", PipelineSpecHandler),
    (r"/pipelines/(?P<alias>[^/]+)/parameters", PipelineParametersHandler),
    (r"/pipelines/(?P<alias>[^/]+)/strun", StrunCommandHandler),
    ("/pipelines/applicable", ApplicablePipelinesHandler),
    ("/pipelines/parameter-files", ParameterFilesHandler),
    ("/associations", AssociationsHandler),
    ("/jobs", JobsHandler),
    (r"/jobs/(?P<job_id>[^/]+)", JobHandler),
    (r"/jobs/(?P<job_id>[^/]+)/cancel", JobCancelHandler),
    (r"/jobs/(?P<job_id>[^/]+)/rerun", JobRerunHandler),
    (r"/jobs/(?P<job_id>[^/]+)/log", JobLogHandler),
    ("/runs", RunsHandler),
    (r"/runs/(?P<run_id>[^/]+)", RunHandler),
    (r"/runs/(?P<run_id>[^/]+)/cancel", RunCancelHandler),
    (r"/runs/(?P<run_id>[^/]+)/resume", RunResumeHandler),
    ("/previews", PreviewHandler),
    ("/spectra", SpectraHandler),
    ("/spectra/image", SpectralImageHandler),
    ("/spectra/image/preview", SpectralImagePreviewHandler),
    ("/cubes", CubeHandler),
    ("/cubes/slice", CubeSliceHandler),
    ("/cubes/spectrum", CubeSpectrumHandler),
    ("/images/info", ImageInfoHandler),
    ("/images/pixel", ImagePixelHandler),
    ("/catalogs", CatalogHandler),
    ("/mast/observations", MastObservationsHandler),
    (r"/mast/observations/(?P<obsid>[^/]+)/products", MastProductsHandler),
    ("/mast/peek", MastPeekHandler),
    ("/mast/token", MastTokenHandler),
    ("/downloads", DownloadsHandler),
    ("/crds/status", CrdsStatusHandler),
    ("/crds/contexts", CrdsContextsHandler),
    (r"/crds/contexts/(?P<context>[^/]+)", CrdsContextHandler),
    (r"/crds/mappings/(?P<mapping>[^/]+)", CrdsMappingHandler),
    ("/crds/bestrefs", CrdsBestrefsHandler),
    ("/crds/fetch", CrdsFetchHandler),
    ("/crds/diff", CrdsDiffHandler),
]


def route_table() -> list[tuple[str, type[Any]]]:
    """Handlers as ``ExtensionApp.handlers`` expects them; unknown paths end in a JSON 404."""
    routes = [(PREFIX + path, handler) for path, handler in ROUTES]
    routes.append((PREFIX + r"/(.*)", UnknownRouteHandler))
    return routes


__all__ = ["PREFIX", "ROUTES", "route_table"]
