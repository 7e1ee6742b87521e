"""``/jobs``: create, list, inspect, cancel, rerun and delete pipeline jobs; read logs."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..jobs.manager import JobManager
from ..models import JobCreate, JobList, JobListQuery, JobLog, JobLogQuery, JobRecord
from .base import JwstLabHandler, answers


class _JobsBase(JwstLabHandler):
    feature = "jobs"
    needs_jobs = True

    @property
    def jobs(self) -> JobManager:
        """The job manager (started: ``needs_jobs``)."""
        return self.services.jobs


class JobsHandler(_JobsBase):
    """``GET /jobs`` (filter by status, kind; paged) and ``POST /jobs``."""

    @web.authenticated
    @authorized
    @answers(JobList)
    async def get(self) -> None:
        """Answer ``{jobs, total, page, page_size}``; ``status`` may be comma-separated."""
        query = self.parse_query(JobListQuery)
        page = await self.jobs.list_jobs(
            statuses=query.status, kind=query.kind, page=query.page, page_size=query.page_size
        )
        self.write_model(JobList.model_validate(page))

    @web.authenticated
    @authorized
    @answers(JobRecord)
    async def post(self) -> None:
        """Create a job → 201 with the job record."""
        request = self.parse_body(JobCreate)
        job = JobRecord.model_validate(await self.jobs.create(request.model_dump()))
        self.write_created(job)


class JobHandler(_JobsBase):
    """``GET /jobs/{id}`` and ``DELETE /jobs/{id}``."""

    @web.authenticated
    @authorized
    @answers(JobRecord)
    async def get(self, job_id: str) -> None:
        """Answer the job record."""
        self.write_model(JobRecord.model_validate(await self.jobs.get(job_id)))

    @web.authenticated
    @authorized
    async def delete(self, job_id: str) -> None:
        """Delete a finished job's record and log → 204 (its outputs stay)."""
        await self.jobs.delete(job_id)
        self.set_status(204)
        self.finish()


class JobCancelHandler(_JobsBase):
    """``POST /jobs/{id}/cancel``."""

    @web.authenticated
    @authorized
    @answers(JobRecord)
    async def post(self, job_id: str) -> None:
        """Cancel a queued or running job → 202 with the record; 409 if it has ended."""
        self.write_model(JobRecord.model_validate(await self.jobs.cancel(job_id)), status=202)


class JobRerunHandler(_JobsBase):
    """``POST /jobs/{id}/rerun``."""

    @web.authenticated
    @authorized
    @answers(JobRecord)
    async def post(self, job_id: str) -> None:
        """Create the same job again (same pipeline, input, steps, CRDS context) → 201."""
        job = JobRecord.model_validate(await self.jobs.rerun(job_id))
        self.write_created(job)


class JobLogHandler(_JobsBase):
    """``GET /jobs/{id}/log?offset=``."""

    @web.authenticated
    @authorized
    @answers(JobLog)
    async def get(self, job_id: str) -> None:
        """Answer ``{text, next_offset, done}`` from byte ``offset`` (default 0)."""
        query = self.parse_query(JobLogQuery)
        self.write_model(JobLog.model_validate(await self.jobs.read_log(job_id, query.offset)))
