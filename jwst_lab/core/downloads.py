"""The transfer engine of download jobs: parallel, resumable, atomic, verified.

A pure library (no tornado, no event loop): the download runner subprocess
(:mod:`jwst_lab.jobs.download_runner`) drives it. Given a list of
:class:`Transfer` items it

* runs up to ``parallel`` transfers at once, each on its own HTTP connection
  (``urllib3``), or copies local-archive files;
* writes every file to ``<name>.part`` and renames it into place only after
  its size (and checksum, when the source gives one) is verified, so a file
  whose size does not match never appears under its real name;
* resumes an existing ``.part`` with an HTTP ``Range`` request (or a seek,
  for local copies), which is what makes a killed download resume;
* retries transient failures (connection errors, timeouts, truncated bodies,
  HTTP 429 and 5xx) with exponential backoff, honouring ``Retry-After``;
* skips files already complete at the destination;
* can be cancelled from another thread (:meth:`TransferEngine.cancel`);
* reports per-file and overall progress through callbacks;
* records what it fetched in a JSON manifest (:func:`write_manifest`).

Files are not fsynced by default (``fsync=True`` does): a killed process or
server loses nothing the page cache holds, and waiting for the disk on every
file cost a third of the throughput in ``benchmarks/bench_downloads.py``.
After a power failure a file may come back short, which the size check of
the next run catches (it is fetched again). Digests are computed only when a
source gives a checksum, or when asked (``digest="sha256"``): hashing costs
CPU that parallel transfers need.

The MAST token, when there is one, is sent only as an ``Authorization``
header to the MAST host; it is never part of a URL, a result or a message,
and it is dropped when a redirect leads to another host.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import urllib3

#: Suffix of a file being written.
PART_SUFFIX = ".part"
#: Name of the manifest written in a download's destination folder.
MANIFEST_NAME = "jwst_lab_manifest.json"
#: The MAST download endpoint, below ``mast_url``.
MAST_DOWNLOAD_PATH = "/api/v0.1/Download/file"
#: HTTP statuses worth another try.
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
#: Checksum algorithms a source may give (``"sha256:<hex>"`` or ``"md5:<hex>"``).
CHECKSUM_ALGORITHMS = ("sha256", "md5", "sha1")
_USER_AGENT = "jwst-lab-downloader"
_MAX_REDIRECTS = 5


def mast_download_url(mast_url: str, data_uri: str) -> str:
    """The URL that serves ``data_uri`` (``mast:JWST/product/...``) from MAST at ``mast_url``."""
    return f"{mast_url.rstrip('/')}{MAST_DOWNLOAD_PATH}?uri={quote(data_uri, safe=':/')}"


class DownloadError(Exception):
    """A transfer failed for good (the message says which file and why; never a token)."""


class TransientError(DownloadError):
    """A transfer failed in a way another try may fix."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Cancelled(DownloadError):
    """The engine was cancelled."""


@dataclass(frozen=True)
class Transfer:
    """One file to fetch: from ``url`` (HTTP) or ``source_path`` (a local copy) to ``dest``."""

    uri: str
    dest: Path
    url: str | None = None
    source_path: Path | None = None
    size: int | None = None
    checksum: str | None = None

    @property
    def part(self) -> Path:
        """The temporary file written before the rename."""
        return self.dest.with_name(self.dest.name + PART_SUFFIX)


@dataclass
class FileResult:
    """How one transfer ended."""

    uri: str
    dest: str
    status: str  # downloaded | copied | skipped | failed | cancelled
    size: int | None = None
    sha256: str | None = None  # when the engine computes digests (``digest="sha256"``)
    error: str | None = None
    attempts: int = 0
    resumed_from: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the file is in place."""
        return self.status in ("downloaded", "copied", "skipped")


@dataclass(frozen=True)
class Probe:
    """What a ``HEAD`` request said: HTTP status (None: no answer), size, error."""

    status: int | None
    size: int | None
    error: str | None


@dataclass
class _FileState:
    transfer: Transfer
    done: int = 0
    size: int | None = None
    active: bool = False


@dataclass
class Snapshot:
    """Overall progress: bytes and files done out of the totals, and the files in flight."""

    bytes_done: int
    bytes_total: int
    files_done: int
    files_total: int
    files_failed: int
    active: list[dict[str, Any]] = field(default_factory=list)


def parse_checksum(text: str | None) -> tuple[str, str] | None:
    """``("sha256", hex)`` from ``"sha256:<hex>"``; None for no (or an unknown) checksum."""
    if not text or ":" not in text:
        return None
    algorithm, _, digest = text.partition(":")
    algorithm = algorithm.strip().lower()
    if algorithm not in CHECKSUM_ALGORITHMS or not digest.strip():
        return None
    return algorithm, digest.strip().lower()


def _hash_file(path: Path, algorithms: Iterable[str], limit: int | None = None) -> dict[str, Any]:
    hashers = {name: hashlib.new(name) for name in algorithms}
    remaining = limit
    with path.open("rb") as handle:
        while remaining is None or remaining > 0:
            want = 1 << 20 if remaining is None else min(1 << 20, remaining)
            block = handle.read(want)
            if not block:
                break
            for hasher in hashers.values():
                hasher.update(block)
            if remaining is not None:
                remaining -= len(block)
    return hashers


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _content_range(value: str | None) -> tuple[int, int | None] | None:
    """``(start, total)`` of a ``Content-Range: bytes a-b/total`` header."""
    if not value or not value.startswith("bytes "):
        return None
    spec, _, total = value[6:].partition("/")
    start, _, _ = spec.partition("-")
    try:
        return int(start), (int(total) if total.strip() not in ("", "*") else None)
    except ValueError:
        return None


class TransferEngine:
    """Runs transfers on ``parallel`` connections with resume, retry, verify and cancel."""

    def __init__(
        self,
        *,
        parallel: int = 8,
        token: str | None = None,
        token_host: str | None = None,
        retries: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 15.0,
        timeout: float = 60.0,
        chunk_size: int = 1 << 20,
        on_progress: Callable[[Snapshot], None] | None = None,
        on_file: Callable[[FileResult], None] | None = None,
        progress_interval: float = 0.25,
        digest: str | None = None,
        fsync: bool = False,
    ) -> None:
        if parallel < 1:
            raise ValueError("parallel must be at least 1")
        self.parallel = parallel
        self._token = token
        self._token_host = token_host
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.chunk_size = chunk_size
        self._on_progress = on_progress
        self._on_file = on_file
        self._interval = progress_interval
        if digest is not None and digest not in CHECKSUM_ALGORITHMS:
            raise ValueError(f"digest must be one of {CHECKSUM_ALGORITHMS}")
        self.digest = digest
        self.fsync = fsync
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._states: list[_FileState] = []
        self._results: list[FileResult] = []
        self._last_report = 0.0
        self._http = urllib3.PoolManager(
            num_pools=4,
            maxsize=parallel,
            block=False,
            timeout=urllib3.Timeout(connect=min(30.0, timeout), read=timeout),
            retries=False,
            headers={"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"},
        )

    # --- control -----------------------------------------------------------------

    def cancel(self) -> None:
        """Ask every transfer to stop at its next chunk (``.part`` files are kept)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._cancel.is_set()

    def run(self, transfers: list[Transfer]) -> list[FileResult]:
        """Run every transfer; the results in the order given. Raises :class:`Cancelled`."""
        self._states = [_FileState(t, size=t.size) for t in transfers]
        self._results = []
        pool = ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="jwst-lab-dl")
        try:
            futures = [pool.submit(self._one, state) for state in self._states]
            results = [future.result() for future in futures]
        except BaseException:
            # SystemExit from SIGTERM (a cancelled job), KeyboardInterrupt: stop every transfer.
            self._cancel.set()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self._http.clear()
        self._report(force=True)
        if any(r.status == "cancelled" for r in results):
            raise Cancelled("the download was cancelled")
        return results

    def snapshot(self) -> Snapshot:
        """Progress now."""
        with self._lock:
            done = [r for r in self._results if r.ok]
            return Snapshot(
                bytes_done=sum(s.done for s in self._states),
                bytes_total=sum(s.size or 0 for s in self._states),
                files_done=len(done),
                files_total=len(self._states),
                files_failed=sum(1 for r in self._results if r.status == "failed"),
                active=[
                    {"name": s.transfer.dest.name, "bytes_done": s.done, "size": s.size}
                    for s in self._states
                    if s.active
                ],
            )

    def _report(self, *, force: bool = False) -> None:
        if self._on_progress is None:
            return
        now = time.monotonic()
        with self._lock:
            if not force and now - self._last_report < self._interval:
                return
            self._last_report = now
        self._on_progress(self.snapshot())

    def _advance(self, state: _FileState, count: int) -> None:
        with self._lock:
            state.done += count
        self._report()

    # --- one file ------------------------------------------------------------------

    def _one(self, state: _FileState) -> FileResult:
        transfer = state.transfer
        started = time.monotonic()
        result = FileResult(uri=transfer.uri, dest=str(transfer.dest), status="failed")
        state.active = True
        try:
            if self._cancel.is_set():
                raise Cancelled("cancelled")
            transfer.dest.parent.mkdir(parents=True, exist_ok=True)
            if self._complete(state, result):
                result.status = "skipped"
            else:
                self._fetch_with_retries(state, result)
                result.status = "copied" if transfer.source_path is not None else "downloaded"
        except Cancelled:
            result.status = "cancelled"
            result.error = "cancelled"
        except DownloadError as error:
            result.status = "failed"
            result.error = str(error)
        except OSError as error:
            result.status = "failed"
            result.error = f"{transfer.dest.name}: {error.strerror or error}"
        finally:
            state.active = False
        result.seconds = round(time.monotonic() - started, 3)
        with self._lock:
            self._results.append(result)
            if result.ok:
                state.done = state.size or state.done
        if self._on_file is not None:
            self._on_file(result)
        self._report()
        return result

    def _complete(self, state: _FileState, result: FileResult) -> bool:
        """True (and the result filled in) when the destination already holds the file."""
        transfer = state.transfer
        try:
            size = transfer.dest.stat().st_size
        except FileNotFoundError:
            return False
        expected = transfer.size
        if expected is None and transfer.source_path is not None:
            expected = transfer.source_path.stat().st_size
        if expected is not None and size != expected:
            return False
        checksum = parse_checksum(transfer.checksum)
        if checksum is not None:
            digest = _hash_file(transfer.dest, [checksum[0]])[checksum[0]].hexdigest()
            if digest != checksum[1]:
                return False
        state.size = size
        result.size = size
        with contextlib.suppress(FileNotFoundError):
            transfer.part.unlink()
        return True

    def _fetch_with_retries(self, state: _FileState, result: FileResult) -> None:
        failures = 0
        while True:
            if self._cancel.is_set():
                raise Cancelled("cancelled")
            result.attempts += 1
            before = state.done
            try:
                if state.transfer.source_path is not None:
                    self._copy(state, result)
                else:
                    self._download(state, result)
                return
            except TransientError as error:
                # An attempt that moved the file forward does not count against the limit.
                failures = 0 if state.done > before else failures + 1
                if failures > self.retries:
                    raise DownloadError(
                        f"{state.transfer.dest.name}: gave up after {result.attempts} attempts: "
                        f"{error}"
                    ) from None
                delay = min(self.max_backoff, self.backoff * (2 ** max(0, failures - 1)))
                if error.retry_after is not None:
                    delay = min(self.max_backoff, max(delay, error.retry_after))
                if self._cancel.wait(delay):
                    raise Cancelled("cancelled") from None

    # --- local copies ------------------------------------------------------------------

    def _copy(self, state: _FileState, result: FileResult) -> None:
        transfer = state.transfer
        assert transfer.source_path is not None
        source = transfer.source_path
        try:
            total = source.stat().st_size
        except FileNotFoundError:
            raise DownloadError(
                f"{transfer.dest.name}: the local archive file is missing"
            ) from None
        expected = transfer.size if transfer.size is not None else total
        if total != expected:
            raise DownloadError(
                f"{transfer.dest.name}: size mismatch, the archive file has {total} bytes "
                f"but {expected} were expected; not renamed into place"
            )
        state.size = expected
        offset = self._part_offset(transfer, expected)
        result.resumed_from = result.resumed_from or offset
        hashers = self._start_hashers(transfer, offset)
        with self._lock:
            state.done = offset
        with source.open("rb") as reader, transfer.part.open("ab" if offset else "wb") as writer:
            reader.seek(offset)
            while True:
                if self._cancel.is_set():
                    raise Cancelled("cancelled")
                block = reader.read(self.chunk_size)
                if not block:
                    break
                writer.write(block)
                for hasher in hashers.values():
                    hasher.update(block)
                self._advance(state, len(block))
            writer.flush()
            if self.fsync:
                os.fsync(writer.fileno())
        self._finalise(transfer, expected, hashers, result)

    # --- HTTP ----------------------------------------------------------------------------

    def _headers_for(self, url: str) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self._token and (self._token_host is None or urlsplit(url).netloc == self._token_host):
            headers["Authorization"] = f"token {self._token}"
        return headers

    def _request(
        self, url: str, headers: dict[str, str], method: str = "GET"
    ) -> urllib3.BaseHTTPResponse:
        """``method`` ``url`` following redirects by hand (the token never leaves its host)."""
        for _ in range(_MAX_REDIRECTS + 1):
            request_headers = {**headers, **self._headers_for(url)}
            try:
                response = self._http.request(
                    method, url, headers=request_headers, preload_content=False, redirect=False
                )
            except urllib3.exceptions.HTTPError as error:
                raise TransientError(f"connection failed: {type(error).__name__}") from None
            if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                location = urljoin(url, response.headers["Location"])
                response.drain_conn()
                response.release_conn()
                url = location
                continue
            return response
        raise DownloadError("too many redirects")

    def probe(self, url: str) -> Probe:
        """A ``HEAD`` request: the status and size of ``url`` (never raises)."""
        try:
            response = self._request(url, {}, method="HEAD")
        except DownloadError as error:
            return Probe(None, None, str(error))
        try:
            length = response.headers.get("Content-Length")
            size = int(length) if length and length.isdigit() else None
            return Probe(response.status, size if response.status == 200 else None, None)
        finally:
            _release(response)

    def probe_all(self, urls: list[str]) -> list[Probe]:
        """:meth:`probe` of every URL, ``parallel`` at a time, in order."""
        if not urls:
            return []
        with ThreadPoolExecutor(max_workers=min(self.parallel, len(urls))) as pool:
            return list(pool.map(self.probe, urls))

    def _download(self, state: _FileState, result: FileResult) -> None:
        transfer = state.transfer
        assert transfer.url is not None
        name = transfer.dest.name
        offset = self._part_offset(transfer, transfer.size)
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        response = self._request(transfer.url, headers)
        try:
            status = response.status
            if status == 416 and offset:
                # The part may already hold everything: verify it as it is.
                refused = _content_range(response.headers.get("Content-Range"))
                whole = transfer.size if transfer.size is not None else None
                if whole is None and refused is not None:
                    whole = refused[1]
                if whole is not None and offset == whole:
                    state.size = whole
                    with self._lock:
                        state.done = offset
                    hashers = self._start_hashers(transfer, offset)
                    self._finalise(transfer, whole, hashers, result)
                    return
                transfer.part.unlink(missing_ok=True)
                with self._lock:
                    state.done = 0
                raise TransientError("the server refused the range; starting the file again")
            if status in TRANSIENT_STATUSES:
                raise TransientError(
                    f"HTTP {status} from the server",
                    _retry_after(response.headers.get("Retry-After")),
                )
            if status in (401, 403):
                raise DownloadError(
                    f"{name}: the server refused access (HTTP {status}); exclusive-access data "
                    "needs a MAST token that has access to it (PUT /jwst-lab/mast/token)"
                )
            if status == 404:
                raise DownloadError(f"{name}: not found on the server (HTTP 404)")
            if status not in (200, 206):
                raise DownloadError(f"{name}: unexpected HTTP {status} from the server")
            length = response.headers.get("Content-Length")
            total: int | None
            if status == 206:
                span = _content_range(response.headers.get("Content-Range"))
                if span is None or span[0] != offset:
                    transfer.part.unlink(missing_ok=True)
                    with self._lock:
                        state.done = 0
                    raise TransientError("the server answered another range; starting again")
                total = span[1]
            else:
                if offset:
                    # The server ignored the Range header: start from zero.
                    offset = 0
                total = int(length) if length and length.isdigit() else None
            expected = transfer.size if transfer.size is not None else total
            if expected is not None and total is not None and total != expected:
                transfer.part.unlink(missing_ok=True)
                raise DownloadError(
                    f"{name}: size mismatch, the server has {total} bytes but {expected} were "
                    "expected; not renamed into place"
                )
            state.size = expected
            result.resumed_from = result.resumed_from or offset
            hashers = self._start_hashers(transfer, offset)
            with self._lock:
                state.done = offset
            received = offset
            with transfer.part.open("ab" if offset else "wb") as writer:
                try:
                    while True:
                        if self._cancel.is_set():
                            raise Cancelled("cancelled")
                        block = response.read1(self.chunk_size)
                        if not block:
                            break
                        writer.write(block)
                        for hasher in hashers.values():
                            hasher.update(block)
                        received += len(block)
                        self._advance(state, len(block))
                        if expected is not None and received > expected:
                            break
                except (urllib3.exceptions.HTTPError, OSError) as error:
                    writer.flush()
                    raise TransientError(
                        f"the transfer broke off at byte {received}: {type(error).__name__}"
                    ) from None
                writer.flush()
                if self.fsync:
                    os.fsync(writer.fileno())
            if expected is None:
                expected = received
                state.size = expected
            if received < expected:
                raise TransientError(f"the transfer ended early at byte {received} of {expected}")
            self._finalise(transfer, expected, hashers, result)
        finally:
            _release(response)

    # --- shared ----------------------------------------------------------------------

    def _part_offset(self, transfer: Transfer, expected: int | None) -> int:
        """Bytes already in the ``.part`` file worth keeping (0 starts the file again)."""
        try:
            size = transfer.part.stat().st_size
        except FileNotFoundError:
            return 0
        if expected is not None and size > expected:
            transfer.part.unlink()
            return 0
        return size

    def _start_hashers(self, transfer: Transfer, offset: int) -> dict[str, Any]:
        algorithms = {self.digest} if self.digest else set()
        checksum = parse_checksum(transfer.checksum)
        if checksum is not None:
            algorithms.add(checksum[0])
        if not algorithms:
            return {}
        if offset:
            return _hash_file(transfer.part, algorithms, limit=offset)
        return {name: hashlib.new(name) for name in algorithms}

    def _finalise(
        self, transfer: Transfer, expected: int, hashers: dict[str, Any], result: FileResult
    ) -> None:
        """Verify the ``.part`` file and rename it into place; a mismatch is never renamed."""
        size = transfer.part.stat().st_size
        if size != expected:
            transfer.part.unlink(missing_ok=True)
            raise DownloadError(
                f"{transfer.dest.name}: size mismatch, received {size} bytes but {expected} were "
                "expected; not renamed into place"
            )
        checksum = parse_checksum(transfer.checksum)
        if checksum is not None:
            digest = hashers[checksum[0]].hexdigest()
            if digest != checksum[1]:
                transfer.part.unlink(missing_ok=True)
                raise DownloadError(
                    f"{transfer.dest.name}: {checksum[0]} checksum mismatch; not renamed into place"
                )
        transfer.part.replace(transfer.dest)
        result.size = size
        if "sha256" in hashers:
            result.sha256 = hashers["sha256"].hexdigest()


def _release(response: urllib3.BaseHTTPResponse) -> None:
    """Give the connection back to the pool only when nothing of the body is left in it."""
    try:
        if response.status not in (200, 206):
            response.drain_conn()  # a short error body: read it, keep the connection
        elif getattr(response, "length_remaining", None) != 0:
            response.close()  # a body left unread (cancel, failure): drop the connection
            return
        response.release_conn()
    except (urllib3.exceptions.HTTPError, OSError):
        response.close()


def remove_parts(transfers: Iterable[Transfer]) -> int:
    """Delete the ``.part`` files of ``transfers`` (after a cancel); how many were removed."""
    removed = 0
    for transfer in transfers:
        with contextlib.suppress(FileNotFoundError):
            transfer.part.unlink()
            removed += 1
    return removed


def now_iso() -> str:
    """The current UTC time, ISO 8601 with a ``Z``."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def write_manifest(folder: Path, results: Iterable[FileResult], **about: Any) -> Path:
    """Merge ``results`` into ``folder/jwst_lab_manifest.json`` (under a file lock).

    Entries are keyed by path relative to ``folder``; a later download of the
    same file replaces its entry. Failed files are listed with their error.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / MANIFEST_NAME
    with (folder / f".{MANIFEST_NAME}.lock").open("w") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
                data = {"files": {}}
        except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
            data = {"files": {}}
        for result in results:
            try:
                key = Path(result.dest).relative_to(folder).as_posix()
            except ValueError:
                key = result.dest
            entry = asdict(result)
            entry.pop("dest")
            entry["path"] = key
            entry["time"] = now_iso()
            previous = data["files"].get(key)
            if result.status == "skipped" and previous and previous.get("sha256"):
                entry["sha256"] = previous["sha256"]
            data["files"][key] = entry
        data.update(about)
        data["updated"] = now_iso()
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        temporary.replace(path)
    return path
