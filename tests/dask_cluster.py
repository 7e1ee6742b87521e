"""A real Dask cluster started from the command line: ``dask scheduler`` + ``dask worker``s.

Each process is what an administrator would start by hand (argument lists,
loopback, a free port), in its own session so that stopping it also ends
whatever it started (the nanny's worker process and any runner a job left).
The workers share the filesystem with the caller. Used by
``tests/test_jobs_dask_cli.py`` and the benchmarks (``benchmarks/bench_runs.py``)::

    with CliCluster(folder, memory_limits=["2GiB", "2GiB"]) as cluster:
        ... cluster.address ...
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

import psutil

DASK = Path(sys.executable).with_name("dask")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop_group(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """SIGTERM the process group led by ``process``, SIGKILL it if it outlives ``timeout``.

    Runners start in their own session, outside the group: the descendants
    found before the stop that are still alive after it are killed as well.
    """
    descendants: list[psutil.Process] = []
    with contextlib.suppress(psutil.Error):
        descendants = psutil.Process(process.pid).children(recursive=True)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    for child in descendants:
        with contextlib.suppress(psutil.Error):
            child.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)
    psutil.wait_procs(descendants, timeout=timeout)


class CliCluster:
    """``dask scheduler`` and one ``dask worker`` per memory limit, as separate processes.

    ``memory_limits``: one ``--memory-limit`` per worker (``"2GiB"``, bytes, ...);
    every worker runs ``--nworkers 1 --nthreads <nthreads>`` (default 1: one job at a
    time) and is named ``w0``, ``w1``, ...
    ``worker_args``: more ``dask worker`` arguments (e.g. ``--resources``).
    ``env``: the processes' environment (default: this one).
    """

    def __init__(
        self,
        folder: Path,
        memory_limits: Sequence[str | int] = ("2GiB", "2GiB"),
        *,
        nthreads: int = 1,
        worker_args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        timeout: float = 60,
    ) -> None:
        self.folder = folder
        self.nthreads = nthreads
        self.worker_args = list(worker_args)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.env = dict(env) if env is not None else dict(os.environ)
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.scheduler: subprocess.Popen[bytes] | None = None
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: list[IO[bytes]] = []
        try:
            self.scheduler = self._spawn(
                "scheduler",
                [
                    str(DASK),
                    "scheduler",
                    *("--host", "127.0.0.1", "--port", str(self.port)),
                    "--no-dashboard",
                ],
            )
            for limit in memory_limits:
                self.add_worker(limit)
            self.wait_for_workers(len(memory_limits), timeout)
        except BaseException:
            self.stop()
            raise

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("ab")
        self._logs.append(log)
        return subprocess.Popen(
            argv,
            env=self.env,
            cwd=self.folder,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def add_worker(self, memory_limit: str | int) -> str:
        """Start one more ``dask worker`` (not waiting for it to register); its name."""
        name = f"w{len(self.workers)}"
        local = self.folder / name
        local.mkdir(exist_ok=True)
        self.workers[name] = self._spawn(
            name,
            [
                str(DASK),
                "worker",
                self.address,
                *("--name", name, "--nworkers", "1", "--nthreads", str(self.nthreads)),
                *("--memory-limit", str(memory_limit)),
                *("--host", "127.0.0.1", "--no-dashboard"),
                *("--local-directory", str(local)),
                *self.worker_args,
            ],
        )
        return name

    def stop_worker(self, name: str) -> None:
        """Stop one worker's process group (its nanny, worker process and runners)."""
        _stop_group(self.workers[name])

    def worker_names(self) -> set[str]:
        """Names of the workers registered with the scheduler now."""
        from distributed import Client

        with Client(self.address, timeout=10, set_as_default=False) as client:
            workers = client.scheduler_info(n_workers=-1)["workers"]
        return {str(info["name"]) for info in workers.values()}

    def wait_for_workers(self, count: int, timeout: float = 60) -> None:
        """Wait until ``count`` workers are registered; fail with the logs if one exits."""
        from distributed import Client

        deadline = time.monotonic() + timeout
        while True:
            for name, process in [("scheduler", self.scheduler), *self.workers.items()]:
                if process is not None and process.poll() is not None:
                    raise RuntimeError(f"dask {name} exited: {self.log_tail(name)}")
            try:
                with Client(self.address, timeout=5, set_as_default=False) as client:
                    client.wait_for_workers(count, timeout=max(1.0, deadline - time.monotonic()))
                    return
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{count} dask workers did not register in {timeout:.0f} s: "
                        f"{self.log_tail('scheduler')}"
                    ) from None
                time.sleep(0.2)

    def log_tail(self, name: str, size: int = 3000) -> str:
        """The end of one process's log (``scheduler``, ``w0``, ...)."""
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-size:] if path.exists() else ""

    def pids(self) -> list[int]:
        """Process ids of the processes this cluster started (their group leaders)."""
        processes = [self.scheduler, *self.workers.values()]
        return [process.pid for process in processes if process is not None]

    def stop(self) -> None:
        """Stop the workers, then the scheduler; nothing they started outlives this."""
        for process in self.workers.values():
            _stop_group(process)
        if self.scheduler is not None:
            _stop_group(self.scheduler)
        for log in self._logs:
            log.close()
        self._logs.clear()

    def __enter__(self) -> CliCluster:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
