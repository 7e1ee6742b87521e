"""The files a runner process leaves in its job folder: pid and exit status.

A runner started by a previous server process is no longer that server's
child, so ``wait()`` cannot tell how it ended. The runner therefore records
its pid (with the kernel's start time of the process, which guards against a
recycled pid) when it starts and its exit status when it ends; the executor
reads them to re-attach after a restart. Every runner's entry point is
:func:`main`; :func:`write_result` writes a ``result.json`` whole. No
tornado, no jwst here.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

PID_NAME = "runner.pid"
STATUS_NAME = "exit_status.json"
#: A file whose presence asks a remote (Dask) supervisor to cancel the runner.
CANCEL_NAME = "cancel_requested"
#: Exit code of a runner stopped by SIGTERM (cancel), as a shell reports it.
EXIT_TERMINATED = 128 + signal.SIGTERM


@dataclass(frozen=True)
class PidRecord:
    """Which process runs a job: pid, start time (clock ticks since boot) and host."""

    pid: int
    start_ticks: int | None
    host: str | None = None


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def write_json(path: Path, value: Any) -> None:
    """Write ``value`` as JSON, whole (a reader never sees half of it)."""
    _write_atomic(path, json.dumps(value))


def write_result(path: Path, result: dict[str, Any], *, measure: bool = False) -> None:
    """Write a runner's ``result.json`` whole (a reader never sees half of it).

    ``measure``: add ``resources``, what this runner used (its own and its reaped
    children's CPU time, peak memory, bytes written): the executor samples the
    tree from outside, which a job shorter than one sampling period escapes.
    """
    if measure:
        from .resources import measure_self

        result = {**result, "resources": measure_self()}
    write_json(path, result)


def process_state(pid: int) -> tuple[str, int] | None:
    """``(state letter, start ticks)`` of a live process from ``/proc``; None if gone.

    On systems without ``/proc`` the start time is unknown (0) and a signal-0
    probe decides whether the pid exists.
    """
    stat = Path(f"/proc/{pid}/stat")
    try:
        text = stat.read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return _signal_probe(pid)
    fields = text[text.rfind(")") + 2 :].split()
    return fields[0], int(fields[19])


def _signal_probe(pid: int) -> tuple[str, int] | None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return ("S", 0)
    return ("S", 0)


def write_pid(job_dir: Path, pid: int) -> PidRecord:
    """Record ``pid`` as the job's runner process."""
    state = process_state(pid)
    record = PidRecord(pid, state[1] if state else None, socket.gethostname())
    _write_atomic(
        job_dir / PID_NAME,
        json.dumps({"pid": record.pid, "start_ticks": record.start_ticks, "host": record.host}),
    )
    return record


def read_pid(job_dir: Path) -> PidRecord | None:
    """The recorded runner process, or None when none was recorded."""
    try:
        data = json.loads((job_dir / PID_NAME).read_text(encoding="utf-8"))
        return PidRecord(int(data["pid"]), data.get("start_ticks"), data.get("host"))
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def is_running(record: PidRecord) -> bool:
    """True when the recorded process still runs here (not a zombie, not a recycled pid).

    A runner recorded on another host is never "running" from this host's view.
    """
    if record.host and record.host != socket.gethostname():
        return False
    state = process_state(record.pid)
    if state is None or state[0] in ("Z", "X"):
        return False
    return not (record.start_ticks and state[1] and state[1] != record.start_ticks)


def write_exit_status(job_dir: Path, exit_code: int) -> None:
    """Record how the runner ended."""
    _write_atomic(job_dir / STATUS_NAME, json.dumps({"exit_code": exit_code}))


def read_exit_status(job_dir: Path) -> int | None:
    """The recorded exit code, or None when the runner did not record one."""
    try:
        data = json.loads((job_dir / STATUS_NAME).read_text(encoding="utf-8"))
        return int(data["exit_code"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def _exit_code(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    return 1


class Terminated(SystemExit):
    """The ``SystemExit`` a SIGTERM (a cancel) becomes: an expected end, not a crash."""


@contextlib.contextmanager
def recording(job_dir: Path) -> Iterator[None]:
    """Record this process's pid now and its exit status when the block ends.

    SIGTERM (cancel) becomes a :class:`Terminated` (a ``SystemExit``) so the
    status is still recorded.
    ``SystemExit`` and exceptions propagate after the status is written.
    """
    write_pid(job_dir, os.getpid())

    def _terminate(signum: int, frame: FrameType | None) -> None:
        del frame
        raise Terminated(128 + signum)

    previous = signal.signal(signal.SIGTERM, _terminate)
    code = 1
    try:
        yield
        code = 0
    except SystemExit as stop:
        code = _exit_code(stop.code)
        raise
    except KeyboardInterrupt:
        code = 128 + signal.SIGINT
        raise
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        write_exit_status(job_dir, code)
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None, usage: str, run: Callable[[dict[str, Any]], int]) -> int:
    """A runner's entry point: ``run`` the spec named by the one argument, recording it.

    ``usage`` is printed (exit code 2) unless there is exactly one argument.
    The spec's ``job_dir`` gets the pid and exit status (:func:`recording`);
    a non-zero code from ``run`` becomes the process's exit status.
    """
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(f"usage: {usage}", file=sys.stderr)
        return 2
    spec = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    with recording(Path(spec["job_dir"])):
        code = run(spec)
        if code:
            raise SystemExit(code)
    return 0
