"""``JobManager``: the job engine: queue, concurrency cap, state machine, recovery.

The manager is the only writer of job state, and knows no kind of job: it
calls each through the :class:`~.kinds.base.JobKind` interface. It keeps a
FIFO queue, starts at most ``max_concurrent_jobs`` runners, follows each
runner's log (``job.log`` and ``job.progress`` events), enforces
``job_timeout`` and records how each job ended. Changes are persisted through
:class:`~.store.JobStore` on one database thread, in order, and published as
``job.created``, ``job.updated`` or ``job.deleted``. At start-up, a job left
``running`` is re-attached to its runner, finished from its recorded exit
status, or (runner gone) queued again or ended ``interrupted``, as its kind
decides.

Admission: the queue is scanned in FIFO order and a job starts when every job
it ``depends_on`` has succeeded and its ``memory_estimate_bytes`` fits beside
the running jobs' in ``settings.memory_limit_bytes`` (a job larger than the
limit alone runs only when nothing else runs); ``max_concurrent_jobs`` caps the
count. On an executor that reports the memory of its workers (Dask), a job
starts instead when one worker has room for it beside the jobs placed there
(:meth:`~.executors.base.Executor.reserve`). A queued job whose dependency
ended otherwise is cancelled with reason ``dependency_failed``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import shutil
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread

from .. import metrics
from ..clock import epoch_seconds
from ..core.events import EventBus
from ..errors import BadRequest, Conflict, NotFound
from ..models.jobs import JobRecord
from . import runfiles, states
from .claims import HeldClaims
from .executors.base import DEFAULT_GRACE, Executor
from .executors.capacity import MemoryCapacity
from .executors.local import LocalExecutor
from .follow import Batch, LogWatch, Run
from .kinds import DEFAULT_KIND, KINDS
from .kinds.base import Ending, JobKind, KindContext, NewJob
from .logs import LOG_NAME, log_page
from .resources import DASK_WORKER_LIMIT, SERVER_LIMIT
from .states import MAX_PAGE, MAX_PAGE_SIZE, STATUSES, TERMINAL, check_transition
from .store import JobStore

__all__ = ["MAX_PAGE", "MAX_PAGE_SIZE", "STATUSES", "TERMINAL", "JobManager", "check_transition"]
T = TypeVar("T")
LOG = logging.getLogger(__name__)


class JobManager:
    """Creates, queues, runs, cancels and records jobs of every registered kind."""

    def __init__(
        self,
        *,
        context: KindContext,
        store: JobStore,
        executor: Executor,
        bus: EventBus,
        cancel_grace: float = DEFAULT_GRACE,
        poll_interval: float = 0.1,
        kinds: Mapping[str, JobKind] = KINDS,
    ) -> None:
        """``context``: what the kinds get (root, settings, job folders, services)."""
        self.settings = context.settings
        self.jobs_dir = context.jobs_dir
        self.executor = executor
        self.kinds = dict(kinds)
        self._store = store
        self._bus = bus
        self._grace = cancel_grace
        self._poll = poll_interval
        self._now = context.clock
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jwst-lab-jobs-db")
        self._records: dict[str, JobRecord] = {}
        # Insertion-ordered: FIFO, with O(1) removal of any queued job.
        self._queue: dict[str, None] = {}
        # How jobs that other queued jobs depend on ended (ids absent: active or unknown).
        self._ended: dict[str, str] = {}
        self._listeners: list[Callable[[JobRecord], None]] = []
        self._active: dict[str, Run] = {}
        self._held = HeldClaims()
        self._started = self._stopping = False
        self._side_tasks: set[asyncio.Task[None]] = set()
        self._start_lock = asyncio.Lock()
        #: Jobs by kind and status, and job events, for ``/metrics``.
        self.metrics = metrics.JobBook(self._metrics_state)
        # Kinds that must stay on this host (the MAST token, the CRDS cache) run locally.
        self._local = executor if executor.name == LocalExecutor.name else LocalExecutor()
        self._contexts = {
            name: replace(
                context,
                executor=self._executor(handler).name,
                memory_limit=functools.partial(self.memory_limit_bytes, name),
                memory_limit_name=functools.partial(self.memory_limit_name, name),
            )
            for name, handler in self.kinds.items()
        }

    # --- plumbing ----------------------------------------------------------------

    async def _in_db(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db, functools.partial(function, *args))

    async def _blocking(self, method: Callable[..., T], record: JobRecord, *args: Any) -> T:
        """A blocking method of ``record``'s kind, on a worker thread, with the kind's context."""
        return await anyio.to_thread.run_sync(method, self._contexts[record.kind], record, *args)

    def _kind(self, record: JobRecord) -> JobKind:
        kind = self.kinds.get(record.kind)
        if kind is None:
            raise Conflict(f"this server runs no {record.kind!r} jobs")
        return kind

    def _executor(self, kind: JobKind) -> Executor:
        return self._local if kind.local_only else self.executor

    async def _save(self, record: JobRecord, event: str = "job.updated") -> JobRecord:
        record = record.model_copy(update={"updated": self._now()})
        if record.id in self._records:
            self._records[record.id] = record
        write = self._store.insert if event == "job.created" else self._store.update
        await self._in_db(write, record)
        self._bus.publish(event, job_id=record.id, job=record.model_dump(mode="json"))
        for listener in list(self._listeners):
            try:
                listener(record)
            except Exception:
                LOG.exception("a job listener failed on job %s", record.id)
        return record

    def add_listener(self, listener: Callable[[JobRecord], None]) -> None:
        """Call ``listener(record)`` (on the event loop) after every saved change of a job."""
        self._listeners.append(listener)

    async def _transition(self, job_id: str, status: str, **changes: Any) -> JobRecord:
        record = self._records[job_id]
        check_transition(job_id, record.status, status)
        saved = await self._save(record.model_copy(update={"status": status, **changes}))
        self.metrics.moved(record.status, saved)
        return saved

    def _metrics_state(self) -> metrics.JobState:
        """The queue, the memory held by running jobs and what admission checks pipeline jobs
        against (``memory_limit``, or on a Dask cluster its workers' limits), for a scrape."""
        return metrics.JobState(
            queue_length=len(self._queue),
            memory_in_use_bytes=sum(self._estimate(job_id) for job_id in list(self._active)),
            memory_limit_bytes=max(self.memory_total_bytes(), 0),
        )

    def kind_context(self, name: str) -> KindContext:
        """The context the engine hands the kind ``name`` (its settings, catalog, root...)."""
        return self._contexts[name]

    def _capacity(self, kind_name: str) -> MemoryCapacity | None:
        kind = self.kinds.get(kind_name)
        return (self._executor(kind) if kind is not None else self.executor).memory_capacity()

    def memory_limit_bytes(self, kind_name: str = "pipeline") -> int:
        """The largest estimate a job of ``kind_name`` may have and still run.

        The server's ``memory_limit``; on an executor that reports its workers'
        memory (Dask), the largest worker's limit.
        """
        capacity = self._capacity(kind_name)
        return capacity.largest_worker_bytes if capacity else self.settings.memory_limit_bytes

    def memory_limit_name(self, kind_name: str = "pipeline") -> str:
        """What :meth:`memory_limit_bytes` is, for messages: ``memory_limit`` or a Dask worker's."""
        return DASK_WORKER_LIMIT if self._capacity(kind_name) else SERVER_LIMIT

    def memory_total_bytes(self, kind_name: str = "pipeline") -> int:
        """What jobs of ``kind_name`` may use at once: ``memory_limit``, or all workers' limits."""
        capacity = self._capacity(kind_name)
        return capacity.total_bytes if capacity else self.settings.memory_limit_bytes

    def job_dir(self, job_id: str) -> Path:
        """The folder of a job's spec, log, pid and exit status files."""
        return self.jobs_dir / job_id

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
            self.metrics.load(await self._in_db(self._store.counts))
            metrics.watch(self.metrics)
            try:
                await self.executor.open()
            except Exception:
                # Jobs that need it fail at launch, each with the reason; the rest work.
                LOG.exception("the %s executor could not be opened", self.executor.name)
            for record in await self._in_db(self._store.with_status, ("queued", "running")):
                try:
                    self._held.keep(
                        record.id, await self._blocking(self._kind(record).claims, record)
                    )
                except Exception as error:
                    LOG.warning("cannot tell what job %s writes: %s", record.id, error)
                if record.status == "running":
                    await self._recover_safely(record)
                else:
                    self._records[record.id] = record
                    self._queue[record.id] = None
            await self._load_dependencies()
            self._started = True
            self._schedule()

    async def stop(self) -> None:
        """Stop following jobs (runners keep running and are re-attached at the next start)."""
        if self._stopping:
            return
        self._stopping = True
        metrics.unwatch(self.metrics)
        tasks = [a.task for a in self._active.values() if a.task is not None]
        tasks += [t for a in self._active.values() for t in a.side_tasks]
        tasks += list(self._side_tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.executor.close()
        await self._in_db(self._store.close)
        self._db.shutdown(wait=True)

    async def _recover_safely(self, record: JobRecord) -> None:
        """Recover one job; a record that cannot be recovered ends ``interrupted``, alone."""
        try:
            await self._recover(record)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            LOG.exception("could not recover job %s", record.id)
            self._active.pop(record.id, None)
            self._records.setdefault(record.id, record)
            why = f"the server restarted and could not recover this job: {error}"
            with contextlib.suppress(Exception):
                await self._end(record.id, "interrupted", error=why, exit_code=None)

    async def _recover(self, record: JobRecord) -> None:
        job_id = record.id
        self._records[job_id] = record
        kind = self._kind(record)
        executor = self._executor(kind)
        handle = None
        if record.executor == executor.name:
            handle = await executor.attach(self.job_dir(job_id))
        active = self._active[job_id] = Run(handle=handle)
        if handle is not None:
            active.task = asyncio.create_task(self._follow(job_id, active, catch_up=True))
            return
        exit_code = await anyio.to_thread.run_sync(runfiles.read_exit_status, self.job_dir(job_id))
        again = None if exit_code is not None else await self._blocking(kind.requeue, record)
        if again is None:
            watch = None
            with contextlib.suppress(Exception):  # the job ends all the same
                watch = await self._watch_log(record)
                read = functools.partial(watch.read, final=True)
                await self._publish(job_id, await anyio.to_thread.run_sync(read), quiet=True)
            await self._finish(job_id, active, exit_code, watch=watch, recovered=True)
            return
        # Recovery only: the runner died with the server, and its kind resumes the job.
        del self._active[job_id]
        queued = await self._save(again.model_copy(update={"status": "queued", "error": None}))
        self.metrics.moved(record.status, queued)
        self._queue[job_id] = None

    async def _load_dependencies(self) -> None:
        """Recovery: how the ended jobs that queued jobs depend on ended (from the store)."""
        wanted = {
            dependency
            for job_id in self._queue
            for dependency in self._records[job_id].depends_on
            if dependency not in self._records
        }
        for dependency in wanted:
            stored = await self._in_db(self._store.get, dependency)
            # A dependency that is gone (deleted) cannot succeed any more.
            self._ended[dependency] = stored.status if stored is not None else "deleted"

    # --- queries -------------------------------------------------------------------

    async def _record(self, job_id: str) -> JobRecord:
        record = self._records.get(job_id) or await self._in_db(self._store.get, job_id)
        if record is None:
            raise NotFound(f"no job {job_id!r}")
        return record

    async def get(self, job_id: str) -> dict[str, Any]:
        """One job record as the API answers it; :class:`NotFound` if there is none."""
        return (await self._record(job_id)).model_dump(mode="json")

    async def list_jobs(
        self,
        *,
        statuses: tuple[str, ...] = (),
        kind: str | None = None,
        page: int = 1,
        page_size: int = 100,
    ) -> dict[str, Any]:
        """A page of jobs, newest first: ``{jobs, total, page, page_size}``."""
        states.check_page(statuses, page, page_size)
        query = functools.partial(
            self._store.query,
            statuses=statuses,
            kind=kind,
            limit=page_size,
            offset=(page - 1) * page_size,
        )
        rows, total = await self._in_db(query)
        jobs = [self._records.get(r.id, r).model_dump(mode="json") for r in rows]
        return {"jobs": jobs, "total": total, "page": page, "page_size": page_size}

    async def read_log(self, job_id: str, offset: int) -> dict[str, Any]:
        """``{text, next_offset, done}`` of a job's log from byte ``offset``."""
        record = await self._record(job_id)
        if offset < 0:
            raise BadRequest("offset must be >= 0", field="offset")
        final = record.status in TERMINAL
        page = functools.partial(log_page, self.job_dir(job_id) / LOG_NAME, offset, final=final)
        return await anyio.to_thread.run_sync(page)

    # --- commands ------------------------------------------------------------------

    async def create(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """``POST /jobs``: a new job of the request's ``kind`` (one that route creates)."""
        name = request.get("kind") or DEFAULT_KIND
        kind = self.kinds.get(name) if isinstance(name, str) else None
        if kind is None or not kind.requestable:
            allowed = " or ".join(repr(n) for n, k in self.kinds.items() if k.requestable)
            raise BadRequest(f"kind must be {allowed}, not {name!r}", field="kind")
        return await self.submit(kind.name, request)

    async def submit(
        self, kind_name: str, request: Mapping[str, Any], *, rerun_of: str | None = None
    ) -> dict[str, Any]:
        """Have the kind validate ``request`` into a new ``queued`` job; persist and queue it."""
        kind = self.kinds.get(kind_name)
        if kind is None:
            raise BadRequest(f"unknown job kind {kind_name!r}", field="kind")
        context = self._contexts[kind_name]
        job = NewJob(id=uuid.uuid4().hex[:12], created=self._now(), rerun_of=rerun_of)
        try:
            record = await anyio.to_thread.run_sync(kind.validate, context, request, job)
            await self._note_dependencies(record)
            self._held.take(job.id, await anyio.to_thread.run_sync(kind.claims, context, record))
            self._records[job.id] = record
            self.metrics.moved(None, await self._save(record, "job.created"))
        except BaseException:
            self._records.pop(job.id, None)
            self._held.release(job.id)
            remove = functools.partial(shutil.rmtree, self.job_dir(job.id), ignore_errors=True)
            await anyio.to_thread.run_sync(remove)
            raise
        self._queue[job.id] = None
        self._schedule()
        return await self.get(job.id)

    async def _note_dependencies(self, record: JobRecord) -> None:
        """400 for a dependency that does not exist; remember how ended ones ended."""
        for dependency in record.depends_on:
            if dependency in self._records or dependency in self._ended:
                continue
            stored = await self._in_db(self._store.get, dependency)
            if stored is None:
                raise BadRequest(f"depends_on: there is no job {dependency!r}", field="depends_on")
            self._ended[dependency] = stored.status

    async def rerun(self, job_id: str) -> dict[str, Any]:
        """A new job doing what ``job_id`` did, if its kind allows (409 with why, if not)."""
        source = await self._record(job_id)
        request = await self._blocking(self._kind(source).rerun, source)
        return await self.submit(source.kind, request, rerun_of=job_id)

    async def cancel(self, job_id: str) -> dict[str, Any]:
        """Cancel a queued job now, or ask a running one to stop; 409 if it has ended."""
        record = self._records.get(job_id)
        if record is None:
            stored = await self._record(job_id)
            raise Conflict(f"job {job_id} is already {stored.status}; it cannot be cancelled")
        if record.status == "queued" and job_id not in self._active:
            self._queue.pop(job_id, None)
            try:
                record = await self._transition(job_id, "cancelled", finished=self._now())
            finally:
                self._forget(job_id, "cancelled")
                self._schedule()
            return record.model_dump(mode="json")
        active = self._active.get(job_id)
        if active is None:
            raise Conflict(f"job {job_id} is {record.status}; it cannot be cancelled")
        active.cancel_requested = True
        active.stop(self._grace)
        return record.model_dump(mode="json")

    async def delete(self, job_id: str) -> None:
        """Forget a finished job and its log (its outputs stay); 409 while it is active."""
        record = await self._record(job_id)
        if record.status not in TERMINAL:
            raise Conflict(f"job {job_id} is {record.status}; cancel it before deleting it")
        if await self._in_db(self._store.delete, job_id):
            self.metrics.deleted(record)
        remove = functools.partial(shutil.rmtree, self.job_dir(job_id), ignore_errors=True)
        await anyio.to_thread.run_sync(remove)
        self._bus.publish("job.deleted", job_id=job_id)

    # --- running ---------------------------------------------------------------------

    def _forget(self, job_id: str, status: str) -> None:
        """A job ended: drop its live record and claims; remember how it ended."""
        self._records.pop(job_id, None)
        self._active.pop(job_id, None)
        self._held.release(job_id)
        self.executor.release(job_id)
        self._ended[job_id] = status

    def _memory_limit(self) -> int | None:
        limit = self.settings.memory_limit_bytes
        return limit if limit > 0 else None

    def _schedule(self) -> None:
        """Start the first queued jobs that are ready and fit (one pass over the queue).

        Cheap by design: one dictionary lookup per dependency of each queued
        job and a sum over the running jobs; no I/O.
        """
        if self._stopping or not self._queue:
            return
        cap = self.settings.max_concurrent_jobs
        limit = self._memory_limit()
        in_use = sum(self._estimate(job_id) for job_id in self._active)
        doomed: list[tuple[str, str, str]] = []
        for job_id in list(self._queue):
            if len(self._active) >= cap:
                break
            record = self._records.get(job_id)
            if record is None:
                self._queue.pop(job_id, None)
                continue
            blocked = False
            for dependency in record.depends_on:
                ended = self._ended.get(dependency)
                if ended == "succeeded":
                    continue
                if ended is not None:
                    # Cancelled now, so jobs later in this pass that depend on it follow.
                    doomed.append((job_id, dependency, ended))
                    self._queue.pop(job_id, None)
                    self._ended[job_id] = "cancelled"
                blocked = True
                break
            if blocked:
                continue
            estimate = self._estimate(job_id)
            kind = self.kinds.get(record.kind)
            executor = self._executor(kind) if kind is not None else self.executor
            capacity = executor.memory_capacity()
            if capacity is not None:
                # A cluster: one worker must have room for it; the executor places it there.
                if not executor.reserve(job_id, estimate):
                    if estimate <= capacity.largest_worker_bytes:
                        continue  # it waits for a worker with room
                    break  # forced and larger than every worker: it waits for the largest
            elif limit is not None and in_use + estimate > limit:
                if estimate <= limit:
                    continue  # it waits for memory; a later, smaller job may fit now
                if self._active:
                    break  # forced and larger than the limit: it waits to run alone
            self._queue.pop(job_id, None)
            in_use += estimate
            active = self._active[job_id] = Run()
            active.task = asyncio.create_task(self._run(job_id, active))
        if doomed:
            task = asyncio.create_task(self._cancel_dependents(doomed))
            self._side_tasks.add(task)
            task.add_done_callback(self._side_tasks.discard)

    def _estimate(self, job_id: str) -> int:
        record = self._records.get(job_id)
        return (record.memory_estimate_bytes or 0) if record is not None else 0

    async def _cancel_dependents(self, doomed: list[tuple[str, str, str]]) -> None:
        """End queued jobs whose dependency did not succeed (``dependency_failed``)."""
        for job_id, dependency, ended in doomed:
            if job_id not in self._records:
                continue
            why = f"job {dependency}, which this job depends on, ended {ended}; it did not run"
            try:
                await self._transition(
                    job_id,
                    "cancelled",
                    finished=self._now(),
                    error=why,
                    reason="dependency_failed",
                )
            except Exception:
                LOG.exception("could not cancel job %s after its dependency ended", job_id)
            finally:
                self._forget(job_id, "cancelled")
        self._schedule()

    async def _run(self, job_id: str, active: Run) -> None:
        record = self._records.get(job_id)
        if record is None or record.status != "queued":  # cancelled before it started
            self._active.pop(job_id, None)
            self._schedule()
            return
        record = await self._transition(job_id, "running", started=self._now())
        try:
            kind = self._kind(record)
            plan = await self._blocking(kind.plan, record)
            active.handle = await self._executor(kind).start(plan)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            why = f"the job could not be started: {error}"
            await self._end(job_id, "failed", error=why, exit_code=None)
            return
        if active.cancel_requested:
            active.stop(self._grace)
        await self._follow(job_id, active, catch_up=False)

    async def _follow(self, job_id: str, active: Run, *, catch_up: bool) -> None:
        """Follow a running job's log until its runner ends, then record the end.

        Whatever goes wrong while following (an unreadable log, a bad progress
        line), the job still reaches a final state once its runner has ended.
        """
        assert active.handle is not None
        watch: LogWatch | None = None
        exit_code: int | None = None
        try:
            watch = await self._watch_log(self._records[job_id])
            exit_code = await self._watch(job_id, active, watch, catch_up=catch_up)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            LOG.exception("jwst-lab lost track of job %s's log", job_id)
            active.follow_error = f"jwst-lab lost track of the job's log: {error}"
            with contextlib.suppress(Exception):
                exit_code = await active.handle.wait()
        await self._finish(job_id, active, exit_code, watch=watch)

    async def _watch_log(self, record: JobRecord) -> LogWatch:
        kind = self._kind(record)
        progress = await self._blocking(kind.progress, record)
        return LogWatch(self.job_dir(record.id) / LOG_NAME, kind, progress)

    async def _watch(
        self, job_id: str, active: Run, watch: LogWatch, *, catch_up: bool
    ) -> int | None:
        """Publish a running job's log lines and progress until its runner ends; its exit code."""
        assert active.handle is not None
        if catch_up:  # lines an earlier server published already
            await self._publish(job_id, await anyio.to_thread.run_sync(watch.read), quiet=True)
        waiter = asyncio.ensure_future(active.handle.wait())
        started = epoch_seconds(self._records[job_id].started) or time.time()
        timeout = self.settings.job_timeout
        try:
            while True:
                await asyncio.wait({waiter}, timeout=self._poll)
                await self._publish(job_id, await anyio.to_thread.run_sync(watch.read))
                if waiter.done():
                    break
                if timeout and not active.timed_out and time.time() - started > timeout:
                    active.timed_out = True
                    active.stop(self._grace)
        finally:
            if not waiter.done():
                waiter.cancel()
        last = await anyio.to_thread.run_sync(functools.partial(watch.read, final=True))
        await self._publish(job_id, last)
        return waiter.result()

    async def _publish(self, job_id: str, batch: Batch, *, quiet: bool = False) -> None:
        """Publish log lines (``job.log``) and a new progress (``job.progress``, saved)."""
        record = self._records[job_id]
        if batch.versions is not None:  # saved with the next change
            record = self._records[job_id] = record.model_copy(update={"versions": batch.versions})
        if quiet:
            return
        if batch.lines:
            self._bus.publish("job.log", job_id=job_id, lines=batch.lines)
        if batch.progress is not None:
            update = {"progress": batch.progress, "updated": self._now()}
            record = self._records[job_id] = record.model_copy(update=update)
            self._bus.publish("job.progress", job_id=job_id, progress=batch.progress.model_dump())
            await self._in_db(self._store.update, record)

    async def _finish(
        self,
        job_id: str,
        active: Run,
        exit_code: int | None,
        *,
        watch: LogWatch | None = None,
        recovered: bool = False,
    ) -> None:
        """Record how a runner ended: what its kind finds, then the final status.

        Never leaves the job ``running``: if reading what the runner left
        fails, the job still ends, with the reason in its error.
        """
        record = self._records[job_id]
        succeeded = exit_code == 0 and not active.cancel_requested and not active.timed_out
        timed_out = f"timed out after {self.settings.job_timeout:g} s (job_timeout)"
        try:
            stopped = active.cancel_requested or active.timed_out
            ending = Ending(exit_code, succeeded, stopped=stopped)
            finished = await self._blocking(self._kind(record).finish, record, ending)
            record = finished.record
            if watch is not None:
                record = record.model_copy(update={"progress": watch.final(exit_code)})
            self._records[job_id] = record
            status, error = states.final_status(
                exit_code,
                cancelled=active.cancel_requested,
                timed_out=timed_out if active.timed_out else None,
                lost_track=active.follow_error,
                recovered=recovered,
                failure=finished.error,
            )
        except asyncio.CancelledError:
            raise
        except Exception as failure:
            LOG.exception("could not record how job %s ended", job_id)
            status = "cancelled" if active.cancel_requested else "failed"
            error = f"the job ended but jwst-lab could not record its results: {failure}"
        await self._end(job_id, status, error=error, exit_code=exit_code)

    async def _end(
        self, job_id: str, status: str, *, error: str | None, exit_code: int | None
    ) -> None:
        changes = {"finished": self._now(), "error": error, "exit_code": exit_code}
        try:
            await self._transition(job_id, status, **changes)
        finally:
            self._forget(job_id, status)
            self._schedule()
