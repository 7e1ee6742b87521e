"""``/runs``: reduce a program as one planned graph of pipeline jobs; cancel, resume, delete."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.escape import url_escape

from ..jobs.runs import RunService
from ..models import RunCreate, RunList, RunListQuery, RunPlan, RunRecord
from .base import PREFIX, JwstLabHandler, answers


class _RunsBase(JwstLabHandler):
    feature = "jobs"
    needs_jobs = True

    @property
    def runs(self) -> RunService:
        """The run service (its job manager has started: ``needs_jobs``)."""
        return self.services.runs


class RunsHandler(_RunsBase):
    """``GET /runs`` (paged) and ``POST /runs``."""

    @web.authenticated
    @authorized
    @answers(RunList)
    async def get(self) -> None:
        """Answer ``{runs, total, page, page_size}``, newest first."""
        query = self.parse_query(RunListQuery)
        page = await self.runs.list_runs(page=query.page, page_size=query.page_size)
        self.write_model(RunList.model_validate(page))

    @web.authenticated
    @authorized
    @answers(RunRecord, RunPlan)
    async def post(self) -> None:
        """Plan and start a run → 201 with the run; a dry run → 200 with the plan."""
        request = self.parse_body(RunCreate)
        answer = await self.runs.create(request)
        if isinstance(answer, RunPlan):
            self.write_model(answer)
            return
        self.set_header(
            "Location", url_path_join(self.base_url, PREFIX, "runs", url_escape(answer.id))
        )
        self.write_model(answer, status=201)


class RunHandler(_RunsBase):
    """``GET /runs/{id}`` and ``DELETE /runs/{id}``."""

    @web.authenticated
    @authorized
    @answers(RunRecord)
    async def get(self, run_id: str) -> None:
        """Answer the run's record."""
        self.write_model(await self.runs.get(run_id))

    @web.authenticated
    @authorized
    async def delete(self, run_id: str) -> None:
        """Forget a finished run and its jobs' records → 204 (its outputs stay)."""
        await self.runs.delete(run_id)
        self.set_status(204)
        self.finish()


class RunCancelHandler(_RunsBase):
    """``POST /runs/{id}/cancel``."""

    @web.authenticated
    @authorized
    @answers(RunRecord)
    async def post(self, run_id: str) -> None:
        """Cancel every queued or running job of the run → 202; 409 if it has ended."""
        self.write_model(await self.runs.cancel(run_id), status=202)


class RunResumeHandler(_RunsBase):
    """``POST /runs/{id}/resume``."""

    @web.authenticated
    @authorized
    @answers(RunRecord)
    async def post(self, run_id: str) -> None:
        """Run again what is not complete (jobs whose provenance holds are reused) → 202."""
        self.write_model(await self.runs.resume(run_id), status=202)
