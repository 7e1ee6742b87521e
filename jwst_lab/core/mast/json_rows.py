"""Tables as JSON: every cell a JSON value of its column's type, never NaN.

astroquery answers with astropy Tables holding masked values, NaN and numpy
scalars; the REST answers must be strict JSON with MAST's column types.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..mast_vocabulary import finite_float


def json_value(value: Any, kind: str | None = None) -> Any:
    """One cell as JSON: masked and NaN → None; numpy scalars → Python; typed by ``kind``."""
    if value is None:
        return None
    if type(value) is str and kind in ("string", None):
        return value
    if type(value) is float:
        if not math.isfinite(value):
            return None
        if kind == "string":
            return str(value)
        return int(value) if kind == "int" else value
    if type(value) is int and kind in ("int", None):
        return value
    import numpy as np

    if value is np.ma.masked or isinstance(value, np.ma.core.MaskedConstant):
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if kind == "string":
        return str(value) if not isinstance(value, str) else value
    if kind == "int":
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                return None
        return int(value) if isinstance(value, (int, float)) else value
    if kind == "float":
        return finite_float(value)
    if kind == "boolean":
        return bool(value)
    return value


def table_rows(
    table: Any, fields: Mapping[str, str]
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """An astropy Table as JSON-safe rows and ``[{name, type}]`` columns (column-wise: fast)."""
    import numpy as np

    columns = []
    values: list[list[Any]] = []
    for name in table.colnames:
        column = table[name]
        kind = fields.get(name) or _dtype_kind(column.dtype)
        columns.append({"name": name, "type": kind})
        data = np.ma.getdata(column).tolist()
        mask = np.ma.getmaskarray(column).tolist()
        values.append(
            [
                None if masked else json_value(value, kind)
                for value, masked in zip(data, mask, strict=True)
            ]
        )
    names = [c["name"] for c in columns]
    rows = [dict(zip(names, cells, strict=True)) for cells in zip(*values, strict=True)]
    return rows, columns


def columns_of(fields: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    """``[{name, type}]`` of ``(name, type)`` pairs (a vocabulary's field list)."""
    return [{"name": name, "type": kind} for name, kind in fields]


def _dtype_kind(dtype: Any) -> str:
    kind = getattr(dtype, "kind", "U")
    return {"i": "int", "u": "int", "f": "float", "b": "boolean"}.get(kind, "string")
