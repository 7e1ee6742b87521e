"""The local archive's SQLite file: its schema, connections, and the keys both sides share.

- ``files``: one row per product file (size and mtime decide whether it is read
  again on the next run);
- ``members``: the member exposures of each Level 3 observation;
- ``observations``: one row per MAST observation id, with the columns of
  MAST's ``Mast.Caom.*`` answers, plus normalised keys for target and
  instrument searches;
- ``obs_rtree``: an R*Tree over the unit vector of each pointing, so a cone
  search touches only the rows in a small box around the centre;
- ``obs_filters``: one row per filter token (``F150W;CLEAR`` → two rows),
  repeating the searchable columns.

:class:`ArchiveStore` hands out one connection per thread (read-only ones when
asked) and serialises writers; the indexer writes through it and the search
reads through it.
"""

from __future__ import annotations

import hashlib
import math
import re
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..mast_vocabulary import OBS_COLUMNS

SCHEMA_VERSION = 1

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    root TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    obs_id TEXT NOT NULL,
    collection TEXT NOT NULL,
    kind TEXT NOT NULL,
    info TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_obs ON files(obs_id);
CREATE INDEX IF NOT EXISTS files_root ON files(root);
CREATE INDEX IF NOT EXISTS files_name ON files(name);
CREATE TABLE IF NOT EXISTS members (
    parent_obs_id TEXT NOT NULL,
    child_obs_id TEXT NOT NULL,
    PRIMARY KEY (parent_obs_id, child_obs_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_child ON members(child_obs_id);
CREATE TABLE IF NOT EXISTS observations (
    obsid INTEGER PRIMARY KEY,
    {", ".join(f'"{name}"' for name in OBS_COLUMNS if name != "obsid")},
    target_key TEXT,
    instrument_key TEXT,
    guidestar INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS obs_obs_id ON observations(obs_id);
CREATE INDEX IF NOT EXISTS obs_search ON observations(
    obs_collection, guidestar, instrument_key, calib_level, dataRights, t_min, t_max, proposal_id
);
CREATE INDEX IF NOT EXISTS obs_target ON observations(target_key);
CREATE INDEX IF NOT EXISTS obs_proposal ON observations(proposal_id);
CREATE INDEX IF NOT EXISTS obs_time ON observations(obs_collection, guidestar, t_min, t_max);
CREATE TABLE IF NOT EXISTS obs_filters (
    filter TEXT NOT NULL,
    obsid INTEGER NOT NULL,
    obs_collection TEXT,
    guidestar INTEGER,
    instrument_key TEXT,
    calib_level INTEGER,
    dataRights TEXT,
    t_min REAL,
    t_max REAL,
    proposal_id TEXT,
    PRIMARY KEY (filter, obsid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS obs_filters_obsid ON obs_filters(obsid);
CREATE VIRTUAL TABLE IF NOT EXISTS obs_rtree USING rtree(id, x0, x1, y0, y1, z0, z1);
"""

#: The secondary indexes of the observation tables (a bulk load drops and rebuilds them).
SECONDARY_INDEXES = tuple(re.findall(r"CREATE INDEX IF NOT EXISTS (obs_\w+) ON", SCHEMA))


class ArchiveError(Exception):
    """The index cannot be used (missing, wrong schema, unreadable folder)."""


def default_index_path() -> Path:
    """Where the server looks for the index when ``local_archive_index`` is empty."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "jwst_lab" / "archive_index.sqlite"


class ArchiveStore:
    """One index file: a connection per thread, one writer at a time."""

    def __init__(self, index_path: Path | str, *, readonly: bool = False) -> None:
        self.index_path = Path(index_path)
        self.readonly = readonly
        #: Held by whoever writes (indexing, bulk loads).
        self.write_lock = threading.Lock()
        self._local = threading.local()
        self._n_observations: int | None = None
        if not readonly:
            self.index_path.parent.mkdir(parents=True, exist_ok=True)
            with self.write_lock:
                connection = self.connect()
                connection.executescript(SCHEMA)
                connection.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
                connection.commit()

    def connect(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            if self.readonly:
                if not self.index_path.is_file():
                    raise ArchiveError(f"the local archive index {self.index_path} does not exist")
                uri = f"file:{self.index_path}?mode=ro"
                connection = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)
            else:
                connection = sqlite3.connect(self.index_path, check_same_thread=False, timeout=30)
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA cache_size=-65536")
            self._local.connection = connection
        return connection

    def close(self) -> None:
        """Close this thread's connection."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def exists(self) -> bool:
        """True when the index file exists and has the observations table."""
        if not self.index_path.is_file():
            return False
        try:
            self.connect().execute("SELECT 1 FROM observations LIMIT 1").fetchall()
        except sqlite3.Error:
            return False
        return True

    def count_observations(self) -> int:
        """How many observations the index holds."""
        return int(self.connect().execute("SELECT COUNT(*) FROM observations").fetchone()[0])

    def cached_count(self, connection: sqlite3.Connection) -> int:
        """Number of observations, counted once until :meth:`forget_count`."""
        if self._n_observations is None:
            row = connection.execute("SELECT COUNT(*) FROM observations").fetchone()
            self._n_observations = int(row[0])
        return self._n_observations

    def forget_count(self) -> None:
        """Drop the cached observation count (the observations changed)."""
        self._n_observations = None

    def roots(self) -> list[str]:
        """The archive folders indexed into this file."""
        rows = self.connect().execute("SELECT DISTINCT root FROM files ORDER BY root").fetchall()
        return [row[0] for row in rows]


def stable_obsid(collection: str, obs_id: str) -> int:
    """A stable 52-bit integer id of an observation (like MAST's ``obsid``)."""
    digest = hashlib.blake2b(f"{collection}/{obs_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest[:7], "big") >> 4


def unit_vector(ra: float, dec: float) -> tuple[float, float, float]:
    """The unit vector of a sky position in degrees."""
    ra_r, dec_r = math.radians(ra), math.radians(dec)
    cos_dec = math.cos(dec_r)
    return cos_dec * math.cos(ra_r), cos_dec * math.sin(ra_r), math.sin(dec_r)


def normalise_target(name: str) -> str:
    """Target names compare ignoring case, spaces, dashes and underscores."""
    return re.sub(r"[\s_\-]+", "", name).upper()


def text_or_none(value: Any) -> str | None:
    """A header value as stripped text; None when missing or blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def chunked_select(
    connection: sqlite3.Connection, sql: str, values: Iterable[Any], size: int = 500
) -> list[sqlite3.Row]:
    """``sql`` with ``IN ({})`` filled by ``values``, in chunks below SQLite's variable limit."""
    items = list(values)
    rows: list[sqlite3.Row] = []
    for start in range(0, len(items), size):
        chunk = items[start : start + size]
        rows.extend(connection.execute(sql.format(", ".join("?" * len(chunk))), chunk).fetchall())
    return rows
