"""``GET /pipelines``, ``/pipelines/{alias}/spec``, ``/associations?path=``, ``/previews``."""

from __future__ import annotations

import functools

import anyio.to_thread
from jupyter_server.auth.decorator import authorized
from tornado import web

from ..core.paths import resolve_in_root
from ..core.preview import render_preview
from ..errors import NotFound
from ..models import (
    AssociationQuery,
    AssociationSummary,
    PipelineList,
    PipelineSpec,
    PreviewQuery,
)
from .base import JwstLabHandler, answers


class PipelinesHandler(JwstLabHandler):
    """Every installed pipeline and step: alias, class, level, accepted inputs, steps."""

    feature = "pipelines"

    @web.authenticated
    @authorized
    @answers(PipelineList)
    async def get(self) -> None:
        """Answer ``{"pipelines": [...], "versions": {...}}``."""
        catalog = self.services.pipelines
        pipelines = await anyio.to_thread.run_sync(catalog.summaries)
        versions = await anyio.to_thread.run_sync(catalog.versions)
        self.write_model(
            PipelineList.model_validate({"pipelines": pipelines, "versions": versions})
        )


class PipelineSpecHandler(JwstLabHandler):
    """Parameters of one pipeline and of each of its steps, from stpipe's spec."""

    feature = "pipelines"

    @web.authenticated
    @authorized
    @answers(PipelineSpec)
    async def get(self, alias: str) -> None:
        """Answer the spec of ``alias``, or 404."""
        spec = await anyio.to_thread.run_sync(self.services.pipelines.spec, alias)
        if spec is None:
            raise NotFound(f"no pipeline or step {alias!r} is installed", field="alias")
        self.write_model(PipelineSpec.model_validate(spec))


class AssociationsHandler(JwstLabHandler):
    """An association file read and validated, with each member's existence."""

    feature = "pipelines"

    @web.authenticated
    @authorized
    @answers(AssociationSummary)
    async def get(self) -> None:
        """Answer the association summary of ``?path=`` (relative to the server root)."""
        query = self.parse_query(AssociationQuery)
        services = self.services
        path = resolve_in_root(services.settings.root_dir, query.path)
        read = functools.partial(services.associations.read, path)
        self.write_model(AssociationSummary.model_validate(await anyio.to_thread.run_sync(read)))


class PreviewHandler(JwstLabHandler):
    """``GET /previews?path=&stretch=&max_size=``: a PNG quick look of a 2-D image."""

    feature = "previews"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer ``image/png`` (asinh, zscale or linear stretch)."""
        query = self.parse_query(PreviewQuery)
        path = resolve_in_root(self.services.settings.root_dir, query.path)
        render = functools.partial(
            render_preview, path, query.path, stretch=query.stretch, max_size=query.max_size
        )
        png = await anyio.to_thread.run_sync(render)
        self.set_header("Cache-Control", "no-store")
        self.finish(png, set_content_type="image/png")
