"""Quick-look PNGs of 2-D images (``i2d``, ``cal``, ``rate``) under the server root.

Blocking (numpy/astropy work): call it from a worker thread. astropy is
imported on first use only. The PNG is 8-bit greyscale, north-up as FITS
stores it (row 0 at the bottom), downsampled by block averaging so that its
longest side is at most ``max_size`` pixels.
"""

from __future__ import annotations

import struct
import warnings
import zlib
from pathlib import Path
from typing import Any, Literal, cast

from ..errors import BadRequest

Stretch = Literal["asinh", "zscale", "linear"]
STRETCHES: tuple[str, ...] = ("asinh", "zscale", "linear")
DEFAULT_MAX_SIZE = 1024
MIN_SIZE = 16
MAX_SIZE_LIMIT = 4096


def _image_data(path: Path, name: str) -> Any:
    import numpy as np
    from astropy.io import fits

    try:
        with fits.open(path, memmap=False, lazy_load_hdus=True) as hdus:
            # Pick by header so only the chosen image's data is read (not ERR, DQ, VAR_*).
            candidates = [
                h for h in hdus if getattr(h, "is_image", False) and h.header.get("NAXIS", 0) > 0
            ]
            science = [h for h in candidates if h.name == "SCI"] or candidates
            if not science:
                raise BadRequest(f"{name} has no image data", field="path")
            data = science[0].data
            if data.ndim != 2:
                raise BadRequest(
                    f"{name} holds a {data.ndim}-D image ({'x'.join(map(str, data.shape))}); "
                    "a quick look needs a 2-D image such as an i2d, cal or rate file",
                    field="path",
                )
            return np.array(data, dtype=np.float32)
    except (OSError, TypeError, ValueError) as error:
        raise BadRequest(f"{name} is not a readable FITS image: {error}", field="path") from None


def _downsample(data: Any, max_size: int) -> Any:
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


def _scale(data: Any, stretch: Stretch) -> Any:
    import numpy as np
    from astropy.visualization import (
        AsinhStretch,
        LinearStretch,
        PercentileInterval,
        ZScaleInterval,
    )

    finite = np.isfinite(data)
    if not finite.any():
        return np.zeros(data.shape, dtype=np.uint8)
    values = data[finite]
    interval = ZScaleInterval() if stretch == "zscale" else PercentileInterval(99.5)
    low, high = interval.get_limits(values)
    if not high > low:
        high = low + 1.0
    scaled = np.clip((np.where(finite, data, low) - low) / (high - low), 0.0, 1.0)
    transform = AsinhStretch(0.1) if stretch == "asinh" else LinearStretch()
    return (np.clip(transform(scaled), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


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


def check_stretch(stretch: str) -> Stretch:
    """``stretch`` if it is one of :data:`STRETCHES`, else a 400 naming the field."""
    if stretch not in STRETCHES:
        raise BadRequest(
            f"stretch must be one of {', '.join(STRETCHES)}, not {stretch[:40]!r}", field="stretch"
        )
    return cast(Stretch, stretch)


def render_preview(
    path: Path, name: str, *, stretch: str = "asinh", max_size: int = DEFAULT_MAX_SIZE
) -> bytes:
    """A PNG quick look of the 2-D image in ``path`` (``name`` is how errors refer to it)."""
    chosen = check_stretch(stretch)
    if not MIN_SIZE <= max_size <= MAX_SIZE_LIMIT:
        raise BadRequest(
            f"max_size must be between {MIN_SIZE} and {MAX_SIZE_LIMIT}", field="max_size"
        )
    if path.is_dir():
        raise BadRequest(f"{name} is a folder, not an image", field="path")
    if not path.is_file():
        # Reading a FIFO or a device would block this thread forever.
        raise BadRequest(f"{name} is not a regular file", field="path")
    data = _downsample(_image_data(path, name), max_size)
    pixels = _scale(data, chosen)
    return encode_png(pixels[::-1])
