"""``python -m jwst_lab.jobs.crds_fetch_runner <crds_fetch.json>``: run one ``crds_fetch`` job.

Runs in its own process, with the CRDS environment of the server's CRDS
service (``CRDS_PATH``, ``CRDS_SERVER_URL``, ``CRDS_MODE``; never
``CRDS_CONTEXT``: the context is named explicitly). For every file of the
spec (one FITS/ASDF file, or every member of an association) it asks the
real ``crds`` client for the best references at the context, then fetches
the ones not yet in the cache **in parallel** (``concurrency`` connections of
one pooled HTTP session): crds's own client fetches one file at a time.

The cache stays one crds itself would have written: each reference goes to
crds's ``config.locate_file`` path, under crds's own lock
(``crds.core.cache_locker.crds_lock``, so a ``crds sync`` or a pipeline
fetching the same file waits rather than races), into a ``.tmp_<name>_<pid>``
file renamed into place only once its size and sha1 match the server's file
info (``get_file_info_map``, the ``sha1sum`` field crds checks). A killed
runner leaves at most a temporary file, which the next runner removes.

It prints ``JWST-LAB-EVENT`` ``progress`` lines (files and bytes done/total)
that the manager parses like a download's, writes ``result.json`` and records
its pid and exit status like the other runners. Exit codes: 0 every reference
is in the cache, 1 some failed, 143 cancelled.
"""

from __future__ import annotations

import hashlib
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import runfiles
from .progress import format_runner_event

CRDS_FETCH_SPEC_NAME = "crds_fetch.json"
#: Parallel connections when the spec does not say (specs written before the setting).
DEFAULT_CONCURRENCY = 8
#: Bytes read from the socket and written to the file at a time.
CHUNK_SIZE = 1 << 20
#: Seconds between two ``progress`` events while bytes arrive.
PROGRESS_EVERY = 0.5
#: Seconds to wait for crds's lock on a reference another process is fetching.
LOCK_TIMEOUT = 600.0

_print_lock = threading.Lock()


def _say(text: str) -> None:
    with _print_lock:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def _emit(event: str, **payload: Any) -> None:
    _say(format_runner_event(event, **payload))


class FetchError(Exception):
    """One reference could not be fetched (the message says why)."""


class _Stopped(Exception):
    """The fetch was cancelled while this reference was being received."""


def needed_references(files: list[str], context: str) -> tuple[list[str], str]:
    """The references the ``files`` need at ``context`` (sorted, unique) and crds's mode."""
    from ..core import crds_worker

    names: set[str] = set()
    mode = "local"
    for path in files:
        try:
            answer = crds_worker.op_bestrefs({"context": context, "path": path, "connected": False})
        except crds_worker.WorkerError as error:
            raise RuntimeError(f"{Path(path).name}: {error.message}") from None
        mode = str(answer.get("mode") or mode)
        found = [str(t["reference"]) for t in answer["types"] if t.get("reference")]
        _say(
            f"{Path(path).name}: {len(found)} references at {context} "
            f"({answer['instrument'].upper()}, {mode} mode)"
        )
        names.update(found)
    return sorted(names), mode


def remove_dead_partials(reference: Path) -> list[Path]:
    """Delete what killed downloads of ``reference`` left behind; the paths removed.

    crds (and this runner) download into ``.tmp_<name>_<pid>`` beside the
    reference and rename it when complete, so a SIGKILL leaves only that
    temporary file. One whose process is gone is garbage; a live process's is
    left alone.
    """
    removed = []
    for partial in reference.parent.glob(f".tmp_{reference.name}_*"):
        pid_text = partial.name.rsplit("_", 1)[-1]
        if not pid_text.isdigit():
            continue
        state = runfiles.process_state(int(pid_text))
        if state is not None and state[0] != "Z":
            continue  # still downloading
        partial.unlink(missing_ok=True)
        removed.append(partial)
    return removed


@dataclass(frozen=True)
class ServerFile:
    """What the CRDS server's file info says of one reference, and where to get it."""

    name: str
    size: int
    sha1sum: str
    url: str
    local: Path


def server_files(names: list[str], observatory: str = "jwst") -> tuple[list[ServerFile], list[str]]:
    """The server's size, sha1 and URL of each of ``names``; and the names it does not know.

    One ``get_file_info_map`` call (crds's JSON-RPC client, so ``CRDS_SERVER_URL``
    and crds's timeouts and retries apply) for all the names; URLs from the
    server's ``reference_url`` as crds computes them (``get_flex_uri``).
    """
    from crds.client import api
    from crds.core import config

    infos = api.get_file_info_map(observatory, names, ["size", "sha1sum"])
    known, unknown = [], []
    for name in names:
        info = infos.get(name)
        if not isinstance(info, dict) or "size" not in info:
            unknown.append(name)
            continue
        known.append(
            ServerFile(
                name=name,
                size=int(info["size"]),
                sha1sum=str(info.get("sha1sum") or "none"),
                url=api.get_flex_uri(name, observatory),
                local=Path(config.locate_file(name, observatory)),
            )
        )
    return known, unknown


@dataclass
class FetchReport:
    """What :func:`fetch_references` did: cache paths fetched, names skipped, failures."""

    fetched: list[str] = field(default_factory=list)
    #: Names another process put in the cache while this one waited for crds's lock.
    skipped: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    bytes_done: int = 0


class _Transfer:
    """The shared state of one parallel fetch: counters, the stop flag, the HTTP session."""

    def __init__(self, concurrency: int, timeout: float, retries: int) -> None:
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.report = FetchReport()
        self.current: str | None = None
        self.timeout = timeout
        # One session, one connection pool of ``concurrency`` kept-alive connections:
        # each worker reuses its connection from one reference to the next.
        self.session = requests.Session()
        adapter = HTTPAdapter(
            pool_connections=1,
            pool_maxsize=concurrency,
            max_retries=Retry(
                total=retries,
                connect=retries,
                read=retries,
                status=retries,
                backoff_factor=0.5,
                status_forcelist=(429, 500, 502, 503, 504),
                allowed_methods=frozenset({"GET"}),
            ),
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def add_bytes(self, count: int) -> None:
        with self.lock:
            self.report.bytes_done += count

    def fetch(self, item: ServerFile) -> None:
        """Fetch one reference into the cache (or fail it, leaving nothing)."""
        from crds.core.cache_locker import crds_lock  # crds >= 14, as FileCacher locks

        with self.lock:
            self.current = item.name
        item.local.parent.mkdir(parents=True, exist_ok=True)
        try:
            with crds_lock(str(item.local), timeout=LOCK_TIMEOUT):
                if item.local.exists():  # another process fetched it while we waited
                    with self.lock:
                        self.report.skipped.append(item.name)
                    _say(f"skipped {item.name}: put in the cache by another process")
                    return
                for partial in remove_dead_partials(item.local):
                    _say(f"removed {partial.name}, left by an interrupted fetch")
                received = self._receive(item)
        except _Stopped:
            raise
        except Exception as error:  # one reference fails; the others go on
            message = str(error) if isinstance(error, FetchError) else f"{item.name}: {error!r}"
            with self.lock:
                self.report.failed.append({"reference": item.name, "error": message})
            _say(f"ERROR {message}")
            return
        with self.lock:
            self.report.fetched.append(str(item.local))
        _say(f"fetched {item.name} ({received} bytes) -> {item.local}")

    def _receive(self, item: ServerFile) -> int:
        """Stream ``item`` to its temporary name, check it, rename it; the size."""
        import requests
        import urllib3

        partial = item.local.with_name(f".tmp_{item.local.name}_{os.getpid()}")
        received = 0
        digest = hashlib.sha1()  # noqa: S324 - CRDS identifies files by sha1
        try:
            # The temporary file exists before the request, as crds's does: whatever
            # a SIGKILL interrupts, only it is left for the next runner to clear.
            with partial.open("wb") as out:
                try:
                    with self.session.get(item.url, stream=True, timeout=self.timeout) as answer:
                        answer.raise_for_status()
                        # read1: what has arrived (up to CHUNK_SIZE), so a slow link
                        # still shows progress and a cancel is seen at once.
                        while chunk := answer.raw.read1(CHUNK_SIZE, decode_content=True):
                            if self.stop.is_set():
                                raise _Stopped
                            out.write(chunk)
                            digest.update(chunk)
                            received += len(chunk)
                            self.add_bytes(len(chunk))
                except (requests.RequestException, urllib3.exceptions.HTTPError) as error:
                    raise FetchError(f"{item.name}: {item.url} failed: {error}") from None
                out.flush()
                os.fsync(out.fileno())
            if received != item.size:
                raise FetchError(
                    f"{item.name}: received {received} bytes but the CRDS server's file info "
                    f"says {item.size}; nothing was kept"
                )
            got = digest.hexdigest()
            if item.sha1sum not in ("", "none") and got != item.sha1sum:
                raise FetchError(
                    f"{item.name}: sha1 {got} does not match the CRDS server's sha1sum "
                    f"{item.sha1sum}; nothing was kept"
                )
            partial.replace(item.local)
        except BaseException:
            self.add_bytes(-received)
            raise
        finally:
            partial.unlink(missing_ok=True)
        return received


def fetch_references(
    files: list[ServerFile],
    concurrency: int,
    *,
    timeout: float = 60.0,
    retries: int = 1,
    on_progress: Callable[[FetchReport, str | None], None] | None = None,
) -> FetchReport:
    """Fetch ``files`` into the CRDS cache, ``concurrency`` at a time; what happened.

    ``on_progress(report, current)`` is called from this thread every
    :data:`PROGRESS_EVERY` seconds. A ``SystemExit``/``KeyboardInterrupt``
    here (SIGTERM: cancel) stops the workers, which delete what they were
    receiving; nothing unverified is ever renamed into the cache, and a
    temporary file a killed process leaves is cleared by the next fetch
    (:func:`remove_dead_partials`).
    """
    import crds.core.cache_locker  # noqa: F401 - fail here, not in every worker, without it

    transfer = _Transfer(max(1, concurrency), timeout, retries)
    todo: queue.SimpleQueue[ServerFile] = queue.SimpleQueue()
    for item in files:
        todo.put(item)

    def work() -> None:
        while not transfer.stop.is_set():
            try:
                item = todo.get_nowait()
            except queue.Empty:
                return
            try:
                transfer.fetch(item)
            except _Stopped:
                return

    workers = [
        threading.Thread(target=work, name=f"crds-fetch-{i}", daemon=True)
        for i in range(min(max(1, concurrency), max(1, len(files))))
    ]
    try:
        for worker in workers:  # a SIGTERM while starting them stops the started ones
            worker.start()
        while alive := [worker for worker in workers if worker.is_alive()]:
            alive[0].join(PROGRESS_EVERY)
            if on_progress is not None:
                with transfer.lock:
                    on_progress(transfer.report, transfer.current)
    except BaseException:
        transfer.stop.set()
        for worker in workers:
            if worker.is_alive():
                worker.join(timeout=5.0)
        raise
    finally:
        transfer.session.close()
    return transfer.report


def run(spec: dict[str, Any]) -> int:
    """Fetch the references of the spec's files; the exit code."""
    from crds.core import config

    context = str(spec["context"])
    files = [str(f) for f in spec["files"]]
    concurrency = int(spec.get("concurrency") or DEFAULT_CONCURRENCY)
    result_path = Path(spec["result_file"])
    outcome: dict[str, Any] = {
        "exit_code": None,
        "error": None,
        "crds_context_used": context,
        "fetched": [],
        "skipped": [],
        "failed": [],
    }
    _emit("started", pid=os.getpid(), files_total=0, bytes_total=0)
    _say(f"CRDS cache {os.environ.get('CRDS_PATH')}, server {os.environ.get('CRDS_SERVER_URL')}")
    started = time.monotonic()
    try:
        if config.get_cache_readonly():
            raise RuntimeError("the CRDS cache is read-only (CRDS_READONLY_CACHE)")
        names, _mode = needed_references(files, context)
        cached = [n for n in names if Path(config.locate_file(n, "jwst")).exists()]
        missing = [n for n in names if n not in cached]
        todo, unknown = server_files(missing) if missing else ([], [])
    except (SystemExit, KeyboardInterrupt):
        raise
    except Exception as error:
        outcome.update(exit_code=1, error=f"cannot list the references: {error}")
        _say(f"ERROR {outcome['error']}")
        runfiles.write_result(result_path, outcome, measure=True)
        return 1
    total = sum(item.size for item in todo)
    outcome["skipped"] = cached
    outcome["failed"] = [
        {"reference": n, "error": f"{n}: the CRDS server's file info does not know it"}
        for n in unknown
    ]
    for name in cached:
        _say(f"skipped {name}: already in the cache")
    for failure in outcome["failed"]:
        _say(f"ERROR {failure['error']}")
    _say(
        f"{len(cached)} already cached, {len(todo)} to fetch ({total} bytes, "
        f"{min(concurrency, max(1, len(todo)))} at a time)"
    )
    files_total = len(missing)

    def report(done: FetchReport, current: str | None) -> None:
        _emit(
            "progress",
            files_total=files_total,
            bytes_total=total,
            files_done=len(done.fetched) + len(done.skipped),
            bytes_done=done.bytes_done,
            bytes_fetched=done.bytes_done,
            files_failed=len(outcome["failed"]) + len(done.failed),
            current_file=current,
        )

    report(FetchReport(), None)
    try:
        timeout = float(config.get_client_timeout_seconds())
        retries = max(0, int(config.get_client_retry_count()))
        done = fetch_references(
            todo, concurrency, timeout=timeout, retries=retries, on_progress=report
        )
    except (SystemExit, KeyboardInterrupt):
        outcome.update(exit_code=runfiles.EXIT_TERMINATED, error="cancelled by the user")
        _say("cancelled")
        runfiles.write_result(result_path, outcome, measure=True)
        raise
    report(done, None)
    outcome["fetched"] = sorted(done.fetched)
    outcome["skipped"] = sorted(cached + done.skipped)
    outcome["failed"] = outcome["failed"] + sorted(done.failed, key=lambda f: f["reference"])
    failed = outcome["failed"]
    code = 1 if failed else 0
    if failed:
        outcome["error"] = (
            f"{len(failed)} of {len(missing)} references failed: {failed[0]['error']}"
        )
    seconds = round(time.monotonic() - started, 3)
    outcome.update(exit_code=code, bytes=done.bytes_done, seconds=seconds)
    _say(
        f"done: {len(done.fetched)} fetched ({done.bytes_done} bytes), "
        f"{len(outcome['skipped'])} already cached, {len(failed)} failed"
    )
    runfiles.write_result(result_path, outcome, measure=True)
    _emit("finished", exit_code=code, files_done=len(done.fetched), files_failed=len(failed))
    return code


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m jwst_lab.jobs.crds_fetch_runner <crds_fetch.json>``."""
    return runfiles.main(argv, "python -m jwst_lab.jobs.crds_fetch_runner <crds_fetch.json>", run)


if __name__ == "__main__":
    sys.exit(main())
