"""SQLite persistence of job records: the only module that speaks SQL.

Calls block (they are plain :mod:`sqlite3`); the :class:`~.manager.JobManager`
makes them from a worker thread, never on the event loop. One connection is
shared behind a lock; the database runs in WAL mode so readers never wait for
a writer, and a ``schema_version`` table records the layout for migrations.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import BadRequest

#: The layout this code writes. Bump it and add a step to ``_MIGRATIONS`` to change it.
SCHEMA_VERSION = 1

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
}


class StoreError(Exception):
    """The database cannot be used (wrong URL, newer schema, corrupt file)."""


def sqlite_path(db_url: str) -> Path:
    """The file of a ``sqlite:///path`` URL (``sqlite:////abs`` or ``sqlite:///rel``)."""
    prefix = "sqlite:///"
    if not db_url.startswith(prefix):
        raise StoreError(f"db_url must start with {prefix!r}, not {db_url!r}")
    path = db_url[len(prefix) :]
    if not path or path == ":memory:":
        raise StoreError("db_url must name a database file (jobs survive restarts)")
    return Path(path).expanduser()


class JobStore:
    """Job records (JSON documents) indexed by id, status and creation time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._migrate()

    @classmethod
    def from_url(cls, db_url: str) -> JobStore:
        """Open (creating if needed) the database of a ``sqlite:///`` URL."""
        return cls(sqlite_path(db_url))

    def _migrate(self) -> None:
        with self._lock:
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self._db.execute("SELECT MAX(version) FROM schema_version").fetchone()
            current = int(row[0]) if row and row[0] is not None else 0
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has schema version {current}, newer than this jwst-lab "
                    f"understands ({SCHEMA_VERSION}); upgrade jwst-lab or use another db_url"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _MIGRATIONS[version]:
                        self._db.execute(statement)
                    self._db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")

    def schema_version(self) -> int:
        """The schema version of the open database."""
        with self._lock:
            row = self._db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0])

    def insert(self, record: dict[str, Any]) -> None:
        """Add a new job record (its ``id`` must be new)."""
        with self._lock:
            self._db.execute(
                "INSERT INTO jobs (id, kind, status, created, record) VALUES (?, ?, ?, ?, ?)",
                (
                    record["id"],
                    record["kind"],
                    record["status"],
                    record["created"],
                    json.dumps(record, allow_nan=False),
                ),
            )

    def update(self, record: dict[str, Any]) -> None:
        """Replace the stored record of ``record["id"]``."""
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET status = ?, record = ? WHERE id = ?",
                (record["status"], json.dumps(record, allow_nan=False), record["id"]),
            )

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The record of ``job_id``, or None."""
        with self._lock:
            row = self._db.execute("SELECT record FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def delete(self, job_id: str) -> bool:
        """Remove a record; True when there was one."""
        with self._lock:
            cursor = self._db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
        return cursor.rowcount > 0

    def query(
        self,
        *,
        statuses: Iterable[str] = (),
        kind: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        """Records newest first, filtered by status and kind, and the total that match."""
        if limit < 1 or offset < 0:
            raise BadRequest("page and page_size must be positive")
        clauses: list[str] = []
        values: list[Any] = []
        wanted = list(statuses)
        if wanted:
            clauses.append(f"status IN ({', '.join('?' for _ in wanted)})")
            values.extend(wanted)
        if kind:
            clauses.append("kind = ?")
            values.append(kind)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            total = self._db.execute(f"SELECT COUNT(*) FROM jobs{where}", values).fetchone()[0]  # noqa: S608 (placeholders only)
            rows = self._db.execute(
                f"SELECT record FROM jobs{where} ORDER BY created DESC, id DESC LIMIT ? OFFSET ?",  # noqa: S608
                [*values, limit, offset],
            ).fetchall()
        return [json.loads(row[0]) for row in rows], int(total)

    def with_status(self, statuses: Iterable[str]) -> list[dict[str, Any]]:
        """Every record in one of ``statuses``, oldest first (recovery, queue rebuild)."""
        wanted = list(statuses)
        if not wanted:
            return []
        with self._lock:
            rows = self._db.execute(
                f"SELECT record FROM jobs WHERE status IN ({', '.join('?' for _ in wanted)}) "  # noqa: S608
                "ORDER BY created ASC, id ASC",
                wanted,
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()
