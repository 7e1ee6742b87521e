"""Spectral products under the server root, read for plotting: ``x1d``, ``s2d`` and ``s3d``.

- extracted spectra (``x1d``, ``x1dints``, WFSS ``x1d``): every ``EXTRACT1D`` table, one
  spectrum per table, or one per row when the columns are vectors (integrations, sources);
  wavelength, flux and its error with their units, NaN kept as null, at most ``max_points``
  points (min/max decimation, said so);
- resampled 2-D spectra (``s2d``): per slit, the ``SCI`` image as a PNG with the dispersion
  running left to right, and the wavelength of each column (a ``WAVELENGTH`` array, else
  the slit's gwcs from the ``ASDF`` extension, else the FITS WCS);
- IFU cubes (``s3d``): the wavelength of each plane (``CTYPE3`` ``WAVE``, ``WAVE-TAB``,
  other spectral FITS axes, else the gwcs), a plane (or the mean of several) as a PNG and
  the spectrum of a spaxel or of a small circular aperture.

Only numpy and astropy in this process; a gwcs is evaluated in the WCS worker
(:mod:`jwst_lab.core.wcs_worker`), as loading a jwst asdf tree imports stdatamodels and
stpipe. Blocking work, to be called from a worker thread. Files are read by header first,
and only the extension asked for is read, a cube's plane by plane (``ImageHDU.section``).
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from ..errors import BadRequest, ServiceUnavailable
from .preview import check_stretch, scale_to_png
from .wcs_client import WCS, WcsUnavailable

#: Points per spectrum in an answer unless the request says otherwise, and the bounds.
DEFAULT_MAX_POINTS = 4000
MIN_POINTS = 16
MAX_POINTS_LIMIT = 100_000
#: Spectra listed per file at most (an x1dints of a long time series has thousands of rows).
MAX_LISTED_SPECTRA = 5000
#: Widest PNG along either axis; wider images are block-averaged by a whole factor.
MAX_IMAGE_SIDE = 4096
#: Largest aperture radius (spaxels) and most planes averaged into one cube slice.
MAX_APERTURE_RADIUS = 50
MAX_COLLAPSE = 1000

SpectrumColumn = Literal["FLUX", "SURF_BRIGHT"]
WavelengthSource = Literal["WAVELENGTH", "gwcs", "fits", "WAVE", "WAVE-TAB"]

#: The error columns of each spectrum column, in order (``ERROR``: combined ``c1d`` spectra).
_ERROR_COLUMNS = {"FLUX": ("FLUX_ERROR", "ERROR"), "SURF_BRIGHT": ("SB_ERROR",)}


# --- reading ------------------------------------------------------------------------------


@contextmanager
def _open(path: Path, name: str, what: str) -> Iterator[Any]:
    """The FITS file at ``path``, opened lazily; a 400 naming ``path`` when it cannot be."""
    from astropy.io import fits

    if path.is_dir():
        raise BadRequest(f"{name} is a folder, not {what}", field="path")
    if not path.is_file():
        # Reading a FIFO or a device would block this thread forever.
        raise BadRequest(f"{name} is not a regular file", field="path")
    try:
        hdus = fits.open(path, memmap=True, lazy_load_hdus=True)
    except (OSError, TypeError, ValueError) as error:
        raise BadRequest(f"{name} is not a readable FITS file: {error}", field="path") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # non-standard keywords, unit strings astropy dislikes
            yield hdus
    except (OSError, TypeError, ValueError, KeyError, IndexError) as error:
        raise BadRequest(f"{name} cannot be read as {what}: {error}", field="path") from None
    finally:
        hdus.close()


def _finite_or_none(values: Any) -> list[float | None]:
    """A float array as a JSON list: NaN and infinities become null."""
    import numpy as np

    array = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(array)
    return [float(v) if ok else None for v, ok in zip(array.tolist(), finite.tolist(), strict=True)]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _integer(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if abs(number) < 2**53 else None


def _unit(text: Any) -> str | None:
    return _text(text)


def _file_key(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


# --- extracted spectra (x1d, x1dints) -----------------------------------------------------


def _spectral_tables(hdus: Any) -> list[tuple[int, Any]]:
    """``(HDU index, HDU)`` of every table holding a spectrum (``EXTRACT1D`` by name or shape)."""
    found = []
    for number, hdu in enumerate(hdus):
        if number == 0 or not hasattr(hdu, "columns"):
            continue
        names = {n.upper() for n in hdu.columns.names}
        if "WAVELENGTH" in names and names & {"FLUX", "SURF_BRIGHT"}:
            found.append((number, hdu))
    return found


def _column(hdu: Any, name: str) -> Any | None:
    names = {n.upper(): n for n in hdu.columns.names}
    return hdu.columns[names[name]] if name in names else None


def _is_vector(hdu: Any) -> bool:
    """True when each row of the table is a whole spectrum (``x1dints``, WFSS ``x1d``)."""
    return _repeat(_column(hdu, "WAVELENGTH")) > 1


def _repeat(column: Any) -> int:
    """How many values one cell of a binary-table column holds (``200D`` → 200)."""
    if column is None:
        return 1
    fmt = str(column.format)
    digits = ""
    for char in fmt:
        if not char.isdigit():
            break
        digits += char
    return int(digits) if digits else 1


def _table(hdus: Any, number: int) -> Any:
    """The rows of binary table ``number`` as a read-only memory map of its raw records.

    astropy's own table data would copy every column it has converted when the file
    closes (the whole table of a long x1dints, for one row); a plain memory map reads
    only the rows and columns used. Cells are big-endian, TSCAL/TZERO not applied
    (see :func:`_cells`).
    """
    import numpy as np

    hdu = hdus[number]
    dtype = hdu.columns.dtype.newbyteorder(">")
    rows = int(hdu.header.get("NAXIS2", 0))
    if dtype.itemsize != int(hdu.header.get("NAXIS1", -1)) or rows == 0:
        raise ValueError(f"extension {number} is not a plain binary table")
    offset = hdus.fileinfo(number)["datLoc"]
    return np.memmap(hdus.filename(), dtype=dtype, mode="r", offset=offset, shape=(rows,))


def _cells(table: Any, column: Any, rows: Any) -> Any:
    """The values of ``column`` in ``rows`` of a :func:`_table`, scaled as the header says."""
    import numpy as np

    values = np.array(table[column.name][rows], dtype=np.float64)
    scale = column.bscale if column.bscale not in (None, "") else 1.0
    zero = column.bzero if column.bzero not in (None, "") else 0.0
    return values * float(scale) + float(zero) if (scale, zero) != (1.0, 0.0) else values


def _spectrum_entries(hdus: Any) -> tuple[list[dict[str, Any]], int, bool]:
    """Every spectrum of an x1d-like file (capped), their total and whether any is per row."""
    entries: list[dict[str, Any]] = []
    total = 0
    per_row = False
    for number, hdu in _spectral_tables(hdus):
        header = hdu.header
        base = {
            "extension": number,
            "name": _text(header.get("SLTNAME")),
            "source_id": _integer(header.get("SOURCEID")),
            "source_name": _text(header.get("SRCNAME")),
            "spectral_order": _integer(header.get("SPORDER")),
            "integration": _integer(header.get("INT_NUM")),
            "segment": None,
            "row": None,
        }
        if not _is_vector(hdu):
            total += 1
            if len(entries) < MAX_LISTED_SPECTRA:
                entries.append({**base, "index": total - 1})
            continue
        per_row = True
        rows = int(header.get("NAXIS2", 0))
        meta_columns = {
            key: _column(hdu, column)
            for key, column in (
                ("integration", "INT_NUM"),
                ("source_id", "SOURCE_ID"),
                ("segment", "SEGMENT"),
            )
        }
        # Per-row values: only the small scalar columns are read, and only for listed rows.
        wanted = max(0, min(rows, MAX_LISTED_SPECTRA - len(entries)))
        table = _table(hdus, number) if wanted else None
        values = {
            key: _cells(table, column, slice(0, wanted))
            for key, column in meta_columns.items()
            if column is not None and _repeat(column) == 1
        }
        for row in range(wanted):
            entry = {**base, "index": total + row, "row": row}
            for key, column_values in values.items():
                entry[key] = _integer(column_values[row])
            entries.append(entry)
        total += rows
    return entries, total, per_row


def _decimate(wavelength: Any, flux: Any, max_points: int) -> Any:
    """Indices of at most ``max_points`` points that keep the shape of ``flux``.

    The points are cut into bins of consecutive samples; each bin keeps its lowest and its
    highest flux, and its first NaN when it has one (so gaps stay gaps), in their order.
    """
    import numpy as np

    count = flux.size
    bins = max(1, max_points // 3)
    which = (np.arange(count) * bins) // count
    starts = np.searchsorted(which, np.arange(bins))
    finite = np.isfinite(flux) & np.isfinite(wavelength)
    low = np.lexsort((np.where(finite, flux, np.inf), which))
    high = np.lexsort((np.where(finite, -flux, np.inf), which))
    gap = np.lexsort((finite, which))
    keep = [low[starts], high[starts]]
    gaps = gap[starts]
    keep.append(gaps[~finite[gaps]])
    return np.unique(np.concatenate(keep))


def _read_spectrum(hdus: Any, entry: dict[str, Any], max_points: int) -> dict[str, Any]:
    import numpy as np

    hdu = hdus[entry["extension"]]
    table = _table(hdus, entry["extension"])
    row = entry["row"]

    def values(name: str) -> Any | None:
        column = _column(hdu, name)
        if column is None:
            return None
        return _cells(table, column, slice(None) if row is None else row).ravel()

    wavelength = values("WAVELENGTH")
    assert wavelength is not None  # _spectral_tables checked the column
    chosen: SpectrumColumn = "FLUX"
    flux = values("FLUX")
    note = None
    if flux is None or not np.isfinite(flux).any():
        surface = values("SURF_BRIGHT")
        if surface is not None and np.isfinite(surface).any():
            chosen, flux = "SURF_BRIGHT", surface
            note = "FLUX holds no values (an extended source): showing SURF_BRIGHT"
    if flux is None:
        flux = np.full(wavelength.shape, np.nan)
    error_name = next((n for n in _ERROR_COLUMNS[chosen] if _column(hdu, n) is not None), None)
    error = values(error_name) if error_name else None
    length = wavelength.size
    if row is not None:
        along = _column(hdu, "N_ALONGDISP")
        if along is not None:
            used = _integer(_cells(table, along, row))
            if used is not None and 0 < used < length:
                length = used
    wavelength, flux = wavelength[:length], flux[:length]
    error = error[:length] if error is not None else None
    points = int(length)
    downsampled = points > max_points
    if downsampled:
        keep = _decimate(wavelength, flux, max_points)
        wavelength, flux = wavelength[keep], flux[keep]
        error = error[keep] if error is not None else None
        note = " · ".join(
            filter(None, [note, f"{points} points shown as {keep.size} (min/max per bin)"])
        )
    wavelength_column = _column(hdu, "WAVELENGTH")
    flux_column = _column(hdu, chosen)
    return {
        "index": entry["index"],
        "flux_column": chosen,
        "wavelength_unit": _unit(wavelength_column.unit) if wavelength_column else None,
        "flux_unit": _unit(flux_column.unit) if flux_column is not None else None,
        "points": points,
        "shown": int(wavelength.size),
        "downsampled": downsampled,
        "note": note,
        "wavelength": _finite_or_none(wavelength),
        "flux": _finite_or_none(flux),
        "error": (
            _finite_or_none(error) if error is not None and np.isfinite(error).any() else None
        ),
    }


def _check_index(index: int, count: int, *, field: str, has: str) -> None:
    """A 400 on ``field`` unless ``0 <= index < count`` (``has`` says what the file holds)."""
    if not 0 <= index < count:
        raise BadRequest(f"{field} must be between 0 and {count - 1}: {has}", field=field)


def read_spectra(
    path: Path, name: str, *, index: int = 0, max_points: int = DEFAULT_MAX_POINTS
) -> dict[str, Any]:
    """The spectra of an ``x1d``-like file, and the arrays of spectrum ``index``.

    ``name`` is how errors refer to the file. A file without an ``EXTRACT1D`` table is a
    400 on ``path``; an ``index`` beyond the spectra a 400 on ``index``.
    """
    if not MIN_POINTS <= max_points <= MAX_POINTS_LIMIT:
        raise BadRequest(
            f"max_points must be between {MIN_POINTS} and {MAX_POINTS_LIMIT}", field="max_points"
        )
    with _open(path, name, "extracted spectra") as hdus:
        entries, total, per_row = _spectrum_entries(hdus)
        if total == 0:
            raise BadRequest(
                f"{name} holds no extracted spectrum (no EXTRACT1D table with WAVELENGTH and "
                "FLUX): open x1d or x1dints products here, s2d and s3d as images",
                field="path",
            )
        _check_index(
            index,
            len(entries),
            field="index",
            has=f"{name} has {total} spectr{'um' if total == 1 else 'a'}",
        )
        spectrum = _read_spectrum(hdus, entries[index], max_points)
    return {
        "path": name,
        "kind": "x1dints" if per_row and any(e["integration"] for e in entries) else "x1d",
        "total_spectra": total,
        "spectra": entries,
        "spectrum": spectrum,
    }


# --- wavelengths from a gwcs or a FITS WCS --------------------------------------------------


def _gwcs_wavelengths(path: Path, args: dict[str, Any]) -> tuple[Any, str | None] | None:
    """λ from the file's spectral gwcs, evaluated in the WCS worker (the server never loads
    a jwst asdf tree: its extensions import stdatamodels and stpipe); None if it has none."""
    import numpy as np

    try:
        answer = WCS.wavelengths({"path": str(path), **args})
    except WcsUnavailable as error:
        raise ServiceUnavailable(f"cannot read the product's WCS: {error}") from None
    values = answer.get("values")
    if not values:
        return None
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64), answer.get(
        "unit"
    )


def _header_spectral_axis(header: Any, axis: int) -> tuple[Any, str | None] | None:
    """λ of each pixel along FITS axis ``axis`` (1-based) from linear ``WAVE`` keywords."""
    import numpy as np

    ctype = str(header.get(f"CTYPE{axis}", "")).strip().upper()
    if ctype != "WAVE":
        return None
    length = int(header.get(f"NAXIS{axis}", 0))
    crval = float(header.get(f"CRVAL{axis}", 0.0))
    crpix = float(header.get(f"CRPIX{axis}", 1.0))
    step = header.get(f"CD{axis}_{axis}")
    if step is None:
        step = float(header.get(f"CDELT{axis}", 1.0)) * float(header.get(f"PC{axis}_{axis}", 1.0))
    pixels = np.arange(length, dtype=np.float64) + 1.0
    return crval + (pixels - crpix) * float(step), _unit(header.get(f"CUNIT{axis}"))


def _table_spectral_axis(hdus: Any, header: Any, axis: int) -> tuple[Any, str | None] | None:
    """λ of each pixel along FITS axis ``axis`` from a ``WAVE-TAB`` lookup table."""
    import numpy as np

    if str(header.get(f"CTYPE{axis}", "")).strip().upper() != "WAVE-TAB":
        return None
    table_name = _text(header.get(f"PS{axis}_0")) or "WCS-TABLE"
    column_name = _text(header.get(f"PS{axis}_1")) or "wavelength"
    if table_name not in hdus:
        return None
    table = hdus[table_name]
    column = _column(table, column_name.upper())
    if column is None:
        return None
    values = np.array(table.data.field(column.name)[0], dtype=np.float64).ravel()
    length = int(header.get(f"NAXIS{axis}", values.size))
    return values[:length], _unit(header.get(f"CUNIT{axis}")) or _unit(column.unit)


def _fits_wcs_spectral(hdus: Any, header: Any, axis: int) -> tuple[Any, str | None] | None:
    """λ along FITS axis ``axis`` by astropy's WCS (non-linear spectral axes), in CUNIT."""
    import numpy as np
    from astropy import units
    from astropy.wcs import WCS

    try:
        wcs = WCS(header, fobj=hdus)
    except Exception:  # astropy raises many types for a header it cannot use
        return None
    if wcs.wcs.spec != axis - 1:
        return None
    length = int(header.get(f"NAXIS{axis}", 0))
    pixels = [np.zeros(length)] * wcs.naxis
    pixels[axis - 1] = np.arange(length, dtype=np.float64)
    world = np.asarray(wcs.pixel_to_world_values(*pixels)[axis - 1], dtype=np.float64)
    si = wcs.wcs.cunit[axis - 1]
    wanted = _unit(header.get(f"CUNIT{axis}"))
    if wanted:
        try:
            return (world * si).to_value(units.Unit(wanted)), wanted
        except (ValueError, units.UnitsError):
            pass
    return world, si.to_string() or None


# --- resampled 2-D spectra (s2d) ----------------------------------------------------------


def _slits(hdus: Any) -> list[dict[str, Any]]:
    """Every 2-D ``SCI`` image (or the first 2-D image when none is named so), as a slit."""
    primary = hdus[0].header
    images = [
        (n, h)
        for n, h in enumerate(hdus)
        if getattr(h, "is_image", False) and int(h.header.get("NAXIS", 0)) > 0
    ]
    science = [(n, h) for n, h in images if h.name == "SCI"] or images[:1]
    slits: list[dict[str, Any]] = []
    for position, (number, hdu) in enumerate(science):
        header = hdu.header
        if int(header.get("NAXIS", 0)) != 2:
            continue
        dispaxis = _integer(header.get("DISPAXIS", primary.get("DISPAXIS"))) or 1
        slits.append(
            {
                "index": len(slits),
                "extension": number,
                "position": position,
                "extver": _integer(header.get("EXTVER")) or 1,
                "name": _text(header.get("SLTNAME", primary.get("SLTNAME"))),
                "source_id": _integer(header.get("SOURCEID")),
                "source_name": _text(header.get("SRCNAME")),
                "spectral_order": _integer(header.get("SPORDER", primary.get("SPORDER"))),
                "dispersion_axis": 2 if dispaxis == 2 else 1,
                "shape": [int(header.get("NAXIS2", 0)), int(header.get("NAXIS1", 0))],
                "unit": _unit(header.get("BUNIT")),
            }
        )
    return slits


def _slit_wavelengths(
    path: Path, hdus: Any, slit: dict[str, Any], multislit: bool
) -> tuple[Any, str | None, WavelengthSource] | None:
    """λ of each pixel along the dispersion of ``slit``, its unit and where it came from."""
    import numpy as np

    rows, columns = slit["shape"]
    dispaxis = slit["dispersion_axis"]
    for number, hdu in enumerate(hdus):
        if hdu.name == "WAVELENGTH" and (_integer(hdu.header.get("EXTVER")) or 1) == slit["extver"]:
            data = np.array(hdus[number].data, dtype=np.float64)
            if data.shape == (rows, columns):
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    along = np.nanmedian(data, axis=0 if dispaxis == 1 else 1)
                if np.isfinite(along).any():
                    return along, "um", "WAVELENGTH"
    found = None
    if "ASDF" in hdus:
        found = _gwcs_wavelengths(
            path,
            {
                "slit": slit["position"] if multislit else None,
                "columns": columns,
                "rows": rows,
                "dispaxis": dispaxis,
            },
        )
    if found is not None and np.isfinite(found[0]).any():
        return found[0], found[1], "gwcs"
    header = hdus[slit["extension"]].header
    axis = 1 if dispaxis == 1 else 2
    fits_found = _header_spectral_axis(header, axis) or _fits_wcs_spectral(hdus, header, axis)
    if fits_found is not None:
        return fits_found[0], fits_found[1], "fits"
    return None


@functools.lru_cache(maxsize=64)
def _slit_answer(key: tuple[str, int, int], name: str, index: int) -> dict[str, Any]:
    path = Path(key[0])
    with _open(path, name, "a 2-D spectrum") as hdus:
        slits = _slits(hdus)
        if not slits:
            raise BadRequest(
                f"{name} holds no 2-D image: open s2d products here, x1d as spectra and s3d "
                "as cubes",
                field="path",
            )
        _check_index(
            index,
            len(slits),
            field="slit",
            has=f"{name} has {len(slits)} slit{'' if len(slits) == 1 else 's'}",
        )
        slit = slits[index]
        found = _slit_wavelengths(path, hdus, slit, multislit=len(slits) > 1)
    rows, columns = slit["shape"]
    along = columns if slit["dispersion_axis"] == 1 else rows
    across = rows if slit["dispersion_axis"] == 1 else columns
    step = max(1, math.ceil(along / MAX_IMAGE_SIDE))
    public = {k: v for k, v in slit.items() if k not in ("extension", "position", "extver")}
    return {
        "path": name,
        "slits": [
            {k: v for k, v in s.items() if k not in ("extension", "position", "extver")}
            for s in slits
        ],
        "slit": {
            **public,
            "columns": along,
            "rows": across,
            "column_step": step,
            "row_step": max(1, math.ceil(across / MAX_IMAGE_SIDE)),
            "image_width": math.ceil(along / step),
            "wavelength": _finite_or_none(found[0]) if found else None,
            "wavelength_unit": found[1] if found else None,
            "wavelength_source": found[2] if found else None,
        },
    }


def read_spectral_image(path: Path, name: str, *, slit: int = 0) -> dict[str, Any]:
    """The slits of an ``s2d`` file and, for slit ``slit``, its shape and column wavelengths.

    The image is shown with the dispersion running left to right (``DISPAXIS = 2`` images
    are transposed): ``wavelength[i]`` is the wavelength of displayed column ``i``.
    Answers are cached per file version (path, modification time, size).
    """
    if path.is_dir() or not path.is_file():
        with _open(path, name, "a 2-D spectrum"):
            pass  # raises the 400 that says why
    return _slit_answer(_file_key(path), name, slit)


def _block_mean(data: Any, row_step: int, column_step: int) -> Any:
    """``data`` averaged over blocks (partial blocks at the far edges too), NaN ignored."""
    import numpy as np

    if row_step == 1 and column_step == 1:
        return data
    rows = math.ceil(data.shape[0] / row_step) * row_step
    columns = math.ceil(data.shape[1] / column_step) * column_step
    padded = np.full((rows, columns), np.nan, dtype=np.float32)
    padded[: data.shape[0], : data.shape[1]] = data
    blocks = padded.reshape(rows // row_step, row_step, columns // column_step, column_step)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(blocks, axis=(1, 3))


def _png(data: Any, stretch: str) -> bytes:
    """A PNG of a 2-D float array stretched over the values shown: each cube plane and
    each slit is stretched on its own."""
    return scale_to_png(data, check_stretch(stretch))


def render_spectral_image(path: Path, name: str, *, slit: int = 0, stretch: str = "asinh") -> bytes:
    """A PNG of slit ``slit`` of an ``s2d``, the dispersion left to right, row 0 at the bottom."""
    import numpy as np

    check_stretch(stretch)
    answer = read_spectral_image(path, name, slit=slit)
    chosen = answer["slit"]
    with _open(path, name, "a 2-D spectrum") as hdus:
        number = _slits(hdus)[slit]["extension"]
        data = np.array(hdus[number].data, dtype=np.float32)
    if chosen["dispersion_axis"] == 2:
        data = data.T
    data = _block_mean(data, chosen["row_step"], chosen["column_step"])
    return _png(data, stretch)


# --- IFU cubes (s3d) ----------------------------------------------------------------------


def _cube_hdu(hdus: Any, name: str) -> tuple[int, Any]:
    images = [
        (n, h)
        for n, h in enumerate(hdus)
        if getattr(h, "is_image", False) and int(h.header.get("NAXIS", 0)) > 0
    ]
    science = [(n, h) for n, h in images if h.name == "SCI"] or images[:1]
    if not science or int(science[0][1].header.get("NAXIS", 0)) != 3:
        dims = int(science[0][1].header.get("NAXIS", 0)) if science else 0
        raise BadRequest(
            f"{name} is not a cube: its science image has {dims} axes, a cube has 3 (open "
            "s3d products here, s2d and i2d as images, x1d as spectra)",
            field="path",
        )
    return science[0]


def _cube_wavelengths(
    path: Path, hdus: Any, header: Any
) -> tuple[Any, str | None, WavelengthSource] | None:

    found = _header_spectral_axis(header, 3)
    if found is not None:
        return found[0], found[1], "WAVE"
    found = _table_spectral_axis(hdus, header, 3)
    if found is not None:
        return found[0], found[1], "WAVE-TAB"
    found = _fits_wcs_spectral(hdus, header, 3)
    if found is not None:
        return found[0], found[1], "fits"
    if "ASDF" not in hdus:
        return None
    gwcs_found = _gwcs_wavelengths(
        path,
        {
            "planes": int(header.get("NAXIS3", 0)),
            "columns": int(header.get("NAXIS1", 1)),
            "rows": int(header.get("NAXIS2", 1)),
        },
    )
    return None if gwcs_found is None else (gwcs_found[0], gwcs_found[1], "gwcs")


@functools.lru_cache(maxsize=32)
def _cube_answer(key: tuple[str, int, int], name: str) -> dict[str, Any]:
    with _open(Path(key[0]), name, "a cube") as hdus:
        _number, hdu = _cube_hdu(hdus, name)
        header = hdu.header
        found = _cube_wavelengths(Path(key[0]), hdus, header)
        planes = int(header.get("NAXIS3", 0))
        primary = hdus[0].header
        return {
            "path": name,
            "shape": [planes, int(header.get("NAXIS2", 0)), int(header.get("NAXIS1", 0))],
            "unit": _unit(header.get("BUNIT")),
            "wavelength": _finite_or_none(found[0]) if found else None,
            "wavelength_unit": found[1] if found else None,
            "wavelength_source": found[2] if found else None,
            "has_error": any(h.name == "ERR" for h in hdus[1:]),
            "instrument": _text(primary.get("INSTRUME")),
            "channel": _text(primary.get("CHANNEL")),
            "band": _text(primary.get("BAND")),
            "grating": _text(primary.get("GRATING")),
            "filter": _text(primary.get("FILTER")),
        }


def read_cube(path: Path, name: str) -> dict[str, Any]:
    """What an ``s3d`` cube is: shape (planes, rows, columns), unit, wavelength of each plane.

    Cached per file version (path, modification time, size).
    """
    if path.is_dir() or not path.is_file():
        with _open(path, name, "a cube"):
            pass  # raises the 400 that says why
    return _cube_answer(_file_key(path), name)


def _check_plane(index: int, planes: int, field: str = "index") -> None:
    if not 0 <= index < planes:
        raise BadRequest(f"{field} must be between 0 and {planes - 1}, not {index}", field=field)


def render_cube_slice(
    path: Path, name: str, *, index: int, collapse: int = 1, stretch: str = "asinh"
) -> bytes:
    """A PNG of plane ``index`` of a cube, or the mean of ``collapse`` planes from it.

    Row 0 at the bottom as FITS stores it; at most :data:`MAX_IMAGE_SIDE` pixels a side.
    """
    import numpy as np

    check_stretch(stretch)
    cube = read_cube(path, name)
    planes, rows, columns = cube["shape"]
    _check_plane(index, planes)
    if not 1 <= collapse <= MAX_COLLAPSE:
        raise BadRequest(f"collapse must be between 1 and {MAX_COLLAPSE}", field="collapse")
    end = min(planes, index + collapse)
    with _open(path, name, "a cube") as hdus:
        number, _hdu = _cube_hdu(hdus, name)
        block = np.asarray(hdus[number].section[index:end], dtype=np.float32)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        plane = np.nanmean(block, axis=0) if block.shape[0] > 1 else block[0]
    step = max(1, math.ceil(max(rows, columns) / MAX_IMAGE_SIDE))
    return _png(_block_mean(plane, step, step), stretch)


def cube_spectrum(path: Path, name: str, *, x: int, y: int, radius: int = 0) -> dict[str, Any]:
    """The spectrum of spaxel (``x``, ``y``) (0-based), or the mean within ``radius`` of it.

    The error of a mean is the root of the summed variances over the number of spaxels
    that have a value.
    """
    import numpy as np

    cube = read_cube(path, name)
    planes, rows, columns = cube["shape"]
    if not 0 <= x < columns:
        raise BadRequest(f"x must be between 0 and {columns - 1}, not {x}", field="x")
    if not 0 <= y < rows:
        raise BadRequest(f"y must be between 0 and {rows - 1}, not {y}", field="y")
    if not 0 <= radius <= MAX_APERTURE_RADIUS:
        raise BadRequest(f"radius must be between 0 and {MAX_APERTURE_RADIUS}", field="radius")
    x0, x1 = max(0, x - radius), min(columns, x + radius + 1)
    y0, y1 = max(0, y - radius), min(rows, y + radius + 1)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    inside = (xx - x) ** 2 + (yy - y) ** 2 <= radius**2
    with _open(path, name, "a cube") as hdus:
        number, _hdu = _cube_hdu(hdus, name)
        data = np.asarray(hdus[number].section[:, y0:y1, x0:x1], dtype=np.float64)
        error = None
        if cube["has_error"]:
            err = hdus["ERR"]
            if tuple(err.shape) == tuple(hdus[number].shape):
                error = np.asarray(err.section[:, y0:y1, x0:x1], dtype=np.float64)
    values = data[:, inside]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        flux = np.nanmean(values, axis=1)
        if error is not None:
            counted = np.isfinite(values).sum(axis=1)
            variance = np.nansum(np.where(np.isfinite(values), error[:, inside] ** 2, 0), axis=1)
            sigma = np.where(counted > 0, np.sqrt(variance) / np.maximum(counted, 1), np.nan)
    wavelength = (
        np.array([np.nan if v is None else v for v in cube["wavelength"]])
        if cube["wavelength"]
        else np.arange(planes, dtype=np.float64)
    )
    return {
        "path": name,
        "x": x,
        "y": y,
        "radius": radius,
        "spaxels": int(inside.sum()),
        "unit": cube["unit"],
        "wavelength_unit": cube["wavelength_unit"] if cube["wavelength"] else None,
        "wavelength": _finite_or_none(wavelength),
        "flux": _finite_or_none(flux),
        "error": _finite_or_none(sigma) if error is not None else None,
    }
