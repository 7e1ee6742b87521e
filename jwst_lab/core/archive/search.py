"""Searching the local archive: observations and products with MAST's row shapes.

:func:`search` answers a :class:`Query` (cone, target name, instrument,
filters, program, level, rights, time window; sorted and paged) from the
index's tables and secondary indexes; :func:`products` lists an
observation's products, its members' included for Level 3 as MAST does, with
MAST's product columns plus ``local_path``. Synchronous: callers run it in a
thread.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..jwst_filenames import (
    MRP_SUFFIXES,
    guidestar_subgroup,
    is_guidestar,
    product_level,
    product_suffix,
)
from ..mast_vocabulary import (
    DEFAULT_RIGHTS,
    JWST_COLLECTION,
    MRP,
    OBS_COLUMNS,
    normalise_proposal,
)
from .store import ArchiveStore, chunked_select, normalise_target, text_or_none, unit_vector

#: Columns the filter table repeats, so a search by filter can sort on them there.
_FILTER_TABLE_COLUMNS = frozenset(
    {"obsid", "obs_collection", "calib_level", "dataRights", "t_min", "t_max", "proposal_id"}
)


@dataclass(frozen=True)
class Query:
    """A search of the local archive; every field is optional but one must narrow it."""

    ra: float | None = None
    dec: float | None = None
    radius: float | None = None
    target_name: str | None = None
    collection: str | None = JWST_COLLECTION
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


# --- observations -------------------------------------------------------------------------


def search(store: ArchiveStore, query: Query) -> tuple[list[dict[str, Any]], int]:
    """Observations matching ``query``: (the requested page of rows, the total)."""
    connection = store.connect()
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
        params.extend([query.t_min, query.t_min - _max_duration(connection)])
    if query.t_max is not None:
        where.append("o.t_min <= ?")
        params.append(query.t_max)
    if query.proposal_id:
        where.append("o.proposal_id = ?")
        params.append(normalise_proposal(query.proposal_id))
    target_key = normalise_target(query.target_name) if query.target_name else None
    column, descending = _order(query)
    if query.ra is not None and query.dec is not None and query.radius is not None:
        return _cone(connection, query, where, params, target_key, column, descending)
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
            walk = (query.offset + query.limit) * store.cached_count(connection) / total
            if walk < total / 2:
                source = "observations o NOT INDEXED"
        ids_sql = (
            f'SELECT {distinct}o.obsid, o."{column}" FROM {source}{clause} '  # noqa: S608
            f'ORDER BY o."{column}" {direction}, o.obsid LIMIT ? OFFSET ?'
        )
        ids = [row[0] for row in connection.execute(ids_sql, [*params, query.limit, query.offset])]
        found = {
            row["obsid"]: row
            for row in chunked_select(
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


def _max_duration(connection: sqlite3.Connection) -> float:
    row = connection.execute("SELECT value FROM meta WHERE key = 'max_duration'").fetchone()
    return float(row[0]) if row else 0.0


def _order(query: Query) -> tuple[str, bool]:
    if query.sort:
        if query.sort not in OBS_COLUMNS:
            raise ValueError(f"cannot sort by {query.sort!r}")
        return query.sort, query.descending
    return "obsid", False


def _sort_key(row: sqlite3.Row, column: str) -> tuple[int, Any]:
    value = row[column]
    return (value is None, value if value is not None else 0)


def observation(store: ArchiveStore, obsid: str) -> dict[str, Any] | None:
    """One observation by its ``obsid`` (or its ``obs_id``), or None."""
    connection = store.connect()
    row = None
    if obsid.isdigit():
        row = connection.execute(
            "SELECT * FROM observations WHERE obsid = ?", (int(obsid),)
        ).fetchone()
    if row is None:
        row = connection.execute("SELECT * FROM observations WHERE obs_id = ?", (obsid,)).fetchone()
    return observation_dict(row) if row is not None else None


# --- products -------------------------------------------------------------------------------


def products(store: ArchiveStore, obsid: str) -> list[dict[str, Any]] | None:
    """Products of an observation (with its members' for level 3), or None if unknown."""
    found = observation(store, obsid)
    if found is None:
        return None
    connection = store.connect()
    obs_id = found["obs_id"]
    parent = found["obsid"]
    children = [
        row[0]
        for row in connection.execute(
            "SELECT child_obs_id FROM members WHERE parent_obs_id = ?", (obs_id,)
        )
    ]
    rows = chunked_select(
        connection,
        "SELECT path, size, obs_id, collection, kind, info FROM files WHERE obs_id IN ({})",
        {obs_id, *children},
    )
    observations = {
        row["obs_id"]: observation_dict(row)
        for row in chunked_select(
            connection, "SELECT * FROM observations WHERE obs_id IN ({})", {obs_id, *children}
        )
    }
    listed = [_product_row(row, observations.get(row["obs_id"]) or found, parent) for row in rows]
    _mark_recommended(listed)
    listed.sort(key=lambda p: (p["obs_id"] != obs_id, p["obs_id"], p["productFilename"]))
    return listed


def products_for_uris(store: ArchiveStore, uris: Sequence[str]) -> list[dict[str, Any]]:
    """Products named by their ``dataURI`` (``mast:JWST/product/<file>``); unknown skipped."""
    connection = store.connect()
    names = {uri.rsplit("/", 1)[-1]: uri for uri in uris}
    found: list[dict[str, Any]] = []
    for name, uri in names.items():
        rows = connection.execute(
            "SELECT path, size, obs_id, collection, kind, info FROM files WHERE name = ?",
            (name,),
        ).fetchall()
        for row in rows:
            owner = observation(store, row["obs_id"])
            if owner is None:
                continue
            product = _product_row(row, owner, owner["obsid"])
            if product["dataURI"] == uri:
                found.append(product)
                break
    return found


# --- rows ---------------------------------------------------------------------------------


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
        product_level(name, row["obs_id"])
        if row["kind"] == "fits"
        else observation.get("calib_level")
    )
    subgroup: str | None
    if is_guidestar(name):
        product_type, subgroup = "AUXILIARY", guidestar_subgroup(name)
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
        "prvversion": text_or_none(info.get("CAL_VER")),
        "proposal_id": observation.get("proposal_id"),
        "productFilename": name,
        "size": int(row["size"]),
        "parent_obsid": parent,
        "dataRights": observation.get("dataRights") or DEFAULT_RIGHTS,
        "calib_level": level,
        "filters": observation.get("filters"),
        "local_path": str(path),
    }


def _mark_recommended(listed: list[dict[str, Any]]) -> None:
    candidates = [
        p
        for p in listed
        if p["productType"] == "SCIENCE"
        and product_suffix(p["productFilename"]) in MRP_SUFFIXES
        and p["calib_level"] is not None
    ]
    if not candidates:
        return
    top = max(p["calib_level"] for p in candidates)
    for product in candidates:
        if product["calib_level"] == top:
            product["productGroupDescription"] = MRP


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
