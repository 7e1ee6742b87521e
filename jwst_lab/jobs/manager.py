"""``JobManager``: the queue, the concurrency cap, the job state machine, recovery.

The manager is the only writer of job state. It validates a request into a
job record, keeps a FIFO queue of ``queued`` jobs, starts at most
``max_concurrent_jobs`` runners through the executor, follows each runner's
log (publishing ``job.log`` and ``job.progress`` events) and records how each
job ended. Every change is persisted through :class:`~.store.JobStore` on a
single database thread (never on the event loop, and in order) and published
on the :class:`~jwst_lab.core.events.EventBus` as ``job.created``,
``job.updated`` or ``job.deleted``.

At start-up, jobs left ``running`` by a previous server are re-attached when
their runner still runs, finished from their recorded exit status when it
ended meanwhile, and otherwise marked ``interrupted`` (their log is kept).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import shutil
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread

from .. import __version__
from ..config import Settings
from ..core.associations import AssociationReader, require_members
from ..core.crds import check_context_name
from ..core.events import EventBus
from ..core.paths import relative_to_root, resolve_in_root
from ..core.pipeline import (
    PIPELINE_INPUTS,
    PipelineCatalog,
    copy_as_python,
    copy_as_strun,
    strun_arguments,
)
from ..errors import BadRequest, Conflict, NotFound
from . import download_jobs, runfiles
from .crds_fetch_runner import CRDS_FETCH_SPEC_NAME
from .download_jobs import DownloadProgress, advance_download
from .environment import job_environment
from .executors.base import DEFAULT_GRACE, Executor, LaunchPlan, RunHandle
from .executors.local import LocalExecutor
from .logs import LOG_NAME, LogFollower, last_error_lines, read_log, tail_text
from .outputs import format_size, free_space, list_outputs, remove_temporaries
from .progress import Progress, advance, log_level, runner_event
from .runner import PARAMS_SUFFIX, RESULT_NAME, SPEC_NAME
from .store import JobStore

T = TypeVar("T")
LOG = logging.getLogger(__name__)
#: How Python and the C library say ENOSPC.
_DISK_FULL = "No space left on device"

STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "interrupted")
TERMINAL = frozenset({"succeeded", "failed", "cancelled", "interrupted"})
#: The state machine of a job: the statuses each status may become.
TRANSITIONS: dict[str, frozenset[str]] = {
    "queued": frozenset({"running", "cancelled"}),
    "running": frozenset({"succeeded", "failed", "cancelled", "interrupted"}),
}
MAX_PAGE_SIZE = 500
#: Highest page of a job list: (page - 1) * page_size stays far inside SQLite's 64 bits.
MAX_PAGE = 10_000_000
#: Job kinds whose progress is files and bytes, run by the local download executor.
TRANSFER_KINDS = frozenset({"download", "crds_fetch"})
CRDS_FETCH_MODULE = "jwst_lab.jobs.crds_fetch_runner"


def now_iso() -> str:
    """The current UTC time, ISO 8601 with a ``Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_transition(job_id: str, old: str, new: str) -> None:
    """Raise :class:`Conflict` unless the state machine allows ``old`` → ``new``."""
    if new not in TRANSITIONS.get(old, frozenset()):
        raise Conflict(f"job {job_id} is {old}; it cannot become {new}")


@dataclass
class _Active:
    """A job the manager is running (or about to start)."""

    handle: RunHandle | None = None
    task: asyncio.Task[None] | None = None
    cancel_requested: bool = False
    timed_out: bool = False
    follow_error: str | None = None
    side_tasks: set[asyncio.Task[None]] = field(default_factory=set)


class JobManager:
    """Creates, queues, runs, cancels and records pipeline jobs."""

    def __init__(
        self,
        *,
        settings: Settings,
        store: JobStore,
        executor: Executor,
        catalog: PipelineCatalog,
        bus: EventBus,
        jobs_dir: Path,
        base_env: Mapping[str, str],
        associations: AssociationReader | None = None,
        python: str = sys.executable,
        cancel_grace: float = DEFAULT_GRACE,
        poll_interval: float = 0.1,
        token_provider: Callable[[], str | None] | None = None,
        crds_problem: Callable[[], str | None] | None = None,
    ) -> None:
        self.settings = settings
        self.root = settings.root_dir.resolve()
        self.executor = executor
        self.catalog = catalog
        self.jobs_dir = jobs_dir
        self._store = store
        self._bus = bus
        self._base_env = dict(base_env)
        self._associations = associations or AssociationReader(self.root)
        self._python = python
        self._grace = cancel_grace
        self._poll = poll_interval
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jwst-lab-jobs-db")
        self._records: dict[str, dict[str, Any]] = {}
        self._queue: deque[str] = deque()
        self._active: dict[str, _Active] = {}
        self._started = False
        self._stopping = False
        self._start_lock = asyncio.Lock()
        # Download jobs carry the MAST token: they always run here, never on a remote worker.
        self._download_executor: Executor = (
            executor if executor.name == LocalExecutor.name else LocalExecutor()
        )
        self._token_provider = token_provider
        #: Why the CRDS cache is unusable (None when it is fine); checked before queuing a job.
        self._crds_problem = crds_problem
        self._download_lock = asyncio.Lock()

    # --- plumbing ----------------------------------------------------------------

    async def _in_db(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db, functools.partial(function, *args))

    def _publish(self, event_type: str, **payload: Any) -> None:
        self._bus.publish(event_type, **payload)

    async def _save(self, record: dict[str, Any], event: str = "job.updated") -> None:
        record["updated"] = now_iso()
        snapshot = json.loads(json.dumps(record))
        if event == "job.created":
            await self._in_db(self._store.insert, snapshot)
        else:
            await self._in_db(self._store.update, snapshot)
        self._publish(event, job_id=record["id"], job=snapshot)

    async def _insert(self, record: dict[str, Any]) -> None:
        """Persist a new record and keep it in memory; nothing is kept when the store refuses."""
        self._records[record["id"]] = record
        try:
            await self._save(record, "job.created")
        except BaseException:
            self._records.pop(record["id"], None)
            raise

    async def _transition(self, record: dict[str, Any], status: str, **changes: Any) -> None:
        check_transition(record["id"], record["status"], status)
        record["status"] = status
        record.update(changes)
        await self._save(record)

    def job_dir(self, job_id: str) -> Path:
        """The folder of a job's spec, log, pid and exit status files."""
        return self.jobs_dir / job_id

    def _executor_for(self, record: Mapping[str, Any]) -> Executor:
        """Where a job runs: download jobs always locally (the token stays on this host)."""
        local = record.get("kind") in TRANSFER_KINDS
        return self._download_executor if local else self.executor

    # --- life cycle ----------------------------------------------------------------

    async def start(self) -> None:
        """Recover jobs left by a previous server, then start queued jobs (once)."""
        async with self._start_lock:
            if self._started:
                return
            if self._stopping:
                raise Conflict("the job manager is stopping")
            try:
                await anyio.to_thread.run_sync(
                    functools.partial(self.jobs_dir.mkdir, parents=True, exist_ok=True)
                )
            except OSError as error:
                # The store says why (GET /info); jobs fail to start with the reason.
                LOG.error("cannot create the jobs folder %s: %s", self.jobs_dir, error)
            try:
                await self.executor.open()
            except Exception:
                # Jobs that need it fail at launch, each with the reason; the rest work.
                LOG.exception("the %s executor could not be opened", self.executor.name)
            left = await self._in_db(self._store.with_status, ("queued", "running"))
            for record in left:
                if record["status"] == "running":
                    await self._recover_safely(record)
                else:
                    self._records[record["id"]] = record
                    self._queue.append(record["id"])
            self._started = True
            self._schedule()

    async def stop(self) -> None:
        """Stop following jobs (runners keep running and are re-attached at the next start)."""
        if self._stopping:
            return
        self._stopping = True
        tasks = [a.task for a in self._active.values() if a.task is not None]
        tasks += [t for a in self._active.values() for t in a.side_tasks]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.executor.close()
        await self._in_db(self._store.close)
        self._db.shutdown(wait=True)

    async def _recover_safely(self, record: dict[str, Any]) -> None:
        """Recover one job; a record that cannot be recovered ends ``interrupted``, alone."""
        try:
            await self._recover(record)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            LOG.exception("could not recover job %s", record.get("id"))
            self._active.pop(record["id"], None)
            self._records[record["id"]] = record
            with contextlib.suppress(Exception):
                await self._end(
                    record,
                    "interrupted",
                    error=f"the server restarted and could not recover this job: {error}",
                    exit_code=None,
                )

    async def _recover(self, record: dict[str, Any]) -> None:
        job_id = record["id"]
        job_dir = self.job_dir(job_id)
        self._records[job_id] = record
        handle: RunHandle | None = None
        executor = self._executor_for(record)
        if record.get("executor") == executor.name:
            handle = await executor.attach(job_dir)
        if handle is not None:
            active = _Active(handle=handle)
            self._active[job_id] = active
            active.task = asyncio.create_task(self._follow(record, active, catch_up=True))
            return
        exit_code = runfiles.read_exit_status(job_dir)
        if exit_code is None and record.get("kind") in TRANSFER_KINDS:
            await self._requeue_transfer(record)
            return
        active = _Active()
        self._active[job_id] = active
        await self._finish(record, active, exit_code, recovered=True)

    async def _requeue_transfer(self, record: dict[str, Any]) -> None:
        """Recovery only: a transfer whose runner died with the server goes back to the queue.

        A download's ``.part`` files are kept, so its new runner resumes them
        with range requests; a CRDS fetch skips what crds already moved into
        the cache (crds writes each file under a temporary name, then renames).
        """
        about = record.setdefault(str(record["kind"]), {})
        about["resumes"] = int(about.get("resumes") or 0) + 1
        record["status"] = "queued"
        record["error"] = None
        await self._save(record)
        self._records[record["id"]] = record
        self._queue.append(record["id"])

    # --- queries -------------------------------------------------------------------

    async def get(self, job_id: str) -> dict[str, Any]:
        """One job record; :class:`NotFound` if there is none."""
        if job_id in self._records:
            return json.loads(json.dumps(self._records[job_id]))
        record = await self._in_db(self._store.get, job_id)
        if record is None:
            raise NotFound(f"no job {job_id!r}")
        return record

    async def list_jobs(
        self,
        *,
        statuses: tuple[str, ...] = (),
        kind: str | None = None,
        page: int = 1,
        page_size: int = 100,
    ) -> dict[str, Any]:
        """A page of jobs, newest first: ``{jobs, total, page, page_size}``."""
        unknown = [s for s in statuses if s not in STATUSES]
        if unknown:
            raise BadRequest(
                f"unknown status {unknown[0]!r}; statuses: {', '.join(STATUSES)}", field="status"
            )
        if not 1 <= page <= MAX_PAGE:
            raise BadRequest(f"page must be between 1 and {MAX_PAGE}", field="page")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise BadRequest(f"page_size must be between 1 and {MAX_PAGE_SIZE}", field="page_size")
        rows, total = await self._in_db(
            functools.partial(
                self._store.query,
                statuses=statuses,
                kind=kind,
                limit=page_size,
                offset=(page - 1) * page_size,
            )
        )
        rows = [self._records.get(r["id"], r) for r in rows]
        return {"jobs": rows, "total": total, "page": page, "page_size": page_size}

    async def read_log(self, job_id: str, offset: int) -> dict[str, Any]:
        """``{text, next_offset, done}`` of a job's log from byte ``offset``."""
        record = await self.get(job_id)
        if offset < 0:
            raise BadRequest("offset must be >= 0", field="offset")
        final = record["status"] in TERMINAL
        path = self.job_dir(job_id) / LOG_NAME
        chunk = await anyio.to_thread.run_sync(
            functools.partial(read_log, path, offset, final=final)
        )
        size = await anyio.to_thread.run_sync(_file_size, path)
        return {
            "text": chunk.text,
            "next_offset": chunk.next_offset,
            "done": final and chunk.next_offset >= size,
        }

    # --- commands ------------------------------------------------------------------

    async def create(
        self, request: Mapping[str, Any], *, rerun_of: str | None = None
    ) -> dict[str, Any]:
        """Validate ``request`` into a new ``queued`` job, persist it and queue it."""
        record = await anyio.to_thread.run_sync(self._new_record, dict(request), rerun_of)
        taken = [r["id"] for r in self._records.values() if r["output_dir"] == record["output_dir"]]
        if taken:
            raise Conflict(
                f"output_dir {record['output_dir']!r} belongs to job {taken[0]}, which has not "
                "ended; a job never overwrites another job's outputs"
            )
        await self._insert(record)
        self._queue.append(record["id"])
        self._schedule()
        return await self.get(record["id"])

    async def rerun(self, job_id: str) -> dict[str, Any]:
        """A new job with the same pipeline, input, steps and CRDS context as ``job_id``."""
        source = await self.get(job_id)
        if source.get("kind") == "download":
            return await self._rerun_download(source)
        if source.get("kind") == "crds_fetch":
            raise Conflict("a CRDS fetch is not rerun: start a new one from the best references")
        request = {
            "kind": source["kind"],
            "pipeline": source["pipeline"],
            "input": source["input"],
            "steps": source["steps"],
            "crds_context": source.get("crds_context_used") or source.get("crds_context_requested"),
        }
        return await self.create(request, rerun_of=job_id)

    async def cancel(self, job_id: str) -> dict[str, Any]:
        """Cancel a queued job now, or ask a running one to stop; 409 if it has ended."""
        record = self._records.get(job_id)
        if record is None:
            stored = await self.get(job_id)
            raise Conflict(f"job {job_id} is already {stored['status']}; it cannot be cancelled")
        if record["status"] == "queued":
            with contextlib.suppress(ValueError):
                self._queue.remove(job_id)
            await self._transition(record, "cancelled", finished=now_iso())
            self._records.pop(job_id, None)
            return json.loads(json.dumps(record))
        active = self._active.get(job_id)
        if active is None:
            raise Conflict(f"job {job_id} is {record['status']}; it cannot be cancelled")
        active.cancel_requested = True
        if active.handle is not None:
            self._stop_runner(active)
        return json.loads(json.dumps(record))

    async def delete(self, job_id: str) -> None:
        """Forget a finished job and its log (its outputs stay); 409 while it is active."""
        record = await self.get(job_id)
        if record["status"] not in TERMINAL:
            raise Conflict(f"job {job_id} is {record['status']}; cancel it before deleting it")
        await self._in_db(self._store.delete, job_id)
        await anyio.to_thread.run_sync(
            functools.partial(shutil.rmtree, self.job_dir(job_id), ignore_errors=True)
        )
        self._publish("job.deleted", job_id=job_id)

    # --- download jobs ---------------------------------------------------------------

    def _token(self) -> str | None:
        if self._token_provider is None:
            return None
        return self._token_provider() or None

    async def create_download(
        self,
        *,
        source: str,
        rows: list[dict[str, Any]],
        dest: str,
        products: list[str] | None = None,
        obsids: list[str] | None = None,
        product_filters: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Queue a ``download`` job fetching the product ``rows`` into ``dest`` (under the root).

        Raises 400 for a bad destination, 403 (``token_required``) for
        exclusive-access products without a MAST token (``token_refused`` when
        MAST refuses the token set), 404 for products MAST does not have, 409
        when another active download writes one of the same files, 413
        (``insufficient_storage``) when the disk lacks the space.
        """
        async with self._download_lock:
            record = await anyio.to_thread.run_sync(
                functools.partial(
                    self._new_download,
                    source=source,
                    rows=rows,
                    dest=dest,
                    products=products,
                    obsids=obsids,
                    product_filters=product_filters,
                )
            )
            return await self._queue_download(record)

    def _new_download(self, **request: Any) -> dict[str, Any]:
        """Blocking: check and lay out a download, write its spec; the new record."""
        folder, files, _ = download_jobs.plan_files(
            root=self.root,
            dest=request["dest"],
            rows=request["rows"],
            source=request["source"],
            mast_url=self.settings.mast_url,
            token=self._token(),
            parallel=self.settings.max_parallel_downloads,
        )
        protected = any(
            str(row.get("dataRights") or "").upper() in download_jobs.PROTECTED_RIGHTS
            for row in request["rows"]
        )
        python = download_jobs.snippet(
            products=request["products"],
            obsids=request["obsids"],
            product_filters=request["product_filters"],
            dest=request["dest"],
            mast_url=self.settings.mast_url,
            protected=protected,
        )
        return self._write_download(
            folder=folder,
            files=files,
            source=request["source"],
            products=request["products"],
            obsids=request["obsids"],
            product_filters=request["product_filters"],
            python=python,
            rerun_of=None,
        )

    def _write_download(
        self,
        *,
        folder: Path,
        files: list[dict[str, Any]],
        resume_from: tuple[Path, ...] = (),
        **about: Any,
    ) -> dict[str, Any]:
        """Blocking: refuse files another active download writes; write the spec; the record.

        ``resume_from`` names the job folders whose partial files this job may
        resume (the job it reruns).
        """
        targets = {f["dest"] for f in files}
        for other in list(self._records.values()):
            if other.get("kind") != "download":
                continue
            try:
                spec = download_jobs.read_spec(self.job_dir(other["id"]))
            except (OSError, ValueError):
                continue
            if targets & {f["dest"] for f in spec.get("files", [])}:
                raise Conflict(
                    f"job {other['id']} is downloading some of the same files; wait for it or "
                    "cancel it"
                )
        job_id = uuid.uuid4().hex[:12]
        job_dir = self.job_dir(job_id)
        spec_path = download_jobs.write_spec(
            job_dir,
            job_id=job_id,
            root=self.root,
            folder=folder,
            files=files,
            parallel=self.settings.max_parallel_downloads,
            mast_url=self.settings.mast_url,
            resume_from=resume_from,
        )
        return download_jobs.new_record(
            job_id=job_id,
            created=now_iso(),
            root=self.root,
            folder=folder,
            files=files,
            argv=[Path(self._python).name, "-m", "jwst_lab.jobs.download_runner", str(spec_path)],
            **about,
        )

    async def _queue_download(self, record: dict[str, Any]) -> dict[str, Any]:
        await self._insert(record)
        self._queue.append(record["id"])
        self._schedule()
        return await self.get(record["id"])

    async def _rerun_download(self, source: dict[str, Any]) -> dict[str, Any]:
        """The same download again (same files, same destination) as a new job."""

        def build() -> dict[str, Any]:
            spec = download_jobs.read_spec(self.job_dir(source["id"]))
            folder = Path(spec["dest"])
            files = list(spec["files"])
            download_jobs.check_targets(self.root, source["output_dir"], files)
            download_jobs.check_disk(folder, files, source["output_dir"])
            about = source.get("download") or {}
            return self._write_download(
                folder=folder,
                files=files,
                resume_from=(self.job_dir(source["id"]),),
                source=about.get("source", "mast"),
                products=about.get("products") or None,
                obsids=about.get("obsids") or None,
                product_filters=about.get("product_filters") or None,
                python=source["commands"]["python"],
                rerun_of=source["id"],
            )

        async with self._download_lock:
            try:
                record = await anyio.to_thread.run_sync(build)
            except (OSError, ValueError):
                raise Conflict(
                    f"job {source['id']}'s file list is gone; it cannot be rerun"
                ) from None
            return await self._queue_download(record)

    def _download_plan(self, record: dict[str, Any]) -> LaunchPlan:
        """Blocking: the launch of a download runner; the token goes into its environment."""
        job_dir = self.job_dir(record["id"])
        spec_path = job_dir / download_jobs.DOWNLOAD_SPEC_NAME
        if not spec_path.is_file():
            raise FileNotFoundError(f"the file list of job {record['id']} is missing")
        for stale in (RESULT_NAME, runfiles.STATUS_NAME):
            (job_dir / stale).unlink(missing_ok=True)
        return LaunchPlan(
            job_id=record["id"],
            argv=[self._python, "-m", "jwst_lab.jobs.download_runner", str(spec_path)],
            cwd=self.root,
            job_dir=job_dir,
            env=download_jobs.runner_env(self._base_env, self._token()),
        )

    # --- CRDS reference fetch jobs ---------------------------------------------------

    async def create_crds_fetch(
        self, *, input_label: str, plan: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Queue a ``crds_fetch`` job syncing the references ``plan["files"]`` need.

        ``plan`` comes from :meth:`CrdsService.fetch_plan` (which refuses
        serverless and read-only caches); its ``environment`` holds the CRDS
        settings the runner's crds client uses.
        """
        record = await anyio.to_thread.run_sync(self._new_crds_fetch, input_label, dict(plan))
        return await self._queue_download(record)

    def _new_crds_fetch(self, input_label: str, plan: dict[str, Any]) -> dict[str, Any]:
        """Blocking: write the runner's spec; the record of a new ``crds_fetch`` job."""
        job_id = uuid.uuid4().hex[:12]
        job_dir = self.job_dir(job_id)
        job_dir.mkdir(parents=True, exist_ok=True)
        spec_path = job_dir / CRDS_FETCH_SPEC_NAME
        spec = {
            "job_id": job_id,
            "job_dir": str(job_dir),
            "context": plan["context"],
            "files": list(plan["files"]),
            "environment": dict(plan.get("environment") or {}),
            "result_file": str(job_dir / RESULT_NAME),
            "input": input_label,
        }
        spec_path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
        context = plan["context"]
        return {
            "id": job_id,
            "kind": "crds_fetch",
            "status": "queued",
            "created": now_iso(),
            "started": None,
            "finished": None,
            "updated": None,
            "input": input_label,
            "pipeline": None,
            "steps": {},
            "params": None,
            "crds_context_requested": context,
            "crds_context_used": None,
            "crds_context": None,
            "output_dir": "",
            "argv": [Path(self._python).name, "-m", CRDS_FETCH_MODULE, str(spec_path)],
            "commands": {"strun": "", "python": _crds_fetch_snippet(self.root, plan)},
            "rerun_of": None,
            "versions": {"jwst-lab": __version__},
            "progress": DownloadProgress(0, 0).as_dict(),
            "outputs": [],
            "exit_code": None,
            "error": None,
            "executor": "local",
            "crds_fetch": {
                "context": context,
                "context_reason": plan.get("context_reason"),
                "files": len(plan["files"]),
                "fetched": [],
                "skipped": [],
                "failed": [],
                "resumes": 0,
            },
        }

    def _crds_fetch_plan(self, record: dict[str, Any]) -> LaunchPlan:
        """Blocking: the launch of a ``crds_fetch`` runner with the CRDS environment."""
        job_dir = self.job_dir(record["id"])
        spec_path = job_dir / CRDS_FETCH_SPEC_NAME
        if not spec_path.is_file():
            raise FileNotFoundError(f"the spec of job {record['id']} is missing")
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        for stale in (RESULT_NAME, runfiles.STATUS_NAME):
            (job_dir / stale).unlink(missing_ok=True)
        env = {k: v for k, v in self._base_env.items() if not k.startswith("CRDS_")}
        env.update(spec.get("environment") or {})
        env["PYTHONUNBUFFERED"] = "1"
        return LaunchPlan(
            job_id=record["id"],
            argv=[self._python, "-m", CRDS_FETCH_MODULE, str(spec_path)],
            cwd=self.root,
            job_dir=job_dir,
            env=env,
        )

    # --- validation ------------------------------------------------------------------

    def _new_record(self, request: dict[str, Any], rerun_of: str | None) -> dict[str, Any]:
        """Blocking: check the request against the catalog, the root and the association."""
        kind = request.get("kind", "pipeline")
        if kind != "pipeline":
            raise BadRequest(f"kind must be 'pipeline', not {kind!r}", field="kind")
        pipeline = request.get("pipeline")
        if not isinstance(pipeline, str) or not pipeline:
            raise BadRequest("pipeline is required, e.g. 'calwebb_image3'", field="pipeline")
        entry = self.catalog.require(pipeline)
        input_path = resolve_in_root(self.root, request.get("input", ""), field="input")
        _refuse_expansions("input", request.get("input", ""))
        check_pipeline_input(pipeline, entry, input_path, request["input"])
        if input_path.name.endswith(".json"):
            summary = self._associations.read(input_path, field="input")
            require_members(summary)
            accepts = PIPELINE_INPUTS.get(pipeline)
            asn_type = summary["asn_type"]
            if accepts and asn_type not in accepts.asn_types:
                runs = (
                    f"it runs {', '.join(accepts.asn_types)} associations"
                    if accepts.asn_types
                    else f"it runs {' or '.join(accepts.suffixes)} files, not associations"
                )
                raise BadRequest(
                    f"{pipeline} does not run {asn_type!r} associations ({runs})", field="input"
                )
        steps = self.catalog.validate_steps(pipeline, request.get("steps"))
        context = self._check_context(request.get("crds_context"))
        self._check_crds_usable()
        job_id = uuid.uuid4().hex[:12]
        stage = pipeline.removeprefix("calwebb_")
        requested_output = request.get("output_dir")
        if requested_output:
            if not isinstance(requested_output, str):
                raise BadRequest(
                    "output_dir must be a path relative to the server root", field="output_dir"
                )
            _refuse_expansions("output_dir", requested_output)
            output = resolve_in_root(
                self.root, requested_output, field="output_dir", must_exist=False
            )
            if output.exists() and (not output.is_dir() or any(output.iterdir())):
                raise Conflict(
                    f"output_dir {requested_output!r} is not an empty folder; a job never "
                    "overwrites other outputs"
                )
        else:
            output = input_path.parent / f"{stage}_{job_id}"
        # Every file-like step parameter must stay in the root (checked again at launch).
        self.catalog.launch_steps(
            pipeline, steps, root=self.root, folders=[input_path.parent, output]
        )
        input_rel = relative_to_root(self.root, input_path)
        output_rel = relative_to_root(self.root, output) if output != self.root else "."
        arguments = strun_arguments(pipeline, input_rel, output_rel, steps)
        return {
            "id": job_id,
            "kind": "pipeline",
            "status": "queued",
            "created": now_iso(),
            "started": None,
            "finished": None,
            "updated": None,
            "input": input_rel,
            "pipeline": pipeline,
            "steps": steps,
            "params": None,
            "crds_context_requested": context,
            "crds_context_used": None,
            "crds_context": None,
            "output_dir": output_rel,
            "argv": ["strun", *arguments],
            "commands": {
                "strun": copy_as_strun(arguments, context),
                "python": copy_as_python(
                    entry["class_name"], input_rel, output_rel, steps, context
                ),
            },
            "rerun_of": rerun_of,
            "versions": self.catalog.versions(),
            "progress": Progress(total=len(entry["steps"]) or 1).as_dict(),
            "outputs": [],
            "exit_code": None,
            "error": None,
            "executor": self.executor.name,
        }

    def _commands(self, record: dict[str, Any], context: str | None) -> dict[str, str]:
        """The job's "Copy as strun" and "Copy as Python" commands, pinned to ``context``."""
        entry = self.catalog.entry(record["pipeline"])
        class_name = entry["class_name"] if entry else record["pipeline"]
        arguments = record["argv"][1:]
        return {
            "strun": copy_as_strun(arguments, context),
            "python": copy_as_python(
                class_name, record["input"], record["output_dir"], record["steps"], context
            ),
        }

    def _check_context(self, context: Any) -> str | None:
        if context in (None, ""):
            return self.settings.crds.context
        if not isinstance(context, str):
            raise BadRequest(
                f"crds_context must be a context name like 'jwst_1234.pmap', not {context!r}",
                field="crds_context",
            )
        check_context_name(context, "crds_context")
        crds = self.settings.crds
        if crds.path is not None and crds.mode in ("serverless", "local"):
            mapping = crds.path / "mappings" / "jwst" / context
            if not mapping.is_file():
                raise BadRequest(
                    f"crds_context {context!r} is not in the CRDS cache {crds.path} "
                    "(and CRDS runs without a server)",
                    field="crds_context",
                )
        return context

    def _check_crds_usable(self) -> None:
        """409 when the pipeline could not get its references: no server and no usable cache."""
        if self._crds_problem is None:
            return
        crds = self.settings.crds
        if not crds.serverless and crds.mode != "local":
            return  # crds fills the cache from its server as the pipeline asks
        problem = self._crds_problem()
        if problem:
            raise Conflict(
                f"the pipeline cannot run: CRDS has no server and its cache is unusable. {problem}",
                reason="crds_unusable",
            )

    # --- running ---------------------------------------------------------------------

    def _schedule(self) -> None:
        if self._stopping:
            return
        while self._queue and len(self._active) < self.settings.max_concurrent_jobs:
            job_id = self._queue.popleft()
            active = _Active()
            self._active[job_id] = active
            active.task = asyncio.create_task(self._run(self._records[job_id], active))

    def _plan(self, record: dict[str, Any]) -> LaunchPlan:
        """Blocking: write the runner's spec file and make the folders."""
        if record.get("kind") == "download":
            return self._download_plan(record)
        if record.get("kind") == "crds_fetch":
            return self._crds_fetch_plan(record)
        job_dir = self.job_dir(record["id"])
        job_dir.mkdir(parents=True, exist_ok=True)
        input_path = resolve_in_root(self.root, record["input"], field="input")
        output = resolve_in_root(
            self.root, record["output_dir"], field="output_dir", must_exist=False
        )
        output.mkdir(parents=True, exist_ok=True)
        steps = self.catalog.launch_steps(
            record["pipeline"], record["steps"], root=self.root, folders=[input_path.parent, output]
        )
        arguments = strun_arguments(record["pipeline"], str(input_path), str(output), steps)
        spec = {
            "job_id": record["id"],
            "job_dir": str(job_dir),
            "root": str(self.root),
            "arguments": arguments,
            "param_file": str(output / f"{record['pipeline']}{PARAMS_SUFFIX}"),
            "result_file": str(job_dir / RESULT_NAME),
        }
        spec_path = job_dir / SPEC_NAME
        spec_path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
        return LaunchPlan(
            job_id=record["id"],
            argv=[self._python, "-m", "jwst_lab.jobs.runner", str(spec_path)],
            cwd=input_path.parent,
            job_dir=job_dir,
            env=job_environment(
                self._base_env, self.settings.crds, record["crds_context_requested"]
            ),
            runner_spec=spec_path,
        )

    async def _run(self, record: dict[str, Any], active: _Active) -> None:
        await self._transition(record, "running", started=now_iso())
        try:
            plan = await anyio.to_thread.run_sync(self._plan, record)
            active.handle = await self._executor_for(record).start(plan)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            await self._end(
                record, "failed", error=f"the job could not be started: {error}", exit_code=None
            )
            return
        if active.cancel_requested:
            self._stop_runner(active)
        await self._follow(record, active, catch_up=False)

    def _stop_runner(self, active: _Active) -> None:
        if active.handle is None:
            return
        task = asyncio.create_task(active.handle.cancel(self._grace))
        active.side_tasks.add(task)
        task.add_done_callback(active.side_tasks.discard)

    async def _follow(self, record: dict[str, Any], active: _Active, *, catch_up: bool) -> None:
        """Follow a running job's log until its runner ends, then record the end.

        Whatever goes wrong while following (an unreadable log, a bad progress
        line), the job still reaches a final state once its runner has ended.
        """
        assert active.handle is not None
        progress: Progress | DownloadProgress | None = None
        exit_code: int | None = None
        try:
            exit_code, progress = await self._watch(record, active, catch_up=catch_up)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            LOG.exception("jwst-lab lost track of job %s's log", record["id"])
            active.follow_error = f"jwst-lab lost track of the job's log: {error}"
            with contextlib.suppress(Exception):
                exit_code = await active.handle.wait()
        await self._finish(record, active, exit_code, progress=progress)

    async def _watch(
        self, record: dict[str, Any], active: _Active, *, catch_up: bool
    ) -> tuple[int | None, Progress | DownloadProgress]:
        """Publish a running job's log lines and progress until its runner ends."""
        assert active.handle is not None
        job_id = record["id"]
        follower = LogFollower(self.job_dir(job_id) / LOG_NAME)
        steps = await anyio.to_thread.run_sync(self._step_names, record)
        progress: Progress | DownloadProgress = Progress(total=len(steps) or 1)
        if record.get("kind") in TRANSFER_KINDS:
            progress = DownloadProgress.from_dict(record.get("progress"))
        if catch_up:
            lines = await anyio.to_thread.run_sync(follower.new_lines)
            progress = self._consume(record, progress, steps, lines, publish=False)
        waiter = asyncio.ensure_future(active.handle.wait())
        started = _epoch(record.get("started")) or time.time()
        timeout = self.settings.job_timeout
        try:
            while True:
                await asyncio.wait({waiter}, timeout=self._poll)
                lines = await anyio.to_thread.run_sync(follower.new_lines)
                progress = await self._progress(record, progress, steps, lines)
                if waiter.done():
                    break
                if timeout and not active.timed_out and time.time() - started > timeout:
                    active.timed_out = True
                    self._stop_runner(active)
        finally:
            if not waiter.done():
                waiter.cancel()
        lines = await anyio.to_thread.run_sync(functools.partial(follower.new_lines, final=True))
        progress = await self._progress(record, progress, steps, lines)
        return waiter.result(), progress

    def _step_names(self, record: dict[str, Any]) -> tuple[str, ...]:
        """Blocking (may load the catalog): the steps counted in a job's progress."""
        if record.get("kind") in TRANSFER_KINDS:
            return ()
        try:
            entry = self.catalog.entry(record["pipeline"])
        except Exception:
            return ()
        return tuple(step["alias"] for step in entry["steps"]) if entry else ()

    def _consume(
        self,
        record: dict[str, Any],
        progress: Progress | DownloadProgress,
        steps: tuple[str, ...],
        lines: list[str],
        *,
        publish: bool,
    ) -> Progress | DownloadProgress:
        out = []
        for line in lines:
            event = runner_event(line)
            if event is not None and event.get("event") == "started":
                versions = event.get("versions")
                if isinstance(versions, dict):
                    record["versions"] = versions
            if isinstance(progress, DownloadProgress):
                progress = advance_download(progress, line)
            else:
                progress = advance(progress, line, steps)
            out.append({"text": line, "level": log_level(line)})
        if publish and out:
            self._publish("job.log", job_id=record["id"], lines=out)
        return progress

    async def _progress(
        self,
        record: dict[str, Any],
        progress: Progress | DownloadProgress,
        steps: tuple[str, ...],
        lines: list[str],
    ) -> Progress | DownloadProgress:
        if not lines:
            return progress
        updated = self._consume(record, progress, steps, lines, publish=True)
        if updated != progress:
            record["progress"] = updated.as_dict()
            self._publish("job.progress", job_id=record["id"], progress=record["progress"])
            record["updated"] = now_iso()
            await self._in_db(self._store.update, json.loads(json.dumps(record)))
        return updated

    async def _finish(
        self,
        record: dict[str, Any],
        active: _Active,
        exit_code: int | None,
        *,
        progress: Progress | DownloadProgress | None = None,
        recovered: bool = False,
    ) -> None:
        """Record how a runner ended, from its exit code, result file and log.

        Never leaves the job ``running``: if reading what the runner left
        fails, the job still ends, with the reason in its error.
        """
        try:
            status, error = await self._conclude(record, active, exit_code, progress, recovered)
        except asyncio.CancelledError:
            raise
        except Exception as failure:
            LOG.exception("could not record how job %s ended", record["id"])
            status = "cancelled" if active.cancel_requested else "failed"
            error = f"the job ended but jwst-lab could not record its results: {failure}"
        await self._end(record, status, error=error, exit_code=exit_code)

    async def _conclude(
        self,
        record: dict[str, Any],
        active: _Active,
        exit_code: int | None,
        progress: Progress | DownloadProgress | None,
        recovered: bool,
    ) -> tuple[str, str | None]:
        """Fill in a finished job's record; its final status and error."""
        job_dir = self.job_dir(record["id"])
        result = await anyio.to_thread.run_sync(_read_json, job_dir / RESULT_NAME)
        if result.get("versions"):
            record["versions"] = result["versions"]
        if result.get("params") is not None:
            record["params"] = result["params"]
        if result.get("crds_context_used"):
            record["crds_context_used"] = result["crds_context_used"]
            record["crds_context"] = result["crds_context_used"]
            if not record.get("crds_context_requested"):
                record["commands"] = await anyio.to_thread.run_sync(
                    self._commands, record, result["crds_context_used"]
                )
        succeeded = exit_code == 0 and not active.cancel_requested and not active.timed_out
        if record.get("kind") == "download":
            record["outputs"] = [str(p) for p in result.get("files") or []]
        elif record.get("kind") == "crds_fetch":
            record["outputs"] = []
            about = record.setdefault("crds_fetch", {})
            for key in ("fetched", "skipped", "failed"):
                about[key] = list(result.get(key) or [])
        else:
            await anyio.to_thread.run_sync(self._record_outputs, record, succeeded)
        if progress is not None and exit_code == 0:
            record["progress"] = progress.completed().as_dict()
        elif progress is not None:
            record["progress"] = progress.as_dict()
        if active.cancel_requested:
            return "cancelled", "cancelled by the user"
        if active.timed_out:
            return "failed", f"timed out after {self.settings.job_timeout:g} s (job_timeout)"
        if active.follow_error and exit_code != 0:
            return "failed", active.follow_error
        if exit_code is None:
            return "interrupted", (
                "the server stopped while this job ran and its runner is gone; the log is kept"
                if recovered
                else "the runner process ended without recording an exit status"
            )
        if exit_code == 0:
            return "succeeded", None
        error = await anyio.to_thread.run_sync(self._error_text, record, result, exit_code)
        return "failed", error

    async def _end(
        self, record: dict[str, Any], status: str, *, error: str | None, exit_code: int | None
    ) -> None:
        job_id = record["id"]
        try:
            await self._transition(
                record, status, finished=now_iso(), error=error, exit_code=exit_code
            )
        finally:
            self._records.pop(job_id, None)
            self._active.pop(job_id, None)
            self._schedule()

    def _error_text(self, record: dict[str, Any], result: dict[str, Any], exit_code: int) -> str:
        lines = last_error_lines(tail_text(self.job_dir(record["id"]) / LOG_NAME))
        if record.get("kind") == "download":
            return str(result.get("error") or f"the download exited with status {exit_code}")
        if record.get("kind") == "crds_fetch":
            return str(result.get("error") or f"the CRDS fetch exited with status {exit_code}")
        head = result.get("error") or f"the pipeline exited with status {exit_code}"
        if any(_DISK_FULL in line for line in [str(head), *lines]):
            output = self.root / record["output_dir"]
            free = free_space(output)
            shown = "unknown" if free is None else format_size(free)
            head = (
                f"disk full: no space left in {record['output_dir']} ({shown} free); free some "
                f"space or choose another output folder, then rerun. ({head})"
            )
        return "\n".join([head, *[line for line in lines if line != head]])

    def _record_outputs(self, record: dict[str, Any], succeeded: bool) -> None:
        """Blocking: list a pipeline job's outputs; a failed job's are marked partial.

        Symbolic links and unreadable entries are reported in ``warnings``,
        never raised; temporary files are never listed, and a failed job's are
        removed.
        """
        listing = list_outputs(self.root, record["output_dir"])
        removed = 0 if succeeded else remove_temporaries(listing)
        if removed:
            listing.warnings.append(f"removed {removed} temporary file(s) the failed job left")
        record["outputs"] = listing.files if succeeded else []
        record["partial_outputs"] = [] if succeeded else listing.files
        record["warnings"] = listing.warnings


def _refuse_expansions(field: str, value: Any) -> None:
    """400 for ``$`` or a leading ``~``: stpipe and jwst expand them in paths they open."""
    if isinstance(value, str) and ("$" in value or value.startswith("~")):
        raise BadRequest(
            f"{field} {value!r} uses '$' or '~', which the pipeline would expand; "
            "give a plain path relative to the server root",
            field=field,
        )


#: Files a pipeline step can read: FITS and ASDF data files, JSON associations.
DATA_SUFFIXES = (".fits", ".asdf", ".json")


def check_pipeline_input(
    pipeline: str, entry: Mapping[str, Any], input_path: Path, shown: str
) -> None:
    """400 when ``pipeline`` does not take ``input_path`` (checked by name, before any job)."""
    if input_path.is_dir():
        raise BadRequest(f"input {shown!r} is a folder, not a file", field="input")
    name = input_path.name.lower()
    accepts = PIPELINE_INPUTS.get(pipeline)
    if name.endswith(".json"):
        if accepts is not None and not accepts.asn_types:
            raise BadRequest(
                f"{pipeline} runs {' or '.join(accepts.suffixes)} files, not associations "
                f"({shown!r})",
                field="input",
            )
        return
    if accepts is not None:
        if not name.endswith(accepts.suffixes):
            takes = " or ".join(accepts.suffixes)
            if accepts.asn_types:
                takes = f"{'/'.join(accepts.asn_types)} associations (_asn.json) or {takes} files"
            raise BadRequest(
                f"{pipeline} takes {takes}, not {shown!r}",
                field="input",
            )
        return
    if not name.endswith(DATA_SUFFIXES):
        kind = "pipeline" if entry.get("is_pipeline") else "step"
        raise BadRequest(
            f"the {pipeline} {kind} reads FITS or ASDF data files or associations (.json), "
            f"not {shown!r}",
            field="input",
        )


def _crds_fetch_snippet(root: Path, plan: Mapping[str, Any]) -> str:
    """Notebook code doing what a ``crds_fetch`` job does (crds syncs what getreferences needs)."""
    env = plan.get("environment") or {}
    paths = [relative_to_root(root, Path(f)) for f in plan["files"]]
    return (
        "import os\n"
        f"os.environ['CRDS_PATH'] = {env.get('CRDS_PATH', '')!r}\n"
        f"os.environ['CRDS_SERVER_URL'] = {env.get('CRDS_SERVER_URL', '')!r}\n"
        "import crds  # after setting CRDS_* (crds reads them once)\n"
        "from crds import data_file\n\n"
        f"for path in {paths!r}:\n"
        "    header = data_file.get_header(path, observatory='jwst')\n"
        f"    crds.getreferences(header, observatory='jwst', context={plan['context']!r})\n"
    )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _epoch(timestamp: str | None) -> float | None:
    if not timestamp:
        return None
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()
