"""``GET /pipelines``, ``/pipelines/{alias}/spec``, ``/associations?path=``, ``/previews``;
the run dialog's ``/pipelines/{alias}/parameters``, ``/pipelines/applicable``,
``/pipelines/parameter-files`` and ``/pipelines/{alias}/strun``."""

from __future__ import annotations

import functools

import anyio.to_thread
from jupyter_server.auth.decorator import authorized
from tornado import web

from ..core.paths import resolve_in_root
from ..core.preview import render_preview
from ..core.run_dialog import (
    applicable_for,
    parameters_for,
    read_parameter_file_at,
    strun_for,
    write_parameter_file_at,
)
from ..errors import NotFound
from ..models import (
    ApplicablePipelines,
    ApplicableQuery,
    AssociationQuery,
    AssociationSummary,
    ParameterFile,
    ParameterFileQuery,
    ParameterFileWrite,
    ParametersQuery,
    PipelineList,
    PipelineParameters,
    PipelineSpec,
    PreviewQuery,
    StrunCommand,
    StrunRequest,
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
    """``GET /previews?path=&stretch=&max_size=&region=``: a PNG quick look of a 2-D image."""

    feature = "previews"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer ``image/png`` (asinh, zscale or linear stretch)."""
        query = self.parse_query(PreviewQuery)
        path = resolve_in_root(self.services.settings.root_dir, query.path)
        render = functools.partial(
            render_preview,
            path,
            query.path,
            stretch=query.stretch,
            max_size=query.max_size,
            region=query.region,
        )
        self.write_png(await anyio.to_thread.run_sync(render))


class PipelineParametersHandler(JwstLabHandler):
    """The values a job would run with on an input: code defaults merged with CRDS ``pars-*``."""

    feature = "pipelines"

    @web.authenticated
    @authorized
    @answers(PipelineParameters)
    async def get(self, alias: str) -> None:
        """Answer each step's effective values and their sources for ``?input=&context=``."""
        query = self.parse_query(ParametersQuery)
        services = self.services
        compute = functools.partial(
            parameters_for,
            services.pipelines,
            services.crds,
            services.settings.root_dir,
            alias,
            query.input,
            query.context,
        )
        answer = await anyio.to_thread.run_sync(compute)
        self.write_model(PipelineParameters.model_validate(answer))


class ApplicablePipelinesHandler(JwstLabHandler):
    """The calwebb pipelines that apply to an exposure, by name and by ``EXP_TYPE``."""

    feature = "pipelines"

    @web.authenticated
    @authorized
    @answers(ApplicablePipelines)
    async def get(self) -> None:
        """Answer the pipelines for ``?input=`` and why (CRDS's EXP_TYPE table)."""
        query = self.parse_query(ApplicableQuery)
        services = self.services
        compute = functools.partial(
            applicable_for, services.pipelines, services.settings.root_dir, query.input
        )
        answer = await anyio.to_thread.run_sync(compute)
        self.write_model(ApplicablePipelines.model_validate(answer))


class ParameterFilesHandler(JwstLabHandler):
    """ASDF parameter files under the root: read one into the dialog, write the dialog's values."""

    feature = "pipelines"

    @web.authenticated
    @authorized
    @answers(ParameterFile)
    async def get(self) -> None:
        """Answer the values of the parameter file ``?path=``."""
        query = self.parse_query(ParameterFileQuery)
        services = self.services
        read = functools.partial(
            read_parameter_file_at, services.pipelines, services.settings.root_dir, query.path
        )
        self.write_model(ParameterFile.model_validate(await anyio.to_thread.run_sync(read)))

    @web.authenticated
    @authorized
    @answers(ParameterFile)
    async def post(self) -> None:
        """Write the values as a parameter file; answer 201 with the file read back."""
        request = self.parse_body(ParameterFileWrite)
        services = self.services
        write = functools.partial(
            write_parameter_file_at,
            services.pipelines,
            services.settings.root_dir,
            request.path,
            request.pipeline,
            request.steps,
            overwrite=request.overwrite,
        )
        answer = await anyio.to_thread.run_sync(write)
        self.write_model(ParameterFile.model_validate(answer), status=201)


class StrunCommandHandler(JwstLabHandler):
    """The dialog's values as a ``strun`` line that runs from any folder."""

    feature = "pipelines"

    @web.authenticated
    @authorized
    @answers(StrunCommand)
    async def post(self, alias: str) -> None:
        """Answer the command, its argument list and its environment assignments."""
        request = self.parse_body(StrunRequest)
        services = self.services
        build = functools.partial(
            strun_for,
            services.pipelines,
            services.crds,
            services.settings.root_dir,
            alias,
            request.model_dump(),
        )
        self.write_model(StrunCommand.model_validate(await anyio.to_thread.run_sync(build)))
