"""Per-job log files: where they live, reading from a byte offset, following the tail.

A job's runner writes stdout and stderr to ``<job dir>/job.log``. The REST
route serves it in chunks (``GET /jobs/{id}/log?offset=``) and the manager
follows it line by line to publish ``job.log`` events and progress; both only
hand out complete lines while the job is running, so a line is never split
between two reads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOG_NAME = "job.log"
#: Largest chunk one ``GET /jobs/{id}/log`` answers with.
MAX_CHUNK = 1 << 20


@dataclass(frozen=True)
class LogChunk:
    """A piece of a log: its text and the byte offset where the next read starts."""

    text: str
    next_offset: int


def read_log(
    path: Path, offset: int = 0, *, limit: int = MAX_CHUNK, final: bool = False
) -> LogChunk:
    """Read up to ``limit`` bytes of ``path`` from byte ``offset``.

    Unless ``final`` (the job has ended), a trailing partial line is left for
    the next read. A missing file reads as empty; an offset past the end reads
    as empty at that offset.
    """
    if offset < 0:
        raise ValueError("offset must be >= 0")
    try:
        with path.open("rb") as handle:
            if offset >= os.fstat(handle.fileno()).st_size:
                return LogChunk("", offset)  # seeking past a file system's limit raises EINVAL
            handle.seek(offset)
            data = handle.read(limit)
    except FileNotFoundError:
        return LogChunk("", offset)
    if not final or len(data) == limit:
        cut = data.rfind(b"\n")
        if cut < 0 and len(data) < limit:
            data = b""
        elif cut >= 0:
            data = data[: cut + 1]
    return LogChunk(data.decode("utf-8", errors="replace"), offset + len(data))


def log_page(path: Path, offset: int, *, final: bool) -> dict[str, Any]:
    """``GET /jobs/{id}/log``: ``{text, next_offset, done}`` (``final``: the job has ended)."""
    chunk = read_log(path, offset, final=final)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        size = 0
    done = final and chunk.next_offset >= size
    return {"text": chunk.text, "next_offset": chunk.next_offset, "done": done}


class LogFollower:
    """Follows a growing log file, returning each new complete line once."""

    def __init__(self, path: Path, offset: int = 0) -> None:
        self.path = path
        self.offset = offset

    def new_lines(self, *, final: bool = False) -> list[str]:
        """Lines completed since the last call (all remaining text when ``final``)."""
        lines: list[str] = []
        while True:
            chunk = read_log(self.path, self.offset, final=final)
            if not chunk.text:
                return lines
            self.offset = chunk.next_offset
            lines.extend(chunk.text.splitlines())


_ERROR_MARKERS = (" - ERROR - ", " - CRITICAL - ", "Error:", "Exception:", "ERROR RUNNING STEP")


def tail_text(path: Path, max_bytes: int = 64 * 1024) -> str:
    """The last ``max_bytes`` of a log (whole lines), or "" when there is none."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return ""
    start = max(0, size - max_bytes)
    text = read_log(path, start, limit=max_bytes, final=True).text
    if start:
        text = text.split("\n", 1)[-1]
    return text


def last_error_lines(text: str, limit: int = 10) -> list[str]:
    """The last ``limit`` lines of ``text`` that report an error (log ERROR lines, tracebacks)."""
    found = [line.rstrip() for line in text.splitlines() if any(m in line for m in _ERROR_MARKERS)]
    return found[-limit:]
