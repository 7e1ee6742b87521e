"""Which products of an observation to list: the filters, their checks, and applying them.

A product list is filtered the same way whoever asks: the products route
(:class:`~jwst_lab.models.MastProductsQuery`), a download's
``product_filters`` (:func:`product_filters_from`, astroquery
``filter_products`` style) or either backend's rows (:func:`filter_product_rows`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import BadRequest
from ...models.base import FieldError, quoted
from ...models.mast import MastProductsQuery, product_tokens
from ..jwst_filenames import is_guidestar, obs_id_from_name
from ..mast_vocabulary import MRP, PRODUCT_FIELD_TYPES, PRODUCT_TYPES

#: The filters with names of their own; any other key of a download's filters is a column.
NAMED_FILTERS = frozenset(MastProductsQuery.model_fields) - {"source"}


@dataclass(frozen=True)
class ProductFilters:
    """Which products of an observation to list."""

    product_type: tuple[str, ...] = ()
    calib_level: tuple[int, ...] = ()
    subgroup: tuple[str, ...] = ()
    mrp_only: bool = False
    include_guidestar: bool = False
    #: astroquery ``filter_products`` style: (column, accepted values), e.g.
    #: ``("productSubGroupDescription", ("CAL", "I2D"))``.
    columns: tuple[tuple[str, tuple[str, ...]], ...] = ()
    extension: tuple[str, ...] = ()

    @classmethod
    def from_query(cls, query: MastProductsQuery) -> ProductFilters:
        """The filters of a products route's query."""
        return cls(
            product_type=query.product_type,
            calib_level=query.calib_level,
            subgroup=query.subgroup,
            mrp_only=query.mrp_only,
            include_guidestar=query.include_guidestar,
        )


def product_filters_from(filters: Mapping[str, Any] | None, prefix: str = "") -> ProductFilters:
    """A :class:`ProductFilters` from a dict (``product_type``, ``calib_level``, ...).

    A 400 names the field as ``prefix`` + key (``product_filters.`` for a download's body).
    """
    data = dict(filters or {})
    # astroquery's filter_products keywords: any product column, and ``extension``.
    columns: list[tuple[str, tuple[str, ...]]] = []
    for key in sorted(set(data) - NAMED_FILTERS - {"extension"}):
        if key not in PRODUCT_FIELD_TYPES:
            raise BadRequest(
                f"unknown product filter {quoted(key)}; use product_type, calib_level, "
                "subgroup, mrp_only, include_guidestar, extension or a product column",
                field=prefix + key,
            )
        raw = data.pop(key)
        items = raw if isinstance(raw, list | tuple) else [raw]
        if not items or not all(isinstance(v, str | int | float) for v in items):
            raise BadRequest(
                f"product filter {key} must be a value or a list of values", field=prefix + key
            )
        columns.append((key, tuple(str(v).strip().upper() for v in items)))
    extension_value = data.pop("extension", None) or ()
    raw_extensions: list[Any] = (
        [extension_value]
        if isinstance(extension_value, str)
        else list(extension_value)
        if isinstance(extension_value, list | tuple)
        else [None]
    )
    extensions = [e for e in raw_extensions if isinstance(e, str) and e]
    if len(extensions) != len(raw_extensions):
        raise BadRequest(
            "extension must be a file extension or a list of them", field=prefix + "extension"
        )
    product_type = _tokens(data.get("product_type"), prefix + "product_type")
    for value in product_type:
        if value not in PRODUCT_TYPES:
            raise BadRequest(
                f"product_type must be among {', '.join(PRODUCT_TYPES)}, not {value!r}",
                field=prefix + "product_type",
            )
    levels_value = data.get("calib_level") or ()
    if isinstance(levels_value, int | float | str):
        levels_value = [levels_value]
    if not isinstance(levels_value, list | tuple):
        raise BadRequest(
            "calib_level must be integers 0-4 or a list of them", field=prefix + "calib_level"
        )
    levels: list[int] = []
    for level in levels_value:
        if isinstance(level, float) and level.is_integer():
            level = int(level)
        text = str(level).strip() if isinstance(level, int | str) else ""
        if isinstance(level, bool) or not re.fullmatch(r"[0-4]", text):
            raise BadRequest(
                f"calib_level must be integers 0-4, not {quoted(str(level))}",
                field=prefix + "calib_level",
            )
        levels.append(int(text))
    for flag in ("mrp_only", "include_guidestar"):
        if not isinstance(data.get(flag, False), bool):
            raise BadRequest(f"{flag} must be true or false", field=prefix + flag)
    return ProductFilters(
        product_type=product_type,
        calib_level=tuple(sorted(set(levels))),
        subgroup=_tokens(data.get("subgroup"), prefix + "subgroup"),
        mrp_only=bool(data.get("mrp_only", False)),
        include_guidestar=bool(data.get("include_guidestar", False)),
        columns=tuple(columns),
        extension=tuple(extensions),
    )


def _tokens(value: Any, field: str) -> tuple[str, ...]:
    try:
        return product_tokens(value, field)
    except FieldError as error:
        raise BadRequest(str(error), field=field) from None


def filter_product_rows(
    rows: list[dict[str, Any]], filters: ProductFilters
) -> list[dict[str, Any]]:
    """Products kept by ``filters`` (type, level, subgroup, MRP, guide stars hidden)."""
    kept = []
    for row in rows:
        name = str(row.get("productFilename") or "")
        subgroup = str(row.get("productSubGroupDescription") or "").upper()
        if not filters.include_guidestar and (is_guidestar(name) or subgroup.startswith("GS-")):
            continue
        if (
            filters.product_type
            and str(row.get("productType") or "").upper() not in filters.product_type
        ):
            continue
        if filters.calib_level and row.get("calib_level") not in filters.calib_level:
            continue
        if filters.subgroup and subgroup not in filters.subgroup:
            continue
        if filters.mrp_only and row.get("productGroupDescription") != MRP:
            continue
        if filters.extension and not name.endswith(filters.extension):
            continue
        if any(_cell_text(row.get(column)) not in accepted for column, accepted in filters.columns):
            continue
        kept.append(row)
    return kept


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip().upper()


def row_from_uri(uri: str) -> dict[str, Any]:
    """The product row a ``dataURI`` implies (size and rights unknown: ``None``)."""
    collection = uri.split(":", 1)[1].split("/", 1)[0]
    filename = uri.rsplit("/", 1)[-1]
    return {
        "dataURI": uri,
        "productFilename": filename,
        "obs_collection": collection,
        "obs_id": obs_id_from_name(filename),
        "size": None,
        "dataRights": None,
    }
