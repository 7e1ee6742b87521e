"""MAST routes: the search and product-list queries, their answers, and the token.

``GET /mast/observations`` and ``GET /mast/observations/{obsid}/products``
take query strings. :class:`MastSearchQuery` and :class:`MastProductsQuery`
turn their text into typed values with the routes' checks (ASCII digits only,
ISO dates, bounds, MAST's vocabulary); :func:`~jwst_lab.models.base.parse_query`
makes the first problem a 400 whose ``field`` is the query parameter. Fields
are declared in the order they are checked, so that with several problems
the same one is reported first as it always was.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..core.mast_vocabulary import (
    COLLECTIONS,
    DATA_RIGHTS,
    DATA_URI,
    JWST_COLLECTION,
    JWST_INSTRUMENTS,
    OBS_FIELD_TYPES,
    OTHER_INSTRUMENTS,
    PRODUCT_TYPES,
    mjd_from_iso,
    normalise_proposal,
    split_filters,
)
from .base import ApiModel, FieldError, field_name, integer_between, quoted

MastSource = Literal["mast", "local"]
#: MAST's ``dataRights`` values (:data:`~jwst_lab.core.mast_vocabulary.DATA_RIGHTS`).
DataRights = Literal["PUBLIC", "EXCLUSIVE_ACCESS", "RESTRICTED"]

DEFAULT_RADIUS = 0.2
MAX_RADIUS = 3.0
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 10_000
#: The highest page of a search (with MAX_PAGE_SIZE rows a page: 10^11 rows, inside 64 bits).
MAX_PAGE = 10_000_000

_SAFE_TEXT = re.compile(r"^[\w .+\-*/:;,'()\[\]#]{1,200}$")
#: ISO 8601 dates and date-times as t_min / t_max take them (ASCII digits only).
_ISO_DATE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?"
)
_LEVEL = re.compile(r"[0-4]")
_PROGRAM = re.compile(r"[0-9]{1,6}")
_TOKEN = re.compile(r"[A-Z0-9_\-]{1,40}")


# --- query text → typed values (each names its parameter from the field it validates) ---


def _text(value: Any, info: ValidationInfo) -> Any:
    """Free text (names, lists): stripped; blank is None; only harmless characters."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return None
    if not _SAFE_TEXT.match(text):
        raise FieldError(
            f"{field_name(info)} contains characters that are not allowed (or is over 200): "
            f"{quoted(text)}"
        )
    return text


def _degrees(value: Any, info: ValidationInfo) -> Any:
    """A finite number of degrees; blank is None."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            raise FieldError(
                f"{field_name(info)} must be a number in degrees, not {quoted(text)}"
            ) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise FieldError(f"{field_name(info)} must be a finite number")
    return value


def _flag(value: Any, info: ValidationInfo) -> Any:
    """``true``/``1``/``yes`` or ``false``/``0``/``no`` (any case); blank is false."""
    if not isinstance(value, str):
        return value
    text = value.strip().lower()
    if text in ("", "0", "false", "no"):
        return False
    if text in ("1", "true", "yes"):
        return True
    raise FieldError(f"{field_name(info)} must be true or false, not {quoted(text)}")


def _levels(value: Any, info: ValidationInfo) -> Any:
    """Calibration levels 0-4, separated by commas, semicolons or spaces: sorted, once each."""
    if isinstance(value, str):
        tokens = [token for token in re.split(r"[,;\s]+", value.strip()) if token]
        shown = value.strip()
    elif isinstance(value, list | tuple):
        tokens = [str(level) if isinstance(level, int) else "" for level in value]
        shown = str(value)
    else:
        return value
    # str.isdigit() is true for '²', which int() refuses: ASCII digits only.
    if not all(_LEVEL.fullmatch(token) for token in tokens):
        raise FieldError(
            f"{field_name(info)} must be levels 0-4 separated by commas, not {quoted(shown)}"
        )
    return tuple(sorted({int(token) for token in tokens}))


def _source(value: Any, info: ValidationInfo) -> Any:
    """``mast`` or ``local`` (any case); blank is None (the configured backend)."""
    if not isinstance(value, str):
        return value
    text = value.strip().lower()
    if not text:
        return None
    if text not in ("mast", "local"):
        raise FieldError(f"{field_name(info)} must be 'mast' or 'local', not {quoted(text)}")
    return text


def _iso_date(value: Any, info: ValidationInfo) -> Any:
    """An ISO date or date-time (ASCII digits); blank is None."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        mjd_from_iso(text)
    except (ValueError, OverflowError):
        raise FieldError(
            f"{field_name(info)} must be an ISO date like 2023-01-31 (or 2023-01-31T12:00:00), "
            f"not {quoted(text)}"
        ) from None
    return text


def product_tokens(value: Any, name: str) -> tuple[str, ...]:
    """Product column values (``SCIENCE``, ``CAL``): upper case, from text split at , or ;.

    ``value`` is text or a list of text; ``name`` is the field the messages name.
    """
    if value is None or value == "":
        return ()
    if not isinstance(value, str | list | tuple):
        raise FieldError(f"{name} must be text or a list of text")
    items = re.split(r"[,;]", value) if isinstance(value, str) else list(value)
    tokens = []
    for item in items:
        if not isinstance(item, str):
            raise FieldError(f"{name} must be text or a list of text")
        token = item.strip().upper()
        if token:
            if not _TOKEN.fullmatch(token):
                raise FieldError(f"{name} value {quoted(token)} is not valid")
            tokens.append(token)
    return tuple(tokens)


def _tokens(value: Any, info: ValidationInfo) -> tuple[str, ...]:
    return product_tokens(value, field_name(info))


def _filter_list(value: Any, info: ValidationInfo) -> Any:
    """Filters as text (``F150W;CLEAR``, ``F150W,F200W``): upper-case tokens, each once."""
    text = _text(value, info)
    if text is None:
        return ()
    if not isinstance(text, str):
        return text
    return tuple(dict.fromkeys(split_filters(text)))


QueryText = Annotated[str | None, BeforeValidator(_text)]
Degrees = Annotated[float | None, BeforeValidator(_degrees)]
IsoDate = Annotated[str | None, BeforeValidator(_iso_date)]
Levels = Annotated[tuple[int, ...], BeforeValidator(_levels)]
Flag = Annotated[bool, BeforeValidator(_flag)]
Source = Annotated[MastSource | None, BeforeValidator(_source)]
Tokens = Annotated[tuple[str, ...], BeforeValidator(_tokens)]


# --- the queries ----------------------------------------------------------------------------


class MastSearchQuery(ApiModel):
    """``GET /mast/observations``: what to search for, checked and typed.

    A search needs something that narrows it (a position or target, an
    instrument, filters, a program, levels, rights or a time window).
    """

    #: A target name, resolved to a position (and matched by name in the local archive).
    target: QueryText = None
    ra: Degrees = None
    dec: Degrees = None
    #: Cone radius in degrees; 0.2 when a target or position is given without one.
    radius: Degrees = Field(default=None, validate_default=True)
    #: A MAST collection; None searches all of them (``collection=all``).
    collection: str | None = JWST_COLLECTION
    #: An instrument name or its prefix (``MIRI`` matches ``MIRI/IMAGE``), upper case.
    instrument: QueryText = None
    filters: Annotated[tuple[str, ...], BeforeValidator(_filter_list)] = ()
    #: A program number without leading zeros.
    proposal_id: QueryText = None
    data_rights: DataRights | None = None
    #: Observations that end after this ISO date (or date-time).
    t_min: IsoDate = None
    #: Observations that start before this ISO date (a bare date means the end of that day).
    t_max: IsoDate = None
    #: An observation column, ``-`` first for descending order.
    sort: str | None = None
    calib_level: Levels = ()
    include_guidestar: Flag = False
    source: Source = None
    page: Annotated[int, BeforeValidator(integer_between(1, MAX_PAGE))] = 1
    page_size: Annotated[int, BeforeValidator(integer_between(1, MAX_PAGE_SIZE))] = (
        DEFAULT_PAGE_SIZE
    )

    @field_validator("radius")
    @classmethod
    def _sky_position(cls, radius: float | None, info: ValidationInfo) -> float | None:
        """Check target, ra, dec and radius together, once all four are read."""
        target = info.data.get("target")
        ra, dec = info.data.get("ra"), info.data.get("dec")
        if (ra is None) != (dec is None):
            raise FieldError(
                "ra and dec must be given together" if ra is None else "dec is missing",
                field="ra" if ra is None else "dec",
            )
        if ra is not None and not 0.0 <= ra < 360.0:
            raise FieldError(f"ra must be in [0, 360) degrees, not {ra}", field="ra")
        if dec is not None and not -90.0 <= dec <= 90.0:
            raise FieldError(f"dec must be in [-90, 90] degrees, not {dec}", field="dec")
        if target and ra is not None:
            raise FieldError("target and ra/dec cannot both be given; use one", field="target")
        if radius is not None:
            if ra is None and not target:
                raise FieldError("radius needs a target or ra and dec")
            if radius <= 0.0:
                raise FieldError(f"radius must be greater than 0 degrees, not {radius}")
            if radius > MAX_RADIUS:
                raise FieldError(f"radius must be at most {MAX_RADIUS} degrees, not {radius}")
        if (target or ra is not None) and radius is None:
            return DEFAULT_RADIUS
        return radius

    @field_validator("collection", mode="before")
    @classmethod
    def _known_collection(cls, value: Any) -> Any:
        """JWST when blank, None for ``all``, else one of MAST's collections (any case)."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if not text:
            return JWST_COLLECTION
        upper = text.upper()
        if upper == "ALL":
            return None
        if upper in COLLECTIONS:
            return upper
        raise FieldError(
            f"collection {quoted(text)} is unknown; use JWST (default), all, or "
            f"one of {', '.join(COLLECTIONS)}"
        )

    @field_validator("instrument")
    @classmethod
    def _known_instrument(cls, instrument: str | None, info: ValidationInfo) -> str | None:
        """Upper case, no trailing ``*``; a JWST one unless other collections are searched."""
        if not instrument:
            return instrument
        instrument = instrument.upper().rstrip("*")
        head = instrument.split("/", 1)[0]
        jwst_only = info.data.get("collection", JWST_COLLECTION) == JWST_COLLECTION
        known = JWST_INSTRUMENTS if jwst_only else JWST_INSTRUMENTS + OTHER_INSTRUMENTS
        if head not in known:
            raise FieldError(
                f"instrument {instrument!r} is unknown"
                + (" for JWST" if jwst_only else "")
                + f"; known: {', '.join(known)}"
            )
        return instrument

    @field_validator("proposal_id")
    @classmethod
    def _program(cls, proposal: str | None) -> str | None:
        """A program number (up to 6 ASCII digits), leading zeros dropped."""
        if not proposal:
            return proposal
        if not _PROGRAM.fullmatch(proposal):
            raise FieldError(
                f"proposal_id must be a program number like 1075, not {quoted(proposal)}"
            )
        return normalise_proposal(proposal)

    @field_validator("data_rights", mode="before")
    @classmethod
    def _known_rights(cls, value: Any) -> Any:
        """One of MAST's ``dataRights`` values (any case); blank is None."""
        if not isinstance(value, str):
            return value
        rights = value.strip().upper() or None
        if rights and rights not in DATA_RIGHTS:
            raise FieldError(
                f"data_rights must be one of {', '.join(DATA_RIGHTS)}, not {quoted(rights)}"
            )
        return rights

    @field_validator("sort", mode="before")
    @classmethod
    def _sort_column(cls, value: Any) -> Any:
        """An observation column, with ``-`` first for descending; blank is None."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if not text:
            return None
        column = text.lstrip("-")
        if column not in OBS_FIELD_TYPES:
            raise FieldError(
                f"sort must be an observation column (optionally with -), not {quoted(column)}"
            )
        return "-" + column if text.startswith("-") else column

    @model_validator(mode="after")
    def _narrowed(self) -> MastSearchQuery:
        """The time window is in order, and something narrows the search."""
        if self.t_min and self.t_max and (self.t_min_mjd or 0) > (self.t_max_mjd or 0):
            raise FieldError("t_min must not be later than t_max", field="t_min")
        narrowing = (
            self.target, self.instrument, self.filters, self.proposal_id,
            self.calib_level, self.data_rights, self.t_min, self.t_max,
        )  # fmt: skip
        if self.ra is None and not any(narrowing):  # ra=0 is a position too
            raise FieldError(
                "criteria are empty: give a target, ra/dec, instrument, filters, proposal_id, "
                "calib_level, data_rights, t_min or t_max",
                field="target",
            )
        return self

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

    @property
    def sort_column(self) -> str | None:
        """The column to sort by (``sort`` without its ``-``)."""
        return self.sort.lstrip("-") if self.sort else None

    @property
    def descending(self) -> bool:
        """True when ``sort`` asks for descending order."""
        return bool(self.sort and self.sort.startswith("-"))


class MastProductsQuery(ApiModel):
    """``GET /mast/observations/{obsid}/products``: which products to list, checked and typed."""

    source: Source = None
    calib_level: Levels = ()
    #: Only MAST's "Minimum Recommended Products".
    mrp_only: Flag = False
    #: Include guide-star (FGS guiding) products, hidden otherwise.
    include_guidestar: Flag = False
    product_type: Tokens = ()
    #: ``productSubGroupDescription`` values (``CAL``, ``I2D``, ...).
    subgroup: Tokens = ()

    @field_validator("product_type")
    @classmethod
    def _known_product_types(cls, product_type: tuple[str, ...]) -> tuple[str, ...]:
        """Each one of MAST's ``productType`` values."""
        for value in product_type:
            if value not in PRODUCT_TYPES:
                raise FieldError(
                    f"product_type must be among {', '.join(PRODUCT_TYPES)}, not {value!r}"
                )
        return product_type


# --- answers and the token --------------------------------------------------------------------


class MastColumn(ApiModel):
    """A column of a MAST table and its type (``string``, ``int``, ``float``, ``boolean``)."""

    name: str
    type: Literal["string", "int", "float", "boolean"]


class MastCone(ApiModel):
    """A search cone: centre (ICRS degrees) and radius (degrees)."""

    ra: float
    dec: float
    radius: float


class MastSearchResponse(ApiModel):
    """``GET /mast/observations``: one page of observations with MAST's column names."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    page_size: int
    columns: list[MastColumn]
    source: MastSource
    python: str
    #: The cone searched (the resolved target's position or the coordinates), else None.
    cone: MastCone | None = None
    notice: str | None = None


class MastProductsResponse(ApiModel):
    """``GET /mast/observations/{obsid}/products``: the products of one observation."""

    obsid: str
    rows: list[dict[str, Any]]
    total: int
    columns: list[MastColumn]
    source: MastSource
    python: str
    #: MAST's URL that serves a product once its dataURI is appended (for curl scripts).
    download_url: str
    notice: str | None = None


class MastPeekQuery(ApiModel):
    """``GET /mast/peek``: which product to peek at in the cloud bucket."""

    #: The product's dataURI, checked as downloads check theirs (``mast:JWST/product/<file>``).
    uri: str = Field(max_length=512)
    #: Also a quick look of the science image (read row by row with a stride).
    image: Flag = True
    #: The cloud to read from; None: the server's ``cloud`` setting.
    cloud: Literal["aws"] | None = None

    @field_validator("uri")
    @classmethod
    def _data_uri(cls, value: str) -> str:
        """A product's dataURI, the same rule as ``POST /downloads`` and the archive's look-up."""
        if not DATA_URI.fullmatch(value):
            raise FieldError(
                "uri must be a product's dataURI like 'mast:JWST/product/<file>', "
                f"not {value[:80]!r}"
            )
        return value


class MastPeekHeader(ApiModel):
    """One HDU's header: its index, EXTNAME and cards ``[keyword, value, comment]``."""

    index: int
    name: str
    cards: list[list[str]]


class MastPeekResponse(ApiModel):
    """``GET /mast/peek``: a product's headers and quick look, read from the bucket in ranges."""

    uri: str
    #: ``s3://bucket/key`` of the object read.
    cloud_uri: str
    #: The object's size, and the bytes (and range requests) the peek read of it.
    size: int
    bytes_read: int
    requests: int
    #: The primary header and the science extension's.
    headers: list[MastPeekHeader]
    science: str | None
    #: The science image's shape (``[rows, columns]``, leading axes first), None without one.
    shape: list[int] | None
    #: A greyscale PNG quick look, base64; None when not asked for or there is no image.
    image_png: str | None


class MastTokenSet(ApiModel):
    """``PUT /mast/token``: the token to keep server-side (hidden from ``repr`` and logs).

    Its text is checked by :meth:`~jwst_lab.core.token.TokenStore.set`, whose
    messages never repeat it.
    """

    token: SecretStr


class MastTokenState(ApiModel):
    """``GET /mast/token``: only whether a token is set (never the token)."""

    set: bool
    storage: Literal["memory", "keyring"]
    expires: str | None = None
