"""Source catalogs (ECSV tables such as image3's ``_cat.ecsv``) as JSON pages.

Read with astropy (``ascii.ecsv``), kept per ``(path, mtime, size)`` in a
small LRU so that paging and sorting in the browser do not re-parse the
file. Sky-coordinate columns (``sky_centroid``) become two columns of degrees
(``sky_centroid.ra``, ``sky_centroid.dec``); NaN and masked cells are null.

Blocking: call from a worker thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BadRequest
from .images import FileCache, check_regular_file, sibling_in_root

#: Rows answered when the request does not say.
DEFAULT_ROWS = 5000
#: Most rows one answer holds.
MAX_ROWS = 20000
#: Largest catalog read (bytes); image3 writes ~1 KB per source.
MAX_CATALOG_BYTES = 64 * 1024 * 1024
CACHE_CAPACITY = 4
_MAGIC = b"# %ECSV"


@dataclass(frozen=True)
class Catalog:
    """A catalog read and flattened: columns, then rows of JSON-ready cells."""

    columns: list[dict[str, Any]]
    rows: list[list[Any]]
    x_column: str | None
    y_column: str | None
    ra_column: str | None
    dec_column: str | None


def _cell(value: Any) -> Any:
    import numpy as np

    if value is np.ma.masked:
        return None
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer | int):
        return int(value)
    if isinstance(value, np.floating | float):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.str_ | str):
        return str(value)
    return str(value)


def _kind(dtype: Any) -> str:
    kind = getattr(dtype, "kind", "O")
    return {"f": str(dtype), "i": str(dtype), "u": str(dtype), "b": "bool"}.get(kind, "str")


def _flatten(table: Any) -> Catalog:
    """Columns (SkyCoord split into RA and Dec) and rows of ``table``."""
    import numpy as np
    from astropy.coordinates import SkyCoord

    columns: list[dict[str, Any]] = []
    values: list[list[Any]] = []
    for name in table.colnames:
        column = table[name]
        description = getattr(column.info, "description", None) or None
        if isinstance(column, SkyCoord):
            icrs = column.icrs
            for axis, data in (("ra", icrs.ra.deg), ("dec", icrs.dec.deg)):
                columns.append(
                    {
                        "name": f"{name}.{axis}",
                        "unit": "deg",
                        "description": description,
                        "dtype": "float64",
                    }
                )
                values.append([_cell(v) for v in np.asarray(data, dtype=np.float64)])
            continue
        unit = getattr(column, "unit", None)
        data = getattr(column, "value", column)  # a Quantity's numbers
        if getattr(data, "ndim", 1) != 1:
            data = [str(v) for v in data]  # multidimensional cells shown as text
            kind = "str"
        else:
            kind = _kind(getattr(data, "dtype", None))
        mask = np.ma.getmaskarray(column) if np.ma.isMaskedArray(column) else None
        cells = [_cell(v) for v in (data.tolist() if hasattr(data, "tolist") else data)]
        if mask is not None:
            cells = [None if masked else c for c, masked in zip(cells, mask, strict=True)]
        columns.append(
            {
                "name": name,
                "unit": str(unit) if unit is not None and str(unit) else None,
                "description": description,
                "dtype": kind,
            }
        )
        values.append(cells)
    names = [c["name"] for c in columns]

    def first(*candidates: str) -> str | None:
        return next((c for c in candidates if c in names), None)

    rows = [list(row) for row in zip(*values, strict=True)] if values else []
    return Catalog(
        columns=columns,
        rows=rows,
        x_column=first("xcentroid", "x_centroid", "x"),
        y_column=first("ycentroid", "y_centroid", "y"),
        ra_column=first("sky_centroid.ra", "ra", "RA"),
        dec_column=first("sky_centroid.dec", "dec", "DEC"),
    )


def read_catalog(path: Path, name: str) -> Catalog:
    """The ECSV table in ``path``, flattened; a 400 naming ``path`` when it is not one."""
    from astropy.table import Table

    check_regular_file(path, name)
    size = path.stat().st_size
    if size > MAX_CATALOG_BYTES:
        raise BadRequest(
            f"{name} is {size} bytes; catalogs of at most {MAX_CATALOG_BYTES} are read",
            field="path",
        )
    with path.open("rb") as stream:
        if not stream.read(len(_MAGIC)) == _MAGIC:
            raise BadRequest(
                f"{name} is not an ECSV table (it does not start with '# %ECSV')", field="path"
            )
    try:
        table = Table.read(path, format="ascii.ecsv")
    except Exception as error:  # astropy raises many kinds for a bad table
        raise BadRequest(f"{name} is not a readable ECSV table: {error}", field="path") from None
    return _flatten(table)


class CatalogCache(FileCache[Catalog]):
    """A small LRU of read catalogs, keyed by ``(path, mtime, size)``; thread-safe."""

    def __init__(self, capacity: int = CACHE_CAPACITY) -> None:
        super().__init__(read_catalog, capacity)


#: The server's catalog cache (one per process).
CATALOGS = CatalogCache()


def image_beside(path: Path) -> Path | None:
    """The ``_i2d.fits`` an image3 ``_cat.ecsv`` describes, when it exists."""
    name = path.name
    if not name.endswith("_cat.ecsv"):
        return None
    candidate = path.with_name(name[: -len("_cat.ecsv")] + "_i2d.fits")
    return candidate if candidate.is_file() else None


def catalog_page(
    path: Path,
    name: str,
    root: Path,
    *,
    offset: int = 0,
    limit: int = DEFAULT_ROWS,
    cache: CatalogCache = CATALOGS,
) -> dict[str, Any]:
    """``limit`` rows of the catalog from ``offset``, with its columns and total count."""
    catalog = cache.get(path, name)
    return {
        "path": name,
        "columns": catalog.columns,
        "rows": catalog.rows[offset : offset + limit],
        "total": len(catalog.rows),
        "offset": offset,
        "image": sibling_in_root(image_beside(path), root),
        "x_column": catalog.x_column,
        "y_column": catalog.y_column,
        "ra_column": catalog.ra_column,
        "dec_column": catalog.dec_column,
    }
