"""MastService: MAST searches through astroquery, or the local archive, behind one interface.

Two backends answer the same questions with the same row shapes (MAST's CAOM
column names):

- ``mast``: astroquery's ``ObservationsClass``, an instance this service owns,
  with its URL attributes set from ``settings.mast_url`` (astroquery binds its
  URLs at import time, see FACTS.md) and its HTTP session given a timeout.
  Target names are resolved here, through ``settings.mast_resolver_url``
  (MAST's SANTA protocol), so the resolver is a setting too.
- ``local``: :class:`~jwst_lab.core.archive.LocalArchive`.

``archive_backend = auto`` asks MAST and falls back to the local archive when
MAST does not answer; ``source=mast|local`` picks one per request. Every
answer carries a ``python`` field: the astroquery code that asks MAST the same
question. JSON is always valid: masked values and NaN become ``null``.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import anyio
import anyio.to_thread
import requests
import requests.adapters

from ..config import Settings
from ..errors import BadRequest, JwstLabError, NotFound, UpstreamError
from .archive import (
    JWST_INSTRUMENTS,
    OBS_FIELDS,
    PRODUCT_FIELDS,
    ArchiveError,
    LocalArchive,
    Query,
    is_guidestar,
    mjd_from_iso,
    normalise_proposal,
    split_filters,
)
from .token import TokenStore

log = logging.getLogger(__name__)

Source = Literal["mast", "local"]
T = TypeVar("T")

DEFAULT_RADIUS = 0.2
MAX_RADIUS = 3.0
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 10_000
#: Other MAST collections accepted by ``collection=`` (besides JWST and ``all``).
COLLECTIONS = (
    "JWST", "HST", "HLA", "HLSP", "TESS", "K2", "KEPLER", "GALEX", "IUE", "FUSE", "SWIFT",
    "PS1", "SPITZER_SHA", "EUVE", "HUT", "WUPPE", "BEFS", "TUES", "IMAPS", "KEPLERFFI",
)  # fmt: skip
#: Instruments of the other collections (instrument_name prefixes).
OTHER_INSTRUMENTS = (
    "ACS", "WFC3", "WFPC2", "STIS", "COS", "NICMOS", "FOS", "GHRS", "FOC", "WFPC", "HSP",
    "PHOTOMETER", "UVOT", "XRT", "BAT", "GALEX", "IRAC", "MIPS", "IRS", "SWP", "LWP", "LWR",
    "FUSE", "PS1", "GPC1",
)  # fmt: skip
DATA_RIGHTS = ("PUBLIC", "EXCLUSIVE_ACCESS", "RESTRICTED")
PRODUCT_TYPES = ("SCIENCE", "AUXILIARY", "INFO", "PREVIEW", "CALIBRATION", "THUMBNAIL")
MRP = "Minimum Recommended Products"
#: How long a MAST failure sends ``auto`` searches straight to the local archive.
MAST_DOWN_SECONDS = 60.0
_SAFE_TEXT = re.compile(r"^[\w .+\-*/:;,'()\[\]#]{1,200}$")
#: ISO 8601 dates and date-times as t_min / t_max take them (ASCII digits only).
_ISO_DATE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?"
)
_INTEGER = re.compile(r"[+-]?[0-9]{1,24}")
#: MAST obsids are numbers; local obs_ids are ASCII names (jw01234-o001_t001_nircam_clear-f150w).
_OBSID = re.compile(r"[A-Za-z0-9_.\-]{1,80}")
#: The highest page of a search (with MAX_PAGE_SIZE rows a page: 10^11 rows, inside 64 bits).
MAX_PAGE = 10_000_000
_FIELD_TYPES = dict(OBS_FIELDS)
_PRODUCT_TYPES = dict(PRODUCT_FIELDS)


@dataclass(frozen=True)
class SearchParams:
    """A validated observation search (``GET /mast/observations``)."""

    target: str | None = None
    ra: float | None = None
    dec: float | None = None
    radius: float | None = None
    collection: str | None = "JWST"
    instrument: str | None = None
    filters: tuple[str, ...] = ()
    proposal_id: str | None = None
    calib_level: tuple[int, ...] = ()
    data_rights: str | None = None
    t_min: str | None = None
    t_max: str | None = None
    include_guidestar: bool = False
    source: Source | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    sort: str | None = None
    descending: bool = False

    @property
    def t_min_mjd(self) -> float | None:
        """``t_min`` as MJD."""
        return mjd_from_iso(self.t_min) if self.t_min else None

    @property
    def t_max_mjd(self) -> float | None:
        """``t_max`` as MJD (a bare date means the end of that day)."""
        if not self.t_max:
            return None
        value = mjd_from_iso(self.t_max)
        return value + 1.0 - 1e-9 if len(self.t_max.strip()) == 10 else value


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


# --- input parsing --------------------------------------------------------------------


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 60 else repr(text[:60]) + "..."


def _float_arg(args: Mapping[str, str], name: str) -> float | None:
    text = args.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise BadRequest(
            f"{name} must be a number in degrees, not {_shown(text)}", field=name
        ) from None
    if not math.isfinite(value):
        raise BadRequest(f"{name} must be a finite number", field=name)
    return value


def _int_arg(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = args.get(name, "").strip()
    if not text:
        return default
    # int() alone would take '1_000', non-ASCII digits, and 5,000 digits (a ValueError).
    if not _INTEGER.fullmatch(text):
        raise BadRequest(
            f"{name} must be an integer between {low} and {high}, not {_shown(text)}", field=name
        )
    value = int(text)
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}, not {value}", field=name)
    return value


def _bool_arg(args: Mapping[str, str], name: str) -> bool:
    text = args.get(name, "").strip().lower()
    if text in ("", "0", "false", "no"):
        return False
    if text in ("1", "true", "yes"):
        return True
    raise BadRequest(f"{name} must be true or false, not {_shown(text)}", field=name)


def _levels(args: Mapping[str, str], name: str = "calib_level") -> tuple[int, ...]:
    text = args.get(name, "").strip()
    if not text:
        return ()
    levels: list[int] = []
    for token in re.split(r"[,;\s]+", text):
        if not token:
            continue
        # str.isdigit() is true for '²', which int() refuses: ASCII digits only.
        if not re.fullmatch(r"[0-4]", token):
            raise BadRequest(
                f"{name} must be levels 0-4 separated by commas, not {_shown(text)}", field=name
            )
        levels.append(int(token))
    return tuple(sorted(set(levels)))


def _source(args: Mapping[str, str]) -> Source | None:
    text = args.get("source", "").strip().lower()
    if not text:
        return None
    if text not in ("mast", "local"):
        raise BadRequest(f"source must be 'mast' or 'local', not {_shown(text)}", field="source")
    return "mast" if text == "mast" else "local"


def _text_arg(args: Mapping[str, str], name: str) -> str | None:
    text = args.get(name, "").strip()
    if not text:
        return None
    if not _SAFE_TEXT.match(text):
        raise BadRequest(
            f"{name} contains characters that are not allowed (or is over 200): {_shown(text)}",
            field=name,
        )
    return text


def _iso_arg(args: Mapping[str, str], name: str) -> str | None:
    text = args.get(name, "").strip()
    if not text:
        return None
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        mjd_from_iso(text)
    except (ValueError, OverflowError):
        raise BadRequest(
            f"{name} must be an ISO date like 2023-01-31 (or 2023-01-31T12:00:00), "
            f"not {_shown(text)}",
            field=name,
        ) from None
    return text


SEARCH_PARAMETERS = frozenset(
    {
        "target", "ra", "dec", "radius", "collection", "instrument", "filters", "proposal_id",
        "calib_level", "data_rights", "t_min", "t_max", "include_guidestar", "source", "page",
        "page_size", "sort",
    }
)  # fmt: skip


def parse_search(args: Mapping[str, str]) -> SearchParams:
    """Validate the query of ``GET /mast/observations``; a 400 names the field at fault."""
    unknown = sorted(set(args) - SEARCH_PARAMETERS)
    if unknown:
        raise BadRequest(
            f"unknown query parameter {_shown(unknown[0])}; "
            f"known: {', '.join(sorted(SEARCH_PARAMETERS))}",
            field=unknown[0],
        )
    target = _text_arg(args, "target")
    ra = _float_arg(args, "ra")
    dec = _float_arg(args, "dec")
    radius = _float_arg(args, "radius")
    if (ra is None) != (dec is None):
        raise BadRequest(
            "ra and dec must be given together" if ra is None else "dec is missing",
            field="ra" if ra is None else "dec",
        )
    if ra is not None and not 0.0 <= ra < 360.0:
        raise BadRequest(f"ra must be in [0, 360) degrees, not {ra}", field="ra")
    if dec is not None and not -90.0 <= dec <= 90.0:
        raise BadRequest(f"dec must be in [-90, 90] degrees, not {dec}", field="dec")
    if target and ra is not None:
        raise BadRequest("target and ra/dec cannot both be given; use one", field="target")
    if radius is not None:
        if ra is None and not target:
            raise BadRequest("radius needs a target or ra and dec", field="radius")
        if radius <= 0.0:
            raise BadRequest(f"radius must be greater than 0 degrees, not {radius}", field="radius")
        if radius > MAX_RADIUS:
            raise BadRequest(
                f"radius must be at most {MAX_RADIUS} degrees, not {radius}", field="radius"
            )
    if (target or ra is not None) and radius is None:
        radius = DEFAULT_RADIUS
    collection_text = args.get("collection", "").strip()
    collection: str | None = "JWST"
    if collection_text:
        upper = collection_text.upper()
        if upper == "ALL":
            collection = None
        elif upper in COLLECTIONS:
            collection = upper
        else:
            raise BadRequest(
                f"collection {_shown(collection_text)} is unknown; use JWST (default), all, or "
                f"one of {', '.join(COLLECTIONS)}",
                field="collection",
            )
    instrument = _text_arg(args, "instrument")
    if instrument:
        instrument = instrument.upper().rstrip("*")
        head = instrument.split("/", 1)[0]
        known = JWST_INSTRUMENTS if collection == "JWST" else JWST_INSTRUMENTS + OTHER_INSTRUMENTS
        if head not in known:
            raise BadRequest(
                f"instrument {instrument!r} is unknown"
                + (" for JWST" if collection == "JWST" else "")
                + f"; known: {', '.join(known)}",
                field="instrument",
            )
    filters_text = _text_arg(args, "filters")
    filters = tuple(dict.fromkeys(split_filters(filters_text))) if filters_text else ()
    proposal = _text_arg(args, "proposal_id")
    if proposal and not re.fullmatch(r"[0-9]{1,6}", proposal):
        raise BadRequest(
            f"proposal_id must be a program number like 1075, not {_shown(proposal)}",
            field="proposal_id",
        )
    rights = args.get("data_rights", "").strip().upper() or None
    if rights and rights not in DATA_RIGHTS:
        raise BadRequest(
            f"data_rights must be one of {', '.join(DATA_RIGHTS)}, not {_shown(rights)}",
            field="data_rights",
        )
    t_min = _iso_arg(args, "t_min")
    t_max = _iso_arg(args, "t_max")
    sort = args.get("sort", "").strip() or None
    descending = False
    if sort:
        descending = sort.startswith("-")
        sort = sort.lstrip("-")
        if sort not in _FIELD_TYPES:
            raise BadRequest(
                f"sort must be an observation column (optionally with -), not {_shown(sort)}",
                field="sort",
            )
    params = SearchParams(
        target=target,
        ra=ra,
        dec=dec,
        radius=radius,
        collection=collection,
        instrument=instrument,
        filters=filters,
        proposal_id=normalise_proposal(proposal) if proposal else None,
        calib_level=_levels(args),
        data_rights=rights,
        t_min=t_min,
        t_max=t_max,
        include_guidestar=_bool_arg(args, "include_guidestar"),
        source=_source(args),
        page=_int_arg(args, "page", 1, 1, MAX_PAGE),
        page_size=_int_arg(args, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
        sort=sort,
        descending=descending,
    )
    if params.t_min and params.t_max and (params.t_min_mjd or 0) > (params.t_max_mjd or 0):
        raise BadRequest("t_min must not be later than t_max", field="t_min")
    narrowing = (
        target, ra, instrument, filters, params.proposal_id, params.calib_level, rights, t_min,
        t_max,
    )  # fmt: skip
    if not any(narrowing):
        raise BadRequest(
            "criteria are empty: give a target, ra/dec, instrument, filters, proposal_id, "
            "calib_level, data_rights, t_min or t_max",
            field="target",
        )
    return params


PRODUCT_PARAMETERS = frozenset(
    {"source", "product_type", "calib_level", "subgroup", "mrp_only", "include_guidestar"}
)


def parse_product_filters(args: Mapping[str, str]) -> tuple[Source | None, ProductFilters]:
    """Validate the query of ``GET /mast/observations/{obsid}/products``."""
    unknown = sorted(set(args) - PRODUCT_PARAMETERS)
    if unknown:
        raise BadRequest(
            f"unknown query parameter {_shown(unknown[0])}; "
            f"known: {', '.join(sorted(PRODUCT_PARAMETERS))}",
            field=unknown[0],
        )
    return _source(args), product_filters_from(
        {
            "product_type": args.get("product_type", ""),
            "calib_level": _levels(args),
            "subgroup": args.get("subgroup", ""),
            "mrp_only": _bool_arg(args, "mrp_only"),
            "include_guidestar": _bool_arg(args, "include_guidestar"),
        }
    )


def _tokens(value: Any, name: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if not isinstance(value, str | list | tuple):
        raise BadRequest(f"{name} must be text or a list of text", field=name)
    items = re.split(r"[,;]", value) if isinstance(value, str) else list(value)
    tokens = []
    for item in items:
        if not isinstance(item, str):
            raise BadRequest(f"{name} must be text or a list of text", field=name)
        token = item.strip().upper()
        if token:
            if not re.fullmatch(r"[A-Z0-9_\-]{1,40}", token):
                raise BadRequest(f"{name} value {_shown(token)} is not valid", field=name)
            tokens.append(token)
    return tuple(tokens)


def product_filters_from(filters: Mapping[str, Any] | None, prefix: str = "") -> ProductFilters:
    """A :class:`ProductFilters` from a dict (``product_type``, ``calib_level``, ...).

    A 400 names the field as ``prefix`` + key (``product_filters.`` for a download's body).
    """
    data = dict(filters or {})
    # astroquery's filter_products keywords: any product column, and ``extension``.
    columns: list[tuple[str, tuple[str, ...]]] = []
    for key in sorted(set(data) - (PRODUCT_PARAMETERS - {"source"}) - {"extension"}):
        if key not in _PRODUCT_TYPES:
            raise BadRequest(
                f"unknown product filter {_shown(key)}; use product_type, calib_level, "
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
                f"calib_level must be integers 0-4, not {_shown(str(level))}",
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


# --- JSON-safe rows ------------------------------------------------------------------


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
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        return number if math.isfinite(number) else None
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


def _dtype_kind(dtype: Any) -> str:
    kind = getattr(dtype, "kind", "U")
    return {"i": "int", "u": "int", "f": "float", "b": "boolean"}.get(kind, "string")


def _columns(fields: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "type": kind} for name, kind in fields]


# --- the python snippets -----------------------------------------------------------------


def search_snippet(params: SearchParams) -> str:
    """The astroquery code that asks MAST the same question."""
    criteria: list[str] = []
    if params.target:
        criteria.append(f"objectname={params.target!r},")
    if params.ra is not None:
        criteria.append(f'coordinates="{params.ra} {params.dec}",')
    if params.radius is not None and (params.target or params.ra is not None):
        criteria.append(f'radius="{params.radius} deg",')
    if params.collection:
        criteria.append(f"obs_collection={params.collection!r},")
    if params.instrument:
        criteria.append(f"instrument_name={params.instrument + '*'!r},")
    if params.filters:
        criteria.append(f"filters={list(params.filters)!r},")
    if params.proposal_id:
        criteria.append(f"proposal_id={params.proposal_id!r},")
    if params.calib_level:
        criteria.append(f"calib_level={list(params.calib_level)!r},")
    if params.data_rights:
        criteria.append(f"dataRights={params.data_rights!r},")
    if params.t_min:
        criteria.append(f"t_max=[{params.t_min_mjd:.5f}, 99999.0],  # ends after {params.t_min}")
    if params.t_max:
        criteria.append(f"t_min=[0.0, {params.t_max_mjd:.5f}],  # starts before {params.t_max}")
    body = "".join(f"\n    {c}" for c in criteria)
    return (
        "from astroquery.mast import Observations\n\n"
        f"observations = Observations.query_criteria({body}\n)"
    )


def products_snippet(obsid: str, filters: ProductFilters) -> str:
    """The astroquery code that lists (and filters) the same products."""
    lines = [
        "from astroquery.mast import Observations",
        "",
        f"products = Observations.get_product_list({obsid!r})",
    ]
    arguments = []
    if filters.product_type:
        arguments.append(f"productType={list(filters.product_type)!r}")
    if filters.calib_level:
        arguments.append(f"calib_level={list(filters.calib_level)!r}")
    if filters.subgroup:
        arguments.append(f"productSubGroupDescription={list(filters.subgroup)!r}")
    if filters.mrp_only:
        arguments.append("mrp_only=True")
    if filters.extension:
        arguments.append(f"extension={list(filters.extension)!r}")
    for column, accepted in filters.columns:
        arguments.append(f"{column}={list(accepted)!r}")
    if arguments:
        lines.append(f"products = Observations.filter_products(products, {', '.join(arguments)})")
    if not filters.include_guidestar:
        lines.append(
            "products = products[['_gs-' not in str(name) for name in products['productFilename']]]"
            "  # hide guide-star products"
        )
    return "\n".join(lines)


# --- the service ----------------------------------------------------------------------------


class MastService:
    """MAST searches and product lists, from MAST (astroquery) or the local archive."""

    def __init__(
        self,
        settings: Settings,
        *,
        tokens: TokenStore | None = None,
        timeout: float | None = None,
    ) -> None:
        from .token import TOKEN_STORE

        self.settings = settings
        self.tokens = tokens or TOKEN_STORE
        self.timeout = float(timeout or getattr(settings, "mast_timeout", 30.0) or 30.0)
        self._observations: Any = None
        self._mast_lock = threading.Lock()
        self._archive: LocalArchive | None = None
        self._archive_lock = threading.Lock()
        self._archive_refreshed = False
        self._mast_down_until = 0.0
        self._resolver_down_until = 0.0
        self._resolved: dict[str, tuple[float, float] | None] = {}

    # --- backend choice ------------------------------------------------------------

    @property
    def backend(self) -> str:
        """The configured backend: ``auto``, ``mast`` or ``local``."""
        return self.settings.archive_backend

    def _sources(self, requested: Source | None) -> list[Source]:
        if requested:
            return [requested]
        if self.backend == "mast":
            return ["mast"]
        if self.backend == "local":
            return ["local"]
        if time.monotonic() < self._mast_down_until and self.local_available():
            return ["local"]
        return ["mast", "local"]

    async def _run(
        self, requested: Source | None, work: Callable[[Source], T]
    ) -> tuple[T, Source, str | None]:
        """Run ``work`` on the first source that answers; ``auto`` falls back to local."""
        sources = self._sources(requested)
        failure: str | None = None
        for index, source in enumerate(sources):
            try:
                result = await self._in_thread(functools.partial(work, source), source)
            except UpstreamError as error:
                if index + 1 < len(sources) and self.local_available():
                    self._mast_down_until = time.monotonic() + MAST_DOWN_SECONDS
                    failure = error.message
                    log.warning("MAST did not answer; using the local archive: %s", error.message)
                    continue
                raise
            return result, source, failure
        raise UpstreamError("no archive backend answered")  # pragma: no cover - loop returns

    async def _in_thread(self, work: Callable[[], T], source: Source) -> T:
        limit = self.timeout * 2 + 5 if source == "mast" else 120.0
        try:
            with anyio.fail_after(limit):
                return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
        except TimeoutError:
            raise UpstreamError(
                f"MAST ({self.settings.mast_url}) did not answer within {limit:.0f} s"
                if source == "mast"
                else f"the local archive did not answer within {limit:.0f} s"
            ) from None

    # --- the local archive -------------------------------------------------------------

    def local_available(self) -> bool:
        """True when a local archive index exists or can be built from local_archive_dir."""
        index = Path(self.settings.local_archive_index)
        return index.is_file() or bool(
            self.settings.local_archive_dir and Path(self.settings.local_archive_dir).is_dir()
        )

    def archive(self) -> LocalArchive:
        """The local archive (indexing ``local_archive_dir`` once, incrementally, on first use)."""
        with self._archive_lock:
            if self._archive is None:
                index = Path(self.settings.local_archive_index)
                folder = self.settings.local_archive_dir
                if folder is None and not index.is_file():
                    raise NotFound(
                        "there is no local archive: set c.JwstLabApp.local_archive_dir or index "
                        f"a folder with `jwst-lab index DIR --index {index}`"
                    )
                try:
                    writable = folder is not None
                    archive = LocalArchive(index, readonly=not writable)
                    if folder is not None and not self._archive_refreshed:
                        self._archive_refreshed = True
                        if archive.count_observations():
                            # Searches answer from the existing index while it is refreshed.
                            threading.Thread(
                                target=self._refresh, args=(archive, folder), daemon=True
                            ).start()
                        else:
                            self._refresh(archive, folder)
                    self._archive = archive
                except (ArchiveError, OSError) as error:
                    self._archive = None
                    raise NotFound(f"the local archive cannot be used: {error}") from None
            return self._archive

    @staticmethod
    def _refresh(archive: LocalArchive, folder: Path) -> None:
        """Index ``folder`` incrementally (only new or changed files are read)."""
        try:
            report = archive.index(folder)
        except (ArchiveError, OSError) as error:
            log.warning("indexing the local archive %s failed: %s", folder, error)
            return
        log.info(
            "local archive %s: %d observations (%d files read, %d removed)",
            folder,
            report.observations,
            report.read,
            report.removed,
        )

    # --- MAST through astroquery ------------------------------------------------------

    def observations_client(self) -> Any:
        """The astroquery ``ObservationsClass`` this service owns, pointed at ``mast_url``."""
        if self._observations is None:
            from astroquery.mast import ObservationsClass

            base = self.settings.mast_url.rstrip("/")
            client = ObservationsClass()
            portal = client._portal_api_connection
            portal.MAST_REQUEST_URL = base + "/api/v0/invoke"
            portal.COLUMNS_CONFIG_URL = base + "/portal/Mashup/Mashup.asmx/columnsconfig"
            portal.MAST_DOWNLOAD_URL = base + "/api/v0.1/Download/file"
            portal.MAST_BUNDLE_URL = base + "/api/v0.1/Download/bundle"
            portal.TIMEOUT = self.timeout
            portal._column_configs = {}  # this instance's own cache, not the class-wide one
            service = client._service_api_connection
            service.SERVICE_URL = base
            service.REQUEST_URL = base + "/api/v0.1/"
            service.MAST_DOWNLOAD_URL = base + "/api/v0.1/Download/file"
            client._auth_obj.SESSION_INFO_URL = base + "/whoami"
            adapter = _TimeoutAdapter(self.timeout)
            client._session.mount("http://", adapter)
            client._session.mount("https://", adapter)
            self._observations = client
        return self._observations

    def _with_client(self, work: Callable[[Any], T]) -> T:
        """Run ``work(client)`` holding the client (astroquery keeps per-call state on it)."""
        if not self._mast_lock.acquire(timeout=self.timeout):
            raise UpstreamError(f"MAST ({self.settings.mast_url}) is busy; try again")
        try:
            client = self.observations_client()
            token = self.tokens.get()
            if token:
                client._session.cookies.set("mast_token", token)
            else:
                client._session.cookies.pop("mast_token", None)
            try:
                return work(client)
            except JwstLabError:
                raise
            except Exception as error:
                raise _upstream(self.settings.mast_url, error) from None
        finally:
            self._mast_lock.release()

    def resolve(self, target: str, *, timeout: float | None = None) -> tuple[float, float]:
        """RA, Dec (degrees) of a target name from MAST's name resolver; 404 if unknown."""
        key = target.strip().lower()
        if key in self._resolved:
            cached = self._resolved[key]
            if cached is None:
                raise NotFound(f"target {target!r} could not be resolved to a sky position")
            return cached
        url = self.settings.mast_resolver_url
        try:
            response = requests.get(
                url,
                params={"name": target, "outputFormat": "json", "resolveAll": "false"},
                timeout=timeout or self.timeout,
                headers={"Accept": "application/json"},
            )
            response.raise_for_status()
            data = response.json()
        except Exception as error:
            raise UpstreamError(
                f"MAST's name resolver ({url}) failed for {target!r}: "
                f"{type(error).__name__}: {_short(error)}"
            ) from None
        entries = data.get("resolvedCoordinate") if isinstance(data, dict) else None
        entries = [e for e in entries or [] if isinstance(e, dict)]
        match = next((e for e in entries if str(e.get("searchString", "")).lower() == key), None)
        match = match or (entries[0] if entries else None)
        if not match or _float_or_none(match.get("ra")) is None:
            self._resolved[key] = None
            raise NotFound(f"target {target!r} could not be resolved to a sky position")
        position = (float(match["ra"]), float(match["decl"]))
        self._resolved[key] = position
        return position

    # --- searching --------------------------------------------------------------------

    async def search(self, params: SearchParams) -> dict[str, Any]:
        """``GET /mast/observations``: rows, total, page, page_size, columns, source, python."""
        (rows, total, columns), source, fallback = await self._run(
            params.source, functools.partial(self._search_sync, params)
        )
        answer: dict[str, Any] = {
            "rows": rows,
            "total": total,
            "page": params.page,
            "page_size": params.page_size,
            "columns": columns,
            "source": source,
            "python": search_snippet(params),
        }
        if fallback:
            answer["notice"] = (
                f"MAST did not answer ({fallback}); these rows are from the local archive"
            )
        return answer

    def _search_sync(
        self, params: SearchParams, source: Source
    ) -> tuple[list[dict[str, Any]], int, list[dict[str, str]]]:
        if source == "local":
            return self._search_local(params)
        return self._search_mast(params)

    def _search_local(
        self, params: SearchParams
    ) -> tuple[list[dict[str, Any]], int, list[dict[str, str]]]:
        archive = self.archive()
        query = Query(
            ra=params.ra,
            dec=params.dec,
            radius=params.radius if params.ra is not None else None,
            collection=params.collection,
            instrument=params.instrument,
            filters=params.filters,
            proposal_id=params.proposal_id,
            calib_level=params.calib_level,
            data_rights=params.data_rights,
            t_min=params.t_min_mjd,
            t_max=params.t_max_mjd,
            include_guidestar=params.include_guidestar,
            sort=params.sort,
            descending=params.descending,
            offset=(params.page - 1) * params.page_size,
            limit=params.page_size,
        )
        if params.target:
            # Recorded target names match offline; the resolver adds a cone when it answers.
            named = replace(query, target_name=params.target, offset=0, limit=1)
            _, by_name = archive.search(named)
            position = None
            try:
                if by_name and time.monotonic() < self._resolver_down_until:
                    raise UpstreamError("the name resolver did not answer a moment ago")
                position = self.resolve(params.target, timeout=min(self.timeout, 5.0))
            except NotFound:
                if not by_name:
                    raise
            except UpstreamError as error:
                self._resolver_down_until = time.monotonic() + MAST_DOWN_SECONDS
                if not by_name:
                    raise NotFound(
                        f"target {params.target!r} matches no observation name in the local "
                        f"archive, and the name resolver is unavailable ({error.message})"
                    ) from None
            if position is not None:
                query = replace(
                    query, ra=position[0], dec=position[1], radius=params.radius,
                    target_name=params.target,
                )  # fmt: skip
            else:
                query = replace(query, target_name=params.target)
        try:
            rows, total = archive.search(query)
        except ValueError as error:
            raise BadRequest(str(error), field="sort") from None
        return rows, total, _columns(OBS_FIELDS)

    def _search_mast(
        self, params: SearchParams
    ) -> tuple[list[dict[str, Any]], int, list[dict[str, str]]]:
        criteria: dict[str, Any] = {}
        if params.target:
            ra, dec = self.resolve(params.target)
            criteria["coordinates"] = f"{ra} {dec}"
        elif params.ra is not None:
            criteria["coordinates"] = f"{params.ra} {params.dec}"
        if "coordinates" in criteria:
            criteria["radius"] = f"{params.radius} deg"
        if params.collection:
            criteria["obs_collection"] = params.collection
        if params.instrument:
            criteria["instrument_name"] = params.instrument + "*"
        if params.filters:
            criteria["filters"] = list(params.filters)
        if params.proposal_id:
            criteria["proposal_id"] = params.proposal_id
        if params.calib_level:
            criteria["calib_level"] = list(params.calib_level)
        if params.data_rights:
            criteria["dataRights"] = params.data_rights
        if params.t_min:
            criteria["t_max"] = [params.t_min_mjd, 99999.0]
        if params.t_max:
            criteria["t_min"] = [0.0, params.t_max_mjd]

        def work(client: Any) -> tuple[list[dict[str, Any]], int, list[dict[str, str]]]:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                positional = {"coordinates", "radius"}
                if set(criteria) <= positional:  # a bare cone (collection=all): Mast.Caom.Cone
                    responses = client.query_region_async(
                        criteria["coordinates"],
                        radius=criteria["radius"],
                        page=params.page,
                        pagesize=params.page_size,
                    )
                else:
                    responses = client.query_criteria_async(
                        page=params.page, pagesize=params.page_size, **criteria
                    )
                payload = responses[0].json()
                if payload.get("status") == "ERROR":
                    raise UpstreamError(
                        f"MAST ({self.settings.mast_url}) answered an error: "
                        f"{payload.get('msg') or 'no message'}"
                    )
                table = _parse_once(client, payload)
            fields = {f["name"]: f.get("type", "string") for f in payload.get("fields", [])}
            fields = {
                name: _mast_kind(kind, _FIELD_TYPES.get(name)) for name, kind in fields.items()
            }
            rows, columns = table_rows(table, fields)
            paging = payload.get("paging") or {}
            total = int(paging.get("rowsFiltered", paging.get("rowsTotal", len(rows))) or 0)
            if params.sort:  # MAST pages unsorted: this sorts within the page
                column = params.sort
                rows.sort(
                    key=lambda r: (r.get(column) is None, r.get(column) or 0),
                    reverse=params.descending,
                )
            return rows, total, columns

        return self._with_client(work)

    # --- products ---------------------------------------------------------------------

    async def products(
        self, obsid: str, source: Source | None, filters: ProductFilters
    ) -> dict[str, Any]:
        """``GET /mast/observations/{obsid}/products``: rows, columns, total, python."""
        if source is None and not obsid.isdigit() and self.backend != "mast":
            source = "local"  # MAST's obsids are numbers; a name is a local obs_id
        rows, used, fallback = await self._run(
            source, functools.partial(self._products_sync, obsid, filters)
        )
        fields = list(PRODUCT_FIELDS)
        if used == "local":
            fields.append(("local_path", "string"))
        answer: dict[str, Any] = {
            "obsid": obsid,
            "rows": rows,
            "total": len(rows),
            "columns": _columns(fields),
            "source": used,
            "python": products_snippet(obsid, filters),
        }
        if fallback:
            answer["notice"] = (
                f"MAST did not answer ({fallback}); these rows are from the local archive"
            )
        return answer

    async def list_products(
        self, source: str, obsid: str, filters: Mapping[str, Any] | None
    ) -> list[dict[str, Any]]:
        """Product rows of one observation (for downloads): dataURI, productFilename, size, ...

        Local rows also carry ``local_path`` (absolute). ``filters`` takes the keys of
        :class:`ProductFilters`.
        """
        chosen = _checked_source(source)
        rows, _, _ = await self._run(
            chosen,
            functools.partial(
                self._products_sync,
                str(obsid),
                product_filters_from(filters, prefix="product_filters."),
                field="obsids",
            ),
        )
        return rows

    async def products_for_uris(self, source: str, uris: Sequence[str]) -> list[dict[str, Any]]:
        """Product rows for ``dataURI`` values (``mast:JWST/product/<file>``); unknown ones skipped.

        For MAST, rows are built from the URI (size unknown: ``None``) since MAST has no
        look-up by URI in the portal API; for the local archive they come from the index.
        """
        chosen = _checked_source(source)
        for uri in uris:
            if not isinstance(uri, str) or not re.fullmatch(r"mast:[A-Za-z0-9_]+/[\w./\-]+", uri):
                raise BadRequest(
                    "products must be MAST data URIs like mast:JWST/product/x.fits, "
                    f"not {str(uri)[:80]!r}",
                    field="products",
                )
        if chosen == "local":
            rows, _, _ = await self._run(
                "local", lambda _source: self.archive().products_for_uris(list(uris))
            )
            return rows
        return [_row_from_uri(uri) for uri in uris]

    def _products_sync(
        self, obsid: str, filters: ProductFilters, source: Source, *, field: str = "obsid"
    ) -> list[dict[str, Any]]:
        if not _OBSID.fullmatch(obsid):
            raise BadRequest(f"obsid {obsid[:80]!r} is not an observation id", field=field)
        if source == "mast" and not obsid.isdigit():
            raise BadRequest(
                f"obsid {obsid!r} is not a MAST obsid (a number like 87602012)", field=field
            )
        if source == "local":
            rows = self.archive().products(obsid)
            if rows is None:
                raise NotFound(f"observation {obsid!r} is not in the local archive")
        else:
            rows = self._with_client(lambda client: self._mast_products(client, obsid))
        return filter_product_rows(rows, filters)

    def _mast_products(self, client: Any, obsid: str) -> list[dict[str, Any]]:
        import warnings

        from astroquery.exceptions import InvalidQueryError

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                responses = client.get_product_list_async(obsid)
            except InvalidQueryError as error:
                raise BadRequest(f"obsid: {error}", field="obsid") from None
            payload = responses[0].json()
            if payload.get("status") == "ERROR":
                raise UpstreamError(
                    f"MAST ({self.settings.mast_url}) answered an error: "
                    f"{payload.get('msg') or 'no message'}"
                )
            table = _parse_once(client, payload)
        fields = {
            f["name"]: _mast_kind(f.get("type", "string"), _PRODUCT_TYPES.get(f["name"]))
            for f in payload.get("fields", [])
        }
        rows, _ = table_rows(table, fields)
        if not rows:
            raise NotFound(f"MAST lists no products for observation {obsid!r}")
        return rows


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


def _parse_once(client: Any, payload: dict[str, Any]) -> Any:
    """astroquery's own JSON → Table conversion, on the answer already decoded.

    ``ObservationsClass._parse_result`` would decode the body again and copy the
    table through ``vstack``; a single page needs neither.
    """
    from astroquery.mast.discovery_portal import _json_to_table

    portal = client._portal_api_connection
    service, portal._current_service = portal._current_service, None
    return _json_to_table(payload, portal._column_configs.get(service) if service else None)


def _checked_source(source: str) -> Source:
    if source not in ("mast", "local"):
        raise BadRequest(f"source must be 'mast' or 'local', not {source!r}", field="source")
    return "mast" if source == "mast" else "local"


def _row_from_uri(uri: str) -> dict[str, Any]:
    collection = uri.split(":", 1)[1].split("/", 1)[0]
    filename = uri.rsplit("/", 1)[-1]
    stem = filename.split(".", 1)[0]
    obs_id = stem.rsplit("_", 1)[0] if "_" in stem else stem
    return {
        "dataURI": uri,
        "productFilename": filename,
        "obs_collection": collection,
        "obs_id": obs_id,
        "size": None,
        "dataRights": None,
    }


def _mast_kind(kind: str, known: str | None) -> str:
    if known:
        return known
    lowered = str(kind).lower()
    if lowered in ("int", "long", "short", "integer"):
        return "int"
    if lowered in ("float", "double", "real"):
        return "float"
    if lowered in ("boolean", "bool"):
        return "boolean"
    return "string"


def _float_or_none(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _short(error: BaseException, limit: int = 300) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= limit else text[:limit] + "..."


def _upstream(url: str, error: BaseException) -> UpstreamError:
    """A 502 that says what MAST did (timeouts, refused connections, HTTP errors)."""
    if isinstance(error, (requests.Timeout, TimeoutError)):
        what = "timed out"
    elif isinstance(error, requests.ConnectionError):
        what = "could not be reached"
    elif isinstance(error, requests.HTTPError) and error.response is not None:
        what = f"answered HTTP {error.response.status_code}"
    else:
        what = "failed"
    return UpstreamError(f"MAST ({url}) {what}: {type(error).__name__}: {_short(error)}")


class _TimeoutAdapter(requests.adapters.HTTPAdapter):
    """An HTTP adapter that gives every request of the astroquery session a timeout."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def send(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Send with the default timeout unless the caller gave one."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)
