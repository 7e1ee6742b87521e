"""``DaskExecutor``: each job's runner subprocess started by a Dask worker.

Works with any Dask deployment whose workers share the filesystem with the
server (a LocalCluster, dask-gateway, dask-jobqueue, Kubernetes): the runner
writes its log, pid and exit status into the job folder, so logs and progress
stream to the UI exactly as with the local executor. The executor connects
when the job manager starts, so the workers' memory is known before the first
job; with no scheduler address it starts a LocalCluster then (one
single-threaded worker process per concurrent job). ``distributed`` is
imported only then.

Cancel writes a request file that the worker's supervisor
(:func:`~.worker.run_runner`) acts on. After a server restart a runner that
still runs on this host is re-attached through its pid file, and the memory
promised to it on its worker (recorded in the job folder at submission) is
promised again, so admission does not place a second job into memory Dask
still holds for it; a runner on another host (or whose cluster died) cannot
be re-attached, and its job becomes ``interrupted`` unless the runner
recorded its exit status.

Memory: every worker declares its memory limit as the Dask resource
``jwst_lab_memory`` (:mod:`.dask_plugin`). :meth:`DaskExecutor.memory_capacity`
reports the workers' limits and what this server promised on each;
:meth:`DaskExecutor.reserve` promises a job's estimate (and one of the
worker's threads) on the worker that fits it best, and the job's task is
pinned there asking for that much of the resource, so neither this server nor
Dask runs more on a worker than its limit. The limit is the worker's
``--memory-limit``: a runner is a child process of the worker, outside what
the Dask nanny measures, so jobs are kept within the limit by their
estimates, not by the nanny. A pinned job whose worker leaves the cluster is
not moved to another (its runner may have started): it ends like a job whose
runner vanished.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.to_thread

from ...errors import DependencyMissing
from .. import runfiles
from .base import DEFAULT_GRACE, Executor, LaunchPlan, RunHandle
from .capacity import MemoryCapacity, WorkerMemory
from .local import LocalExecutor
from .worker import run_runner

POLL_INTERVAL = 0.1
#: Seconds between two reads of the scheduler's worker list (workers come and go).
REFRESH_INTERVAL = 1.0
#: The Dask resource, in bytes, that jobs with a memory estimate ask for.
MEMORY_RESOURCE = "jwst_lab_memory"
#: Seconds the job manager's start waits for the connection to the scheduler.
OPEN_TIMEOUT = 10.0
#: In a job folder: the worker a job was pinned to and the memory promised there.
PLACEMENT_NAME = "dask_placement.json"
LOG = logging.getLogger(__name__)


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        LOG.error("cannot connect to the Dask scheduler: %s", task.exception())


@dataclass(frozen=True)
class _Worker:
    name: str
    limit_bytes: int
    threads: int


def _read_placement(job_dir: Path) -> tuple[str, int] | None:
    """The (worker address, bytes) a job's folder records, or None (none, or unreadable)."""
    try:
        record = json.loads((job_dir / PLACEMENT_NAME).read_text(encoding="utf-8"))
        address, amount = record["address"], record["bytes"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(address, str) or not isinstance(amount, int) or amount <= 0:
        return None
    return address, amount


def worker_limits(info: Mapping[str, Any]) -> dict[str, _Worker]:
    """The workers of ``Client.scheduler_info()`` that declared the memory resource.

    A worker without it has no memory limit (or has not run the plugin yet):
    no job with an estimate is placed there.
    """
    workers: dict[str, _Worker] = {}
    for address, worker in info.get("workers", {}).items():
        limit = (worker.get("resources") or {}).get(MEMORY_RESOURCE)
        if not limit or str(worker.get("status", "running")).startswith("clos"):
            continue
        threads = max(1, int(worker.get("nthreads") or 1))
        workers[address] = _Worker(str(worker.get("name", address)), int(limit), threads)
    return workers


class _DaskHandle(RunHandle):
    """A runner supervised by a Dask task (pinned to a worker when it was placed)."""

    def __init__(
        self,
        future: Any,
        job_dir: Path,
        grace: float,
        on_end: Callable[[], None],
        worker_left: Callable[[], bool] = lambda: False,
    ) -> None:
        self._future = future
        self._job_dir = job_dir
        self._grace = grace
        self._on_end = on_end
        self._worker_left = worker_left

    @property
    def pid(self) -> int | None:
        record = runfiles.read_pid(self._job_dir)
        return record.pid if record else None

    async def wait(self) -> int | None:
        try:
            while not self._future.done():
                if self._worker_left():
                    return await self._without_worker()
                await asyncio.sleep(POLL_INTERVAL)
        finally:
            # The runner has ended (or will never start): its worker's memory is free again.
            self._on_end()
        if self._future.status != "finished":
            # The task failed or was lost with its worker: the runner's own record decides.
            return runfiles.read_exit_status(self._job_dir)
        result = await anyio.to_thread.run_sync(self._future.result)
        return int(result)

    async def _without_worker(self) -> int | None:
        """The worker this task was pinned to has left the cluster.

        A pinned task would wait for it forever: it is cancelled. A runner that
        had started and still runs on this host is followed to its end.
        """
        await anyio.to_thread.run_sync(self._future.cancel)
        runner = await LocalExecutor().attach(self._job_dir)
        if runner is not None:
            return await runner.wait()
        return await anyio.to_thread.run_sync(runfiles.read_exit_status, self._job_dir)

    async def cancel(self, grace: float = DEFAULT_GRACE) -> None:
        request = self._job_dir / runfiles.CANCEL_NAME
        await anyio.to_thread.run_sync(request.write_text, "cancel\n")
        deadline = time.monotonic() + grace + 5
        while not self._future.done() and time.monotonic() < deadline:
            await asyncio.sleep(POLL_INTERVAL)
        if not self._future.done():
            await anyio.to_thread.run_sync(self._future.cancel)


class DaskExecutor(Executor):
    """Starts runners through a Dask cluster (an external scheduler or a LocalCluster)."""

    name = "dask"

    def __init__(
        self,
        scheduler_address: str = "",
        n_workers: int = 2,
        grace: float = DEFAULT_GRACE,
        refresh_interval: float = REFRESH_INTERVAL,
    ) -> None:
        self.scheduler_address = scheduler_address
        self.n_workers = n_workers
        self._grace = grace
        self._refresh_interval = refresh_interval
        self._client: Any = None
        self._cluster: Any = None
        self._lock = asyncio.Lock()
        self._workers: dict[str, _Worker] = {}
        #: job id -> (worker address, bytes promised there)
        self._reserved: dict[str, tuple[str, int]] = {}
        self._refresher: asyncio.Task[None] | None = None

    def _connect(self) -> Any:
        try:
            from distributed import Client, LocalCluster

            from .dask_plugin import MemoryResource
        except ImportError:
            raise DependencyMissing(
                "executor_class='dask' needs dask[distributed]: pip install 'jwst-lab[dask]'"
            ) from None
        if self.scheduler_address:
            client = Client(self.scheduler_address, timeout=30, set_as_default=False)
        else:
            self._cluster = LocalCluster(
                n_workers=self.n_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            client = Client(self._cluster, set_as_default=False)
        try:
            client.register_plugin(MemoryResource())
            self._workers = worker_limits(client.scheduler_info(n_workers=-1))
        except Exception:
            client.close()
            raise
        return client

    async def client(self) -> Any:
        """The connected ``distributed.Client`` (connecting or starting a cluster once)."""
        async with self._lock:
            if self._client is None:
                self._client = await anyio.to_thread.run_sync(self._connect)
                self._refresher = asyncio.create_task(self._refresh_forever())
            return self._client

    async def open(self) -> None:
        """Connect now, so that the workers' memory is known before the first job.

        Waits at most :data:`OPEN_TIMEOUT` seconds (requests wait for the job
        manager's start): a scheduler that is slow or away is reached later,
        by the first job that needs it.
        """
        connecting = asyncio.ensure_future(self.client())
        connecting.add_done_callback(_log_failure)
        try:
            await asyncio.wait_for(asyncio.shield(connecting), OPEN_TIMEOUT)
        except TimeoutError:
            LOG.warning(
                "the Dask scheduler %s has not answered in %.0f s; jobs wait for it",
                self.scheduler_address or "(LocalCluster)",
                OPEN_TIMEOUT,
            )

    # --- memory --------------------------------------------------------------------

    async def refresh(self) -> MemoryCapacity | None:
        """Read the scheduler's worker list now; the capacity it gives."""
        client = self._client
        if client is not None:
            info = functools.partial(client.scheduler_info, n_workers=-1)
            self._workers = worker_limits(await anyio.to_thread.run_sync(info))
        return self.memory_capacity()

    async def _refresh_forever(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_interval)
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the scheduler is away: keep the last list
                LOG.debug("cannot read the Dask workers: %s", error)

    def memory_capacity(self) -> MemoryCapacity | None:
        """The workers' memory limits and this server's reservations on them.

        None when no worker with a memory limit is known (not connected yet,
        or none has registered): there is nothing to check a job against.
        """
        workers = self._workers
        if not workers:
            return None
        reserved: dict[str, int] = {}
        jobs: dict[str, int] = {}
        for address, amount in self._reserved.values():
            reserved[address] = reserved.get(address, 0) + amount
            jobs[address] = jobs.get(address, 0) + 1
        return MemoryCapacity(
            tuple(
                WorkerMemory(
                    address,
                    worker.name,
                    worker.limit_bytes,
                    reserved.get(address, 0),
                    worker.threads,
                    jobs.get(address, 0),
                )
                for address, worker in sorted(workers.items(), key=lambda item: item[1].name)
            )
        )

    def reserve(self, job_id: str, estimate_bytes: int) -> bool:
        """Promise ``estimate_bytes`` and a thread on the worker that fits the job best.

        False when no worker has both free now. A job larger than every
        worker (created with ``force``) gets the largest worker to itself,
        once nothing else is placed there. A job with no estimate, or no
        known worker, is not placed (True).
        """
        if job_id in self._reserved:
            return True
        capacity = self.memory_capacity()
        if capacity is None or estimate_bytes <= 0:
            return True
        worker = capacity.worker_for(estimate_bytes)
        if worker is None:
            if estimate_bytes <= capacity.largest_worker_bytes:
                return False
            worker = max(capacity.workers, key=lambda w: w.limit_bytes)
            if worker.jobs:
                return False
            estimate_bytes = worker.limit_bytes
        self._reserved[job_id] = (worker.address, estimate_bytes)
        return True

    def release(self, job_id: str) -> None:
        """Forget a job's reservation."""
        self._reserved.pop(job_id, None)

    def placement(self, job_id: str) -> str | None:
        """The address of the worker a job was placed on (None: not placed)."""
        reservation = self._reserved.get(job_id)
        return reservation[0] if reservation else None

    # --- jobs ------------------------------------------------------------------------

    async def start(self, plan: LaunchPlan) -> RunHandle:
        """Submit the runner of ``plan`` as a task, on the worker reserved for it if any."""
        client = await self.client()
        await anyio.to_thread.run_sync(lambda: plan.job_dir.mkdir(parents=True, exist_ok=True))
        placement: dict[str, Any] = {}
        reservation = self._reserved.get(plan.job_id)
        if reservation is not None:
            address, amount = reservation
            record = {"address": address, "bytes": amount}
            await anyio.to_thread.run_sync(
                runfiles.write_json, plan.job_dir / PLACEMENT_NAME, record
            )
            # Pinned: Dask's work stealing ignores resources for loosely restricted
            # tasks and could move the job to a worker whose limit cannot hold it.
            placement = {
                "workers": [address],
                "allow_other_workers": False,
                "resources": {MEMORY_RESOURCE: float(amount)},
            }
        future = client.submit(
            run_runner,
            plan.argv,
            str(plan.cwd),
            plan.env,
            str(plan.job_dir),
            self._grace,
            key=f"jwst-lab-job-{plan.job_id}-{uuid.uuid4().hex[:8]}",
            pure=False,
            **placement,
        )
        release = functools.partial(self.release, plan.job_id)
        if reservation is None:
            return _DaskHandle(future, plan.job_dir, self._grace, release)
        left = functools.partial(self._worker_left, reservation[0])
        return _DaskHandle(future, plan.job_dir, self._grace, release, left)

    def _worker_left(self, address: str) -> bool:
        """True when the scheduler, read since, no longer lists the worker ``address``."""
        return self._client is not None and address not in self._workers

    async def attach(self, job_dir: Path) -> RunHandle | None:
        """Re-attach to a runner still running on this host (else None).

        Its job's reservation on its worker is restored (the job id is the
        folder's name), to be released when the job ends like any other.
        """
        handle = await LocalExecutor().attach(job_dir)
        if handle is not None:
            placement = await anyio.to_thread.run_sync(_read_placement, job_dir)
            if placement is not None:
                self._reserved[job_dir.name] = placement
        return handle

    async def close(self) -> None:
        """Disconnect, and stop the LocalCluster if this executor started one."""
        refresher, self._refresher = self._refresher, None
        if refresher is not None:
            refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refresher
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        self._workers = {}
        if client is not None:
            await anyio.to_thread.run_sync(client.close)
        if cluster is not None:
            await anyio.to_thread.run_sync(cluster.close)
