"""A warm child process spoken to in JSON lines: the server's client and the child's loop.

The CRDS worker (:mod:`jwst_lab.core.crds_worker`) and the WCS worker
(:mod:`jwst_lab.core.wcs_worker`) share one protocol::

    request  {"id": 1, "op": "...", "args": {...}}
    answer   {"id": 1, "ok": true, "result": {...}}  or  {"id": 1, "ok": false, "error": {...}}

The child writes one ready line first, then answers requests until its stdin
closes (so it never outlives the server). :class:`JsonLineWorker` is the
server's side: requests are serialised (one at a time, from worker threads);
a request that outlives its timeout kills the child, and the next request
starts a new one; a request whose child died (not one that timed out) is sent
once more to a fresh child (every operation is read-only).

Nothing here imports jwst or crds: the child module does, in its own process.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from typing import IO, Any

#: Bytes of the child's stderr quoted when it dies or fails to start.
TAIL_SIZE = 1500


class WorkerDied(Exception):
    """The child ended while a request was in flight (its stderr tail is the message)."""


class JsonLineWorker:
    """One warm ``python -m <module>`` child and its JSON-line channel.

    Subclasses say how failures read: :meth:`failure` builds the exception
    raised to callers, the ``*_message`` methods its text.
    """

    def __init__(
        self,
        module: str,
        *,
        name: str,
        env: Mapping[str, str] | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        self._module = module
        self._name = name
        self._env = dict(env) if env is not None else None
        self._start_timeout = start_timeout
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: IO[bytes] | None = None
        self._next_id = 1
        self.starts = 0

    # --- how failures read (overridden by each worker's client) -------------------

    def failure(self, message: str) -> Exception:
        """The exception raised to callers when the child cannot answer."""
        return RuntimeError(message)

    def died_message(self, op: str, tail: str) -> str:
        """Text of the failure when the child died twice during ``op``."""
        return f"the {self._module} worker died during {op}: {tail}"

    def timeout_message(self, op: str, timeout: float) -> str:
        """Text of the failure when ``op`` outlived ``timeout`` seconds."""
        return f"{self._module} did not answer {op} within {timeout:g} s; it was restarted"

    def start_message(self, tail: str) -> str:
        """Text of the failure when the child did not start."""
        return f"the {self._module} worker did not start: {tail}"

    def check_open(self) -> None:
        """Raise if no child may be started any more (nothing by default)."""

    def start_timeout(self) -> float:
        """Seconds the child has to start and write its ready line."""
        return self._start_timeout

    # --- the channel ---------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def call(self, op: str, args: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one request and wait (at most ``timeout`` s) for its whole answer."""
        with self._lock:
            try:
                return self._call_locked(op, args, timeout)
            except WorkerDied:
                pass
            try:
                return self._call_locked(op, args, timeout)
            except WorkerDied as died:
                raise self.failure(self.died_message(op, str(died))) from None

    def _call_locked(self, op: str, args: dict[str, Any], timeout: float) -> dict[str, Any]:
        process = self._ensure_started()
        ident = self._next_id
        self._next_id += 1
        try:
            assert process.stdin is not None
            process.stdin.write(json.dumps({"id": ident, "op": op, "args": args}) + "\n")
            process.stdin.flush()
        except (BrokenPipeError, OSError):
            tail = self._tail()
            self._kill()
            raise WorkerDied(tail) from None
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(deadline - time.monotonic(), 0.001))
            except queue.Empty:
                self._kill()
                raise self.failure(self.timeout_message(op, timeout)) from None
            if line is None:
                tail = self._tail()
                self._kill()
                raise WorkerDied(tail)
            answer = json.loads(line)
            if answer.get("id") == ident:
                return dict(answer)

    def _ensure_started(self) -> subprocess.Popen[str]:
        process = self._process
        if process is not None and process.poll() is None:
            return process
        self.check_open()
        self._kill()
        if self._stderr is not None:
            self._stderr.close()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the child
        self._lines = queue.Queue()
        process = subprocess.Popen(  # noqa: S603 - an argument list: our own module
            [sys.executable, "-m", self._module],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=self._env,
            text=True,
            encoding="utf-8",
            bufsize=1,
            start_new_session=True,
        )
        self._process = process
        self.starts += 1
        threading.Thread(
            target=_pump, args=(process.stdout, self._lines), daemon=True, name=self._name
        ).start()
        try:
            ready = self._lines.get(timeout=self.start_timeout())
        except queue.Empty:
            ready = None
        if ready is None:
            tail = self._tail()
            self._kill()
            raise self.failure(self.start_message(tail))
        return process

    def _tail(self, size: int = TAIL_SIZE) -> str:
        stream = self._stderr
        if stream is None:
            return ""
        with contextlib.suppress(OSError, ValueError):
            stream.seek(0, os.SEEK_END)
            end = stream.tell()
            stream.seek(max(0, end - size))
            return stream.read().decode("utf-8", "replace").strip()
        return ""

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(OSError):
                process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError, ValueError):
                if stream is not None:
                    stream.close()

    def close(self) -> None:
        """Stop the child (closing its stdin ends it; killed if it lingers)."""
        with self._lock:
            process = self._process
            if process is not None and process.poll() is None and process.stdin is not None:
                with contextlib.suppress(OSError, ValueError):
                    process.stdin.close()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=3)
            self._kill()
            if self._stderr is not None:
                self._stderr.close()
                self._stderr = None


def _pump(stream: IO[str] | None, lines: queue.Queue[str | None]) -> None:
    """Move the child's answer lines into ``lines``; None marks its end."""
    if stream is not None:
        with contextlib.suppress(OSError, ValueError):
            for line in stream:
                lines.put(line)
    lines.put(None)


# --- the child's side --------------------------------------------------------------


def dispatch(
    request: dict[str, Any],
    operations: Mapping[str, Callable[[dict[str, Any]], dict[str, Any]]],
    expected: Callable[[BaseException], dict[str, str] | None] = lambda error: None,
) -> dict[str, Any]:
    """Run one request with ``operations``; every failure becomes an answer, never a crash.

    ``expected`` gives the ``{"kind", "message"}`` of a failure the child
    foresees (a ``SystemExit`` too, if it says so); any other exception is
    ``internal``, its traceback on stderr.
    """
    ident = request.get("id")
    operation = operations.get(str(request.get("op")))
    if operation is None:
        return {"id": ident, "ok": False, "error": {"kind": "bad_input", "message": "unknown op"}}
    try:
        return {"id": ident, "ok": True, "result": operation(dict(request.get("args") or {}))}
    except (Exception, SystemExit) as error:
        known = expected(error)
        if known is not None:
            return {"id": ident, "ok": False, "error": known}
        if not isinstance(error, Exception):
            raise
        traceback.print_exc(file=sys.stderr)
        return {
            "id": ident,
            "ok": False,
            "error": {"kind": "internal", "message": f"{type(error).__name__}: {error}"},
        }


def serve(
    incoming: IO[str],
    outgoing: IO[str],
    handle: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    default: Callable[[Any], Any] | None = None,
) -> None:
    """Answer JSON-line requests with ``handle`` until ``incoming`` closes.

    A line that is not JSON is handled as an unknown op; ``default`` is
    ``json.dumps``'s fallback for values it cannot encode.
    """
    for line in incoming:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError:
            request = {"op": None}
        outgoing.write(json.dumps(handle(request), default=default) + "\n")
        outgoing.flush()


def run_child(
    handle: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    warm_up: Callable[[], None] | None = None,
    default: Callable[[Any], Any] | None = None,
) -> None:
    """The child's main: private channel, optional warm-up, ready line, then :func:`serve`.

    The protocol channel is a duplicate of stdout; stdout itself becomes
    stderr, so anything a library prints cannot corrupt an answer.
    """
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    if warm_up is not None:
        warm_up()
    channel.write(json.dumps({"id": 0, "ok": True, "result": {"ready": True}}) + "\n")
    channel.flush()
    serve(sys.stdin, channel, handle, default=default)
