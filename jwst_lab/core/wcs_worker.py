"""``python -m jwst_lab.core.wcs_worker``: the process where images' WCS are read and evaluated.

A jwst datamodel keeps its gwcs in the FITS ``ASDF`` extension. Reading it
with asdf loads every installed asdf extension, which imports stdatamodels,
stpipe and crds (and a spectrograph's gwcs needs stdatamodels' transforms):
none of which may happen in the Jupyter server. :class:`WcsWorker`
(``core/wcs_client.py``, on :mod:`jwst_lab.core.json_worker`) starts this module as a
warm child and talks to it in JSON lines:

request  ``{"id": 1, "op": "sky", "args": {"path": "/abs/x_i2d.fits", "points": [[x, y]]}}``
answer   ``{"id": 1, "ok": true, "result": {"wcs": "gwcs", "sky": [[ra, dec]]}}``

``wavelengths`` gives a spectral product's wavelength axis from its gwcs
(``core/spectra.py`` asks only when the file has no simpler source): along the
dispersion of a 2-D slit (``{"path", "slit", "columns", "rows", "dispaxis"}``,
``slit`` the index in a MultiSlitModel's ``slits`` or null) or per plane of a
cube (``{"path", "planes", "columns", "rows"}``); the answer is
``{"values": [λ | null, ...], "unit": "um"}`` or ``{"values": null}``.

``wcs`` is ``gwcs`` (the datamodel's ``meta.wcs``), ``fits`` (astropy's WCS of
the science header) or null (none; ``sky`` is then null). Positions are 0-based
pixels; RA/Dec are ICRS degrees, null where the transform gives NaN. WCS
objects stay cached per ``(path, mtime, size)`` (a gwcs takes about a second).
"""

from __future__ import annotations

import io
import math
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import Any

from .json_worker import dispatch, run_child

CACHE_CAPACITY = 8

_CACHE: OrderedDict[tuple[str, int, int], tuple[str | None, Any]] = OrderedDict()


def _asdf_bytes(path: Path) -> bytes | None:
    """The raw bytes of ``path``'s ``ASDF`` extension (a datamodel's tree), or None."""
    from astropy.io import fits

    with fits.open(path, memmap=False, lazy_load_hdus=True) as hdus:
        if "ASDF" not in hdus:
            return None
        return hdus["ASDF"].data.tobytes()


def _gwcs_of(path: Path) -> Any:
    """The ``meta.wcs`` of the datamodel tree in ``path``'s ASDF extension, or None."""
    import asdf

    try:
        raw = _asdf_bytes(path)
        if raw is None:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unknown tags of other packages' schemas
            with asdf.open(io.BytesIO(raw)) as tree:
                transform = tree.tree.get("meta", {}).get("wcs")
        return transform if callable(transform) else None
    except Exception:  # any unreadable tree means no gwcs; the FITS WCS is next
        return None


def _spectral_gwcs_of(path: Path, slit: int | None) -> Any:
    """The gwcs of ``path`` (or of slit ``slit`` of a MultiSlitModel) if it has a spectral axis."""
    import asdf

    raw = _asdf_bytes(path)
    if raw is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unknown tags of other packages' schemas
        with asdf.open(io.BytesIO(raw), lazy_load=True, memmap=False) as tree_file:
            tree = tree_file.tree
            slits = tree.get("slits")
            meta: Any = tree.get("meta", {})
            if slit is not None and isinstance(slits, list) and slit < len(slits):
                meta = slits[slit].get("meta", {}) if isinstance(slits[slit], dict) else {}
            found = meta.get("wcs") if isinstance(meta, dict) else None
    if not (callable(found) and hasattr(found, "output_frame")):
        return None
    return found if _spectral_axis(found) is not None else None


def _spectral_axis(wcs: Any) -> tuple[int, str | None] | None:
    """The index of a gwcs's spectral output and its unit, or None."""
    types = [str(t).upper() for t in getattr(wcs.output_frame, "axes_type", ())]
    if "SPECTRAL" not in types:
        return None
    axis = types.index("SPECTRAL")
    units = getattr(wcs.output_frame, "unit", None) or ()
    unit = units[axis] if axis < len(units) else None
    return axis, (unit.to_string() if unit is not None else None)


_SPECTRAL_CACHE: OrderedDict[tuple[str, int, int, int | None], Any] = OrderedDict()


def _cached_spectral_gwcs(path: Path, slit: int | None) -> Any:
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, slit)
    if key in _SPECTRAL_CACHE:
        _SPECTRAL_CACHE.move_to_end(key)
        return _SPECTRAL_CACHE[key]
    try:
        found = _spectral_gwcs_of(path, slit)
    except Exception:  # an unreadable tree means no gwcs wavelengths
        found = None
    _SPECTRAL_CACHE[key] = found
    while len(_SPECTRAL_CACHE) > CACHE_CAPACITY:
        _SPECTRAL_CACHE.popitem(last=False)
    return found


def op_wavelengths(args: dict[str, Any]) -> dict[str, Any]:
    """λ along a slit's dispersion (median of a few lines across it) or of each cube plane."""
    import numpy as np

    path = Path(str(args["path"]))
    slit = args.get("slit")
    wcs = _cached_spectral_gwcs(path, int(slit) if slit is not None else None)
    if wcs is None:
        return {"values": None, "unit": None}
    axis, unit = _spectral_axis(wcs) or (0, None)
    columns, rows = int(args["columns"]), int(args["rows"])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if "planes" in args:
            planes = int(args["planes"])
            x = np.full(planes, (columns - 1) / 2)
            y = np.full(planes, (rows - 1) / 2)
            outputs = wcs(x, y, np.arange(planes, dtype=np.float64), with_bounding_box=False)
            values = np.asarray(outputs[axis], dtype=np.float64)
        else:
            dispaxis = int(args.get("dispaxis", 1))
            along = np.arange(columns if dispaxis == 1 else rows, dtype=np.float64)
            across = rows if dispaxis == 1 else columns
            samples = []
            for line in np.unique(np.linspace(0, across - 1, min(across, 7)).round()):
                fixed = np.full(along.shape, line)
                x, y = (along, fixed) if dispaxis == 1 else (fixed, along)
                samples.append(np.asarray(wcs(x, y, with_bounding_box=True)[axis], dtype=float))
            values = np.nanmedian(np.vstack(samples), axis=0)
    return {"values": [_finite(v) for v in values], "unit": unit}


def _fits_wcs_of(path: Path) -> Any:
    """astropy's celestial WCS of the science header, or None."""
    from astropy.io import fits
    from astropy.wcs import WCS, FITSFixedWarning

    try:
        with fits.open(path, memmap=False, lazy_load_hdus=True) as hdus:
            images = [h for h in hdus if getattr(h, "is_image", False) and h.header.get("NAXIS")]
            science = [h for h in images if h.name == "SCI"] or images
            if not science:
                return None
            header = science[0].header.copy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FITSFixedWarning)
            wcs = WCS(header).celestial
    except Exception:  # a malformed WCS header is no WCS, not a failure
        return None
    return wcs if wcs.naxis == 2 and wcs.has_celestial else None


def wcs_of(path: Path) -> tuple[str | None, Any]:
    """``(kind, transform)`` of ``path``, cached per (path, mtime, size)."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    found = _CACHE.get(key)
    if found is not None:
        _CACHE.move_to_end(key)
        return found
    transform = _gwcs_of(path)
    result: tuple[str | None, Any] = ("gwcs", transform) if transform is not None else (None, None)
    if transform is None:
        fits_wcs = _fits_wcs_of(path)
        if fits_wcs is not None:
            result = ("fits", fits_wcs)
    for stale in [k for k in _CACHE if k[0] == key[0]]:
        del _CACHE[stale]
    _CACHE[key] = result
    while len(_CACHE) > CACHE_CAPACITY:
        _CACHE.popitem(last=False)
    return result


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def op_sky(args: dict[str, Any]) -> dict[str, Any]:
    """RA/Dec of 0-based pixel positions through the file's WCS."""
    import numpy as np

    path = Path(str(args["path"]))
    points = [(float(x), float(y)) for x, y in args.get("points") or []]
    kind, transform = wcs_of(path)
    if kind is None:
        return {"wcs": None, "sky": None}
    if not points:
        return {"wcs": kind, "sky": []}
    xs = np.array([p[0] for p in points])
    ys = np.array([p[1] for p in points])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "gwcs":
            ra, dec = transform(xs, ys, with_bounding_box=False)
        else:
            ra, dec = transform.pixel_to_world_values(xs, ys)
    sky: list[list[float] | None] = []
    for r, d in zip(np.atleast_1d(ra), np.atleast_1d(dec), strict=True):
        right, declination = _finite(r), _finite(d)
        if right is None or declination is None:
            sky.append(None)
        else:
            sky.append([right % 360.0, declination])
    return {"wcs": kind, "sky": sky}


OPERATIONS = {
    "sky": op_sky,
    "wavelengths": op_wavelengths,
    "ping": lambda args: {"pong": True},
}


def _expected(error: BaseException) -> dict[str, str] | None:
    """Unreadable files and bad arguments are the request's fault: ``bad_input``."""
    if isinstance(error, (OSError, KeyError, TypeError, ValueError)):
        return {"kind": "bad_input", "message": str(error)}
    return None


def handle(request: dict[str, Any]) -> dict[str, Any]:
    """Run one request; every failure becomes an answer, never a crash."""
    return dispatch(request, OPERATIONS, _expected)


def main() -> None:
    """Answer JSON-line requests on a private channel (anything printed goes to stderr)."""
    run_child(handle)


if __name__ == "__main__":
    main()
