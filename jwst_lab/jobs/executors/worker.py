"""What a Dask worker runs for a job: the runner subprocess, supervised.

:func:`run_runner` is submitted as a ``distributed`` task. It starts the same
runner subprocess the local executor starts (own session, argument list,
``env=``, output appended to the job log on the shared filesystem), and
watches for a cancel request file in the job folder, since a running Dask
task cannot be interrupted from the client. No dask import here: the function
is pickled by reference and imported on the worker.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from .. import runfiles
from ..environment import THREAD_VARIABLES
from .local import exit_code_of, signal_group, spawn_runner


def run_runner(
    argv: list[str],
    cwd: str,
    env: dict[str, str],
    job_dir: str,
    grace: float,
    poll_interval: float = 0.2,
) -> int:
    """Run one runner to its end on this worker; SIGTERM then SIGKILL on a cancel request."""
    folder = Path(job_dir)
    # The job's environment comes from the server; the thread-pool sizes are
    # this worker's (a Dask nanny sets them to 1 per worker) unless the job sets them.
    worker_threads = {name: os.environ[name] for name in THREAD_VARIABLES if name in os.environ}
    process = spawn_runner(argv, Path(cwd), {**worker_threads, **env}, folder)
    cancel_file = folder / runfiles.CANCEL_NAME
    kill_at: float | None = None
    while process.poll() is None:
        if kill_at is None and cancel_file.exists():
            signal_group(process.pid, signal.SIGTERM)
            kill_at = time.monotonic() + grace
        elif kill_at is not None and time.monotonic() > kill_at:
            signal_group(process.pid, signal.SIGKILL)
        time.sleep(poll_interval)
    if kill_at is not None:
        signal_group(process.pid, signal.SIGKILL)
    return exit_code_of(process.returncode)
