"""``DaskExecutor``: each job's runner subprocess started by a Dask worker.

Works with any Dask deployment whose workers share the filesystem with the
server (a LocalCluster, dask-gateway, dask-jobqueue, Kubernetes): the runner
writes its log, pid and exit status into the job folder, so logs and progress
stream to the UI exactly as with the local executor. With no scheduler address
a LocalCluster (one single-threaded worker process per concurrent job) is
started on first use. ``distributed`` is imported only then.

Cancel writes a request file that the worker's supervisor
(:func:`~.worker.run_runner`) acts on. After a server restart a runner that
still runs on this host is re-attached through its pid file; one on another
host (or whose cluster died) cannot be, and its job becomes ``interrupted``
unless the runner recorded its exit status.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import anyio.to_thread

from ...errors import DependencyMissing
from .. import runfiles
from .base import DEFAULT_GRACE, Executor, LaunchPlan, RunHandle
from .local import LocalExecutor
from .worker import run_runner

POLL_INTERVAL = 0.1


class _DaskHandle(RunHandle):
    """A runner supervised by a Dask task."""

    def __init__(self, future: Any, job_dir: Path, grace: float) -> None:
        self._future = future
        self._job_dir = job_dir
        self._grace = grace

    @property
    def pid(self) -> int | None:
        record = runfiles.read_pid(self._job_dir)
        return record.pid if record else None

    async def wait(self) -> int | None:
        while not self._future.done():
            await asyncio.sleep(POLL_INTERVAL)
        if self._future.status != "finished":
            # The task failed or was lost with its worker: the runner's own record decides.
            return runfiles.read_exit_status(self._job_dir)
        result = await anyio.to_thread.run_sync(self._future.result)
        return int(result)

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
        self, scheduler_address: str = "", n_workers: int = 2, grace: float = DEFAULT_GRACE
    ) -> None:
        self.scheduler_address = scheduler_address
        self.n_workers = n_workers
        self._grace = grace
        self._client: Any = None
        self._cluster: Any = None
        self._lock = asyncio.Lock()

    def _connect(self) -> Any:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise DependencyMissing(
                "executor_class='dask' needs dask[distributed]: pip install 'jwst-lab[dask]'"
            ) from None
        if self.scheduler_address:
            return Client(self.scheduler_address, timeout=30, set_as_default=False)
        self._cluster = LocalCluster(
            n_workers=self.n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        return Client(self._cluster, set_as_default=False)

    async def client(self) -> Any:
        """The connected ``distributed.Client`` (connecting or starting a cluster once)."""
        async with self._lock:
            if self._client is None:
                self._client = await anyio.to_thread.run_sync(self._connect)
            return self._client

    async def start(self, plan: LaunchPlan) -> RunHandle:
        """Submit the runner of ``plan`` as a task; it starts on a free worker."""
        client = await self.client()
        await anyio.to_thread.run_sync(lambda: plan.job_dir.mkdir(parents=True, exist_ok=True))
        future = client.submit(
            run_runner,
            plan.argv,
            str(plan.cwd),
            plan.env,
            str(plan.job_dir),
            self._grace,
            key=f"jwst-lab-job-{plan.job_id}-{uuid.uuid4().hex[:8]}",
            pure=False,
        )
        return _DaskHandle(future, plan.job_dir, self._grace)

    async def attach(self, job_dir: Path) -> RunHandle | None:
        """Re-attach to a runner still running on this host (else None)."""
        return await LocalExecutor().attach(job_dir)

    async def close(self) -> None:
        """Disconnect, and stop the LocalCluster if this executor started one."""
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        if client is not None:
            await anyio.to_thread.run_sync(client.close)
        if cluster is not None:
            await anyio.to_thread.run_sync(cluster.close)
