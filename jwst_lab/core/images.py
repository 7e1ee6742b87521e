"""2-D images under the server root, opened once and kept: pixels, stretch limits, WCS.

The quick look pans and zooms over an image, asks for the visible region at
screen resolution (:func:`jwst_lab.core.preview.render_preview` with a
``region``), and reads the pixel under the pointer with its sky position
(:func:`pixel_at`). Each of those would otherwise re-read the file: an i2d can
hold a 10k x 10k float32 image (400 MB) and a gwcs that takes a second to
build. :class:`ImageCache` keeps the science array (memory-mapped when the
file allows it) and its stretch limits per ``(path, mtime, size)`` in a small
LRU, so a file rewritten by a job is opened again.

The WCS is the gwcs a jwst datamodel stores in the FITS ``ASDF`` extension,
else astropy's FITS WCS of the science header, else none. It is read and
evaluated in a child process (:mod:`jwst_lab.core.wcs_worker`, which keeps it
per file): asdf's extensions import stdatamodels, stpipe and crds, which the
server must never import.

Blocking (file reads, numpy, the WCS worker): call from a worker thread.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar, cast

from ..errors import BadRequest, ServiceUnavailable
from .paths import relative_to_root
from .wcs_client import WCS, WcsUnavailable, WcsWorker

T = TypeVar("T")

WcsSource = Literal["gwcs", "fits"]

#: Images kept open at once (memory maps: little memory each, unless a file cannot be
#: memory-mapped and is held in full).
CACHE_CAPACITY = 4
#: Stretch limits are computed on at most this many pixels (a regular subsample).
LIMIT_SAMPLE = 1_000_000
#: Catalog suffix of an image3 product, beside its ``_i2d.fits``.
CATALOG_SUFFIX = "_cat.ecsv"


@dataclass
class OpenImage:
    """One image held by the cache: its science data, unit and stretch limits."""

    path: Path
    #: The science array, rows (y) first, memory-mapped when the file allows it.
    data: Any
    #: ``BUNIT`` of the science extension (or the primary header), or None.
    unit: str | None
    #: Whether the file has a ``DQ`` extension.
    has_dq: bool
    #: Stretch name -> (low, high) over the whole image, computed once.
    limits: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        rows, columns = self.data.shape
        return int(rows), int(columns)

    def sample(self) -> Any:
        """A regular subsample of at most about :data:`LIMIT_SAMPLE` pixels, as float32."""
        import numpy as np

        rows, columns = self.shape
        step = max(1, math.ceil(math.sqrt(rows * columns / LIMIT_SAMPLE)))
        return np.asarray(self.data[::step, ::step], dtype=np.float32)


def _open(path: Path, name: str) -> OpenImage:
    import numpy as np
    from astropy.io import fits

    try:
        with fits.open(path, memmap=True, lazy_load_hdus=True) as hdus:
            # Pick by header so only the chosen image's data is read (not ERR, DQ, VAR_*).
            candidates = [
                h for h in hdus if getattr(h, "is_image", False) and h.header.get("NAXIS", 0) > 0
            ]
            science = [h for h in candidates if h.name == "SCI"] or candidates
            if not science:
                raise BadRequest(f"{name} has no image data", field="path")
            hdu = science[0]
            if hdu.header.get("NAXIS") != 2:
                shape = "x".join(str(hdu.header.get(f"NAXIS{i}", "?")) for i in (2, 1, 3))
                raise BadRequest(
                    f"{name} holds a {hdu.header.get('NAXIS')}-D image ({shape}); "
                    "a quick look needs a 2-D image such as an i2d, cal or rate file",
                    field="path",
                )
            unit = hdu.header.get("BUNIT") or hdus[0].header.get("BUNIT")
            names = {h.name for h in hdus}
            index = hdus.index(hdu)
            try:
                data = hdu.data  # a memory map, which outlives the file object
            except ValueError:  # scaled data (BZERO/BSCALE) cannot be memory-mapped
                data = None
        if data is None:
            with fits.open(path, memmap=False, lazy_load_hdus=True) as hdus:
                data = np.asarray(hdus[index].data, dtype=np.float32)
        return OpenImage(
            path=path,
            data=data,
            unit=str(unit) if unit else None,
            has_dq="DQ" in names,
        )
    except (OSError, TypeError, ValueError, KeyError, IndexError) as error:
        raise BadRequest(f"{name} is not a readable FITS image: {error}", field="path") from None


def check_regular_file(path: Path, name: str) -> None:
    """A 400 unless ``path`` is a regular file (a FIFO or device would block a thread)."""
    if path.is_dir():
        raise BadRequest(f"{name} is a folder, not an image", field="path")
    if not path.is_file():
        raise BadRequest(f"{name} is not a regular file", field="path")


class FileCache(Generic[T]):
    """A small LRU of what ``load`` read from files, keyed by ``(path, mtime, size)``; thread-safe.

    Reading a newer version of a file drops the older one.
    """

    def __init__(self, load: Callable[[Path, str], T], capacity: int = CACHE_CAPACITY) -> None:
        self.capacity = capacity
        self._load = load
        self._entries: OrderedDict[tuple[str, int, int], T] = OrderedDict()
        self._lock = threading.Lock()
        self.opened = 0  # files read so far (tests check that a pan re-reads nothing)

    def get(self, path: Path, name: str) -> T:
        """What ``path`` holds, read now or taken from the cache (``name`` for errors)."""
        check_regular_file(path, name)
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        value = self._load(path, name)
        with self._lock:
            self.opened += 1
            # An older version of the same file is of no more use.
            for stale in [k for k in self._entries if k[0] == key[0]]:
                del self._entries[stale]
            self._entries[key] = value
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget everything read."""
        with self._lock:
            self._entries.clear()


class ImageCache(FileCache[OpenImage]):
    """A small LRU of :class:`OpenImage`, keyed by ``(path, mtime, size)``; thread-safe."""

    def __init__(self, capacity: int = CACHE_CAPACITY) -> None:
        super().__init__(_open, capacity)


#: The server's image cache (one per process).
IMAGES = ImageCache()


def catalog_beside(path: Path) -> Path | None:
    """The image3 source catalog of an ``_i2d.fits`` (``_cat.ecsv`` beside it), if it exists."""
    name = path.name
    if not name.endswith("_i2d.fits"):
        return None
    candidate = path.with_name(name[: -len("_i2d.fits")] + CATALOG_SUFFIX)
    return candidate if candidate.is_file() else None


def sibling_in_root(path: Path | None, root: Path) -> str | None:
    """``path`` relative to ``root``, or None when absent or (through a link) outside it."""
    if path is None:
        return None
    try:
        return relative_to_root(root, path)
    except (OSError, ValueError):
        return None


def sky_at(path: Path, points: list[tuple[float, float]], worker: WcsWorker | None = None) -> Any:
    """``(kind, [[ra, dec] | None, ...] | None)`` of 0-based ``points`` from the WCS worker.

    A 503 when the worker cannot answer (the readout would otherwise claim "no WCS").
    """
    try:
        answer = (worker or WCS).sky(str(path), points)
    except WcsUnavailable as error:
        raise ServiceUnavailable(f"cannot read the image's WCS: {error}") from None
    kind = answer.get("wcs")
    return (cast(WcsSource, kind) if kind in ("gwcs", "fits") else None), answer.get("sky")


def image_info(path: Path, name: str, root: Path, cache: ImageCache = IMAGES) -> dict[str, Any]:
    """What the quick look needs to know of an image: shape, unit, WCS, catalog."""
    image = cache.get(path, name)
    source, _ = sky_at(path, [])
    rows, columns = image.shape
    return {
        "path": name,
        "width": columns,
        "height": rows,
        "unit": image.unit,
        "has_dq": image.has_dq,
        "wcs": source,
        "catalog": sibling_in_root(catalog_beside(path), root),
    }


def _finite_or_none(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def pixel_at(
    path: Path, name: str, x: float, y: float, cache: ImageCache = IMAGES
) -> dict[str, Any]:
    """The pixel nearest to 0-based ``(x, y)``: value, unit, DQ, and RA/Dec of ``(x, y)``."""
    from astropy.io import fits

    image = cache.get(path, name)
    rows, columns = image.shape
    column, row = round(x), round(y)
    if not (0 <= column < columns and 0 <= row < rows):
        raise BadRequest(
            f"({x:g}, {y:g}) is outside the {columns}x{rows} image "
            "(0-based pixel coordinates, x along a row)",
            field="x" if not 0 <= column < columns else "y",
        )
    value = _finite_or_none(image.data[row, column])
    dq: int | None = None
    if image.has_dq:
        try:
            with fits.open(path, memmap=False, lazy_load_hdus=True) as hdus:
                dq = int(hdus["DQ"].section[row, column])
        except (OSError, KeyError, TypeError, ValueError):
            dq = None
    source, sky = sky_at(path, [(x, y)])
    ra, dec = sky[0] if sky and sky[0] else (None, None)
    return {
        "x": x,
        "y": y,
        "column": column,
        "row": row,
        "value": value,
        "unit": image.unit,
        "dq": dq,
        "ra": ra,
        "dec": dec,
        "wcs": source,
    }
