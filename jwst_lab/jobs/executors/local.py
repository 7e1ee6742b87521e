"""``LocalExecutor``: one runner subprocess per job on this machine.

Each runner gets its own session and process group (``start_new_session``)
so a cancel reaches every process the pipeline starts, and a server that is
stopped or killed does not take running jobs down with it. The command is an
argument list (never a shell); the environment is passed with ``env=``, so
the server's own ``os.environ`` is never modified.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from .. import runfiles
from ..logs import LOG_NAME
from ..resources import TreeSampler
from .base import DEFAULT_GRACE, Executor, LaunchPlan, RunHandle
from .warm_pool import WarmRunner

POLL_INTERVAL = 0.1
#: Seconds between two samples of a running job's process tree (memory, CPU, writes).
SAMPLE_INTERVAL = 0.5
#: Seconds to wait, after a runner that is not our child ended, for its exit status file.
STATUS_GRACE = 2.0


def spawn_runner(
    argv: list[str], cwd: Path, env: dict[str, str], job_dir: Path
) -> subprocess.Popen[bytes]:
    """Start a runner in its own session, output appended to the job log; record its pid."""
    job_dir.mkdir(parents=True, exist_ok=True)
    with (job_dir / LOG_NAME).open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 (an argument list built by the catalog)
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    runfiles.write_pid(job_dir, process.pid)
    return process


class _Sampling:
    """Samples a runner's process tree while it runs; writes ``resources.json`` when it ends.

    The runner measures itself when it ends; this is what is known of a
    runner that cannot (killed by the kernel for memory), and the cgroup's
    ``oom_kill`` count before and after, which tells such a kill apart.
    """

    def __init__(self, pid: int, job_dir: Path) -> None:
        self._sampler = TreeSampler(pid)
        self._job_dir = job_dir
        self._next = 0.0

    async def tick(self) -> None:
        """Sample, at most every :data:`SAMPLE_INTERVAL` seconds."""
        now = time.monotonic()
        if now >= self._next:
            self._next = now + SAMPLE_INTERVAL
            await asyncio.to_thread(self._sampler.sample)

    def done(self) -> None:
        """Record what was sampled in the job folder."""
        self._sampler.write(self._job_dir)


def exit_code_of(returncode: int) -> int:
    """A Popen return code as a shell reports it (128 + N for signal N)."""
    return 128 - returncode if returncode < 0 else returncode


def signal_group(pid: int, signum: int) -> None:
    """Send ``signum`` to the process group ``pid`` leads, if it still exists."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


class _ChildHandle(RunHandle):
    """A runner this server started: its exit code comes from ``wait()``."""

    def __init__(self, process: subprocess.Popen[bytes], job_dir: Path) -> None:
        self._process = process
        self._job_dir = job_dir

    @property
    def pid(self) -> int:
        return self._process.pid

    async def wait(self) -> int | None:
        sampling = _Sampling(self._process.pid, self._job_dir)
        while self._process.poll() is None:
            await sampling.tick()
            await asyncio.sleep(POLL_INTERVAL)
        sampling.done()
        return exit_code_of(self._process.returncode)

    async def cancel(self, grace: float = DEFAULT_GRACE) -> None:
        if self._process.poll() is not None:
            return
        signal_group(self._process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while self._process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(POLL_INTERVAL)
        if self._process.poll() is None:
            signal_group(self._process.pid, signal.SIGKILL)
        # Whatever the runner started in its group goes too.
        signal_group(self._process.pid, signal.SIGKILL)


class _AttachedHandle(RunHandle):
    """A runner that is not this server's child: watched through its pid files.

    That is a runner started by an earlier server process, or one forked by
    the warm runner (whose exit status the runner, or the warm runner reaping
    it, records).
    """

    def __init__(self, record: runfiles.PidRecord, job_dir: Path) -> None:
        self._record = record
        self._job_dir = job_dir

    @property
    def pid(self) -> int:
        return self._record.pid

    async def wait(self) -> int | None:
        sampling = _Sampling(self._record.pid, self._job_dir)
        while runfiles.is_running(self._record):
            await sampling.tick()
            await asyncio.sleep(POLL_INTERVAL)
        sampling.done()
        deadline = time.monotonic() + STATUS_GRACE
        while (code := runfiles.read_exit_status(self._job_dir)) is None:
            if time.monotonic() > deadline:
                return None
            await asyncio.sleep(POLL_INTERVAL)
        return code

    async def cancel(self, grace: float = DEFAULT_GRACE) -> None:
        if not runfiles.is_running(self._record):
            return
        signal_group(self._record.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while runfiles.is_running(self._record) and time.monotonic() < deadline:
            await asyncio.sleep(POLL_INTERVAL)
        if runfiles.is_running(self._record):
            signal_group(self._record.pid, signal.SIGKILL)


class LocalExecutor(Executor):
    """Runs each job's runner as a local process in its own process group.

    With a :class:`WarmRunner`, pipeline runners are forked from a process
    that already has jwst imported (a job's first step starts seconds
    sooner); otherwise, or when the warm runner is unavailable, each runner
    is a fresh ``python -m jwst_lab.jobs.runner`` subprocess.
    """

    name = "local"

    def __init__(self, warm: WarmRunner | None = None) -> None:
        self.warm = warm
        #: How many runners were forked warm (the others started cold).
        self.warm_starts = 0

    async def open(self) -> None:
        """Start the warm runner, if there is one (its imports go on in the background)."""
        if self.warm is not None:
            await self.warm.open()

    async def start(self, plan: LaunchPlan) -> RunHandle:
        """Fork the runner from the warm runner, else spawn ``plan.argv`` cold."""
        if self.warm is not None:
            plan.job_dir.mkdir(parents=True, exist_ok=True)
            pid = await self.warm.fork(plan)
            if pid is not None:
                self.warm_starts += 1
                return _AttachedHandle(runfiles.write_pid(plan.job_dir, pid), plan.job_dir)
        process = spawn_runner(plan.argv, plan.cwd, plan.env, plan.job_dir)
        return _ChildHandle(process, plan.job_dir)

    async def close(self) -> None:
        """Stop the warm runner; running jobs keep running."""
        if self.warm is not None:
            await self.warm.close()

    async def attach(self, job_dir: Path) -> RunHandle | None:
        """Re-attach to a runner that still runs, from its recorded pid."""
        record = runfiles.read_pid(job_dir)
        if record is None or not runfiles.is_running(record):
            return None
        return _AttachedHandle(record, job_dir)
