"""``GET /pipelines``, ``/pipelines/{alias}/spec``, ``/associations?path=``, ``/previews``."""

from __future__ import annotations

import functools

import anyio.to_thread
from jupyter_server.auth.decorator import authorized
from tornado import web

from ..core.paths import resolve_in_root
from ..core.preview import DEFAULT_MAX_SIZE, MAX_SIZE_LIMIT, MIN_SIZE, check_stretch, render_preview
from ..errors import BadRequest, NotFound
from .base import JwstLabHandler, query_int


class PipelinesHandler(JwstLabHandler):
    """Every installed pipeline and step: alias, class, level, accepted inputs, steps."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer ``{"pipelines": [...], "versions": {...}}``."""
        catalog = self.lab_app.pipeline_catalog
        pipelines = await anyio.to_thread.run_sync(catalog.summaries)
        versions = await anyio.to_thread.run_sync(catalog.versions)
        self.write_json({"pipelines": pipelines, "versions": versions})


class PipelineSpecHandler(JwstLabHandler):
    """Parameters of one pipeline and of each of its steps, from stpipe's spec."""

    @web.authenticated
    @authorized
    async def get(self, alias: str) -> None:
        """Answer the spec of ``alias``, or 404."""
        spec = await anyio.to_thread.run_sync(self.lab_app.pipeline_catalog.spec, alias)
        if spec is None:
            raise NotFound(f"no pipeline or step {alias!r} is installed")
        self.write_json(spec)


class AssociationsHandler(JwstLabHandler):
    """An association file read and validated, with each member's existence."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer the association summary of ``?path=`` (relative to the server root)."""
        path_arg = self.query().get("path")
        if not path_arg:
            raise BadRequest("the query parameter path is required", field="path")
        path = resolve_in_root(self.lab_settings.root_dir, path_arg)
        reader = self.lab_app.association_reader
        summary = await anyio.to_thread.run_sync(functools.partial(reader.read, path))
        self.write_json(summary)


class PreviewHandler(JwstLabHandler):
    """``GET /previews?path=&stretch=&max_size=``: a PNG quick look of a 2-D image."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer ``image/png`` (asinh, zscale or linear stretch)."""
        arguments = self.query()
        path_arg = arguments.get("path")
        if not path_arg:
            raise BadRequest("the query parameter path is required", field="path")
        stretch = check_stretch(arguments.get("stretch") or "asinh")
        max_size = query_int(
            arguments, "max_size", DEFAULT_MAX_SIZE, minimum=MIN_SIZE, maximum=MAX_SIZE_LIMIT
        )
        path = resolve_in_root(self.lab_settings.root_dir, path_arg)
        png = await anyio.to_thread.run_sync(
            functools.partial(render_preview, path, path_arg, stretch=stretch, max_size=max_size)
        )
        self.set_header("Cache-Control", "no-store")
        self.finish(png, set_content_type="image/png")
