"""Turn runner and stpipe log lines into job progress; pure functions only.

Two kinds of lines are understood:

* the runner's own machine-readable lines, ``JWST-LAB-EVENT {json}``
  (a transfer runner's ``progress`` events count bytes and files);
* stpipe's log lines ``Step <name> running with args ...``,
  ``Step <name> done`` and ``Step skipped.`` (a skipped step logs no ``done``).

The timestamps stpipe puts at the start of those lines give each counted
step its start (seconds after the pipeline started) and duration: the job
tab draws them as a bar per step.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

#: Prefix of the runner's machine-readable lines.
EVENT_PREFIX = "JWST-LAB-EVENT "

_RUNNING = re.compile(r"\bStep (?P<name>[\w.\-]+) running with args\b")
_DONE = re.compile(r"\bStep (?P<name>[\w.\-]+) done\b")
_SKIPPED = re.compile(r"\bStep skipped\.")
_LEVEL = re.compile(r" - (?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) - ")
#: The timestamp Python's logging (stpipe's format) starts a line with.
_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3})\b")


def line_time(line: str) -> float | None:
    """The time a stpipe log line was written (seconds, local clock), if it starts with one."""
    match = _STAMP.match(line)
    if not match:
        return None
    try:
        stamp = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return stamp.timestamp() + int(match.group(2)) / 1000


@dataclass(frozen=True)
class StepTime:
    """When a step started (seconds after the pipeline started) and how long it took."""

    name: str
    start: float
    #: None while the step runs (or when its end was not logged).
    seconds: float | None = None
    skipped: bool = False

    def as_dict(self) -> dict[str, Any]:
        """One entry of the progress's ``step_times``."""
        return {
            "name": self.name,
            "start": round(self.start, 3),
            "seconds": None if self.seconds is None else round(self.seconds, 3),
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class Progress:
    """Steps done out of the total, and the step running now."""

    total: int
    done: int = 0
    current: str | None = None
    finished_steps: tuple[str, ...] = field(default=())
    skipped_steps: tuple[str, ...] = field(default=())
    #: Time of the first timestamped ``running`` line (the pipeline's own, usually).
    origin: float | None = None
    #: The counted steps that started, in order, with their times.
    times: tuple[StepTime, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """The ``progress`` member of a job record."""
        return {
            "steps_total": self.total,
            "steps_done": self.done,
            "current_step": self.current,
            "skipped_steps": list(self.skipped_steps),
            "step_times": [time.as_dict() for time in self.times],
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
        when = line_time(line)
        origin = progress.origin if progress.origin is not None else when
        if counted is None or name in counted:
            times = progress.times
            if when is not None and origin is not None:
                times = (*times, StepTime(name, when - origin))
            return replace(progress, current=name, origin=origin, times=times)
        return progress if origin == progress.origin else replace(progress, origin=origin)
    match = _DONE.search(line)
    if match:
        name = match.group("name")
        if (counted is None or name in counted) and name not in progress.finished_steps:
            return replace(
                progress,
                done=min(progress.total, progress.done + 1),
                current=None,
                finished_steps=(*progress.finished_steps, name),
                times=_ended(progress, name, line_time(line), skipped=False),
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
            times=_ended(progress, name, line_time(line), skipped=True),
        )
    return progress


def _ended(
    progress: Progress, name: str, when: float | None, *, skipped: bool
) -> tuple[StepTime, ...]:
    """``progress.times`` with the last start of ``name`` given its duration."""
    times = list(progress.times)
    for index in range(len(times) - 1, -1, -1):
        entry = times[index]
        if entry.name == name and entry.seconds is None:
            if when is not None and progress.origin is not None:
                seconds = max(0.0, when - progress.origin - entry.start)
                times[index] = replace(entry, seconds=seconds, skipped=skipped)
            elif skipped:
                times[index] = replace(entry, skipped=True)
            break
    return tuple(times)


@dataclass(frozen=True)
class TransferProgress:
    """A transfer's (download, CRDS fetch) bytes and files done, and the file being fetched."""

    files_total: int
    bytes_total: int
    files_done: int = 0
    bytes_done: int = 0
    files_failed: int = 0
    current_file: str | None = None
    #: Bytes the runner being followed fetched so far (its events' ``bytes_fetched``; not
    #: saved in the record: each runner counts from 0), and the key metering them.
    bytes_fetched: int = 0
    meter: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> TransferProgress:
        """Back from a record's ``progress``."""
        data = data or {}
        return cls(
            files_total=int(data.get("files_total") or 0),
            bytes_total=int(data.get("bytes_total") or 0),
            files_done=int(data.get("files_done") or 0),
            bytes_done=int(data.get("bytes_done") or 0),
            files_failed=int(data.get("files_failed") or 0),
            current_file=data.get("current_file") or None,
        )

    def as_dict(self) -> dict[str, Any]:
        """The ``progress`` member of a job record: the pipeline fields plus bytes and files."""
        return {
            "steps_total": self.files_total,
            "steps_done": self.files_done,
            "current_step": self.current_file,
            "skipped_steps": [],
            "bytes_done": self.bytes_done,
            "bytes_total": self.bytes_total,
            "files_done": self.files_done,
            "files_total": self.files_total,
            "files_failed": self.files_failed,
            "current_file": self.current_file,
        }

    def completed(self) -> TransferProgress:
        """Everything done."""
        return replace(
            self,
            files_done=self.files_total,
            bytes_done=max(self.bytes_done, self.bytes_total),
            current_file=None,
        )


def advance_transfer(progress: TransferProgress, event: dict[str, Any] | None) -> TransferProgress:
    """The progress after a transfer runner's event (only ``progress`` events count)."""
    if event is None or event.get("event") != "progress":
        return progress
    try:
        return TransferProgress(
            files_total=int(event.get("files_total", progress.files_total)),
            bytes_total=int(event.get("bytes_total", progress.bytes_total)),
            files_done=int(event.get("files_done", progress.files_done)),
            bytes_done=int(event.get("bytes_done", progress.bytes_done)),
            files_failed=int(event.get("files_failed", progress.files_failed)),
            current_file=event.get("current_file") or None,
            bytes_fetched=int(event.get("bytes_fetched", progress.bytes_fetched)),
            meter=progress.meter,
        )
    except (TypeError, ValueError):
        return progress
