"""``/jobs``: create, list, inspect, cancel, rerun and delete pipeline jobs; read logs."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import BadRequest
from ..jobs.manager import JobManager
from ..models import JobCreate, parse_request
from .base import JwstLabHandler


def _int_arg(arguments: dict[str, str], name: str, default: int) -> int:
    text = arguments.get(name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise BadRequest(f"{name} must be an integer, not {text!r}") from None


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
        statuses = tuple(s for s in arguments.get("status", "").split(",") if s)
        manager = await self.manager()
        page = await manager.list_jobs(
            statuses=statuses,
            kind=arguments.get("kind") or None,
            page=_int_arg(arguments, "page", 1),
            page_size=_int_arg(arguments, "page_size", 100),
        )
        self.write_json(page)

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
        offset = _int_arg(self.query(), "offset", 0)
        manager = await self.manager()
        self.write_json(await manager.read_log(job_id, offset))
