"""Turn runner and stpipe log lines into job progress; pure functions only.

Two kinds of lines are understood:

* the runner's own machine-readable lines, ``JWST-LAB-EVENT {json}``;
* stpipe's log lines ``Step <name> running with args ...``,
  ``Step <name> done`` and ``Step skipped.`` (a skipped step logs no ``done``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

#: Prefix of the runner's machine-readable lines.
EVENT_PREFIX = "JWST-LAB-EVENT "

_RUNNING = re.compile(r"\bStep (?P<name>[\w.\-]+) running with args\b")
_DONE = re.compile(r"\bStep (?P<name>[\w.\-]+) done\b")
_SKIPPED = re.compile(r"\bStep skipped\.")
_LEVEL = re.compile(r" - (?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) - ")


@dataclass(frozen=True)
class Progress:
    """Steps done out of the total, and the step running now."""

    total: int
    done: int = 0
    current: str | None = None
    finished_steps: tuple[str, ...] = field(default=())
    skipped_steps: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """The ``progress`` member of a job record."""
        return {
            "steps_total": self.total,
            "steps_done": self.done,
            "current_step": self.current,
            "skipped_steps": list(self.skipped_steps),
        }

    def completed(self) -> Progress:
        """Everything done (a pipeline that succeeded may not run every step)."""
        return replace(self, done=self.total, current=None)


def runner_event(line: str) -> dict[str, Any] | None:
    """The JSON payload of a ``JWST-LAB-EVENT`` line, or None for any other line."""
    position = line.find(EVENT_PREFIX)
    if position < 0:
        return None
    try:
        payload = json.loads(line[position + len(EVENT_PREFIX) :])
    except json.JSONDecodeError:
        return None
    return payload if isinstance(payload, dict) else None


def format_runner_event(event: str, **payload: Any) -> str:
    """A machine-readable line for the runner to print (no trailing newline)."""
    return EVENT_PREFIX + json.dumps({"event": event, **payload}, default=str)


def log_level(line: str) -> str | None:
    """The logging level of a stpipe log line (``INFO``, ``ERROR`` ...), if it has one."""
    match = _LEVEL.search(line)
    return match.group("level") if match else None


def advance(progress: Progress, line: str, steps: tuple[str, ...]) -> Progress:
    """The progress after ``line``; ``steps`` are the names counted (the pipeline's steps).

    With no ``steps`` (a single step run on its own) the one step counts.
    Lines naming something else (the pipeline itself) only change nothing.
    """
    counted = steps or None
    match = _RUNNING.search(line)
    if match:
        name = match.group("name")
        if counted is None or name in counted:
            return replace(progress, current=name)
        return progress
    match = _DONE.search(line)
    if match:
        name = match.group("name")
        if (counted is None or name in counted) and name not in progress.finished_steps:
            return replace(
                progress,
                done=min(progress.total, progress.done + 1),
                current=None,
                finished_steps=(*progress.finished_steps, name),
            )
        return progress
    if _SKIPPED.search(line) and progress.current is not None:
        name = progress.current
        if name in progress.finished_steps:
            return progress
        return replace(
            progress,
            done=min(progress.total, progress.done + 1),
            current=None,
            finished_steps=(*progress.finished_steps, name),
            skipped_steps=(*progress.skipped_steps, name),
        )
    return progress
