"""Indexing the local archive: product headers read once, observations rebuilt incrementally.

:func:`index_folder` walks a folder of JWST products (laid out as MAST files
them, ``<collection>/<obs_id>/<files>``, or any other way), reads only the
primary header of each FITS file and each ``*_asn.json`` association, and
rebuilds the observations whose files are new, changed or gone: size and
mtime decide whether a file is read again. Level 3 observations
(``jw01234-o001_t001_miri_f770w``) learn their member exposures from their
associations. :func:`bulk_insert_observations` loads complete observation
rows directly (benchmarks and tests of large archives). Synchronous: callers
run it in a thread.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..jwst_filenames import (
    instrument_from_obs_id,
    is_guidestar,
    is_level3_obs_id,
    looks_like_obs_id,
    obs_id_from_name,
    product_level,
)
from ..mast_vocabulary import (
    DEFAULT_RIGHTS,
    JWST_COLLECTION,
    OBS_COLUMNS,
    finite_float,
    normalise_proposal,
    split_filters,
)
from .store import (
    SCHEMA,
    SECONDARY_INDEXES,
    ArchiveError,
    ArchiveStore,
    chunked_select,
    normalise_target,
    stable_obsid,
    text_or_none,
    unit_vector,
)

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


# --- reading files ------------------------------------------------------------------


def read_fits_info(path: Path) -> dict[str, Any]:
    """The primary-header keywords the index keeps, and the sky footprint.

    jwst writes ``S_REGION`` into the ``SCI`` extension's header (calibrated
    products), so that header is read too when the primary has none.
    """
    from astropy.io import fits

    header = fits.getheader(path, 0, memmap=False)
    info = {key: value for key in HEADER_KEYS if (value := header.get(key)) is not None}
    if not info.get("S_REGION"):
        try:
            region = fits.getheader(path, "SCI", memmap=False).get("S_REGION")
        except (KeyError, IndexError, OSError):
            region = None
        if isinstance(region, str) and region.strip():
            info["S_REGION"] = region.strip()
    return info


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


def _collection_of(root: Path, path: Path, default: str) -> str:
    try:
        relative = path.relative_to(root)
    except ValueError:
        return default
    first = relative.parts[0] if len(relative.parts) > 2 else ""
    return first if first.isupper() and first.isalpha() else default


def _obs_id_for(root: Path, path: Path) -> str:
    parent = path.parent
    if parent != root and looks_like_obs_id(parent.name):
        return parent.name
    if path.name.lower().endswith("_asn.json"):
        return path.name[: -len("_asn.json")]
    return obs_id_from_name(path.name)


# --- indexing -------------------------------------------------------------------------


def index_folder(
    store: ArchiveStore, root: Path | str, *, collection: str = JWST_COLLECTION
) -> IndexReport:
    """Index ``root`` incrementally: read only new or changed files, drop removed ones."""
    if store.readonly:
        raise ArchiveError("the index is opened read-only")
    started = time.monotonic()
    root_path = Path(root).resolve()
    if not root_path.is_dir():
        raise ArchiveError(f"{root_path} is not a folder")
    report = IndexReport(root=str(root_path))
    with store.write_lock:
        connection = store.connect()
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
            obs_id = _obs_id_for(root_path, path)
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
        _rebuild(connection, affected)
        connection.commit()
        store.forget_count()
        report.observations = store.count_observations()
    report.seconds = time.monotonic() - started
    return report


def _rebuild(connection: sqlite3.Connection, obs_ids: set[str]) -> None:
    """Recompute the observations in ``obs_ids`` (and the level 3 ones that contain them)."""
    if not obs_ids:
        return
    pending = set(obs_ids)
    parents = chunked_select(
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
        row_values = _observation_row(connection, obs_id, files, members)
        collection = files[0]["collection"] if files else JWST_COLLECTION
        obsid = stable_obsid(collection, obs_id)
        connection.execute("DELETE FROM obs_filters WHERE obsid = ?", (obsid,))
        connection.execute("DELETE FROM obs_rtree WHERE id = ?", (obsid,))
        connection.execute("DELETE FROM observations WHERE obsid = ?", (obsid,))
        if row_values is not None:
            _insert_observations(connection, [row_values])


def _observation_row(
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
        member_rows = chunked_select(
            connection, "SELECT kind, info FROM files WHERE obs_id IN ({})", members
        )
        headers = [json.loads(row["info"]) for row in member_rows if row["kind"] == "fits"]
    collection = files[0]["collection"]
    levels = [
        product_level(Path(row["path"]).name, obs_id) for row in files if row["kind"] == "fits"
    ]
    level3 = is_level3_obs_id(obs_id)
    calib_level = 3 if level3 else (max(levels) if levels else 1)

    def first(key: str) -> Any:
        for header in headers:
            if header.get(key) not in (None, ""):
                return header[key]
        return None

    instrument = text_or_none(first("INSTRUME"))
    exp_type = text_or_none(first("EXP_TYPE")) or ""
    mode, product_type = _EXP_MODES.get(exp_type.upper(), ("", "image"))
    if instrument is None and asns:
        instrument = instrument_from_obs_id(obs_id)
    instrument_name = f"{instrument.upper()}/{mode}" if instrument and mode else instrument
    filter_tokens: list[str] = []
    for header in headers:
        for key in ("FILTER", "PUPIL", "GRATING"):
            token = text_or_none(header.get(key))
            if token and token.upper() not in ("N/A", "NONE") and token not in filter_tokens:
                filter_tokens.append(token.upper())
    starts = [v for v in (finite_float(h.get("EXPSTART")) for h in headers) if v is not None]
    ends = [v for v in (finite_float(h.get("EXPEND")) for h in headers) if v is not None]
    exptimes = [v for v in (finite_float(h.get("EFFEXPTM")) for h in headers) if v is not None]
    program = text_or_none(first("PROGRAM")) or next(
        (str(a["program"]) for a in asns if a.get("program")), None
    )
    category = (text_or_none(first("CATEGORY")) or "").upper()
    target = text_or_none(first("TARGPROP")) or text_or_none(first("TARGNAME"))
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
        "s_ra": finite_float(first("TARG_RA")),
        "s_dec": finite_float(first("TARG_DEC")),
        "dataproduct_type": product_type,
        "proposal_pi": text_or_none(first("PI_NAME")),
        "calib_level": calib_level,
        "t_min": min(starts) if starts else None,
        "t_max": max(ends) if ends else None,
        "t_exptime": (sum(exptimes) if level3 else max(exptimes)) if exptimes else None,
        "em_min": None,
        "em_max": None,
        "obs_title": text_or_none(first("TITLE")),
        "t_obs_release": None,
        "proposal_id": normalise_proposal(program) if program else None,
        "proposal_type": category or None,
        "sequence_number": None,
        # A combined (Level 3) observation covers all its members' footprints.
        "s_region": (
            " ".join(dict.fromkeys(r for h in headers if (r := text_or_none(h.get("S_REGION")))))
            or None
        ),
        "jpegURL": None,
        "dataURL": None,
        "dataRights": DEFAULT_RIGHTS,
        "mtFlag": False,
        "srcDen": None,
        "objID": None,
    }


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


def bulk_insert_observations(
    store: ArchiveStore, rows: Iterable[dict[str, Any]], batch: int = 20000
) -> int:
    """Insert many complete observation rows at once (benchmarks and tests of large archives)."""
    total = 0
    with store.write_lock:
        connection = store.connect()
        # Loading is several times faster with the secondary indexes built afterwards.
        for name in SECONDARY_INDEXES:
            connection.execute(f"DROP INDEX IF EXISTS {name}")
        chunk: list[dict[str, Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                total += _insert_observations(connection, chunk)
                chunk = []
        if chunk:
            total += _insert_observations(connection, chunk)
        connection.executescript(SCHEMA)
        connection.commit()
        store.forget_count()
        connection.execute("ANALYZE")
        connection.commit()
    return total
