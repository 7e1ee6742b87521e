"""SQLite persistence of job records: the only module that speaks SQL.

Calls block (they are plain :mod:`sqlite3`); the :class:`~.manager.JobManager`
makes them from a worker thread, never on the event loop. One connection is
shared behind a lock; the database runs in WAL mode so readers never wait for
a writer, and a ``schema_version`` table records the layout for migrations.

Jobs belong to a server root: every row carries the root of the server that
created it, and a store opened for a root reads and changes only that root's
rows, so servers sharing one database file never see each other's jobs.

A job database can be damaged (a disk error, a copy cut short, another
program writing into it). Opening never raises, so the server always starts:

- a file SQLite cannot read, a failed ``PRAGMA quick_check``, a file of
  0 bytes or a jobs table that is not jwst-lab's is *damaged*: it is moved
  aside (``jobs.sqlite.damaged-<UTC stamp>``, with its ``-wal``/``-shm``;
  never overwritten), and a new database is filled from the rows still
  readable in it and from the jobs' journals;
- a path that cannot be used at all (a folder, no permission, a newer schema,
  another program's database) is left untouched and the store is *unusable*:
  every job operation answers 503 ``job_store_unusable`` saying where and what
  to do, and :meth:`JobStore.with_status` returns nothing so the manager starts.

Records are :class:`~jwst_lab.models.jobs.JobRecord` objects: every method
takes and returns them, and a row whose JSON does not validate as one is
unreadable (set aside in ``damaged_jobs`` at open, left out of answers).

The journal of a job is ``<jobs_dir>/<id>/record.json``: its record, written
atomically when the job is created and whenever its status changes (not on
progress updates). A run's journal is ``<jobs_dir>/../runs/<id>.json``, its
document, written whenever the run is stored. A database that is new, or was
rebuilt, is refilled from the journals (jobs and runs). :attr:`JobStore.health`
says what happened, for ``GET /info``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import ValidationError

from ..clock import now_iso
from ..errors import BadRequest, ServiceUnavailable
from ..models.jobs import OPEN_KINDS, JobRecord

LOG = logging.getLogger(__name__)

T = TypeVar("T")

#: The layout this code writes. Bump it and add a step to ``_MIGRATIONS`` to change it.
SCHEMA_VERSION = 3
#: Largest LIMIT/OFFSET handed to SQLite (its integers are 64-bit).
MAX_QUERY_VALUE = 2**62

#: Statements of each schema version. They run in one transaction with the
#: parameter ``:root`` (the root of the store that upgrades the file).
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            created REAL NOT NULL,
            record TEXT NOT NULL
        )""",
        "CREATE INDEX jobs_status ON jobs (status)",
        "CREATE INDEX jobs_created ON jobs (created)",
    ),
    2: (
        "ALTER TABLE jobs ADD COLUMN root TEXT",
        # Rows written before roots were recorded: the server that upgrades the file adopts them.
        "UPDATE jobs SET root = :root WHERE root IS NULL",
        "CREATE INDEX jobs_root_created ON jobs (root, created)",
        """CREATE TABLE damaged_jobs (
            id TEXT,
            root TEXT,
            record TEXT,
            problem TEXT NOT NULL,
            found TEXT NOT NULL
        )""",
    ),
    3: (
        # Runs (``/runs``): a run's document as JSON, like jobs; per root like jobs.
        """CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            root TEXT,
            status TEXT NOT NULL,
            created TEXT NOT NULL,
            record TEXT NOT NULL
        )""",
        "CREATE INDEX runs_root_created ON runs (root, created)",
    ),
}
_JOB_COLUMNS = frozenset({"id", "kind", "status", "created", "record", "root"})

#: A job's journal, in its job folder.
JOURNAL_NAME = "record.json"
#: The folder of the runs' journals, beside the jobs folder.
RUN_JOURNALS_NAME = "runs"
#: The file naming the server root of a per-root state folder.
ROOT_NOTE_NAME = "root.txt"
#: The job statuses a record may have (the manager's state machine).
JOB_STATUSES = frozenset({"queued", "running", "succeeded", "failed", "cancelled", "interrupted"})
_COMPANIONS = ("-wal", "-shm", "-journal")
#: SQLITE_CORRUPT and SQLITE_NOTADB: the file's content is bad (other errors are not damage).
_DAMAGE_CODES = frozenset({11, 26})
_WHAT_TO_DO = (
    "set c.JwstLabApp.db_url = 'sqlite:////path/to/jobs.sqlite' to use another file, "
    "then restart JupyterLab."
)
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")

StoreState = Literal["ok", "repaired", "unusable"]


class StoreError(Exception):
    """A ``db_url`` that does not name a SQLite database file."""


@dataclass(frozen=True)
class StoreHealth:
    """What ``GET /info`` says about the job database."""

    #: The database file (or the ``db_url`` that names none).
    path: str
    state: StoreState = "ok"
    #: What happened and what to do, for people; None when all is well.
    message: str | None = None
    #: Where the damaged file was moved, when it was.
    moved_to: str | None = None
    #: Jobs put back into a new database (from the damaged file and the journals).
    restored: int = 0
    #: Job records that could not be read (set aside, or left out of answers).
    skipped: int = 0


class _Damaged(Exception):
    """The file's content is bad: move it aside and rebuild."""


class _Unusable(Exception):
    """The path cannot be used at all: touch nothing, refuse job operations."""


def sqlite_path(db_url: str) -> Path:
    """The file of a ``sqlite:///path`` URL (``sqlite:////abs`` or ``sqlite:///rel``)."""
    prefix = "sqlite:///"
    if not db_url.startswith(prefix):
        raise StoreError(f"db_url must start with {prefix!r}, not {db_url!r}")
    path = db_url[len(prefix) :]
    if not path or path == ":memory:":
        raise StoreError("db_url must name a database file (jobs survive restarts)")
    return Path(path).expanduser()


def root_state_dir(data_dir: Path, root: Path) -> Path:
    """``<data_dir>/roots/<16 hex digits>``: the default job database and job folders of a root."""
    key = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:16]
    return data_dir / "roots" / key


def note_root(state_dir: Path, root: Path) -> None:
    """Write ``root.txt`` in a per-root state folder, so people can tell the folders apart."""
    note = state_dir / ROOT_NOTE_NAME
    text = f"{root.resolve()}\n"
    try:
        before = note.read_text(encoding="utf-8")
        if before == text:
            return
        LOG.warning("%s named another root (%s); it now names %s", note, before.strip(), root)
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as error:
        LOG.warning("cannot read %s: %s", note, error)
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        _write_atomic(note, text)
    except OSError as error:
        LOG.warning("cannot write %s: %s", note, error)


def record_problem(record: Any, job_id: Any = None) -> str | None:
    """Why ``record`` (decoded JSON) cannot be served or recovered (None when it can).

    The members every answer and the state machine read are named first;
    then the record must validate as a :class:`JobRecord` (of any kind name:
    the job engine decides what it runs).
    """
    return _validated(record, job_id)[1] or None


def _validated(record: Any, job_id: Any) -> tuple[JobRecord | None, str]:
    """The :class:`JobRecord` of decoded JSON, or None and why it is not one."""
    if not isinstance(record, dict):
        return None, "is not a JSON object"
    missing = [key for key in ("id", "kind", "status", "created") if key not in record]
    if missing:
        return None, f"lacks {', '.join(missing)}"
    if not isinstance(record["id"], str) or (job_id is not None and record["id"] != job_id):
        return None, f"has the id {record['id']!r}, not {job_id!r}"
    if not isinstance(record["kind"], str):
        return None, f"has the kind {record['kind']!r}"
    if record["status"] not in JOB_STATUSES:
        return None, f"has an unknown status {record['status']!r}"
    if not isinstance(record["created"], str):
        return None, f"has the creation time {record['created']!r}"
    try:
        return JobRecord.model_validate(record, context=OPEN_KINDS), ""
    except ValidationError as error:
        problems = []
        for item in error.errors()[:3]:
            where = ".".join(str(part) for part in item["loc"])
            problems.append(
                f"lacks {where}" if item["type"] == "missing" else f"{where}: {item['msg']}"
            )
        return None, f"is {record['status']} but not a job record ({'; '.join(problems)})"


class JobStore:
    """Job records (JSON documents) of one server root, indexed by id, status and creation time.

    ``root``: the server root the jobs belong to (None: every row, and new
    rows without a root; for tools and tests). ``jobs_dir``: the folder of the
    job folders, where journals are written and read (None: no journals).
    Opening never raises; :attr:`health` says whether the database is usable.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        root: Path | str | None = None,
        jobs_dir: Path | None = None,
        refusal: str | None = None,
        kinds: Iterable[str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.root = str(Path(root).resolve()) if root is not None else None
        #: The job kinds this server runs (None: all). Records of other kinds, which a
        #: newer server sharing the database may write, are neither listed nor touched.
        self.kinds = tuple(kinds) if kinds is not None else None
        self.jobs_dir = jobs_dir
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._health = StoreHealth(path=str(path))
        self._unreadable: set[str] = set()
        with self._lock:
            if refusal is not None:
                self._refuse(refusal)
            else:
                self._open()

    @classmethod
    def from_url(
        cls, db_url: str, *, root: Path | str | None = None, jobs_dir: Path | None = None
    ) -> JobStore:
        """Open (creating if needed) the database of a ``sqlite:///`` URL; StoreError if none."""
        return cls(sqlite_path(db_url), root=root, jobs_dir=jobs_dir)

    @classmethod
    def refused(cls, where: str, message: str, *, jobs_dir: Path | None = None) -> JobStore:
        """A store that opens nothing and refuses every operation with ``message``."""
        return cls(where, jobs_dir=jobs_dir, refusal=message)

    @property
    def health(self) -> StoreHealth:
        """The state of the database: ok, repaired (and how), or unusable (and what to do)."""
        return self._health

    # --- opening, checking, repairing ---------------------------------------------

    def _open(self) -> None:
        self._or_refuse(self._open_checked, "could not be opened", "Fix the cause")

    def _or_refuse(self, attempt: Callable[[], None], failed: str, advice: str) -> None:
        """Run ``attempt`` (open or repair); if it fails, refuse every operation from now on.

        ``failed`` ends "The job database <path> ..." in the message and the log;
        ``advice`` is what to do, before the way to use another file.
        """
        try:
            attempt()
        except _Unusable as error:
            self._refuse(str(error))
        except Exception as error:
            # The server must go on whatever the file holds; say what failed instead.
            LOG.exception("the job database %s %s", self.path, failed)
            self._refuse(
                f"The job database {self.path} {failed} ({error}). Jobs are unavailable. "
                f"{advice}, or {_WHAT_TO_DO}"
            )

    def _open_checked(self) -> None:
        self._check_place()
        try:
            version = self._inspect()
        except _Damaged as damage:
            self._repair(str(damage))
            return
        if version is None:
            self._create_and_open("missing")
            return
        try:
            self._db = self._connect(self.path)
            previous = self._migrate(self._db)
            self._verify_schema(self._db)
            if previous == 0:
                self._refill_empty()
            elif previous == 1:
                self._backfill_journals()
            self._backfill_run_journals()
            self._set_aside_unreadable()
        except _Damaged as damage:
            self._repair(str(damage))
        except sqlite3.DatabaseError as error:
            if not _is_damage(error):
                raise _Unusable(self._cannot_open(error)) from None
            self._repair(str(error))

    def _check_place(self) -> None:
        """Refuse paths SQLite cannot use, before anything is created or moved."""
        path = self.path
        if path.is_dir():
            raise _Unusable(
                f"The job database path {path} is a folder, not a database file. Jobs are "
                f"unavailable. Move the folder away, or {_WHAT_TO_DO}"
            )
        if path.exists() and not path.is_file():
            raise _Unusable(
                f"The job database path {path} is not a regular file. Jobs are unavailable. "
                f"Remove it, or {_WHAT_TO_DO}"
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _Unusable(
                f"The folder of the job database {path} cannot be created ({error}). Jobs are "
                f"unavailable. Fix the cause, or {_WHAT_TO_DO}"
            ) from None
        if path.exists() and not os.access(path, os.R_OK | os.W_OK):
            raise _Unusable(
                f"The job database {path} cannot be read and written (permission denied). "
                f"Jobs are unavailable. Give your user read and write permission on it, or "
                f"{_WHAT_TO_DO}"
            )
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise _Unusable(
                f"The folder {path.parent} of the job database cannot be written (SQLite keeps "
                f"its -wal and -shm files there). Jobs are unavailable. Give your user write "
                f"permission on it, or {_WHAT_TO_DO}"
            )

    def _inspect(self) -> int | None:
        """Read-only checks of an existing file: its schema version (None: no file).

        Raises ``_Damaged`` for content SQLite cannot read or ``quick_check``
        faults, ``_Unusable`` for a newer schema or another program's database.
        """
        if not self.path.exists():
            return None
        if self.path.stat().st_size == 0:
            raise _Damaged("it is empty: 0 bytes")
        uri = f"{self.path.absolute().as_uri()}?mode=ro"
        db = sqlite3.connect(uri, uri=True, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=5000")
            tables = {
                str(name)
                for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if "schema_version" in tables:
                row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
                try:
                    version = int(row[0]) if row and row[0] is not None else 0
                except (TypeError, ValueError):
                    raise _Damaged(f"its schema version {row[0]!r} is not a number") from None
            else:
                others = sorted(name for name in tables if not name.startswith("sqlite_"))
                if others:
                    raise _Unusable(
                        f"{self.path} is not a jwst-lab job database (it holds the tables "
                        f"{', '.join(others[:5])}); it was left untouched. Jobs are unavailable. "
                        f"Point jwst-lab elsewhere: {_WHAT_TO_DO}"
                    )
                version = 0
            if version > SCHEMA_VERSION:
                raise _Unusable(
                    f"The job database {self.path} has schema version {version}, newer than "
                    f"this jwst-lab understands ({SCHEMA_VERSION}): a newer jwst-lab wrote it. "
                    f"It was left untouched. Jobs are unavailable. Upgrade jwst-lab, or "
                    f"{_WHAT_TO_DO}"
                )
            faults = [str(row[0]) for row in db.execute("PRAGMA quick_check(5)")]
            if faults != ["ok"]:
                raise _Damaged(f"quick_check found {'; '.join(faults)}")
            return version
        except sqlite3.DatabaseError as error:
            if _is_damage(error):
                raise _Damaged(str(error)) from None
            raise _Unusable(self._cannot_open(error)) from None
        finally:
            db.close()

    def _connect(self, path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        db.text_factory = _text
        try:
            db.execute("PRAGMA busy_timeout=5000")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            db.close()
            raise
        return db

    def _migrate(self, db: sqlite3.Connection) -> int:
        """Bring the schema to ``SCHEMA_VERSION`` in one transaction; the version found."""
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
            current = int(row[0]) if row and row[0] is not None else 0
            if current > SCHEMA_VERSION:
                raise _Unusable(
                    f"The job database {self.path} has schema version {current}, newer than "
                    f"this jwst-lab understands ({SCHEMA_VERSION}). Upgrade jwst-lab, or "
                    f"{_WHAT_TO_DO}"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[version]:
                    db.execute(statement, {"root": self.root})
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return current

    def _verify_schema(self, db: sqlite3.Connection) -> None:
        columns = {str(row[1]) for row in db.execute("PRAGMA table_info(jobs)")}
        tables = {str(row[0]) for row in db.execute("SELECT name FROM sqlite_master")}
        if not columns >= _JOB_COLUMNS or "damaged_jobs" not in tables:
            raise _Damaged("its tables are not the ones its schema version promises")

    def _repair(self, reason: str) -> None:
        """Move the damaged file aside, then build a new database from what can be read."""
        self._close_quietly()
        moved = self._move_aside()
        if moved is None:
            # Another server sharing the file moved it first: use what it put in its place.
            LOG.warning("the damaged job database %s was already moved aside", self.path)
            self._create_and_open("missing")
            return
        LOG.warning(
            "the job database %s is damaged (%s); moved it to %s and building a new one",
            self.path,
            reason,
            moved,
        )
        salvaged, runs, unreadable = self._salvage(moved)
        self._create_and_open(
            "damaged", reason=reason, moved=moved, salvaged=salvaged, salvaged_runs=runs
        )
        if unreadable:
            self._count_skipped(unreadable)

    def _move_aside(self) -> Path | None:
        """Rename the file and its companions to a new ``.damaged-<stamp>`` name (never clobber)."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        base = f"{self.path.name}.damaged-{stamp}"
        for attempt in range(1, 1000):
            target = self.path.with_name(base if attempt == 1 else f"{base}-{attempt}")
            if any(Path(f"{target}{suffix}").exists() for suffix in ("", *_COMPANIONS)):
                continue
            try:
                placed = _move_no_clobber(self.path, target)
            except FileNotFoundError:
                return None
            except OSError as error:
                raise _Unusable(
                    f"The job database {self.path} is damaged and cannot be moved aside "
                    f"({error}). Jobs are unavailable. Move it away yourself, or "
                    f"{_WHAT_TO_DO}"
                ) from None
            if not placed:
                continue
            for suffix in _COMPANIONS:
                companion = Path(f"{self.path}{suffix}")
                with contextlib.suppress(FileNotFoundError):
                    if not _move_no_clobber(companion, Path(f"{target}{suffix}")):
                        LOG.warning("could not move %s next to %s", companion, target)
            return target
        raise _Unusable(f"No free name to move the damaged job database {self.path} aside.")

    def _salvage(
        self, damaged: Path
    ) -> tuple[list[tuple[str | None, JobRecord]], list[_RunRow], int]:
        """The job and run rows still readable in a damaged file (read from a copy).

        Also how many job rows were not.
        """
        rows: list[tuple[str | None, JobRecord]] = []
        runs: list[_RunRow] = []
        unreadable = 0
        with tempfile.TemporaryDirectory(prefix="jwst-lab-salvage-") as scratch:
            copy = Path(scratch) / "damaged.sqlite"
            try:
                shutil.copyfile(damaged, copy)
                if Path(f"{damaged}-wal").is_file():
                    shutil.copyfile(f"{damaged}-wal", f"{copy}-wal")
                db = sqlite3.connect(copy, isolation_level=None)
            except (OSError, sqlite3.Error) as error:
                LOG.warning("nothing could be read from %s: %s", damaged, error)
                return [], [], 0
            db.text_factory = _text
            try:
                runs = _readable_runs(db, self.root)
                columns = {str(row[1]) for row in db.execute("PRAGMA table_info(jobs)")}
                if not {"id", "record"} <= columns:
                    return [], runs, 0
                root = "root" if "root" in columns else "NULL"
                query = f"SELECT rowid, id, {root}, record FROM jobs WHERE rowid > ? ORDER BY rowid"  # noqa: S608 (fixed column names)
                for job_id, row_root, text in _readable_rows(db, query):
                    record, problem = _parse(text, job_id)
                    if record is None:
                        LOG.warning("job %r in %s is unreadable: it %s", job_id, damaged, problem)
                        unreadable += 1
                        continue
                    rows.append((row_root if isinstance(row_root, str) else self.root, record))
            except sqlite3.Error as error:
                LOG.warning("stopped reading %s: %s", damaged, error)
            finally:
                db.close()
        return rows, runs, unreadable

    def _create_and_open(
        self,
        why: Literal["missing", "damaged"],
        *,
        reason: str = "",
        moved: Path | None = None,
        salvaged: list[tuple[str | None, JobRecord]] | None = None,
        salvaged_runs: list[_RunRow] | None = None,
    ) -> None:
        """Create a new database filled from ``salvaged`` rows and the journals, then open it."""
        journals, bad_journals = self._read_journals()
        # A run's journal is written after its row, so it is never older than the row.
        runs = {row.id: row for row in salvaged_runs or []}
        runs_from_file = set(runs)
        for row in self._read_run_journals():
            runs[row.id] = row
            runs_from_file.discard(row.id)
        chosen: dict[str, tuple[str | None, JobRecord]] = dict(journals)
        from_file: set[str] = set()
        for root, record in salvaged or []:
            known = chosen.get(record.id)
            if known is None or (record.updated or "") >= (known[1].updated or ""):
                chosen[record.id] = (root, record)
                from_file.add(record.id)
        placed = self._create_file(list(chosen.values()), list(runs.values()))
        self._db = self._connect(self.path)
        self._migrate(self._db)
        if not placed:
            # Another server created the file first and filled it; ours was discarded.
            chosen, from_file, runs, runs_from_file = {}, set(), {}, set()
        self._verify_schema(self._db)
        for job_id in from_file:
            root, record = chosen[job_id]
            if job_id not in journals:
                self._write_journal(record, root)
        for run_id in runs_from_file:
            self._write_run_journal(runs[run_id])
        restored = len(chosen)
        runs_note = f" {len(runs)} runs were restored." if runs else ""
        repair: str | None = None
        if why == "damaged":
            repair = (
                f"The job database {self.path} was damaged ({reason}). It was moved to "
                f"{moved} (kept for inspection; delete it once you have checked your jobs) "
                f"and a new database was created. {restored} jobs were restored "
                f"({len(from_file)} from readable rows of the damaged file, "
                f"{restored - len(from_file)} from {self._journals_place()}). "
                "Jobs that were neither readable nor journaled are not listed."
                f"{runs_note}"
            )
        elif restored or runs:
            repair = (
                f"The job database {self.path} was missing or empty: a new one was created "
                f"and {restored} jobs were restored from {self._journals_place()}.{runs_note}"
            )
        if repair is not None:
            self._health = StoreHealth(
                path=str(self.path),
                state="repaired",
                message=repair,
                moved_to=str(moved) if why == "damaged" else None,
                restored=restored,
            )
        if bad_journals:
            self._count_skipped(bad_journals, where=self._journals_place())
        if self._health.state == "repaired":
            LOG.warning("%s", self._health.message)

    def _create_file(
        self, rows: list[tuple[str | None, JobRecord]], runs: list[_RunRow] | None = None
    ) -> bool:
        """Build a database holding ``rows`` and ``runs`` beside the path, then link it into place.

        The file appears whole or not at all, so a server starting at the same
        moment never finds a half-made (0 byte) database. False when a file
        was already there (the new one is discarded).
        """
        scratch = self.path.with_name(
            f".{self.path.name}.new-{os.getpid()}-{threading.get_ident()}"
        )
        _remove_with_companions(scratch)
        try:
            db = sqlite3.connect(scratch, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                self._migrate(db)
                db.execute("BEGIN IMMEDIATE")
                db.executemany(
                    "INSERT INTO jobs (id, kind, status, created, record, root) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(*_columns(record), root) for root, record in rows],
                )
                _insert_runs(db, runs or [])
                db.execute("COMMIT")
            finally:
                db.close()
            return _move_no_clobber(scratch, self.path)
        finally:
            _remove_with_companions(scratch)

    def _refill_empty(self) -> None:
        """A database that held no schema (new, or emptied) gets its journaled jobs and runs."""
        journals, bad = self._read_journals()
        db = self._require_db()
        runs = self._read_run_journals()
        if runs:
            db.execute("BEGIN IMMEDIATE")
            try:
                _insert_runs(db, runs)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        if journals:
            db.execute("BEGIN IMMEDIATE")
            try:
                count = db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
                if count == 0:
                    db.executemany(
                        "INSERT OR IGNORE INTO jobs (id, kind, status, created, record, root) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        [(*_columns(record), root) for root, record in journals.values()],
                    )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            if count == 0:
                self._health = StoreHealth(
                    path=str(self.path),
                    state="repaired",
                    message=(
                        f"The job database {self.path} held no jobs table: it was set up anew "
                        f"and {len(journals)} jobs were restored from "
                        f"{self._journals_place()}."
                    ),
                    restored=len(journals),
                )
                LOG.warning("%s", self._health.message)
        if bad:
            self._count_skipped(bad, where=self._journals_place())

    def _backfill_journals(self) -> None:
        """After an upgrade from a version without journals: journal every job of this root."""
        if self.jobs_dir is None:
            return
        db = self._require_db()
        where, values = self._scope()
        for text, root in db.execute(f"SELECT record, root FROM jobs WHERE {where}", values):  # noqa: S608
            record, _ = _parse(text, None)
            if record is not None and not self._journal_path(record.id).is_file():
                self._write_journal(record, root)

    def _set_aside_unreadable(self) -> None:
        """Move rows that cannot be read to ``damaged_jobs`` (or restore them from journals)."""
        db = self._require_db()
        where, values = self._scope()
        bad: list[tuple[int, Any, Any, Any, str]] = []
        for rowid, job_id, root, text in db.execute(
            f"SELECT rowid, id, root, record FROM jobs WHERE {where}",  # noqa: S608
            values,
        ):
            record, problem = _parse(text, job_id)
            if record is None:
                bad.append((rowid, job_id, root, text, f"the record {problem}"))
        if not bad:
            return
        restored = 0
        found = now_iso()
        db.execute("BEGIN IMMEDIATE")
        try:
            for rowid, job_id, root, text, problem in bad:
                db.execute(
                    "INSERT INTO damaged_jobs (id, root, record, problem, found) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (_as_text(job_id), root, _as_text(text), problem, found),
                )
                journal = self._read_journal(job_id) if isinstance(job_id, str) else None
                if journal is not None:
                    kind, status, created, encoded = _columns(journal[1])[1:5]
                    db.execute(
                        "UPDATE jobs SET kind = ?, status = ?, created = ?, record = ? "
                        "WHERE rowid = ?",
                        (kind, status, created, encoded, rowid),
                    )
                    restored += 1
                    LOG.warning("job %s: %s; restored it from its journal", job_id, problem)
                else:
                    db.execute("DELETE FROM jobs WHERE rowid = ?", (rowid,))
                    LOG.warning("job %r: %s; set it aside in damaged_jobs", job_id, problem)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        lost = len(bad) - restored
        self._add_notice(
            f"{len(bad)} job records in {self.path} could not be read (not JSON, or lacking "
            f"fields); {restored} were restored from their journals and {lost} are not "
            "listed (they are kept in its table damaged_jobs).",
            restored=restored,
            skipped=lost,
        )

    def _count_skipped(self, count: int, *, where: str | None = None) -> None:
        place = where or f"the job database {self.path}"
        self._add_notice(
            f"{count} job records in {place} could not be read and are not listed.",
            skipped=count,
        )

    def _add_notice(self, text: str, *, restored: int = 0, skipped: int = 0) -> None:
        """Add to what the health says; a store that was ok becomes ``repaired``."""
        health = self._health
        self._health = replace(
            health,
            state="repaired" if health.state == "ok" else health.state,
            message=f"{health.message} {text}" if health.message else text,
            restored=health.restored + restored,
            skipped=health.skipped + skipped,
        )

    def _refuse(self, message: str) -> None:
        self._close_quietly()
        self._health = StoreHealth(path=self._health.path, state="unusable", message=message)
        LOG.error("%s", message)

    def _cannot_open(self, error: sqlite3.Error) -> str:
        return (
            f"The job database {self.path} cannot be opened ({error}). It was left untouched. "
            f"Jobs are unavailable. Check that no other program locks it and that you may "
            f"read and write it, or {_WHAT_TO_DO}"
        )

    def _close_quietly(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    # --- journals -------------------------------------------------------------------

    def _journals_place(self) -> str:
        if self.jobs_dir is None:
            return "journals (none are kept for this database)"
        return f"the journals in {self.jobs_dir}"

    def _journal_path(self, job_id: str) -> Path:
        assert self.jobs_dir is not None
        return self.jobs_dir / job_id / JOURNAL_NAME

    def _write_journal(self, record: JobRecord, root: str | None) -> None:
        """Write a job's journal atomically; a failure is logged (the database has the record)."""
        job_id = record.id
        if self.jobs_dir is None or not _SAFE_ID.match(job_id):
            return
        try:
            path = self._journal_path(job_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            entry = {"format": 1, "root": root, "record": record.model_dump()}
            _write_atomic(path, json.dumps(entry, allow_nan=False))
        except (OSError, ValueError) as error:
            LOG.warning("cannot write the journal of job %s: %s", job_id, error)

    def _read_journal(self, job_id: str) -> tuple[str | None, JobRecord] | None:
        if self.jobs_dir is None or not _SAFE_ID.match(job_id):
            return None
        try:
            entry = _journal_entry(self._journal_path(job_id).read_bytes(), job_id)
        except (OSError, ValueError):
            return None
        return entry

    def _run_journals_dir(self) -> Path | None:
        return self.jobs_dir.parent / RUN_JOURNALS_NAME if self.jobs_dir is not None else None

    def _write_run_journal(self, row: _RunRow) -> None:
        """Write a run's journal atomically; a failure is logged (the database has the run)."""
        folder = self._run_journals_dir()
        if folder is None or not _SAFE_ID.match(row.id):
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            entry = {
                "format": 1,
                "root": row.root,
                "status": row.status,
                "created": row.created,
                "record": json.loads(row.record),
            }
            _write_atomic(folder / f"{row.id}.json", json.dumps(entry, allow_nan=False))
        except (OSError, ValueError) as error:
            LOG.warning("cannot write the journal of run %s: %s", row.id, error)

    def _read_run_journals(self) -> list[_RunRow]:
        """Every readable run journal of this store's root (an unreadable one is logged)."""
        folder = self._run_journals_dir()
        if folder is None or not folder.is_dir():
            return []
        rows = []
        for path in sorted(folder.glob("*.json")):
            run_id = path.name.removesuffix(".json")
            try:
                entry = json.loads(path.read_bytes())
                row = _RunRow(
                    id=run_id,
                    root=entry["root"],
                    status=str(entry["status"]),
                    created=str(entry["created"]),
                    record=json.dumps(entry["record"], separators=(",", ":")),
                )
            except (OSError, ValueError, KeyError, TypeError) as error:
                LOG.warning("the run journal %s cannot be read: %s", path, error)
                continue
            if _SAFE_ID.match(run_id) and (self.root is None or row.root == self.root):
                rows.append(row)
        return rows

    def _backfill_run_journals(self) -> None:
        """Journal the runs of this root that have none (runs stored before run journals)."""
        folder = self._run_journals_dir()
        if folder is None:
            return
        where, scope = self._root_scope()
        db = self._require_db()
        for row in db.execute(
            f"SELECT id, root, status, created, record FROM runs WHERE {where}",  # noqa: S608
            scope,
        ):
            run = _RunRow(*(_as_text(value) for value in row))
            if (
                isinstance(run.id, str)
                and not (folder / f"{run.id}.json").is_file()
                and _run_document(run.record) is not None
            ):
                self._write_run_journal(run)

    def _read_journals(self) -> tuple[dict[str, tuple[str | None, JobRecord]], int]:
        """Every readable journal by job id, and how many could not be read."""
        journals: dict[str, tuple[str | None, JobRecord]] = {}
        bad = 0
        if self.jobs_dir is None or not self.jobs_dir.is_dir():
            return journals, bad
        for folder in sorted(self.jobs_dir.iterdir()):
            path = folder / JOURNAL_NAME
            if not path.is_file():
                continue
            try:
                journals[folder.name] = _journal_entry(path.read_bytes(), folder.name)
            except (OSError, ValueError) as error:
                LOG.warning("the journal %s cannot be read: %s", path, error)
                bad += 1
        return journals, bad

    # --- operations -----------------------------------------------------------------

    def _require_db(self) -> sqlite3.Connection:
        if self._db is None:
            if self._health.state == "unusable":
                raise ServiceUnavailable(
                    self._health.message or f"the job database {self.path} is unusable",
                    reason="job_store_unusable",
                )
            raise ServiceUnavailable("the job store is closed", reason="job_store_unusable")
        return self._db

    def _scope(self) -> tuple[str, list[Any]]:
        clauses, values = ["1"], []
        if self.root is not None:
            clauses.append("root = ?")
            values.append(self.root)
        if self.kinds is not None:
            clauses.append(f"kind IN ({', '.join('?' for _ in self.kinds)})")
            values.extend(self.kinds)
        return " AND ".join(clauses), values

    def _run(self, action: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``action`` under the lock; damage found now is repaired and ``action`` retried."""
        with self._lock:
            try:
                return action(self._require_db())
            except sqlite3.IntegrityError:
                raise
            except sqlite3.DatabaseError as error:
                if not _is_damage(error):
                    raise ServiceUnavailable(
                        f"The job database {self.path} failed: {error}. Try again; if this "
                        "persists, check the disk and the file's permissions.",
                        reason="job_store_error",
                    ) from None
                LOG.warning("the job database %s failed while in use: %s", self.path, error)
                reason = str(error)
                self._or_refuse(
                    lambda: self._repair(reason),
                    "is damaged and could not be repaired",
                    "Restart JupyterLab",
                )
            try:
                return action(self._require_db())
            except sqlite3.IntegrityError:
                raise
            except sqlite3.DatabaseError as error:
                raise ServiceUnavailable(
                    f"The job database {self.path} failed again after a repair: {error}. "
                    f"Restart JupyterLab, or {_WHAT_TO_DO}",
                    reason="job_store_unusable",
                ) from None

    def _decode(self, rows: Iterable[tuple[Any, Any]]) -> list[JobRecord]:
        """Records of ``(id, record)`` rows; unreadable ones are logged, counted and left out."""
        records = []
        for job_id, text in rows:
            record, problem = _parse(text, job_id)
            if record is None:
                key = str(job_id)
                if key not in self._unreadable:
                    self._unreadable.add(key)
                    LOG.warning("job %r cannot be read: its record %s; not listed", job_id, problem)
                    self._count_skipped(1)
                continue
            records.append(record)
        return records

    def schema_version(self) -> int:
        """The schema version of the open database."""

        def read(db: sqlite3.Connection) -> int:
            return int(db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0])

        return self._run(read)

    def insert(self, record: JobRecord) -> None:
        """Add a new job record (its ``id`` must be new) and write its journal."""
        values = _columns(record)

        def add(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO jobs (id, kind, status, created, record, root) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (*values, self.root),
            )

        self._run(add)
        self._write_journal(record, self.root)

    def update(self, record: JobRecord) -> None:
        """Replace the stored record of ``record.id`` (adding it when it is missing).

        The journal is rewritten when the status changed, even when the
        database could not be written, so a rebuild knows how the job ended.
        """
        values = _columns(record)
        where, scope = self._scope()
        changed = True

        def write(db: sqlite3.Connection) -> None:
            nonlocal changed
            row = db.execute(
                f"SELECT status FROM jobs WHERE id = ? AND {where}",  # noqa: S608
                [record.id, *scope],
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO jobs (id, kind, status, created, record, root) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (*values, self.root),
                )
                return
            changed = row[0] != record.status
            db.execute(
                f"UPDATE jobs SET status = ?, record = ? WHERE id = ? AND {where}",  # noqa: S608
                [record.status, values[4], record.id, *scope],
            )

        try:
            self._run(write)
        finally:
            if changed:
                self._write_journal(record, self.root)

    def get(self, job_id: str) -> JobRecord | None:
        """The record of ``job_id`` (of this root), or None."""
        where, scope = self._scope()

        def read(db: sqlite3.Connection) -> list[tuple[Any, Any]]:
            return db.execute(
                f"SELECT id, record FROM jobs WHERE id = ? AND {where}",  # noqa: S608
                [job_id, *scope],
            ).fetchall()

        rows = self._run(read)
        records = self._decode(rows)
        return records[0] if records else None

    def delete(self, job_id: str) -> bool:
        """Remove a record of this root and its journal; True when there was one."""
        where, scope = self._scope()

        def remove(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                f"DELETE FROM jobs WHERE id = ? AND {where}",  # noqa: S608
                [job_id, *scope],
            )
            return cursor.rowcount

        deleted = self._run(remove) > 0
        if deleted and self.jobs_dir is not None and _SAFE_ID.match(job_id):
            with contextlib.suppress(OSError):
                self._journal_path(job_id).unlink(missing_ok=True)
        return deleted

    def query(
        self,
        *,
        statuses: Iterable[str] = (),
        kind: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[JobRecord], int]:
        """Records of this root newest first, filtered by status and kind, and the total."""
        if not 1 <= limit <= MAX_QUERY_VALUE or not 0 <= offset <= MAX_QUERY_VALUE:
            raise BadRequest("page and page_size must be positive and in range", field="page")
        scope_clause, values = self._scope()
        clauses = [scope_clause]
        wanted = list(statuses)
        if wanted:
            clauses.append(f"status IN ({', '.join('?' for _ in wanted)})")
            values.extend(wanted)
        if kind:
            clauses.append("kind = ?")
            values.append(kind)
        where = " AND ".join(clauses)

        def read(db: sqlite3.Connection) -> tuple[list[tuple[Any, Any]], int]:
            total = db.execute(f"SELECT COUNT(*) FROM jobs WHERE {where}", values).fetchone()[0]  # noqa: S608 (placeholders only)
            rows = db.execute(
                f"SELECT id, record FROM jobs WHERE {where} "  # noqa: S608
                "ORDER BY created DESC, id DESC LIMIT ? OFFSET ?",
                [*values, limit, offset],
            ).fetchall()
            return rows, int(total)

        rows, total = self._run(read)
        records = self._decode(rows)
        return records, total - (len(rows) - len(records))

    def with_status(self, statuses: Iterable[str]) -> list[JobRecord]:
        """Every record of this root in one of ``statuses``, oldest first (recovery).

        Nothing when the store is unusable, so the manager starts anyway.
        """
        wanted = list(statuses)
        if not wanted or self._health.state == "unusable":
            return []
        where, values = self._scope()

        def read(db: sqlite3.Connection) -> list[tuple[Any, Any]]:
            return db.execute(
                f"SELECT id, record FROM jobs WHERE {where} AND "  # noqa: S608
                f"status IN ({', '.join('?' for _ in wanted)}) ORDER BY created ASC, id ASC",
                [*values, *wanted],
            ).fetchall()

        try:
            rows = self._run(read)
        except ServiceUnavailable as error:
            LOG.error("no jobs to recover: %s", error.message)
            return []
        return self._decode(rows)

    def counts(self) -> list[tuple[str, str, int]]:
        """``(kind, status, count)`` of this root's jobs (metrics); nothing when unusable."""
        if self._health.state == "unusable":
            return []
        where, values = self._scope()

        def read(db: sqlite3.Connection) -> list[tuple[Any, Any, Any]]:
            return db.execute(
                f"SELECT kind, status, COUNT(*) FROM jobs WHERE {where} "  # noqa: S608
                "GROUP BY kind, status",
                values,
            ).fetchall()

        try:
            rows = self._run(read)
        except ServiceUnavailable as error:
            LOG.error("jobs not counted: %s", error.message)
            return []
        return [(str(kind), str(status), int(count)) for kind, status, count in rows]

    # --- runs ------------------------------------------------------------------------

    def _root_scope(self) -> tuple[str, list[Any]]:
        return ("root = ?", [self.root]) if self.root is not None else ("1", [])

    def put_run(self, run_id: str, status: str, created: str, document: dict[str, Any]) -> None:
        """Insert or replace the stored document of run ``run_id`` (of this root)."""
        text = json.dumps(document, separators=(",", ":"))

        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO runs (id, root, status, created, record) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET status = excluded.status, "
                "record = excluded.record",
                (run_id, self.root, status, created, text),
            )
            # Under the store's lock, so journals are written in the order of the rows.
            self._write_run_journal(_RunRow(run_id, self.root, status, created, text))

        self._run(write)

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        """The stored document of run ``run_id`` of this root, or None."""
        where, scope = self._root_scope()

        def read(db: sqlite3.Connection) -> Any:
            return db.execute(
                f"SELECT record FROM runs WHERE id = ? AND {where}",  # noqa: S608
                [run_id, *scope],
            ).fetchone()

        row = self._run(read)
        return _run_document(row[0]) if row is not None else None

    def runs(
        self, *, limit: int = -1, offset: int = 0, statuses: Iterable[str] | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of this root's run documents, newest first, and how many there are.

        ``limit`` -1: all of them; ``statuses``: only runs in one of these. An
        unreadable document is left out of the page.
        """
        if self._health.state == "unusable":
            return [], 0
        where, scope = self._root_scope()
        if statuses is not None:
            wanted = list(statuses)
            where = f"{where} AND status IN ({', '.join('?' for _ in wanted)})"
            scope = [*scope, *wanted]
        limit = min(limit, MAX_QUERY_VALUE)
        offset = min(max(offset, 0), MAX_QUERY_VALUE)

        def read(db: sqlite3.Connection) -> tuple[list[Any], int]:
            total = db.execute(f"SELECT COUNT(*) FROM runs WHERE {where}", scope).fetchone()[0]  # noqa: S608
            rows = db.execute(
                f"SELECT record FROM runs WHERE {where} "  # noqa: S608
                "ORDER BY created DESC, id DESC LIMIT ? OFFSET ?",
                [*scope, limit, offset],
            ).fetchall()
            return rows, int(total)

        rows, total = self._run(read)
        documents = (_run_document(row[0]) for row in rows)
        return [document for document in documents if document is not None], total

    def delete_run(self, run_id: str) -> bool:
        """Remove a run of this root; True when there was one."""
        where, scope = self._root_scope()

        def remove(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                f"DELETE FROM runs WHERE id = ? AND {where}",  # noqa: S608
                [run_id, *scope],
            )
            return cursor.rowcount

        deleted = self._run(remove) > 0
        folder = self._run_journals_dir()
        if folder is not None and _SAFE_ID.match(run_id):
            (folder / f"{run_id}.json").unlink(missing_ok=True)
        return deleted

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._close_quietly()


@dataclass(frozen=True)
class _RunRow:
    """A row of the runs table (``record`` is the document's JSON text)."""

    id: str
    root: str | None
    status: str
    created: str
    record: str


def _insert_runs(db: sqlite3.Connection, runs: Iterable[_RunRow]) -> None:
    db.executemany(
        "INSERT OR IGNORE INTO runs (id, root, status, created, record) VALUES (?, ?, ?, ?, ?)",
        [(run.id, run.root, run.status, run.created, run.record) for run in runs],
    )


def _readable_runs(db: sqlite3.Connection, root: str | None) -> list[_RunRow]:
    """The readable run rows of ``root`` in a damaged file (none when it has no runs table)."""
    runs: list[_RunRow] = []
    try:
        columns = {str(row[1]) for row in db.execute("PRAGMA table_info(runs)")}
        if not {"id", "root", "status", "created", "record"} <= columns:
            return runs
        for row in db.execute("SELECT id, root, status, created, record FROM runs"):
            run = _RunRow(*(_as_text(value) for value in row))
            if (
                isinstance(run.id, str)
                and (root is None or run.root == root)
                and _run_document(run.record) is not None
            ):
                runs.append(run)
    except sqlite3.Error as error:
        LOG.warning("stopped reading the runs of a damaged job database: %s", error)
    return runs


def _run_document(text: Any) -> dict[str, Any] | None:
    try:
        document = json.loads(text)
    except (TypeError, ValueError):
        LOG.warning("a stored run cannot be read; not listed")
        return None
    return document if isinstance(document, dict) else None


def _text(data: bytes) -> str | bytes:
    """SQLite text as str; bytes that are not UTF-8 stay bytes (and read as unreadable)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def _as_text(value: Any) -> Any:
    return value.decode("utf-8", "backslashreplace") if isinstance(value, bytes) else value


def _parse(text: Any, job_id: Any) -> tuple[JobRecord | None, str]:
    """A stored record and, when it cannot be used, why."""
    if not isinstance(text, str):
        return None, "is not UTF-8 text"
    try:
        data = json.loads(text)
    except ValueError as error:
        return None, f"is not JSON ({error})"
    return _validated(data, job_id)


def _journal_entry(data: bytes, job_id: str) -> tuple[str | None, JobRecord]:
    """``(root, record)`` of a journal's bytes; ValueError when it is not a usable journal."""
    entry = json.loads(data.decode("utf-8"))
    if not isinstance(entry, dict) or not isinstance(entry.get("record"), dict):
        raise ValueError("not a job journal")
    root = entry.get("root")
    if root is not None and not isinstance(root, str):
        raise ValueError("its root is not a path")
    record, problem = _validated(entry["record"], job_id)
    if record is None:
        raise ValueError(f"the record {problem}")
    return root, record


def _columns(record: JobRecord) -> tuple[str, str, str, str, str]:
    """``(id, kind, status, created, record JSON)`` of a record."""
    try:
        encoded = json.dumps(record.model_dump(), allow_nan=False)
    except ValueError:
        raise BadRequest(
            "the job holds a number JSON cannot represent (NaN or infinity)", field="steps"
        ) from None
    return record.id, record.kind, record.status, record.created, encoded


def _is_damage(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _DAMAGE_CODES
    text = str(error).lower()
    return "malformed" in text or "not a database" in text


def _readable_rows(db: sqlite3.Connection, query: str) -> Iterator[tuple[Any, Any, Any]]:
    """``query``'s rows (rowid first, selected by ``rowid > ?``), skipping damaged stretches."""
    position = 0
    while True:
        try:
            for rowid, *rest in db.execute(query, (position,)):
                position = rowid
                yield rest[0], rest[1], rest[2]
            return
        except sqlite3.DatabaseError:
            after = _next_readable(db, position)
            if after is None:
                return
            position = after


def _next_readable(db: sqlite3.Connection, position: int) -> int | None:
    """The smallest rowid bound past ``position`` from which rows can be read again."""

    def readable(bound: int) -> int | bool | None:
        try:
            row = db.execute(
                "SELECT rowid FROM jobs WHERE rowid > ? ORDER BY rowid LIMIT 1", (bound,)
            ).fetchone()
        except sqlite3.DatabaseError:
            return False
        return None if row is None else bound

    step = 1
    while step < 2**62:
        found = readable(position + step)
        if found is not False:
            break
        step *= 2
    else:
        return None
    if found is None:
        return None
    # Narrow down so the rows just past the damaged page are not skipped.
    low, high = position + step // 2, position + step
    while high - low > 1:
        middle = (low + high) // 2
        if readable(middle) is False:
            low = middle
        else:
            high = middle
    return high


def _move_no_clobber(source: Path, target: Path) -> bool:
    """Rename ``source`` to ``target`` unless ``target`` exists (False then)."""
    try:
        os.link(source, target)
    except FileExistsError:
        return False
    except FileNotFoundError:
        raise
    except OSError:
        # No hard links on this file system: check, then rename.
        if target.exists():
            return False
        source.rename(target)
        return True
    source.unlink()
    return True


def _remove_with_companions(path: Path) -> None:
    for suffix in ("", *_COMPANIONS):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def _write_atomic(path: Path, text: str) -> None:
    scratch = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        scratch.write_text(text, encoding="utf-8")
        scratch.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            scratch.unlink()
