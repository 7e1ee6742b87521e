"""Quick look at scale: a 10,000 x 10,000 float32 i2d (400 MB) with a gwcs.

What a pan or a hover costs once the file is open (:class:`ImageCache` keeps
its memory map and WCS): the visible region at 1:1 for an 800 x 600 viewport,
the same region zoomed out (a 4000-pixel-wide view block-averaged to 1000),
and the pixel readout with RA/Dec; the whole-image overview once (it reads every
pixel). Targets (2 cores): region p50 <= 60 ms,
zoomed-out region p50 <= 400 ms, pixel p50 <= 15 ms. Same-run baseline: the
region read without the cache (``astropy.io.fits`` open, slice, close each
time), and the first open (gwcs load included).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from timing import p50_ms, verdict

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from jwst_lab.core.images import ImageCache, image_info, pixel_at  # noqa: E402
from jwst_lab.core.preview import render_preview  # noqa: E402

SIDE = 10_000
N_PANS = 30
N_PIXELS = 100


def _write(path: Path) -> None:
    import numpy as np
    from stdatamodels.jwst.datamodels import ImageModel

    from tests.test_images import _gwcs

    rng = np.random.default_rng(5)
    data = rng.normal(1.0, 0.1, size=(SIDE, SIDE)).astype(np.float32)
    model = ImageModel(data=data)
    model.meta.wcs = _gwcs()
    model.meta.bunit_data = "MJy/sr"
    model.save(path)
    model.close()


def main() -> int:
    """Write the image, time pans and hovers; exit 1 when a target is missed."""
    from astropy.io import fits

    with tempfile.TemporaryDirectory(prefix="bench-images-") as folder:
        root = Path(folder)
        path = root / "big_i2d.fits"
        started = time.perf_counter()
        _write(path)
        print(f"wrote a {SIDE}x{SIDE} i2d in {time.perf_counter() - started:.1f} s")
        cache = ImageCache()
        started = time.perf_counter()
        info = image_info(path, "big", root, cache)
        first_open = time.perf_counter() - started
        rng = random.Random(11)  # noqa: S311 - reproducible pan positions
        regions = []
        for _ in range(N_PANS):
            x, y = rng.randrange(0, SIDE - 800), rng.randrange(0, SIDE - 600)
            regions.append(f"{x},{y},{x + 800},{y + 600}")
        t0 = time.perf_counter()
        render_preview(path, "big", max_size=1024, cache=cache)  # stretch limits, then all rows
        overview = time.perf_counter() - t0
        one_to_one = []
        for region in regions:
            t0 = time.perf_counter()
            render_preview(path, "big", region=region, max_size=800, cache=cache)
            one_to_one.append(time.perf_counter() - t0)
        zoomed = []
        for region in regions[:10]:
            x, y = (int(v) for v in region.split(",")[:2])
            x, y = min(x, SIDE - 4000), min(y, SIDE - 3000)
            t0 = time.perf_counter()
            render_preview(
                path, "big", region=f"{x},{y},{x + 4000},{y + 3000}", max_size=1000, cache=cache
            )
            zoomed.append(time.perf_counter() - t0)
        pixels = []
        for _ in range(N_PIXELS):
            x, y = rng.uniform(0, SIDE - 1), rng.uniform(0, SIDE - 1)
            t0 = time.perf_counter()
            pixel_at(path, "big", x, y, cache)
            pixels.append(time.perf_counter() - t0)
        uncached = []
        for region in regions[:10]:
            x0, y0, x1, y1 = (int(v) for v in region.split(","))
            t0 = time.perf_counter()
            with fits.open(path, memmap=True) as hdus:
                hdus["SCI"].data[y0:y1, x0:x1].copy()
            uncached.append(time.perf_counter() - t0)
        assert cache.opened == 1, cache.opened
        ok = p50_ms(one_to_one) <= 60 and p50_ms(zoomed) <= 400 and p50_ms(pixels) <= 15
        print(
            f"first open (shape, gwcs): {first_open * 1000:.0f} ms, wcs={info['wcs']}; "
            f"whole-image overview (1024 px, first stretch): {overview:.1f} s; "
            f"1:1 region 800x600 p50 {p50_ms(one_to_one):.1f} ms (target <= 60); "
            f"zoomed-out region 4000x3000 -> 1000 p50 {p50_ms(zoomed):.0f} ms (target <= 400); "
            f"pixel + RA/Dec p50 {p50_ms(pixels):.2f} ms (target <= 15); "
            f"same-run baseline: uncached open+slice p50 {p50_ms(uncached):.1f} ms"
        )
    return verdict("bench_images", ok)


if __name__ == "__main__":
    sys.exit(main())
