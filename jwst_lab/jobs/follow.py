"""Following a running job: its runner and what was asked of it, its log turned into events.

:class:`Run` is what the engine keeps of a job it runs. :class:`LogWatch`
reads a job's log from where it left off and feeds every new line to the
job's kind (``advance``); the engine publishes what it hands back. Reading
runs on a worker thread, so the per-line work never holds up the event loop.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..models.jobs import JobProgress
from .executors.base import RunHandle
from .kinds.base import JobKind, ProgressState
from .logs import LogFollower
from .progress import log_level, runner_event


@dataclass
class Run:
    """A job the engine runs (or is about to start)."""

    handle: RunHandle | None = None
    task: asyncio.Task[None] | None = None
    cancel_requested: bool = False
    timed_out: bool = False
    #: Why following the job's log failed, if it did.
    follow_error: str | None = None
    side_tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def stop(self, grace: float) -> None:
        """Ask the runner to stop (SIGTERM, SIGKILL after ``grace`` s), in the background."""
        if self.handle is None:
            return
        task = asyncio.create_task(self.handle.cancel(grace))
        self.side_tasks.add(task)
        task.add_done_callback(self.side_tasks.discard)


@dataclass(frozen=True)
class Batch:
    """What the lines read at once say."""

    #: The ``job.log`` payload: ``{text, level}`` per line.
    lines: list[dict[str, Any]]
    #: The job's progress, when the lines changed it.
    progress: JobProgress | None
    #: The versions a runner's ``started`` event reported, if one did.
    versions: dict[str, str | None] | None


class LogWatch:
    """One job's log, followed from its start with the job kind's progress."""

    def __init__(self, path: Path, kind: JobKind, progress: ProgressState) -> None:
        self._follower = LogFollower(path)
        self._kind = kind
        self.progress = progress

    def read(self, *, final: bool = False) -> Batch:
        """Blocking: the lines completed since the last read (every one left when ``final``)."""
        before = self.progress
        progress = before
        lines = []
        versions = None
        for line in self._follower.new_lines(final=final):
            event = runner_event(line)
            if event is not None and event.get("event") == "started":
                reported = event.get("versions")
                if isinstance(reported, dict):
                    versions = {str(k): None if v is None else str(v) for k, v in reported.items()}
            progress = self._kind.advance(progress, line, event)
            lines.append({"text": line, "level": log_level(line)})
        self.progress = progress
        shown = None if progress == before else JobProgress.model_validate(progress.as_dict())
        return Batch(lines, shown, versions)

    def final(self, exit_code: int | None) -> JobProgress:
        """The progress a job ends with (all done when its runner exited 0)."""
        state = self.progress.completed() if exit_code == 0 else self.progress
        return JobProgress.model_validate(state.as_dict())
