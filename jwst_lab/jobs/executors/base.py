"""The interface every executor implements, and what it is given to start a job.

An executor starts a job's runner subprocess from a :class:`LaunchPlan` and
hands back a :class:`RunHandle` to wait for or cancel it. Executors only
report (exit codes, pids); the job manager alone changes job state.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from ..logs import LOG_NAME
from .capacity import MemoryCapacity

#: Seconds between SIGTERM and SIGKILL when a job is cancelled.
DEFAULT_GRACE = 10.0


@dataclass(frozen=True)
class LaunchPlan:
    """Everything needed to start one runner process."""

    job_id: str
    argv: list[str]
    cwd: Path
    job_dir: Path
    env: dict[str, str] = field(repr=False)
    #: The job spec of a ``jwst_lab.jobs.runner`` plan: lets an executor fork the
    #: runner from a pre-warmed process instead of starting ``argv`` cold.
    runner_spec: Path | None = None

    @property
    def log_path(self) -> Path:
        """Where stdout and stderr go."""
        return self.job_dir / LOG_NAME


class RunHandle(ABC):
    """A started (or re-attached) runner process."""

    @property
    @abstractmethod
    def pid(self) -> int | None:
        """The process id, when known."""

    @abstractmethod
    async def wait(self) -> int | None:
        """Wait for the end; the exit code, or None if the process vanished without one."""

    @abstractmethod
    async def cancel(self, grace: float = DEFAULT_GRACE) -> None:
        """Ask the process to stop (SIGTERM), and kill it after ``grace`` seconds."""


class Executor(ABC):
    """Starts runner processes somewhere, and finds them again after a restart."""

    #: The ``executor_class`` name.
    name: str = ""

    @abstractmethod
    async def start(self, plan: LaunchPlan) -> RunHandle:
        """Start the runner of ``plan``."""

    @abstractmethod
    async def attach(self, job_dir: Path) -> RunHandle | None:
        """The handle of a runner started before a restart, or None when it is gone."""

    async def open(self) -> None:  # noqa: B027 (optional hook)
        """Prepare to run jobs (e.g. start a warm runner); called once the event loop runs."""

    async def close(self) -> None:  # noqa: B027 (optional hook)
        """Release what the executor holds (clusters, threads); running jobs keep running."""

    def memory_capacity(self) -> MemoryCapacity | None:
        """The memory of the workers jobs run on, or None: the server's ``memory_limit`` holds."""
        return None

    def reserve(self, job_id: str, estimate_bytes: int) -> bool:
        """Promise a worker's memory to a job about to start; False when no worker has room.

        Executors without a :meth:`memory_capacity` have no opinion (True).
        """
        del job_id, estimate_bytes
        return True

    def release(self, job_id: str) -> None:  # noqa: B027 (optional hook)
        """Forget a job's reservation (it ended, or it could not start); no-op if it has none."""
