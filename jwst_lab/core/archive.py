"""LocalArchive: an SQLite index of JWST products on disk, searched like MAST.

``jwst-lab index DIR`` walks a folder of JWST products (laid out as MAST files
them, ``<collection>/<obs_id>/<files>``, or any other way), reads only the
primary header of each FITS file and each ``*_asn.json`` association, and
records in SQLite:

- ``files``: one row per product file (size and mtime decide whether it is read
  again on the next run; files that disappeared are dropped);
- ``observations``: one row per MAST observation id, with the columns of
  MAST's ``Mast.Caom.*`` answers (``obs_id``, ``obsid``, ``target_name``,
  ``s_ra``, ``s_dec``, ``instrument_name``, ``filters``, ``t_min``, ...);
- ``obs_rtree``: an R*Tree over the unit vector of each pointing, so a cone
  search touches only the rows in a small box around the centre;
- ``obs_filters``: one row per filter token (``F150W;CLEAR`` → two rows).

Level 3 observations (``jw01234-o001_t001_miri_f770w``) know their member
exposures from their associations; their product list includes the members'
products, as MAST's does. Everything here is synchronous: callers run it in
a thread.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
COLLECTION = "JWST"
DEFAULT_RIGHTS = "PUBLIC"

#: Suffixes whose products MAST lists as "Minimum Recommended Products".
MRP_SUFFIXES = frozenset(
    {"cal", "calints", "i2d", "s2d", "s3d", "x1d", "x1dints", "c1d", "cat", "segm", "whtlt"}
)
#: Calibration level of a product, by its file-name suffix.
LEVEL1_SUFFIXES = frozenset({"uncal"})
LEVEL2_SUFFIXES = frozenset(
    {"rate", "rateints", "cal", "calints", "trapsfilled", "x1dints", "i2d", "s2d", "x1d", "s3d"}
)
#: JWST instruments (``instrument_name`` starts with one of these).
JWST_INSTRUMENTS = ("NIRCAM", "NIRSPEC", "NIRISS", "MIRI", "FGS")

#: EXP_TYPE → (MAST instrument mode, dataproduct_type).
_EXP_MODES: dict[str, tuple[str, str]] = {
    "MIR_IMAGE": ("IMAGE", "image"),
    "MIR_MRS": ("IFU", "cube"),
    "MIR_LRS-FIXEDSLIT": ("SLIT", "spectrum"),
    "MIR_LRS-SLITLESS": ("SLITLESS", "spectrum"),
    "MIR_CORONCAL": ("CORON", "image"),
    "MIR_4QPM": ("CORON", "image"),
    "MIR_LYOT": ("CORON", "image"),
    "MIR_TACQ": ("TARGACQ", "image"),
    "NRC_IMAGE": ("IMAGE", "image"),
    "NRC_WFSS": ("GRISM", "spectrum"),
    "NRC_TSGRISM": ("GRISM", "timeseries"),
    "NRC_TSIMAGE": ("IMAGE", "timeseries"),
    "NRC_CORON": ("CORON", "image"),
    "NRS_IFU": ("IFU", "cube"),
    "NRS_MSASPEC": ("MSA", "spectrum"),
    "NRS_FIXEDSLIT": ("SLIT", "spectrum"),
    "NRS_BRIGHTOBJ": ("SLIT", "timeseries"),
    "NIS_IMAGE": ("IMAGE", "image"),
    "NIS_WFSS": ("WFSS", "spectrum"),
    "NIS_SOSS": ("SOSS", "timeseries"),
    "NIS_AMI": ("AMI", "image"),
    "FGS_IMAGE": ("FGS", "image"),
}

#: Observation columns, in the order MAST's CAOM answers list them, with their types.
OBS_FIELDS: tuple[tuple[str, str], ...] = (
    ("intentType", "string"),
    ("obs_collection", "string"),
    ("provenance_name", "string"),
    ("instrument_name", "string"),
    ("project", "string"),
    ("filters", "string"),
    ("wavelength_region", "string"),
    ("target_name", "string"),
    ("target_classification", "string"),
    ("obs_id", "string"),
    ("s_ra", "float"),
    ("s_dec", "float"),
    ("dataproduct_type", "string"),
    ("proposal_pi", "string"),
    ("calib_level", "int"),
    ("t_min", "float"),
    ("t_max", "float"),
    ("t_exptime", "float"),
    ("em_min", "float"),
    ("em_max", "float"),
    ("obs_title", "string"),
    ("t_obs_release", "float"),
    ("proposal_id", "string"),
    ("proposal_type", "string"),
    ("sequence_number", "int"),
    ("s_region", "string"),
    ("jpegURL", "string"),
    ("dataURL", "string"),
    ("dataRights", "string"),
    ("mtFlag", "boolean"),
    ("srcDen", "float"),
    ("obsid", "string"),
    ("objID", "string"),
)
OBS_COLUMNS = tuple(name for name, _ in OBS_FIELDS)

#: Product columns, as MAST's ``Mast.Caom.Products`` answers them for JWST.
PRODUCT_FIELDS: tuple[tuple[str, str], ...] = (
    ("obsID", "string"),
    ("obs_collection", "string"),
    ("dataproduct_type", "string"),
    ("obs_id", "string"),
    ("description", "string"),
    ("type", "string"),
    ("dataURI", "string"),
    ("productType", "string"),
    ("productGroupDescription", "string"),
    ("productSubGroupDescription", "string"),
    ("productDocumentationURL", "string"),
    ("project", "string"),
    ("prvversion", "string"),
    ("proposal_id", "string"),
    ("productFilename", "string"),
    ("size", "int"),
    ("parent_obsid", "string"),
    ("dataRights", "string"),
    ("calib_level", "int"),
    ("filters", "string"),
)
PRODUCT_COLUMNS = tuple(name for name, _ in PRODUCT_FIELDS)

#: Primary-header keywords kept per FITS file (everything the observation needs).
HEADER_KEYS = (
    "TELESCOP",
    "INSTRUME",
    "DETECTOR",
    "FILTER",
    "PUPIL",
    "GRATING",
    "EXP_TYPE",
    "TARGPROP",
    "TARGNAME",
    "TARG_RA",
    "TARG_DEC",
    "PROGRAM",
    "OBSERVTN",
    "VISIT",
    "EXPSTART",
    "EXPEND",
    "EFFEXPTM",
    "TITLE",
    "PI_NAME",
    "CATEGORY",
    "CAL_VER",
    "S_REGION",
    "DATAMODL",
)

_SCHEMA = f"""
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


_FILTER_TABLE_COLUMNS = frozenset(
    {"obsid", "obs_collection", "calib_level", "dataRights", "t_min", "t_max", "proposal_id"}
)
_SECONDARY_INDEXES = tuple(re.findall(r"CREATE INDEX IF NOT EXISTS (obs_\w+) ON", _SCHEMA))


class ArchiveError(Exception):
    """The index cannot be used (missing, wrong schema, unreadable folder)."""


@dataclass
class IndexReport:
    """What one ``index`` run did."""

    root: str
    scanned: int = 0
    read: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[str] = field(default_factory=list)
    observations: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The report as plain JSON data."""
        return {
            "root": self.root,
            "scanned": self.scanned,
            "read": self.read,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "failed": self.failed,
            "observations": self.observations,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Query:
    """A search of the local archive; every field is optional but one must narrow it."""

    ra: float | None = None
    dec: float | None = None
    radius: float | None = None
    target_name: str | None = None
    collection: str | None = COLLECTION
    instrument: str | None = None
    filters: tuple[str, ...] = ()
    proposal_id: str | None = None
    calib_level: tuple[int, ...] = ()
    data_rights: str | None = None
    t_min: float | None = None
    t_max: float | None = None
    include_guidestar: bool = False
    sort: str | None = None
    descending: bool = False
    offset: int = 0
    limit: int = 100


def default_index_path() -> Path:
    """Where the server looks for the index when ``local_archive_index`` is empty."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "jwst_lab" / "archive_index.sqlite"


# --- helpers --------------------------------------------------------------------------


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


def normalise_proposal(value: str) -> str:
    """``01075`` and ``1075`` are the same program."""
    text = value.strip()
    return text.lstrip("0") or text if text.isdigit() else text


def split_filters(value: str | None) -> list[str]:
    """Tokens of a MAST ``filters`` value (``F150W;CLEAR`` → ``[F150W, CLEAR]``)."""
    if not value:
        return []
    return [token.strip().upper() for token in re.split(r"[;,]", value) if token.strip()]


def product_suffix(filename: str) -> str:
    """``jw..._cal.fits`` → ``cal``; ``..._asn.json`` → ``asn``."""
    stem = filename.split(".", 1)[0]
    return stem.rsplit("_", 1)[-1].lower() if "_" in stem else ""


def is_guidestar(filename: str) -> bool:
    """JWST guide-star (FGS guiding) products: ``jw..._gs-fg_...``, ``_gs-acq1_`` etc."""
    return "_gs-" in filename.lower()


def obs_id_from_name(filename: str) -> str:
    """MAST observation id of a product from its name (the name minus its suffix)."""
    stem = filename.split(".", 1)[0]
    return stem.rsplit("_", 1)[0] if "_" in stem else stem


def _looks_like_obs_id(name: str) -> bool:
    return name.lower().startswith("jw") and len(name) > 8


def mjd_from_iso(text: str) -> float:
    """Modified Julian Date of an ISO date or date-time (UTC)."""
    from datetime import UTC, datetime

    value = text.strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise ValueError(f"{text!r} is not an ISO date (YYYY-MM-DD[THH:MM:SS])") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    epoch = datetime(1858, 11, 17, tzinfo=UTC)
    return (moment - epoch).total_seconds() / 86400.0


def _float(value: Any) -> float | None:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# --- reading files ------------------------------------------------------------------


def read_fits_info(path: Path) -> dict[str, Any]:
    """The primary-header keywords the index keeps (only the primary header is read)."""
    from astropy.io import fits

    header = fits.getheader(path, 0, memmap=False)
    return {key: value for key in HEADER_KEYS if (value := header.get(key)) is not None}


def read_asn_info(path: Path) -> dict[str, Any]:
    """Program, type and member exposures of an association file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("an association is a JSON object")
    products = data.get("products") or []
    members: list[str] = []
    names: list[str] = []
    for product in products:
        if isinstance(product, dict):
            if product.get("name"):
                names.append(str(product["name"]))
            for member in product.get("members") or []:
                if isinstance(member, dict) and member.get("expname"):
                    members.append(obs_id_from_name(Path(str(member["expname"])).name))
    return {
        "asn_type": data.get("asn_type"),
        "program": data.get("program"),
        "target": data.get("target"),
        "products": names,
        "members": sorted(set(members)),
    }


def _classify(filename: str) -> str:
    lower = filename.lower()
    if lower.endswith((".fits", ".fits.gz", ".fit")):
        return "fits"
    if lower.endswith("_asn.json"):
        return "asn"
    if lower.endswith((".json", ".csv", ".ecsv", ".txt", ".log", ".jpg", ".png", ".asdf")):
        return "other"
    return ""


# --- the archive -----------------------------------------------------------------------


class LocalArchive:
    """An SQLite index of JWST products on disk, searched with MAST's row shapes."""

    def __init__(self, index_path: Path | str, *, readonly: bool = False) -> None:
        self.index_path = Path(index_path)
        self.readonly = readonly
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._n_observations: int | None = None
        if not readonly:
            self.index_path.parent.mkdir(parents=True, exist_ok=True)
            with self._write_lock:
                connection = self._connect()
                connection.executescript(_SCHEMA)
                connection.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
                connection.commit()

    # --- connections ---------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
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
            self._connect().execute("SELECT 1 FROM observations LIMIT 1").fetchall()
        except sqlite3.Error:
            return False
        return True

    def count_observations(self) -> int:
        """How many observations the index holds."""
        return int(self._connect().execute("SELECT COUNT(*) FROM observations").fetchone()[0])

    def roots(self) -> list[str]:
        """The archive folders indexed into this file."""
        rows = self._connect().execute("SELECT DISTINCT root FROM files ORDER BY root").fetchall()
        return [row[0] for row in rows]

    # --- indexing ------------------------------------------------------------------

    def index(self, root: Path | str, *, collection: str = COLLECTION) -> IndexReport:
        """Index ``root`` incrementally: read only new or changed files, drop removed ones."""
        if self.readonly:
            raise ArchiveError("the index is opened read-only")
        started = time.monotonic()
        root_path = Path(root).resolve()
        if not root_path.is_dir():
            raise ArchiveError(f"{root_path} is not a folder")
        report = IndexReport(root=str(root_path))
        with self._write_lock:
            connection = self._connect()
            known = {
                row["path"]: (row["size"], row["mtime_ns"], row["obs_id"])
                for row in connection.execute(
                    "SELECT path, size, mtime_ns, obs_id FROM files WHERE root = ?",
                    (str(root_path),),
                )
            }
            seen: set[str] = set()
            affected: set[str] = set()
            pending: list[tuple[Any, ...]] = []
            for path, stat in _walk(root_path):
                kind = _classify(path.name)
                if not kind:
                    continue
                key = str(path)
                seen.add(key)
                report.scanned += 1
                previous = known.get(key)
                if previous and previous[0] == stat.st_size and previous[1] == stat.st_mtime_ns:
                    report.unchanged += 1
                    continue
                obs_id = self._obs_id_for(root_path, path)
                try:
                    if kind == "fits":
                        info: dict[str, Any] = read_fits_info(path)
                    elif kind == "asn":
                        info = read_asn_info(path)
                    else:
                        info = {}
                except Exception as error:  # an unreadable file is reported, not fatal
                    report.failed.append(f"{path}: {type(error).__name__}: {error}")
                    continue
                report.read += 1
                if previous:
                    affected.add(previous[2])
                affected.add(obs_id)
                pending.append(
                    (
                        key,
                        path.name,
                        str(root_path),
                        stat.st_size,
                        stat.st_mtime_ns,
                        obs_id,
                        _collection_of(root_path, path, collection),
                        kind,
                        json.dumps(info, default=str),
                    )
                )
            connection.executemany(
                "INSERT OR REPLACE INTO files(path, name, root, size, mtime_ns, obs_id, "
                "collection, kind, info) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                pending,
            )
            gone = [key for key in known if key not in seen]
            for key in gone:
                affected.add(known[key][2])
            connection.executemany("DELETE FROM files WHERE path = ?", [(key,) for key in gone])
            report.removed = len(gone)
            self._rebuild(connection, affected)
            connection.commit()
            self._n_observations = None
            report.observations = self.count_observations()
        report.seconds = time.monotonic() - started
        return report

    @staticmethod
    def _obs_id_for(root: Path, path: Path) -> str:
        parent = path.parent
        if parent != root and _looks_like_obs_id(parent.name):
            return parent.name
        if path.name.lower().endswith("_asn.json"):
            return path.name[: -len("_asn.json")]
        return obs_id_from_name(path.name)

    def _rebuild(self, connection: sqlite3.Connection, obs_ids: set[str]) -> None:
        """Recompute the observations in ``obs_ids`` (and the level 3 ones that contain them)."""
        if not obs_ids:
            return
        pending = set(obs_ids)
        parents = _chunked_select(
            connection, "SELECT parent_obs_id FROM members WHERE child_obs_id IN ({})", pending
        )
        pending.update(row[0] for row in parents)
        for obs_id in sorted(pending):
            files = connection.execute(
                "SELECT path, size, collection, kind, info FROM files WHERE obs_id = ?", (obs_id,)
            ).fetchall()
            connection.execute("DELETE FROM members WHERE parent_obs_id = ?", (obs_id,))
            members: set[str] = set()
            for row in files:
                if row["kind"] == "asn":
                    info = json.loads(row["info"])
                    members.update(m for m in info.get("members", []) if m != obs_id)
            connection.executemany(
                "INSERT OR IGNORE INTO members(parent_obs_id, child_obs_id) VALUES (?, ?)",
                [(obs_id, child) for child in sorted(members)],
            )
            row_values = self._observation_row(connection, obs_id, files, members)
            collection = files[0]["collection"] if files else COLLECTION
            obsid = stable_obsid(collection, obs_id)
            connection.execute("DELETE FROM obs_filters WHERE obsid = ?", (obsid,))
            connection.execute("DELETE FROM obs_rtree WHERE id = ?", (obsid,))
            connection.execute("DELETE FROM observations WHERE obsid = ?", (obsid,))
            if row_values is not None:
                self._insert_observations(connection, [row_values])

    def _observation_row(
        self,
        connection: sqlite3.Connection,
        obs_id: str,
        files: Sequence[sqlite3.Row],
        members: set[str],
    ) -> dict[str, Any] | None:
        """The observation's columns from its products' headers (or its members')."""
        if not files:
            return None
        headers = [json.loads(row["info"]) for row in files if row["kind"] == "fits"]
        asns = [json.loads(row["info"]) for row in files if row["kind"] == "asn"]
        if not headers and members:
            member_rows = _chunked_select(
                connection, "SELECT kind, info FROM files WHERE obs_id IN ({})", members
            )
            headers = [json.loads(row["info"]) for row in member_rows if row["kind"] == "fits"]
        collection = files[0]["collection"]
        levels = [
            _product_level(Path(row["path"]).name, obs_id) for row in files if row["kind"] == "fits"
        ]
        level3 = _is_level3(obs_id)
        calib_level = 3 if level3 else (max(levels) if levels else 1)

        def first(key: str) -> Any:
            for header in headers:
                if header.get(key) not in (None, ""):
                    return header[key]
            return None

        instrument = _text(first("INSTRUME"))
        exp_type = _text(first("EXP_TYPE")) or ""
        mode, product_type = _EXP_MODES.get(exp_type.upper(), ("", "image"))
        if instrument is None and asns:
            instrument = _instrument_from_name(obs_id)
        instrument_name = f"{instrument.upper()}/{mode}" if instrument and mode else instrument
        filter_tokens: list[str] = []
        for header in headers:
            for key in ("FILTER", "PUPIL", "GRATING"):
                token = _text(header.get(key))
                if token and token.upper() not in ("N/A", "NONE") and token not in filter_tokens:
                    filter_tokens.append(token.upper())
        starts = [v for v in (_float(h.get("EXPSTART")) for h in headers) if v is not None]
        ends = [v for v in (_float(h.get("EXPEND")) for h in headers) if v is not None]
        exptimes = [v for v in (_float(h.get("EFFEXPTM")) for h in headers) if v is not None]
        program = _text(first("PROGRAM")) or next(
            (str(a["program"]) for a in asns if a.get("program")), None
        )
        category = (_text(first("CATEGORY")) or "").upper()
        target = _text(first("TARGPROP")) or _text(first("TARGNAME"))
        return {
            "intentType": "calibration" if category == "CAL" or "TACQ" in exp_type else "science",
            "obs_collection": collection,
            "provenance_name": "CALJWST",
            "instrument_name": instrument_name,
            "project": "JWST",
            "filters": ";".join(filter_tokens) or None,
            "wavelength_region": "INFRARED",
            "target_name": target,
            "target_classification": None,
            "obs_id": obs_id,
            "s_ra": _float(first("TARG_RA")),
            "s_dec": _float(first("TARG_DEC")),
            "dataproduct_type": product_type,
            "proposal_pi": _text(first("PI_NAME")),
            "calib_level": calib_level,
            "t_min": min(starts) if starts else None,
            "t_max": max(ends) if ends else None,
            "t_exptime": (sum(exptimes) if level3 else max(exptimes)) if exptimes else None,
            "em_min": None,
            "em_max": None,
            "obs_title": _text(first("TITLE")),
            "t_obs_release": None,
            "proposal_id": normalise_proposal(program) if program else None,
            "proposal_type": category or None,
            "sequence_number": None,
            "s_region": _text(first("S_REGION")),
            "jpegURL": None,
            "dataURL": None,
            "dataRights": DEFAULT_RIGHTS,
            "mtFlag": False,
            "srcDen": None,
            "objID": None,
        }

    @staticmethod
    def _insert_observations(connection: sqlite3.Connection, rows: Sequence[dict[str, Any]]) -> int:
        """Insert complete observation rows (used by indexing and by bulk loads)."""
        names = [name for name in OBS_COLUMNS if name != "obsid"]
        sql = (
            "INSERT INTO observations(obsid, "  # noqa: S608 - constant column names
            + ", ".join(f'"{n}"' for n in names)
            + ", target_key, instrument_key, guidestar) VALUES ("
            + ", ".join("?" * (len(names) + 4))
            + ")"
        )
        obs_rows: list[tuple[Any, ...]] = []
        filter_rows: list[tuple[Any, ...]] = []
        tree_rows: list[tuple[Any, ...]] = []
        for row in rows:
            obsid = int(row.get("obsid") or stable_obsid(row["obs_collection"], row["obs_id"]))
            target = row.get("target_name")
            instrument = row.get("instrument_name")
            guidestar = 1 if is_guidestar(str(row["obs_id"])) else 0
            instrument_key = instrument.upper() if instrument else None
            obs_rows.append(
                (
                    obsid,
                    *(row.get(n) for n in names),
                    normalise_target(target) if target else None,
                    instrument_key,
                    guidestar,
                )
            )
            # The filter table repeats the searchable columns, so a search by filter
            # is answered from it alone (no look-up of the wide observation rows).
            filter_rows.extend(
                (
                    token,
                    obsid,
                    row.get("obs_collection"),
                    guidestar,
                    instrument_key,
                    row.get("calib_level"),
                    row.get("dataRights"),
                    row.get("t_min"),
                    row.get("t_max"),
                    row.get("proposal_id"),
                )
                for token in set(split_filters(row.get("filters")))
            )
            if row.get("s_ra") is not None and row.get("s_dec") is not None:
                x, y, z = unit_vector(float(row["s_ra"]), float(row["s_dec"]))
                tree_rows.append((obsid, x, x, y, y, z, z))
        connection.executemany(sql, obs_rows)
        durations = [
            float(row["t_max"]) - float(row["t_min"])
            for row in rows
            if row.get("t_min") is not None and row.get("t_max") is not None
        ]
        if durations:
            connection.execute(
                "INSERT INTO meta(key, value) VALUES ('max_duration', ?) ON CONFLICT(key) "
                "DO UPDATE SET value = MAX(CAST(value AS REAL), CAST(excluded.value AS REAL))",
                (str(max(durations)),),
            )
        connection.executemany(
            "INSERT OR IGNORE INTO obs_filters(filter, obsid, obs_collection, guidestar, "
            "instrument_key, calib_level, dataRights, t_min, t_max, proposal_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            filter_rows,
        )
        connection.executemany(
            "INSERT INTO obs_rtree(id, x0, x1, y0, y1, z0, z1) VALUES (?, ?, ?, ?, ?, ?, ?)",
            tree_rows,
        )
        return len(obs_rows)

    def bulk_insert_observations(self, rows: Iterable[dict[str, Any]], batch: int = 20000) -> int:
        """Insert many observation rows at once (benchmarks and tests of large archives)."""
        total = 0
        with self._write_lock:
            connection = self._connect()
            # Loading is several times faster with the secondary indexes built afterwards.
            for name in _SECONDARY_INDEXES:
                connection.execute(f"DROP INDEX IF EXISTS {name}")
            chunk: list[dict[str, Any]] = []
            for row in rows:
                chunk.append(row)
                if len(chunk) >= batch:
                    total += self._insert_observations(connection, chunk)
                    chunk = []
            if chunk:
                total += self._insert_observations(connection, chunk)
            connection.executescript(_SCHEMA)
            connection.commit()
            self._n_observations = None
            connection.execute("ANALYZE")
            connection.commit()
        return total

    # --- searching -----------------------------------------------------------------

    def search(self, query: Query) -> tuple[list[dict[str, Any]], int]:
        """Observations matching ``query``: (the requested page of rows, the total)."""
        connection = self._connect()
        by_filter = bool(query.filters)
        where: list[str] = []
        params: list[Any] = []
        if by_filter:
            where.append(f"o.filter IN ({', '.join('?' * len(query.filters))})")
            params.extend(token.upper() for token in query.filters)
        if query.collection:
            where.append("o.obs_collection = ?")
            params.append(query.collection)
        if not query.include_guidestar:
            where.append("o.guidestar = 0")
        if query.instrument:
            # MIRI matches MIRI and MIRI/...: one index range, then the exact check.
            prefix = query.instrument.strip().upper()
            where.append(
                "o.instrument_key >= ? AND o.instrument_key < ? "
                "AND (o.instrument_key = ? OR substr(o.instrument_key, ?, 1) = '/')"
            )
            params.extend([prefix, prefix + "0", prefix, len(prefix) + 1])
        if query.calib_level:
            where.append(f"o.calib_level IN ({', '.join('?' * len(query.calib_level))})")
            params.extend(query.calib_level)
        if query.data_rights:
            where.append("o.dataRights = ?")
            params.append(query.data_rights.upper())
        if query.t_min is not None:
            # Observations last at most max_duration days: bounding t_min too lets the
            # index narrow the scan to a window instead of half the table.
            where.append("o.t_max >= ? AND o.t_min >= ?")
            params.extend([query.t_min, query.t_min - self._max_duration(connection)])
        if query.t_max is not None:
            where.append("o.t_min <= ?")
            params.append(query.t_max)
        if query.proposal_id:
            where.append("o.proposal_id = ?")
            params.append(normalise_proposal(query.proposal_id))
        target_key = normalise_target(query.target_name) if query.target_name else None
        column, descending = self._order(query)
        if query.ra is not None and query.dec is not None and query.radius is not None:
            return self._cone(connection, query, where, params, target_key, column, descending)
        if target_key:
            where.append(
                "o.obsid IN (SELECT obsid FROM observations WHERE target_key = ?)"
                if by_filter
                else "o.target_key = ?"
            )
            params.append(target_key)
        table = "obs_filters" if by_filter else "observations"
        clause = " WHERE " + " AND ".join(where) if where else ""
        counted = "COUNT(DISTINCT o.obsid)" if len(query.filters) > 1 else "COUNT(*)"
        total = int(
            connection.execute(
                f"SELECT {counted} FROM {table} o{clause}",  # noqa: S608 - placeholders only
                params,
            ).fetchone()[0]
        )
        direction = "DESC" if descending else "ASC"
        if not by_filter or column in _FILTER_TABLE_COLUMNS:
            # Page ids first (from the index when it covers the sort column), rows after:
            # sorting whole rows of a large match would read every one of them.
            distinct = "DISTINCT " if len(query.filters) > 1 else ""
            source = f"{table} o"
            if not by_filter and column == "obsid" and total:
                # A dense match in obsid order: walking the table in that order stops
                # after about (offset + limit) * N / total rows, far fewer than sorting
                # every match when the match is a large share of the archive.
                walk = (query.offset + query.limit) * self._size(connection) / total
                if walk < total / 2:
                    source = "observations o NOT INDEXED"
            ids_sql = (
                f'SELECT {distinct}o.obsid, o."{column}" FROM {source}{clause} '  # noqa: S608
                f'ORDER BY o."{column}" {direction}, o.obsid LIMIT ? OFFSET ?'
            )
            ids = [
                row[0] for row in connection.execute(ids_sql, [*params, query.limit, query.offset])
            ]
            found = {
                row["obsid"]: row
                for row in _chunked_select(
                    connection, "SELECT * FROM observations WHERE obsid IN ({})", ids
                )
            }
            return [observation_dict(found[i]) for i in ids if i in found], total
        sql = (
            "SELECT v.* FROM observations v WHERE v.obsid IN "  # noqa: S608 - checked column
            f"(SELECT o.obsid FROM obs_filters o{clause}) "
            f'ORDER BY v."{column}" {direction}, v.obsid LIMIT ? OFFSET ?'
        )
        rows = connection.execute(sql, [*params, query.limit, query.offset]).fetchall()
        return [observation_dict(row) for row in rows], total

    def _cone(
        self,
        connection: sqlite3.Connection,
        query: Query,
        where: list[str],
        params: list[Any],
        target_key: str | None,
        column: str,
        descending: bool,
    ) -> tuple[list[dict[str, Any]], int]:
        """A cone search: R*Tree box first, then the exact angular distance."""
        assert query.ra is not None
        assert query.dec is not None
        assert query.radius is not None
        cx, cy, cz = unit_vector(query.ra, query.dec)
        chord = 2.0 * math.sin(math.radians(min(query.radius, 180.0)) / 2.0)
        min_dot = math.cos(math.radians(query.radius))
        box = [cx - chord, cx + chord, cy - chord, cy + chord, cz - chord, cz + chord]
        spatial = (
            "o.obsid IN (SELECT id FROM obs_rtree WHERE x1 >= ? AND x0 <= ? AND y1 >= ? "
            "AND y0 <= ? AND z1 >= ? AND z0 <= ?)"
        )
        conditions = list(where)
        values = list(params)
        if query.filters:
            # where[0] is the filter condition on obs_filters; ask it as a sub-query.
            subquery = "o.obsid IN (SELECT obsid FROM obs_filters WHERE filter IN"
            conditions[0] = conditions[0].replace("o.filter IN", subquery) + ")"
        if target_key:
            # A resolved target matches by position or by its recorded name.
            conditions.append(f"({spatial} OR o.target_key = ?)")
            values.extend([*box, target_key])
        else:
            conditions.append(spatial)
            values.extend(box)
        rows = connection.execute(
            "SELECT o.* FROM observations o WHERE "  # noqa: S608 - placeholders only
            + " AND ".join(conditions),
            values,
        ).fetchall()
        matched = []
        for row in rows:
            if row["s_ra"] is not None and row["s_dec"] is not None:
                x, y, z = unit_vector(row["s_ra"], row["s_dec"])
                if x * cx + y * cy + z * cz >= min_dot - 1e-12:
                    matched.append(row)
                    continue
            if target_key and row["target_key"] == target_key:
                matched.append(row)
        matched.sort(key=lambda r: r["obsid"])
        matched.sort(key=lambda r: _sort_key(r, column), reverse=descending)
        page = matched[query.offset : query.offset + query.limit]
        return [observation_dict(row) for row in page], len(matched)

    def _size(self, connection: sqlite3.Connection) -> int:
        """Number of observations (cached until the index changes)."""
        if self._n_observations is None:
            row = connection.execute("SELECT COUNT(*) FROM observations").fetchone()
            self._n_observations = int(row[0])
        return self._n_observations

    @staticmethod
    def _max_duration(connection: sqlite3.Connection) -> float:
        row = connection.execute("SELECT value FROM meta WHERE key = 'max_duration'").fetchone()
        return float(row[0]) if row else 0.0

    @staticmethod
    def _order(query: Query) -> tuple[str, bool]:
        if query.sort:
            if query.sort not in OBS_COLUMNS:
                raise ValueError(f"cannot sort by {query.sort!r}")
            return query.sort, query.descending
        return "obsid", False

    def observation(self, obsid: str) -> dict[str, Any] | None:
        """One observation by its ``obsid`` (or its ``obs_id``), or None."""
        connection = self._connect()
        row = None
        if obsid.isdigit():
            row = connection.execute(
                "SELECT * FROM observations WHERE obsid = ?", (int(obsid),)
            ).fetchone()
        if row is None:
            row = connection.execute(
                "SELECT * FROM observations WHERE obs_id = ?", (obsid,)
            ).fetchone()
        return observation_dict(row) if row is not None else None

    def products(self, obsid: str) -> list[dict[str, Any]] | None:
        """Products of an observation (with its members' for level 3), or None if unknown."""
        observation = self.observation(obsid)
        if observation is None:
            return None
        connection = self._connect()
        obs_id = observation["obs_id"]
        parent = observation["obsid"]
        children = [
            row[0]
            for row in connection.execute(
                "SELECT child_obs_id FROM members WHERE parent_obs_id = ?", (obs_id,)
            )
        ]
        rows = _chunked_select(
            connection,
            "SELECT path, size, obs_id, collection, kind, info FROM files WHERE obs_id IN ({})",
            {obs_id, *children},
        )
        observations = {
            row["obs_id"]: observation_dict(row)
            for row in _chunked_select(
                connection, "SELECT * FROM observations WHERE obs_id IN ({})", {obs_id, *children}
            )
        }
        products = [
            _product_row(row, observations.get(row["obs_id"]) or observation, parent)
            for row in rows
        ]
        _mark_recommended(products)
        products.sort(key=lambda p: (p["obs_id"] != obs_id, p["obs_id"], p["productFilename"]))
        return products

    def products_for_uris(self, uris: Sequence[str]) -> list[dict[str, Any]]:
        """Products named by their ``dataURI`` (``mast:JWST/product/<file>``); unknown skipped."""
        connection = self._connect()
        names = {uri.rsplit("/", 1)[-1]: uri for uri in uris}
        found: list[dict[str, Any]] = []
        for name, uri in names.items():
            rows = connection.execute(
                "SELECT path, size, obs_id, collection, kind, info FROM files WHERE name = ?",
                (name,),
            ).fetchall()
            for row in rows:
                observation = self.observation(row["obs_id"])
                if observation is None:
                    continue
                product = _product_row(row, observation, observation["obsid"])
                if product["dataURI"] == uri:
                    found.append(product)
                    break
        return found


# --- rows --------------------------------------------------------------------------------


def observation_dict(row: sqlite3.Row) -> dict[str, Any]:
    """An observation row with MAST's column names (``obsid`` as a string, like MAST's)."""
    values = {name: row[name] for name in OBS_COLUMNS if name != "obsid"}
    values["obsid"] = str(row["obsid"])
    values["mtFlag"] = bool(values["mtFlag"]) if values["mtFlag"] is not None else None
    return {name: values[name] for name in OBS_COLUMNS}


def _product_row(row: sqlite3.Row, observation: dict[str, Any], parent: str) -> dict[str, Any]:
    path = Path(row["path"])
    name = path.name
    suffix = product_suffix(name)
    info = json.loads(row["info"]) if row["info"] else {}
    level = (
        _product_level(name, row["obs_id"])
        if row["kind"] == "fits"
        else observation.get("calib_level")
    )
    subgroup: str | None
    if is_guidestar(name):
        product_type, subgroup = "AUXILIARY", _guidestar_subgroup(name)
    elif row["kind"] == "asn":
        product_type, subgroup = "INFO", "ASN"
    elif row["kind"] == "fits":
        product_type, subgroup = "SCIENCE", suffix.upper()
    else:
        product_type, subgroup = "INFO", suffix.upper() or None
    collection = row["collection"]
    return {
        "obsID": observation["obsid"],
        "obs_collection": collection,
        "dataproduct_type": observation.get("dataproduct_type"),
        "obs_id": row["obs_id"],
        "description": _description(suffix, row["kind"]),
        "type": "S" if product_type == "SCIENCE" else "C",
        "dataURI": f"mast:{collection}/product/{name}",
        "productType": product_type,
        "productGroupDescription": None,
        "productSubGroupDescription": subgroup,
        "productDocumentationURL": None,
        "project": "CALJWST",
        "prvversion": _text(info.get("CAL_VER")),
        "proposal_id": observation.get("proposal_id"),
        "productFilename": name,
        "size": int(row["size"]),
        "parent_obsid": parent,
        "dataRights": observation.get("dataRights") or DEFAULT_RIGHTS,
        "calib_level": level,
        "filters": observation.get("filters"),
        "local_path": str(path),
    }


def _mark_recommended(products: list[dict[str, Any]]) -> None:
    candidates = [
        p
        for p in products
        if p["productType"] == "SCIENCE"
        and product_suffix(p["productFilename"]) in MRP_SUFFIXES
        and p["calib_level"] is not None
    ]
    if not candidates:
        return
    top = max(p["calib_level"] for p in candidates)
    for product in candidates:
        if product["calib_level"] == top:
            product["productGroupDescription"] = "Minimum Recommended Products"


def _description(suffix: str, kind: str) -> str:
    if kind == "asn":
        return "Association file"
    names = {
        "uncal": "Level 1b uncalibrated ramps",
        "rate": "Count-rate image",
        "rateints": "Count-rate per integration",
        "cal": "Calibrated exposure",
        "calints": "Calibrated per integration",
        "i2d": "Resampled (drizzled) image",
        "s2d": "Resampled 2-D spectrum",
        "s3d": "Spectral cube",
        "x1d": "Extracted 1-D spectrum",
        "cat": "Source catalog",
        "segm": "Segmentation map",
    }
    return names.get(suffix, f"{suffix or kind} product")


def _guidestar_subgroup(name: str) -> str:
    match = re.search(r"_(gs-[a-z0-9]+)", name.lower())
    return match.group(1).upper() if match else "GS"


def _is_level3(obs_id: str) -> bool:
    return bool(re.match(r"^jw\d{5}-[a-z]\d{3,}", obs_id.lower()))


def _product_level(filename: str, obs_id: str) -> int:
    suffix = product_suffix(filename)
    if suffix in LEVEL1_SUFFIXES:
        return 1
    if _is_level3(obs_id_from_name(filename)) or (
        _is_level3(obs_id) and suffix not in (LEVEL2_SUFFIXES | LEVEL1_SUFFIXES)
    ):
        return 3
    return 2


def _instrument_from_name(obs_id: str) -> str | None:
    parts = obs_id.lower().split("_")
    for part in parts:
        if part.upper() in JWST_INSTRUMENTS:
            return part.upper()
    return None


def _collection_of(root: Path, path: Path, default: str) -> str:
    try:
        relative = path.relative_to(root)
    except ValueError:
        return default
    first = relative.parts[0] if len(relative.parts) > 2 else ""
    return first if first.isupper() and first.isalpha() else default


def _sort_key(row: sqlite3.Row, column: str) -> tuple[int, Any]:
    value = row[column]
    return (value is None, value if value is not None else 0)


def _walk(root: Path) -> Iterator[tuple[Path, os.stat_result]]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or name.endswith((".part", ".tmp")):
                continue
            path = Path(folder) / name
            try:
                stat = path.stat()
            except OSError:
                continue
            yield path, stat


def _chunked_select(
    connection: sqlite3.Connection, sql: str, values: Iterable[Any], size: int = 500
) -> list[sqlite3.Row]:
    items = list(values)
    rows: list[sqlite3.Row] = []
    for start in range(0, len(items), size):
        chunk = items[start : start + size]
        rows.extend(connection.execute(sql.format(", ".join("?" * len(chunk))), chunk).fetchall())
    return rows
