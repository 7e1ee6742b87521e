"""Spectral products read for plotting: ``x1d`` spectra, ``s2d`` slits and ``s3d`` cubes.

``GET /spectra`` answers :class:`SpectraResponse`; ``GET /spectra/image`` a
:class:`SpectralImage` (``GET /spectra/image/preview`` its PNG); ``GET /cubes`` a
:class:`CubeInfo` (``GET /cubes/slice`` a plane as a PNG, ``GET /cubes/spectrum`` a
:class:`CubeSpectrum`). :mod:`jwst_lab.core.spectra` reads the files.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator

from ..core.preview import Stretch
from ..core.spectra import (
    DEFAULT_MAX_POINTS,
    MAX_APERTURE_RADIUS,
    MAX_COLLAPSE,
    MAX_LISTED_SPECTRA,
    MAX_POINTS_LIMIT,
    MIN_POINTS,
    SpectrumColumn,
    WavelengthSource,
)
from .base import ApiModel, LenientQuery, integer_between
from .pipelines import QueryPath, _stretch

#: Values of a spectrum: null where the file holds NaN (a gap) or no value.
Values = list[float | None]

#: Largest slit index and spaxel coordinate a request may name (files say the real bounds).
MAX_INDEX = 10**6

StretchQuery = Annotated[Stretch, BeforeValidator(_stretch)]


# --- GET /spectra -------------------------------------------------------------------------


class SpectraQuery(LenientQuery):
    """``GET /spectra?path=&index=&max_points=``: an x1d-like file and the spectrum to send."""

    #: An x1d or x1dints file relative to the server root.
    path: QueryPath
    #: Which spectrum's arrays to send (0-based, as ``spectra`` lists them).
    index: Annotated[int, BeforeValidator(integer_between(0, MAX_LISTED_SPECTRA - 1))] = 0
    #: Most points sent for the spectrum; longer ones are decimated (min/max per bin).
    max_points: Annotated[int, BeforeValidator(integer_between(MIN_POINTS, MAX_POINTS_LIMIT))] = (
        DEFAULT_MAX_POINTS
    )


class SpectrumInfo(ApiModel):
    """One spectrum of the file: where it is and what it is of."""

    index: int
    #: The FITS extension (HDU number) of its EXTRACT1D table.
    extension: int
    #: Its row in that table when each row is a spectrum (x1dints, WFSS), else null.
    row: int | None
    #: The slit (``SLTNAME``).
    name: str | None
    source_id: int | None
    source_name: str | None
    spectral_order: int | None
    #: The integration (``INT_NUM``), for x1dints.
    integration: int | None
    segment: int | None


class SpectrumData(ApiModel):
    """The arrays of one spectrum, index by index (``wavelength[i]``, ``flux[i]``, ``error[i]``)."""

    index: int
    #: ``FLUX``, or ``SURF_BRIGHT`` when FLUX holds no value (extended sources).
    flux_column: SpectrumColumn
    wavelength_unit: str | None
    flux_unit: str | None
    #: Points in the file; ``shown`` of them are sent.
    points: int
    shown: int
    #: True when ``points`` > ``max_points`` and the spectrum was decimated.
    downsampled: bool
    #: What the reader did that a user should know (decimation, SURF_BRIGHT), or null.
    note: str | None
    wavelength: Values
    flux: Values
    #: The 1-sigma error of each point, or null when the file has none.
    error: Values | None


class SpectraResponse(ApiModel):
    """``GET /spectra``: the spectra of an x1d-like file and the arrays of the one asked for."""

    path: str
    kind: Literal["x1d", "x1dints"]
    #: Spectra in the file (``spectra`` lists at most 5000 of them).
    total_spectra: int
    spectra: list[SpectrumInfo]
    spectrum: SpectrumData


# --- GET /spectra/image (+ /preview) ------------------------------------------------------


class SpectralImageQuery(LenientQuery):
    """``GET /spectra/image?path=&slit=``: an s2d file and one of its slits."""

    path: QueryPath
    #: The slit (0-based, as ``slits`` lists them).
    slit: Annotated[int, BeforeValidator(integer_between(0, MAX_INDEX))] = 0


class SpectralImagePreviewQuery(SpectralImageQuery):
    """``GET /spectra/image/preview?path=&slit=&stretch=``: the slit as a PNG."""

    stretch: StretchQuery = "asinh"


class SlitInfo(ApiModel):
    """A 2-D spectrum (a slit, a source) of an s2d file."""

    index: int
    name: str | None
    source_id: int | None
    source_name: str | None
    spectral_order: int | None
    #: 1: the dispersion runs along FITS rows (x); 2: along columns (y), shown transposed.
    dispersion_axis: Literal[1, 2]
    #: The SCI image's (rows, columns) as stored.
    shape: list[int]
    unit: str | None


class SlitImage(SlitInfo):
    """The slit as shown: the dispersion left to right, each column's wavelength."""

    #: Pixels along the dispersion (shown columns) and across it (shown rows).
    columns: int
    rows: int
    #: The PNG's pixel ``i`` averages shown columns ``i*column_step`` to ``(i+1)*column_step-1``.
    column_step: int
    row_step: int
    #: The PNG's width (``ceil(columns / column_step)``).
    image_width: int
    #: Wavelength of each shown column; null entries where none is known; null when none is.
    wavelength: Values | None
    wavelength_unit: str | None
    #: Where the wavelengths come from: a ``WAVELENGTH`` array, the ``gwcs``, the ``fits`` WCS.
    wavelength_source: WavelengthSource | None


class SpectralImage(ApiModel):
    """``GET /spectra/image``: the slits of an s2d file and the one asked for."""

    path: str
    slits: list[SlitInfo]
    slit: SlitImage


# --- GET /cubes, /cubes/slice, /cubes/spectrum ---------------------------------------------


class CubeQuery(LenientQuery):
    """``GET /cubes?path=``: an s3d cube."""

    path: QueryPath


class CubeSliceQuery(LenientQuery):
    """``GET /cubes/slice?path=&index=&collapse=&stretch=``: a plane (or a mean of planes)."""

    path: QueryPath
    #: The first plane (0-based).
    index: Annotated[int, BeforeValidator(integer_between(0, MAX_INDEX))] = 0
    #: How many planes from ``index`` on are averaged (1: the plane itself).
    collapse: Annotated[int, BeforeValidator(integer_between(1, MAX_COLLAPSE))] = 1
    stretch: StretchQuery = "asinh"


class CubeSpectrumQuery(LenientQuery):
    """``GET /cubes/spectrum?path=&x=&y=&radius=``: the spectrum at a spaxel."""

    path: QueryPath
    #: The spaxel's column and row (0-based, row 0 at the bottom as FITS stores it).
    x: Annotated[int, BeforeValidator(integer_between(0, MAX_INDEX))]
    y: Annotated[int, BeforeValidator(integer_between(0, MAX_INDEX))]
    #: Radius of the circular aperture averaged, in spaxels (0: the spaxel alone).
    radius: Annotated[int, BeforeValidator(integer_between(0, MAX_APERTURE_RADIUS))] = 0


class CubeInfo(ApiModel):
    """``GET /cubes``: an IFU cube's shape, unit and the wavelength of each plane."""

    path: str
    #: (planes, rows, columns).
    shape: list[int]
    unit: str | None
    #: Wavelength of each plane; null entries where none is known; null when none is.
    wavelength: Values | None
    wavelength_unit: str | None
    #: Where the wavelengths come from: ``WAVE`` or ``WAVE-TAB`` keywords, the ``fits`` WCS, the
    #: ``gwcs``.
    wavelength_source: WavelengthSource | None
    has_error: bool
    instrument: str | None
    channel: str | None
    band: str | None
    grating: str | None
    filter: str | None


class CubeSpectrum(ApiModel):
    """``GET /cubes/spectrum``: the mean spectrum of the spaxels within ``radius`` of (x, y)."""

    path: str
    x: int
    y: int
    radius: int
    #: Spaxels averaged.
    spaxels: int
    unit: str | None
    #: Null when the cube has no wavelengths: ``wavelength`` then holds plane numbers.
    wavelength_unit: str | None
    wavelength: Values
    flux: Values
    error: Values | None
