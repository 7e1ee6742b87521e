"""``/crds/*``: status, context history, mapping trees and tables, best references, diffs.

Thin handlers: validate, call :class:`~jwst_lab.core.crds.CrdsService` off the
event loop, write the answer. The service runs every ``crds`` call in its
worker process.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, ClassVar

import anyio.to_thread
from jupyter_server.auth.decorator import authorized
from tornado import web

from ..core.associations import AssociationReader, require_members
from ..core.crds import CrdsService, check_context_name, check_mapping_name
from ..core.paths import relative_to_root, resolve_in_root
from ..models import (
    CrdsBestrefs,
    CrdsBestrefsRequest,
    CrdsContextList,
    CrdsDiff,
    CrdsDiffQuery,
    CrdsFetchRequest,
    CrdsMapping,
    CrdsStatus,
    CrdsTree,
    Feature,
    JobRecord,
)
from .base import JwstLabHandler, answers


class _CrdsBase(JwstLabHandler):
    feature: ClassVar[Feature] = "crds"

    @property
    def crds(self) -> CrdsService:
        """The server's CRDS service."""
        return self.services.crds

    async def run(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a blocking service call in a worker thread."""
        return await anyio.to_thread.run_sync(functools.partial(func, *args, **kwargs))


class CrdsStatusHandler(_CrdsBase):
    """``GET /crds/status``: mode, cache, server, effective context and why, the fix."""

    @web.authenticated
    @authorized
    @answers(CrdsStatus)
    async def get(self) -> None:
        """Answer the CRDS status (always 200; problems are in the body)."""
        self.write_model(CrdsStatus.model_validate(await self.run(self.crds.status)))


class CrdsContextsHandler(_CrdsBase):
    """``GET /crds/contexts``: the context history, then cached contexts absent from it."""

    @web.authenticated
    @authorized
    @answers(CrdsContextList)
    async def get(self) -> None:
        """Answer ``{contexts: [...], operational_context, source, ...}``."""
        self.write_model(CrdsContextList.model_validate(await self.run(self.crds.contexts)))


class CrdsContextHandler(_CrdsBase):
    """``GET /crds/contexts/{context}``: instruments → reference types → rmaps."""

    @web.authenticated
    @authorized
    @answers(CrdsTree)
    async def get(self, context: str) -> None:
        """Answer the tree of ``context`` (a ``.pmap``)."""
        check_context_name(context)
        self.write_model(CrdsTree.model_validate(await self.run(self.crds.tree, context)))


class CrdsMappingHandler(_CrdsBase):
    """``GET /crds/mappings/{mapping}``: one mapping as a readable table."""

    @web.authenticated
    @authorized
    @answers(CrdsMapping)
    async def get(self, mapping: str) -> None:
        """Answer header, columns and rows of ``mapping``."""
        check_mapping_name(mapping)
        self.write_model(CrdsMapping.model_validate(await self.run(self.crds.mapping, mapping)))


class CrdsDiffHandler(_CrdsBase):
    """``GET /crds/diff?old=&new=``: what changed between two contexts."""

    @web.authenticated
    @authorized
    @answers(CrdsDiff)
    async def get(self) -> None:
        """Answer added/deleted/replaced references and mappings, affected types."""
        query = self.parse_query(CrdsDiffQuery)
        self.write_model(
            CrdsDiff.model_validate(await self.run(self.crds.diff, query.old, query.new))
        )


class CrdsBestrefsHandler(_CrdsBase):
    """``POST /crds/bestrefs``: best references for a file under the root or a header."""

    @web.authenticated
    @authorized
    @answers(CrdsBestrefs)
    async def post(self) -> None:
        """Answer every reference type of the instrument with its file or the reason."""
        request = self.parse_body(CrdsBestrefsRequest)
        if request.path is not None:
            path = resolve_in_root(self.services.settings.root_dir, request.path)
            result = await self.run(
                self.crds.bestrefs, path=path, context=request.context, display_path=request.path
            )
        else:
            result = await self.run(
                self.crds.bestrefs, header=request.header, context=request.context
            )
        self.write_model(CrdsBestrefs.model_validate(result))


class CrdsFetchHandler(_CrdsBase):
    """``POST /crds/fetch``: a ``crds_fetch`` job syncing a file's or association's references."""

    feature = "crds_fetch"
    needs_jobs = True

    @web.authenticated
    @authorized
    @answers(JobRecord)
    async def post(self) -> None:
        """Queue the job → 201 with its record.

        400 bad path (outside the root, not FITS/ASDF, not a valid association),
        404 missing file, 409 serverless (no CRDS server to fetch from) or
        read-only cache, 502 server not answering, 503 unusable cache.
        """
        request = self.parse_body(CrdsFetchRequest)
        services = self.services
        root = services.settings.root_dir
        path = resolve_in_root(root, request.path)
        files = await self.run(_fetch_files, services.associations, root, path, request.path)
        plan = await self.run(self.crds.fetch_plan, files, request.context)
        job = await services.jobs.submit("crds_fetch", {"input_label": request.path, "plan": plan})
        self.write_created(JobRecord.model_validate(job))


def _fetch_files(
    reader: AssociationReader, root: Path, path: Path, shown: str
) -> list[tuple[Path, str]]:
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
