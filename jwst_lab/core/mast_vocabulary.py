"""MAST's vocabulary: the columns, names and values of MAST's CAOM tables.

The observation and product columns with their types (in the order MAST's
answers list them), the collections and instruments a search may name, the
``dataRights`` and ``productType`` values, and how a few column values are
written (program numbers, filter lists, numbers, times as MJD). Both backends
answer with these names, the query models check against these values, and the
demo and the synthetic test data are written with them. Nothing here reads files
or asks MAST, so anything may import it.
"""

from __future__ import annotations

import math
import re
from typing import Any

#: JWST's collection (``obs_collection``), the one searched unless a request asks otherwise.
JWST_COLLECTION = "JWST"
#: Other MAST collections accepted by ``collection=`` (besides JWST and ``all``).
COLLECTIONS = (
    "JWST", "HST", "HLA", "HLSP", "TESS", "K2", "KEPLER", "GALEX", "IUE", "FUSE", "SWIFT",
    "PS1", "SPITZER_SHA", "EUVE", "HUT", "WUPPE", "BEFS", "TUES", "IMAPS", "KEPLERFFI",
)  # fmt: skip
#: JWST instruments (``instrument_name`` starts with one of these).
JWST_INSTRUMENTS = ("NIRCAM", "NIRSPEC", "NIRISS", "MIRI", "FGS")
#: Instruments of the other collections (instrument_name prefixes).
OTHER_INSTRUMENTS = (
    "ACS", "WFC3", "WFPC2", "STIS", "COS", "NICMOS", "FOS", "GHRS", "FOC", "WFPC", "HSP",
    "PHOTOMETER", "UVOT", "XRT", "BAT", "GALEX", "IRAC", "MIPS", "IRS", "SWP", "LWP", "LWR",
    "FUSE", "PS1", "GPC1",
)  # fmt: skip
#: ``dataRights`` values.
DATA_RIGHTS = ("PUBLIC", "EXCLUSIVE_ACCESS", "RESTRICTED")
#: The ``dataRights`` of products whose rights nobody recorded.
DEFAULT_RIGHTS = "PUBLIC"
#: ``productType`` values.
PRODUCT_TYPES = ("SCIENCE", "AUXILIARY", "INFO", "PREVIEW", "CALIBRATION", "THUMBNAIL")
#: The ``productGroupDescription`` of the products MAST recommends.
MRP = "Minimum Recommended Products"

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
OBS_FIELD_TYPES = dict(OBS_FIELDS)

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
PRODUCT_FIELD_TYPES = dict(PRODUCT_FIELDS)

#: A product's ``dataURI`` (``mast:JWST/product/<file>``), as every route that takes one checks it.
DATA_URI = re.compile(r"mast:[A-Za-z0-9_]+/[\w./\-]+")


def normalise_proposal(value: str) -> str:
    """``01075`` and ``1075`` are the same program."""
    text = value.strip()
    return text.lstrip("0") or text if text.isdigit() else text


def split_filters(value: str | None) -> list[str]:
    """Tokens of a MAST ``filters`` value (``F150W;CLEAR`` → ``[F150W, CLEAR]``)."""
    if not value:
        return []
    return [token.strip().upper() for token in re.split(r"[;,]", value) if token.strip()]


def finite_float(value: Any) -> float | None:
    """A float column's value: ``value`` as a finite float; None for NaN, infinity or no number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def mjd_from_iso(text: str) -> float:
    """Modified Julian Date (MAST's ``t_min``/``t_max`` scale) of an ISO date or date-time (UTC)."""
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
