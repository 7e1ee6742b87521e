"""Quick-look PNGs of 2-D images (``i2d``, ``cal``, ``rate``) under the server root.

Blocking (numpy/astropy work): call it from a worker thread. astropy is
imported on first use only. The PNG is 8-bit greyscale, north-up as FITS
stores it (row 0 at the bottom), downsampled by block averaging so that its
longest side is at most ``max_size`` pixels.

With a ``region`` (``x0,y0,x1,y1``, 0-based full-resolution pixels, ends
excluded, clipped to the image) only that part is rendered, at the integer
factor ``f = ceil(max(width, height) / max_size)``: the PNG is
``ceil(width / f)`` x ``ceil(height / f)`` and its pixel ``(i, j)`` averages
image pixels from ``(x0 + i*f, y0 + j*f)`` (edge blocks over what exists), so a
viewer places it exactly. The stretch limits are the whole image's, so
regions and the overview match. Files are read through
:data:`jwst_lab.core.images.IMAGES`, which keeps them open.
"""

from __future__ import annotations

import struct
import warnings
import zlib
from pathlib import Path
from typing import Any, Literal, cast

from ..errors import BadRequest
from .images import IMAGES, ImageCache, OpenImage, check_regular_file

Stretch = Literal["asinh", "zscale", "linear"]
STRETCHES: tuple[str, ...] = ("asinh", "zscale", "linear")
DEFAULT_MAX_SIZE = 1024
MIN_SIZE = 16
MAX_SIZE_LIMIT = 4096


def downsample(data: Any, max_size: int) -> Any:
    """``data`` block-averaged (NaN-aware) so that its longest side is at most ``max_size``."""
    import numpy as np

    factor = max(1, -(-max(data.shape) // max_size))
    if factor == 1:
        return data
    rows = data.shape[0] // factor * factor
    cols = data.shape[1] // factor * factor
    blocks = data[:rows, :cols].reshape(rows // factor, factor, cols // factor, factor)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN blocks stay NaN
        return np.nanmean(blocks, axis=(1, 3))


def stretch_limits(data: Any, stretch: Stretch) -> tuple[float, float]:
    """The stretch's (low, high) over the finite values of ``data``: zscale, else the
    99.5 % percentile interval; (0, 1) when nothing is finite."""
    import numpy as np
    from astropy.visualization import PercentileInterval, ZScaleInterval

    values = data[np.isfinite(data)]
    if values.size == 0:
        return 0.0, 1.0
    interval = ZScaleInterval() if stretch == "zscale" else PercentileInterval(99.5)
    low, high = (float(v) for v in interval.get_limits(values))
    return low, high if high > low else low + 1.0


def _limits(image: OpenImage, stretch: Stretch) -> tuple[float, float]:
    """The stretch's (low, high) over the whole image (a subsample), kept on ``image``."""
    found = image.limits.get(stretch)
    if found is None:
        found = image.limits[stretch] = stretch_limits(image.sample(), stretch)
    return found


def _scale(data: Any, stretch: Stretch, limits: tuple[float, float]) -> Any:
    import numpy as np
    from astropy.visualization import AsinhStretch, LinearStretch

    low, high = limits
    finite = np.isfinite(data)
    if not finite.any():
        return np.zeros(data.shape, dtype=np.uint8)
    scaled = np.clip((np.where(finite, data, low) - low) / (high - low), 0.0, 1.0)
    transform = AsinhStretch(0.1) if stretch == "asinh" else LinearStretch()
    return (np.clip(transform(scaled), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def parse_region(text: str, width: int, height: int) -> tuple[int, int, int, int]:
    """``x0,y0,x1,y1`` (0-based, ends excluded) clipped to a ``width`` x ``height`` image.

    A 400 naming ``region`` when it is malformed, empty or outside the image.
    """
    parts = text.split(",")
    if len(parts) != 4 or not all(p.strip().isascii() and p.strip().isdigit() for p in parts):
        raise BadRequest(
            f"region must be x0,y0,x1,y1 (four non-negative integers), not {text[:60]!r}",
            field="region",
        )
    x0, y0, x1, y1 = (int(p) for p in parts)
    if x1 <= x0 or y1 <= y0:
        raise BadRequest("region must have x1 > x0 and y1 > y0", field="region")
    x0, x1 = min(x0, width), min(x1, width)
    y0, y1 = min(y0, height), min(y1, height)
    if x1 <= x0 or y1 <= y0:
        raise BadRequest(f"region lies outside the {width}x{height} image", field="region")
    return x0, y0, x1, y1


def _region_blocks(data: Any, max_size: int) -> Any:
    """Block averages of ``data`` at ``ceil(longest / max_size)``, partial edge blocks kept."""
    import numpy as np

    rows, cols = data.shape
    factor = max(1, -(-max(rows, cols) // max_size))
    if factor == 1:
        return data
    padded = np.full((-(-rows // factor) * factor, -(-cols // factor) * factor), np.nan, "f4")
    padded[:rows, :cols] = data
    blocks = padded.reshape(padded.shape[0] // factor, factor, padded.shape[1] // factor, factor)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN blocks stay NaN
        return np.nanmean(blocks, axis=(1, 3))


def encode_png(pixels: Any) -> bytes:
    """8-bit greyscale PNG bytes of a 2-D uint8 array (first row at the top)."""
    height, width = pixels.shape
    raw = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def scale_to_png(data: Any, stretch: Stretch, limits: tuple[float, float] | None = None) -> bytes:
    """A greyscale PNG of a 2-D array (row 0 at the bottom, as FITS stores it), stretched
    between ``limits`` (by default over its own finite values)."""
    chosen = limits if limits is not None else stretch_limits(data, stretch)
    return encode_png(_scale(data, stretch, chosen)[::-1])


def check_stretch(stretch: str) -> Stretch:
    """``stretch`` if it is one of :data:`STRETCHES`, else a 400 naming the field."""
    if stretch not in STRETCHES:
        raise BadRequest(
            f"stretch must be one of {', '.join(STRETCHES)}, not {stretch[:40]!r}", field="stretch"
        )
    return cast(Stretch, stretch)


def render_preview(
    path: Path,
    name: str,
    *,
    stretch: str = "asinh",
    max_size: int = DEFAULT_MAX_SIZE,
    region: str | None = None,
    cache: ImageCache = IMAGES,
) -> bytes:
    """A PNG quick look of the 2-D image in ``path`` (``name`` is how errors refer to it).

    The whole image, or the ``region`` ``x0,y0,x1,y1`` of it (see the module's doc).
    """
    import numpy as np

    chosen = check_stretch(stretch)
    if not MIN_SIZE <= max_size <= MAX_SIZE_LIMIT:
        raise BadRequest(
            f"max_size must be between {MIN_SIZE} and {MAX_SIZE_LIMIT}", field="max_size"
        )
    check_regular_file(path, name)
    image = cache.get(path, name)
    if region is None:
        data = downsample(np.asarray(image.data, dtype=np.float32), max_size)
    else:
        rows, columns = image.shape
        x0, y0, x1, y1 = parse_region(region, columns, rows)
        data = _region_blocks(np.asarray(image.data[y0:y1, x0:x1], dtype=np.float32), max_size)
    return scale_to_png(data, chosen, _limits(image, chosen))
