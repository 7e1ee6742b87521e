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
from .base import DEFAULT_GRACE, Executor, LaunchPlan, RunHandle

POLL_INTERVAL = 0.1


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
        while self._process.poll() is None:
            await asyncio.sleep(POLL_INTERVAL)
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
    """A runner started by an earlier server process: watched through its pid files."""

    def __init__(self, record: runfiles.PidRecord, job_dir: Path) -> None:
        self._record = record
        self._job_dir = job_dir

    @property
    def pid(self) -> int:
        return self._record.pid

    async def wait(self) -> int | None:
        while runfiles.is_running(self._record):
            await asyncio.sleep(POLL_INTERVAL)
        return runfiles.read_exit_status(self._job_dir)

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
    """Runs each job's runner as a local subprocess in its own process group."""

    name = "local"

    async def start(self, plan: LaunchPlan) -> RunHandle:
        """Spawn ``plan.argv`` with its cwd and environment, output to the job log."""
        process = spawn_runner(plan.argv, plan.cwd, plan.env, plan.job_dir)
        return _ChildHandle(process, plan.job_dir)

    async def attach(self, job_dir: Path) -> RunHandle | None:
        """Re-attach to a runner that still runs, from its recorded pid."""
        record = runfiles.read_pid(job_dir)
        if record is None or not runfiles.is_running(record):
            return None
        return _AttachedHandle(record, job_dir)
