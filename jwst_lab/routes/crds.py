"""``/crds/*``: status, context history, mapping trees and tables, best references, diffs.

Thin handlers: validate, call :class:`~jwst_lab.core.crds.CrdsService` off the
event loop, write the answer. The service runs every ``crds`` call in its
worker process.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import anyio.to_thread
from jupyter_server.auth.decorator import authorized
from tornado import web

from ..core.associations import require_members
from ..core.crds import CrdsService, check_context_name, check_mapping_name
from ..core.paths import relative_to_root, resolve_in_root
from ..errors import BadRequest
from ..models import CrdsBestrefsRequest, CrdsFetchRequest, parse_request
from .base import JwstLabHandler


class _CrdsBase(JwstLabHandler):
    @property
    def crds(self) -> CrdsService:
        """The server's CRDS service."""
        return self.lab_app.crds_service

    async def run(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a blocking service call in a worker thread."""
        return await anyio.to_thread.run_sync(functools.partial(func, *args, **kwargs))


class CrdsStatusHandler(_CrdsBase):
    """``GET /crds/status``: mode, cache, server, effective context and why, the fix."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer the CRDS status (always 200; problems are in the body)."""
        self.write_json(await self.run(self.crds.status))


class CrdsContextsHandler(_CrdsBase):
    """``GET /crds/contexts``: the context history, then cached contexts absent from it."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer ``{contexts: [...], operational_context, source, ...}``."""
        self.write_json(await self.run(self.crds.contexts))


class CrdsContextHandler(_CrdsBase):
    """``GET /crds/contexts/{context}``: instruments → reference types → rmaps."""

    @web.authenticated
    @authorized
    async def get(self, context: str) -> None:
        """Answer the tree of ``context`` (a ``.pmap``)."""
        check_context_name(context)
        self.write_json(await self.run(self.crds.tree, context))


class CrdsMappingHandler(_CrdsBase):
    """``GET /crds/mappings/{mapping}``: one mapping as a readable table."""

    @web.authenticated
    @authorized
    async def get(self, mapping: str) -> None:
        """Answer header, columns and rows of ``mapping``."""
        check_mapping_name(mapping)
        self.write_json(await self.run(self.crds.mapping, mapping))


class CrdsDiffHandler(_CrdsBase):
    """``GET /crds/diff?old=&new=``: what changed between two contexts."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer added/deleted/replaced references and mappings, affected types."""
        # Other query parameters are ignored (JupyterLab adds a cache-busting one).
        arguments = self.query()
        old, new = arguments.get("old", ""), arguments.get("new", "")
        check_context_name(old, "old")
        check_context_name(new, "new")
        self.write_json(await self.run(self.crds.diff, old, new))


class CrdsBestrefsHandler(_CrdsBase):
    """``POST /crds/bestrefs``: best references for a file under the root or a header."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        """Answer every reference type of the instrument with its file or the reason."""
        request = parse_request(CrdsBestrefsRequest, self.json_body())
        if (request.path is None) == (request.header is None):
            raise BadRequest(
                "give exactly one of path (a FITS/ASDF file) or header (an object)",
                field="path" if request.path is None else "header",
            )
        if request.context is not None:
            check_context_name(request.context)
        if request.path is not None:
            path = resolve_in_root(self.lab_settings.root_dir, request.path)
            result = await self.run(
                self.crds.bestrefs, path=path, context=request.context, display_path=request.path
            )
        else:
            result = await self.run(
                self.crds.bestrefs, header=request.header, context=request.context
            )
        self.write_json(result)


class CrdsFetchHandler(_CrdsBase):
    """``POST /crds/fetch``: a ``crds_fetch`` job syncing a file's or association's references."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        """Queue the job → 201 with its record.

        400 bad path (outside the root, not FITS/ASDF, not a valid association),
        404 missing file, 409 serverless (no CRDS server to fetch from) or
        read-only cache, 502 server not answering, 503 unusable cache.
        """
        request = parse_request(CrdsFetchRequest, self.json_body())
        if request.context is not None:
            check_context_name(request.context)
        root = self.lab_settings.root_dir
        path = resolve_in_root(root, request.path)
        files = await self.run(
            _fetch_files, self.lab_app.association_reader, root, path, request.path
        )
        plan = await self.run(self.crds.fetch_plan, files, request.context)
        manager = self.lab_app.job_manager
        await manager.start()
        job = await manager.create_crds_fetch(input_label=request.path, plan=plan)
        self.set_header("Location", f"{self.base_url.rstrip('/')}/jwst-lab/jobs/{job['id']}")
        self.write_json(job, status=201)


def _fetch_files(reader: Any, root: Path, path: Path, shown: str) -> list[tuple[Path, str]]:
    """The data files of ``path``: itself, or every member of an association (``.json``)."""
    if not path.name.lower().endswith(".json"):
        return [(path, shown)]
    summary = reader.read(path)
    require_members(summary)
    files: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    folder = relative_to_root(root, path.parent) if path.parent != root.resolve() else ""
    for product in summary["products"]:
        for member in product["members"]:
            relative = f"{folder}/{member['expname']}" if folder else member["expname"]
            member_path = resolve_in_root(root, relative, field="member")
            if member_path not in seen:
                seen.add(member_path)
                files.append((member_path, relative))
    return files
