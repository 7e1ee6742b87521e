"""``/jobs``: create, list, inspect, cancel, rerun and delete pipeline jobs; read logs."""

from __future__ import annotations

from typing import get_args

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import BadRequest
from ..jobs.manager import MAX_PAGE, MAX_PAGE_SIZE, STATUSES, JobManager
from ..models import JobCreate, JobRecord, parse_request
from .base import JwstLabHandler, query_int

#: Job kinds, as the job record declares them (``GET /jobs?kind=`` takes one).
KINDS: tuple[str, ...] = get_args(JobRecord.model_fields["kind"].annotation)
#: Highest log offset: beyond any log, and below what file systems let a file seek to
#: (ext4 refuses offsets past 16 TiB with EINVAL).
MAX_LOG_OFFSET = 2**40


def _statuses(text: str) -> tuple[str, ...]:
    statuses = tuple(dict.fromkeys(s.strip() for s in text.split(",") if s.strip()))
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise BadRequest(
            f"unknown status {unknown[0][:40]!r}; statuses: {', '.join(STATUSES)}",
            field="status",
        )
    return statuses


def _kind(text: str) -> str | None:
    kind = text.strip()
    if kind and kind not in KINDS:
        raise BadRequest(f"unknown kind {kind[:40]!r}; kinds: {', '.join(KINDS)}", field="kind")
    return kind or None


class _JobsBase(JwstLabHandler):
    async def manager(self) -> JobManager:
        """The started job manager."""
        manager = self.lab_app.job_manager
        await manager.start()
        return manager


class JobsHandler(_JobsBase):
    """``GET /jobs`` (filter by status, kind; paged) and ``POST /jobs``."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer ``{jobs, total, page, page_size}``; ``status`` may be comma-separated."""
        arguments = self.query()
        statuses = _statuses(arguments.get("status", ""))
        kind = _kind(arguments.get("kind", ""))
        page = query_int(arguments, "page", 1, minimum=1, maximum=MAX_PAGE)
        page_size = query_int(arguments, "page_size", 100, minimum=1, maximum=MAX_PAGE_SIZE)
        manager = await self.manager()
        answer = await manager.list_jobs(
            statuses=statuses, kind=kind, page=page, page_size=page_size
        )
        self.write_json(answer)

    @web.authenticated
    @authorized
    async def post(self) -> None:
        """Create a job → 201 with the job record."""
        request = parse_request(JobCreate, self.json_body())
        manager = await self.manager()
        job = await manager.create(request.model_dump())
        self.set_header("Location", f"{self.request.path.rstrip('/')}/{job['id']}")
        self.write_json(job, status=201)


class JobHandler(_JobsBase):
    """``GET /jobs/{id}`` and ``DELETE /jobs/{id}``."""

    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        """Answer the job record."""
        manager = await self.manager()
        self.write_json(await manager.get(job_id))

    @web.authenticated
    @authorized
    async def delete(self, job_id: str) -> None:
        """Delete a finished job's record and log → 204 (its outputs stay)."""
        manager = await self.manager()
        await manager.delete(job_id)
        self.set_status(204)
        self.finish()


class JobCancelHandler(_JobsBase):
    """``POST /jobs/{id}/cancel``."""

    @web.authenticated
    @authorized
    async def post(self, job_id: str) -> None:
        """Cancel a queued or running job → 202 with the record; 409 if it has ended."""
        manager = await self.manager()
        self.write_json(await manager.cancel(job_id), status=202)


class JobRerunHandler(_JobsBase):
    """``POST /jobs/{id}/rerun``."""

    @web.authenticated
    @authorized
    async def post(self, job_id: str) -> None:
        """Create the same job again (same pipeline, input, steps, CRDS context) → 201."""
        manager = await self.manager()
        job = await manager.rerun(job_id)
        self.write_json(job, status=201)


class JobLogHandler(_JobsBase):
    """``GET /jobs/{id}/log?offset=``."""

    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        """Answer ``{text, next_offset, done}`` from byte ``offset`` (default 0)."""
        offset = query_int(self.query(), "offset", 0, minimum=0, maximum=MAX_LOG_OFFSET)
        manager = await self.manager()
        self.write_json(await manager.read_log(job_id, offset))
