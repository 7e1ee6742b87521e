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

Given a ``root`` (the server root), nothing is written outside it: every
file's folder is opened with :class:`~.safe_fs.SafeRoot` (a walk that follows
symbolic links only while they stay inside the root) and the ``.part`` file
is created, opened, renamed and removed relative to that folder's descriptor
with ``O_NOFOLLOW``, so a link planted anywhere on the way is never written
through. A file that cannot be written safely fails with a message naming
the link; the other files go on. A ``.part`` file is resumed only if it is
a regular file with one link that this job created (or its predecessor, see
:class:`PartLedger`); any other is removed (a link itself, never its target)
and the file is fetched from the start. Resumed local copies are compared
with their source before they go on, and every file is verified (size, and
checksum when the source gives one) before it is renamed into place.

A full disk (``ENOSPC``, ``EDQUOT``) fails the file with a message saying
so, the folder and the space left, and removes that file's ``.part``: a user
whose disk is full needs the space back before anything else, and a partial
file nobody sees would keep it (the rerun fetches the file again). Files
that start after a disk ran full are refused at once when they do not fit
in what is left, instead of filling the disk again.

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
import errno
import fcntl
import hashlib
import json
import os
import stat
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, urljoin, urlsplit

import urllib3

from ..clock import now_iso
from .cloud import CloudError, CloudObject, NotInBucket, read_range
from .safe_fs import Folder, SafeRoot, UnsafePath

#: Suffix of a file being written.
PART_SUFFIX = ".part"
#: Name of the manifest written in a download's destination folder.
MANIFEST_NAME = "jwst_lab_manifest.json"
#: Name of a job's ledger of the ``.part`` files it created (in its server-private job folder).
LEDGER_NAME = "parts.jsonl"
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


class DiskFull(DownloadError):
    """The disk (or the quota) ran out of space while a file was written."""


_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


@dataclass(frozen=True)
class Transfer:
    """One file to fetch: from ``url`` (HTTP), ``source_path`` (a local copy) or an object
    (``s3_bucket``/``s3_key``, with its ``etag``; ``url`` is then the HTTPS fallback) to
    ``dest``."""

    uri: str
    dest: Path
    url: str | None = None
    source_path: Path | None = None
    size: int | None = None
    checksum: str | None = None
    s3_bucket: str | None = None
    s3_key: str | None = None
    etag: str | None = None

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
    reason: str | None = None  # of a failure: disk_full | unsafe_path
    attempts: int = 0
    resumed_from: int = 0
    seconds: float = 0.0
    origin: str | None = None  # where the bytes came from: s3 | https | local

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
    #: Bytes this run fetched (read from a server or copied), retries included; unlike
    #: ``bytes_done``, without what resumed files already held.
    bytes_fetched: int = 0


def parse_checksum(text: str | None) -> tuple[str, str] | None:
    """``("sha256", hex)`` from ``"sha256:<hex>"``; None for no (or an unknown) checksum."""
    if not text or ":" not in text:
        return None
    algorithm, _, digest = text.partition(":")
    algorithm = algorithm.strip().lower()
    if algorithm not in CHECKSUM_ALGORITHMS or not digest.strip():
        return None
    return algorithm, digest.strip().lower()


def _hash_fd(fd: int, algorithms: Iterable[str], limit: int | None = None) -> dict[str, Any]:
    """Hashers fed with the first ``limit`` bytes (all, for None) of the open file ``fd``."""
    hashers = {name: hashlib.new(name) for name in algorithms}
    position = 0
    while limit is None or position < limit:
        want = 1 << 20 if limit is None else min(1 << 20, limit - position)
        block = os.pread(fd, want, position)
        if not block:
            break
        for hasher in hashers.values():
            hasher.update(block)
        position += len(block)
    return hashers


def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


class PartLedger:
    """The ``.part`` files a download job created, so that it resumes only its own.

    One JSON line per part (``path``, ``st_dev``, ``st_ino``) is appended to
    ``<job dir>/parts.jsonl`` (server-private, outside the root) when the
    part is created, before a byte goes into it, so a job killed at any point
    finds its parts listed when it runs again. A part is trusted when its
    path and identity are in the job's own ledger or in the ledger of a
    predecessor the job names (the job it reruns); a trusted part taken over
    from a predecessor is added to the job's own ledger. A torn last line (a
    kill mid-write) is ignored.
    """

    def __init__(self, path: Path, *, predecessors: Iterable[Path] = ()) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._own = self._read(path)
        self._known = set(self._own)
        for other in predecessors:
            if other != path:
                self._known |= self._read(other)

    @classmethod
    def for_job(cls, job_dir: Path, resume_from: Iterable[str | Path] = ()) -> PartLedger:
        """The ledger of the job in ``job_dir``, trusting those of the ``resume_from`` jobs."""
        return cls(
            job_dir / LEDGER_NAME,
            predecessors=[Path(folder) / LEDGER_NAME for folder in resume_from],
        )

    @staticmethod
    def _read(path: Path) -> set[tuple[str, int, int]]:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return set()
        entries = set()
        for line in text.splitlines():
            try:
                item = json.loads(line)
                entries.add((str(item["path"]), int(item["st_dev"]), int(item["st_ino"])))
            except (ValueError, KeyError, TypeError):
                continue
        return entries

    def knows(self, path: str, info: os.stat_result) -> bool:
        """True when the part at ``path`` with this identity was written by this job (or its
        predecessor)."""
        with self._lock:
            return (path, info.st_dev, info.st_ino) in self._known

    def add(self, path: str, info: os.stat_result) -> None:
        """Record the part at ``path`` as this job's (appended at once: a kill may follow)."""
        key = (path, info.st_dev, info.st_ino)
        with self._lock:
            if key in self._own:
                return
            line = json.dumps({"path": path, "st_dev": info.st_dev, "st_ino": info.st_ino})
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
            self._own.add(key)
            self._known.add(key)


class _Part:
    """The ``.part`` file of one transfer, handled by name in its folder, never through a link.

    ``fd`` is open (read-write, append) once the part is trusted or created;
    ``offset`` is how many bytes it holds worth keeping.
    """

    def __init__(self, folder: Folder, transfer: Transfer) -> None:
        self.folder = folder
        self.key = str(transfer.part)
        self.name = transfer.part.name
        self.display = folder.path_of(self.name)
        self.fd: int | None = None
        self.offset = 0

    def ensure_open(self, ledger: PartLedger | None) -> int:
        """The part's descriptor, creating a new, empty part (recorded in ``ledger``) if needed."""
        if self.fd is not None:
            return self.fd
        flags = os.O_RDWR | os.O_APPEND
        try:
            fd = self.folder.create(self.name, flags)
        except FileExistsError:
            # Something appeared under the name since it was checked: it is not ours.
            self.folder.unlink(self.name)
            fd = self.folder.create(self.name, flags)
        self.fd = fd
        self.offset = 0
        if ledger is not None:
            ledger.add(self.key, os.fstat(fd))
        return fd

    def restart(self) -> None:
        """Throw away what the part holds and start it again from byte 0."""
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
        self.offset = 0

    def discard(self) -> None:
        """Remove the part, if the name still is this part (never what replaced it)."""
        if self.fd is None:
            return
        mine = os.fstat(self.fd)
        self.close()
        there = self.folder.lstat(self.name)
        if there is not None and (there.st_dev, there.st_ino) == (mine.st_dev, mine.st_ino):
            self.folder.unlink(self.name)

    def close(self) -> None:
        """Close the descriptor (the part stays, for a resume)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _write_all(fd: int, block: bytes) -> None:
    """Write all of ``block`` at the end of ``fd`` (a partial write happens when a disk fills)."""
    written = os.write(fd, block)
    if written < len(block):
        view = memoryview(block)[written:]
        while view:
            view = view[os.write(fd, view) :]


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
    """Runs transfers on ``parallel`` connections with resume, retry, verify and cancel.

    ``root``: the folder nothing may be written outside of (the server
    root); every transfer's ``dest`` must lie below it. Without one (library
    use, benchmarks) each file's folder is created and opened the ordinary
    way, and only the files in it are handled without following links.
    ``ledger``: the parts this job may resume (:class:`PartLedger`); without
    one any regular ``.part`` file with a single link is resumed.
    ``on_message``: called with a line worth logging (a part not resumed and
    why, a link replaced).
    """

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
        root: Path | None = None,
        ledger: PartLedger | None = None,
        on_message: Callable[[str], None] | None = None,
        s3_client: Any = None,
        ranges_per_file: int = 4,
        range_size: int = 4 << 20,
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
        self._on_message = on_message
        self._interval = progress_interval
        if digest is not None and digest not in CHECKSUM_ALGORITHMS:
            raise ValueError(f"digest must be one of {CHECKSUM_ALGORITHMS}")
        self.digest = digest
        self.fsync = fsync
        self._root = SafeRoot(root) if root is not None else None
        self._ledger = ledger
        self._s3 = s3_client
        self.ranges_per_file = max(1, ranges_per_file)
        self.range_size = max(64 * 1024, range_size)
        self._cancel = threading.Event()
        self._disk_full = threading.Event()
        self._lock = threading.Lock()
        self._states: list[_FileState] = []
        self._results: list[FileResult] = []
        self._fetched = 0
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
                bytes_fetched=self._fetched,
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
            self._fetched += count
        self._report()

    # --- one file ------------------------------------------------------------------
    def _note(self, text: str) -> None:
        if self._on_message is not None:
            self._on_message(text)

    def _one(self, state: _FileState) -> FileResult:
        transfer = state.transfer
        started = time.monotonic()
        result = FileResult(uri=transfer.uri, dest=str(transfer.dest), status="failed")
        state.active = True
        folder: Folder | None = None
        try:
            if self._cancel.is_set():
                raise Cancelled("cancelled")
            folder = self._open_folder(transfer)
            if self._complete(folder, state, result):
                result.status = "skipped"
            else:
                self._fetch_with_retries(folder, state, result)
                result.status = "copied" if transfer.source_path is not None else "downloaded"
                fetched = state.transfer
                result.origin = (
                    "local"
                    if fetched.source_path is not None
                    else "s3"
                    if fetched.s3_key is not None
                    else "https"
                )
        except Cancelled:
            result.status = "cancelled"
            result.error = "cancelled"
        except DiskFull as error:
            result.status = "failed"
            result.error = str(error)
            result.reason = "disk_full"
        except DownloadError as error:
            result.status = "failed"
            result.error = str(error)
        except UnsafePath as error:
            result.status = "failed"
            result.error = f"refused to write {transfer.dest.name} in {error}"
            result.reason = "unsafe_path"
        except OSError as error:
            result.status = "failed"
            result.error = f"{transfer.dest.name}: {error.strerror or error}"
        finally:
            state.active = False
            if folder is not None:
                folder.close()
        result.seconds = round(time.monotonic() - started, 3)
        with self._lock:
            self._results.append(result)
            if result.ok:
                state.done = state.size or state.done
        if self._on_file is not None:
            self._on_file(result)
        self._report()
        return result

    def _open_folder(self, transfer: Transfer) -> Folder:
        """The folder of ``transfer.dest``, created if missing, opened without leaving the root."""
        if self._root is None:
            return Folder.open_plain(transfer.dest.parent, create=True)
        return self._root.open_folder(transfer.dest.parent, create=True)

    def _complete(self, folder: Folder, state: _FileState, result: FileResult) -> bool:
        """True (and the result filled in) when the destination already holds the file.

        Only a regular file with a single link counts. A symbolic link in the
        file's place is never taken for the file, however big what it points
        to, nor read through: the download replaces the link itself with the
        real file (the rename of the verified ``.part`` takes the link's
        name; what it pointed to is left as it was). Replacing rather than
        refusing gives the user what they asked for, the file at that path,
        and is as safe: nothing is written through the link. A file with
        other hard links is fetched again the same way, so that what the
        download leaves in place is not shared with a file elsewhere.
        """
        transfer = state.transfer
        name = transfer.dest.name
        info = folder.lstat(name)
        if info is None:
            return False
        if stat.S_ISLNK(info.st_mode):
            self._note(
                f"{folder.path_of(name)} is a symbolic link: it is replaced by the downloaded "
                "file (the link is not followed)"
            )
            return False
        if not stat.S_ISREG(info.st_mode):
            return False
        if info.st_nlink > 1:
            self._note(
                f"{folder.path_of(name)} has {info.st_nlink} hard links: it is fetched again "
                "and replaced by a file of its own"
            )
            return False
        expected = transfer.size
        if expected is None and transfer.source_path is not None:
            expected = transfer.source_path.stat().st_size
        if expected is not None and info.st_size != expected:
            return False
        checksum = parse_checksum(transfer.checksum)
        if checksum is not None:
            fd = folder.open_regular(name, os.O_RDONLY)
            try:
                same = os.fstat(fd)
                if (same.st_dev, same.st_ino) != (info.st_dev, info.st_ino):
                    return False
                digest = _hash_fd(fd, [checksum[0]])[checksum[0]].hexdigest()
            finally:
                os.close(fd)
            if digest != checksum[1]:
                return False
        state.size = info.st_size
        result.size = info.st_size
        folder.unlink(transfer.part.name)
        return True

    def _fetch_with_retries(self, folder: Folder, state: _FileState, result: FileResult) -> None:
        failures = 0
        while True:
            if self._cancel.is_set():
                raise Cancelled("cancelled")
            result.attempts += 1
            before = state.done
            try:
                if state.transfer.source_path is not None:
                    self._copy(folder, state, result)
                elif state.transfer.s3_key is not None:
                    self._s3_download(folder, state, result)
                else:
                    self._download(folder, state, result)
                return
            except NotInBucket:
                transfer = state.transfer
                if transfer.url is None:
                    raise DownloadError(
                        f"{transfer.dest.name}: not in the bucket and no HTTPS source"
                    ) from None
                self._note(
                    f"{transfer.dest.name}: not in s3://{transfer.s3_bucket}; "
                    "fetching it from MAST over HTTPS"
                )
                state.transfer = replace(transfer, s3_bucket=None, s3_key=None, etag=None)
                continue
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

    # --- the .part file ------------------------------------------------------------------

    def _open_part(self, folder: Folder, transfer: Transfer, expected: int | None) -> _Part:
        """The transfer's ``.part``: resumed when it is trustworthy, else removed (offset 0).

        A part is resumed only if it is a regular file with one link, no
        bigger than the file, and (with a ledger) one this job or its
        predecessor created. Any other is removed by name (a link itself,
        never its target) and the file starts again, with a line saying why.
        """
        part = _Part(folder, transfer)
        info = folder.lstat(part.name)
        if info is None:
            return part
        why: str | None = None
        if stat.S_ISDIR(info.st_mode):
            raise DownloadError(f"{part.display} is a folder, not a partial file: remove it")
        if stat.S_ISLNK(info.st_mode):
            why = "is a symbolic link (the link alone is removed)"
        elif not stat.S_ISREG(info.st_mode):
            why = "is not a regular file"
        elif info.st_nlink != 1:
            why = f"has {info.st_nlink} hard links"
        elif expected is not None and info.st_size > expected:
            why = f"is larger ({info.st_size} bytes) than the file ({expected} bytes)"
        else:
            try:
                fd = folder.open_regular(part.name, os.O_RDWR | os.O_APPEND)
            except OSError as error:
                if error.errno not in (errno.ELOOP, errno.EINVAL, errno.ENXIO, errno.ENOENT):
                    raise
                why = "changed while it was checked"
            else:
                opened = os.fstat(fd)
                if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino) or (
                    opened.st_nlink != 1
                ):
                    why = "changed while it was checked"
                elif self._ledger is not None and not self._ledger.knows(part.key, opened):
                    why = "was not written by this download job (nor by the job it reruns)"
                if why is not None:
                    os.close(fd)
                else:
                    part.fd = fd
                    part.offset = opened.st_size
                    if self._ledger is not None:
                        self._ledger.add(part.key, opened)
                    return part
        folder.unlink(part.name)
        self._note(f"{part.display} not resumed: the partial file {why}; fetching from the start")
        return part

    def _write_failed(self, part: _Part, error: OSError, transfer: Transfer) -> DownloadError:
        """The error for a failed write; on a full disk the part is removed (module docstring)."""
        if error.errno not in _DISK_FULL_ERRNOS:
            return DownloadError(
                f"{transfer.dest.name}: writing {part.display} failed: {error.strerror or error}"
            )
        part.discard()
        self._disk_full.set()
        return DiskFull(
            f"disk full: no space left in {part.folder.display} "
            f"({_mb(part.folder.free())} free); {transfer.dest.name} was not completed and "
            "its partial file was removed"
        )

    def _check_room(self, part: _Part, transfer: Transfer, expected: int | None) -> None:
        """After a disk ran full, refuse at once a file that does not fit in what is left."""
        if not self._disk_full.is_set() or expected is None:
            return
        needed = expected - part.offset
        free = part.folder.free()
        if needed > free:
            raise DiskFull(
                f"disk full: no space left in {part.folder.display} ({_mb(free)} free); "
                f"{transfer.dest.name} needs {_mb(needed)} more and was not started"
            )

    def _ensure_part(self, part: _Part, transfer: Transfer) -> int:
        """The part's descriptor, created if need be (a full disk can refuse even that)."""
        try:
            return part.ensure_open(self._ledger)
        except OSError as error:
            raise self._write_failed(part, error, transfer) from None

    def _write_block(self, part: _Part, block: bytes, transfer: Transfer) -> None:
        assert part.fd is not None
        try:
            _write_all(part.fd, block)
        except OSError as error:
            raise self._write_failed(part, error, transfer) from None

    def _sync(self, part: _Part, transfer: Transfer) -> None:
        if self.fsync and part.fd is not None:
            try:
                os.fsync(part.fd)
            except OSError as error:
                raise self._write_failed(part, error, transfer) from None

    # --- local copies ------------------------------------------------------------------

    def _copy(self, folder: Folder, state: _FileState, result: FileResult) -> None:
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
        part = self._open_part(folder, transfer, expected)
        try:
            self._check_room(part, transfer, expected)
            with source.open("rb") as reader:
                offset = part.offset
                if offset and part.fd is not None:
                    differs = _first_difference(part.fd, reader, offset)
                    if differs is not None:
                        self._note(
                            f"{part.display} not resumed: it differs from the archive file at "
                            f"byte {differs}; copying it again from the start"
                        )
                        part.restart()
                        offset = 0
                result.resumed_from = result.resumed_from or offset
                hashers = self._start_hashers(transfer, part, offset)
                with self._lock:
                    state.done = offset
                self._ensure_part(part, transfer)
                reader.seek(offset)
                while True:
                    if self._cancel.is_set():
                        raise Cancelled("cancelled")
                    block = reader.read(self.chunk_size)
                    if not block:
                        break
                    self._write_block(part, block, transfer)
                    for hasher in hashers.values():
                        hasher.update(block)
                    self._advance(state, len(block))
                self._sync(part, transfer)
            self._finalise(part, transfer, expected, hashers, result)
        finally:
            part.close()

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

    def _download(self, folder: Folder, state: _FileState, result: FileResult) -> None:
        transfer = state.transfer
        assert transfer.url is not None
        part = self._open_part(folder, transfer, transfer.size)
        try:
            self._check_room(part, transfer, transfer.size)
            self._download_into(part, state, result)
        finally:
            part.close()

    def _download_into(self, part: _Part, state: _FileState, result: FileResult) -> None:
        transfer = state.transfer
        assert transfer.url is not None
        name = transfer.dest.name
        offset = part.offset
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
                    hashers = self._start_hashers(transfer, part, offset)
                    self._finalise(part, transfer, whole, hashers, result)
                    return
                part.discard()
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
                    part.discard()
                    with self._lock:
                        state.done = 0
                    raise TransientError("the server answered another range; starting again")
                total = span[1]
            else:
                if offset:
                    # The server ignored the Range header: start from zero.
                    part.restart()
                    offset = 0
                total = int(length) if length and length.isdigit() else None
            expected = transfer.size if transfer.size is not None else total
            if expected is not None and total is not None and total != expected:
                part.discard()
                raise DownloadError(
                    f"{name}: size mismatch, the server has {total} bytes but {expected} were "
                    "expected; not renamed into place"
                )
            state.size = expected
            result.resumed_from = result.resumed_from or offset
            hashers = self._start_hashers(transfer, part, offset)
            with self._lock:
                state.done = offset
            received = offset
            self._ensure_part(part, transfer)
            while True:
                if self._cancel.is_set():
                    raise Cancelled("cancelled")
                try:
                    block = response.read1(self.chunk_size)
                except (urllib3.exceptions.HTTPError, OSError) as error:
                    raise TransientError(
                        f"the transfer broke off at byte {received}: {type(error).__name__}"
                    ) from None
                if not block:
                    break
                self._write_block(part, block, transfer)
                for hasher in hashers.values():
                    hasher.update(block)
                received += len(block)
                self._advance(state, len(block))
                if expected is not None and received > expected:
                    break
            self._sync(part, transfer)
            if expected is None:
                expected = received
                state.size = expected
            if received < expected:
                raise TransientError(f"the transfer ended early at byte {received} of {expected}")
            self._finalise(part, transfer, expected, hashers, result)
        finally:
            _release(response)

    # --- S3 ------------------------------------------------------------------------

    def _s3_download(self, folder: Folder, state: _FileState, result: FileResult) -> None:
        """The object in ranges of ``range_size``, ``ranges_per_file`` at once, written in order.

        Writing in order keeps the ``.part`` a prefix of the object, so a kill
        resumes it at its size like an HTTP download.
        """
        transfer = state.transfer
        assert transfer.s3_key is not None
        assert transfer.s3_bucket is not None
        if self._s3 is None or transfer.size is None:
            raise DownloadError(f"{transfer.dest.name}: no S3 client or size for the object")
        obj = CloudObject(transfer.s3_bucket, transfer.s3_key, transfer.size, transfer.etag or "")
        expected = transfer.size
        part = self._open_part(folder, transfer, expected)
        try:
            self._check_room(part, transfer, expected)
            offset = part.offset
            state.size = expected
            result.resumed_from = result.resumed_from or offset
            hashers = self._start_hashers(transfer, part, offset)
            with self._lock:
                state.done = offset
            self._ensure_part(part, transfer)
            spans = iter(
                (start, min(start + self.range_size, expected) - 1)
                for start in range(offset, expected, self.range_size)
            )
            with ThreadPoolExecutor(
                max_workers=self.ranges_per_file, thread_name_prefix="jwst-lab-s3"
            ) as pool:
                pending: deque[Future[bytes]] = deque()

                def submit() -> None:
                    span = next(spans, None)
                    if span is not None:
                        pending.append(pool.submit(read_range, self._s3, obj, *span))

                for _ in range(self.ranges_per_file + 1):
                    submit()
                try:
                    while pending:
                        if self._cancel.is_set():
                            raise Cancelled("cancelled")
                        try:
                            block = pending.popleft().result()
                        except NotInBucket:
                            raise
                        except CloudError as error:
                            raise TransientError(f"{transfer.dest.name}: {error}") from None
                        self._write_block(part, block, transfer)
                        for hasher in hashers.values():
                            hasher.update(block)
                        self._advance(state, len(block))
                        submit()
                finally:
                    for future in pending:
                        future.cancel()
            self._sync(part, transfer)
            self._finalise(part, transfer, expected, hashers, result)
        finally:
            part.close()

    # --- shared ----------------------------------------------------------------------

    def _start_hashers(self, transfer: Transfer, part: _Part, offset: int) -> dict[str, Any]:
        algorithms = {self.digest} if self.digest else set()
        checksum = parse_checksum(transfer.checksum)
        if checksum is not None:
            algorithms.add(checksum[0])
        if not algorithms:
            return {}
        if offset and part.fd is not None:
            return _hash_fd(part.fd, algorithms, limit=offset)
        return {name: hashlib.new(name) for name in algorithms}

    def _finalise(
        self,
        part: _Part,
        transfer: Transfer,
        expected: int,
        hashers: dict[str, Any],
        result: FileResult,
    ) -> None:
        """Verify the ``.part`` file and rename it into place; a mismatch is never renamed."""
        name = transfer.dest.name
        fd = self._ensure_part(part, transfer)
        info = os.fstat(fd)
        if info.st_size != expected:
            part.discard()
            raise DownloadError(
                f"{name}: size mismatch, received {info.st_size} bytes but {expected} were "
                "expected; not renamed into place"
            )
        checksum = parse_checksum(transfer.checksum)
        if checksum is not None:
            digest = hashers[checksum[0]].hexdigest()
            if digest != checksum[1]:
                part.discard()
                raise DownloadError(
                    f"{name}: {checksum[0]} checksum mismatch; not renamed into place"
                )
        there = part.folder.lstat(part.name)
        if there is None or (there.st_dev, there.st_ino) != (info.st_dev, info.st_ino):
            part.close()
            raise DownloadError(
                f"{name}: {part.display} was replaced while it was written; not renamed into place"
            )
        if info.st_nlink != 1:
            part.discard()
            raise DownloadError(
                f"{name}: {part.display} was hard-linked while it was written; not renamed "
                "into place"
            )
        try:
            part.folder.replace(part.name, name)
        except OSError as error:
            raise self._write_failed(part, error, transfer) from None
        part.close()
        result.size = info.st_size
        if "sha256" in hashers:
            result.sha256 = hashers["sha256"].hexdigest()


def _first_difference(fd: int, reader: BinaryIO, length: int) -> int | None:
    """Where the first ``length`` bytes of ``fd`` and ``reader`` differ (None: nowhere).

    ``reader`` is read from its start; a short ``reader`` differs where it ends.
    """
    reader.seek(0)
    position = 0
    while position < length:
        want = min(1 << 20, length - position)
        mine = os.pread(fd, want, position)
        theirs = reader.read(want)
        if mine != theirs:
            for index, (a, b) in enumerate(zip(mine, theirs, strict=False)):
                if a != b:
                    return position + index
            return position + min(len(mine), len(theirs))
        position += want
    return None


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


def remove_parts(transfers: Iterable[Transfer], *, root: Path | None = None) -> int:
    """Delete the ``.part`` files of ``transfers`` (after a cancel); how many were removed.

    With ``root``, each folder is opened without leaving the root and a part
    that is a link loses only the link; folders that cannot be opened safely
    are left alone.
    """
    safe = SafeRoot(root) if root is not None else None
    removed = 0
    for transfer in transfers:
        try:
            if safe is None:
                folder = Folder.open_plain(transfer.dest.parent)
            else:
                folder = safe.open_folder(transfer.dest.parent)
        except OSError:
            continue
        with folder:
            if folder.unlink(transfer.part.name):
                removed += 1
    return removed


def write_manifest(
    folder: Path, results: Iterable[FileResult], *, root: Path | None = None, **about: Any
) -> Path:
    """Merge ``results`` into ``folder/jwst_lab_manifest.json``; its path.

    Entries are keyed by path relative to ``folder``; a later download of the
    same file replaces its entry. Failed files are listed with their error.
    With ``root``, the folder is opened without leaving the root, and a
    manifest that is a symbolic link is neither read nor written through
    (it is replaced by a file). Concurrent writers are serialised with
    ``flock`` on the folder's own descriptor, so no lock file is left; where
    a file system refuses that lock (NFS), the merge goes on unlocked. The
    new manifest is written to a temporary file and renamed; when that
    fails (a full disk) the temporary file is removed and the error raised.
    """
    opened = (
        SafeRoot(root).open_folder(folder, create=True)
        if root is not None
        else Folder.open_plain(folder, create=True)
    )
    with opened as place:
        with contextlib.suppress(OSError):
            fcntl.flock(place.fd, fcntl.LOCK_EX)
        # Earlier versions locked with this file and left it behind.
        place.unlink(f".{MANIFEST_NAME}.lock")
        try:
            raw = place.read_bytes(MANIFEST_NAME)
            data = json.loads(raw.decode("utf-8")) if raw is not None else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
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
        place.write_atomic(
            MANIFEST_NAME,
            json.dumps(data, indent=1, sort_keys=True).encode("utf-8"),
            temporary=f".{MANIFEST_NAME}.{os.getpid()}.tmp",
        )
    return folder / MANIFEST_NAME
