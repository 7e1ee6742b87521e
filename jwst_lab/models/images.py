"""Images and source catalogs for the quick look.

``GET /images/info`` answers :class:`ImageInfo`, ``GET /images/pixel``
:class:`ImagePixel` (what :mod:`jwst_lab.core.images` computes), and
``GET /catalogs`` :class:`CatalogTable` (:mod:`jwst_lab.core.catalogs`).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ValidationInfo

from ..core.catalogs import DEFAULT_ROWS, MAX_ROWS
from .base import ApiModel, FieldError, LenientQuery, field_name, integer_between, quoted
from .pipelines import QueryPath

#: Where an image's world coordinates come from: the datamodel's gwcs, the FITS header's WCS.
WcsKind = Literal["gwcs", "fits"]

#: The largest pixel coordinate accepted (beyond any FITS image a server holds).
MAX_PIXEL = 1e9


def _pixel(value: Any, info: ValidationInfo) -> Any:
    """A finite number of pixels (0-based), required."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise FieldError(f"the query parameter {field_name(info)} is required")
        try:
            value = float(text)
        except ValueError:
            raise FieldError(
                f"{field_name(info)} must be a pixel coordinate (a number), not {quoted(text)}"
            ) from None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value) or abs(value) > MAX_PIXEL:
            raise FieldError(f"{field_name(info)} must be a finite pixel coordinate")
        return float(value)
    return value


PixelCoordinate = Annotated[float, BeforeValidator(_pixel)]


class ImageQuery(LenientQuery):
    """``GET /images/info?path=``: a 2-D image under the root."""

    #: A FITS file relative to the server root.
    path: QueryPath


class ImageInfo(ApiModel):
    """``GET /images/info``: what a viewer needs before it asks for pixels."""

    #: The image, relative to the server root (as asked).
    path: str
    #: Columns (x) of the science image.
    width: int
    #: Rows (y) of the science image.
    height: int
    #: ``BUNIT`` of the science data, or null.
    unit: str | None
    #: Whether a ``DQ`` extension is there (the pixel readout then gives its value).
    has_dq: bool
    #: Where RA/Dec come from: the datamodel's gwcs, the header's FITS WCS, or null (none).
    wcs: WcsKind | None
    #: The image3 source catalog beside an ``_i2d.fits`` (``_cat.ecsv``), relative to the
    #: root, or null.
    catalog: str | None


class PixelQuery(LenientQuery):
    """``GET /images/pixel?path=&x=&y=``: a position in 0-based pixel coordinates."""

    path: QueryPath
    #: 0-based column coordinate (pixel centres at integers; FITS x minus 1).
    x: PixelCoordinate
    #: 0-based row coordinate.
    y: PixelCoordinate


class ImagePixel(ApiModel):
    """``GET /images/pixel``: the pixel under a position and the sky there."""

    #: The position asked, 0-based.
    x: float
    y: float
    #: The nearest pixel, 0-based (FITS pixel numbers are these plus 1).
    column: int
    row: int
    #: The science value, or null when it is NaN.
    value: float | None
    unit: str | None
    #: The ``DQ`` flags of the pixel, or null without a DQ extension.
    dq: int | None
    #: ICRS degrees at ``(x, y)``, or null without a WCS.
    ra: float | None
    dec: float | None
    wcs: WcsKind | None


class CatalogQuery(LenientQuery):
    """``GET /catalogs?path=&offset=&limit=``: rows of an ECSV table under the root."""

    path: QueryPath
    #: The first row to answer (0-based).
    offset: Annotated[int, BeforeValidator(integer_between(0, 2**31 - 1))] = 0
    #: How many rows at most.
    limit: Annotated[int, BeforeValidator(integer_between(1, MAX_ROWS))] = DEFAULT_ROWS


class CatalogColumn(ApiModel):
    """A column of a catalog: name, unit, description and JSON kind."""

    name: str
    unit: str | None
    description: str | None
    #: The numpy dtype (``float64``, ``int32``, ``bool``, ``str``).
    dtype: str


class CatalogTable(ApiModel):
    """``GET /catalogs``: a page of a catalog's rows (cells in column order)."""

    path: str
    columns: list[CatalogColumn]
    #: Cells in column order; NaN and masked values are null.
    rows: list[list[float | int | bool | str | None]]
    #: Rows in the whole table.
    total: int
    offset: int
    #: The image this catalog describes (the ``_i2d.fits`` beside a ``_cat.ecsv``), or null.
    image: str | None
    #: The columns holding 0-based pixel positions and sky positions, when found.
    x_column: str | None
    y_column: str | None
    ra_column: str | None
    dec_column: str | None
