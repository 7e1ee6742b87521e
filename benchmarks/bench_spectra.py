"""Spectral products at realistic sizes: what opening each kind and moving through it costs.

- an x1dints of a long time series: 2,000 integrations of 2,048 points (vector columns,
  ~600 MB of table): listing every spectrum and sending one (p50 of 20 random ones);
- a 200,000-point x1d decimated to 4,000 points (p50);
- an s3d of 3,000 planes of 60 x 60 spaxels (43 MB): the cube's wavelengths (first call),
  one plane as a PNG (p50 of 30 random planes; what a slider step costs) and a spaxel's
  spectrum through every plane (p50);
- an s2d whose wavelengths come from its gwcs: the first answer (asdf + gwcs) and the
  cached one.

Targets (2 cores): x1dints spectrum p50 <= 150 ms, decimated x1d p50 <= 300 ms, cube
plane p50 <= 50 ms, spaxel spectrum p50 <= 300 ms. Same-run baseline: astropy reading the
whole cube (what a viewer without plane-by-plane reads would pay per slider step).
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

from jwst_lab.core.spectra import (  # noqa: E402
    cube_spectrum,
    read_cube,
    read_spectra,
    read_spectral_image,
    render_cube_slice,
)
from tests import synthetic_spectra as synth  # noqa: E402

INTEGRATIONS = 2000
INT_POINTS = 2048
LONG_POINTS = 200_000
CUBE = (3000, 60, 60)


def _write_cube(path: Path) -> None:
    import numpy as np
    from stdatamodels.jwst import datamodels

    rng = np.random.default_rng(7)
    model = datamodels.IFUCubeModel(data=rng.normal(10.0, 1.0, CUBE).astype(np.float32))
    model.err = np.full(CUBE, 1.0, dtype=np.float32)
    info = model.meta.wcsinfo
    info.ctype3, info.cunit3, info.crval3, info.cdelt3, info.crpix3 = "WAVE", "um", 5.0, 1e-3, 1.0
    model.meta.bunit_data = "MJy/sr"
    model.save(path)


def main() -> int:
    """Write the products, time them; exit 1 when a target is missed."""
    import numpy as np
    from astropy.io import fits

    rng = random.Random(3)  # noqa: S311 - reproducible choices
    with tempfile.TemporaryDirectory(prefix="bench-spectra-") as folder:
        root = Path(folder)
        started = time.perf_counter()
        ints = synth.write_x1dints(
            root / "long_x1dints.fits", integrations=INTEGRATIONS, points=INT_POINTS
        )
        long = synth.write_x1d(root / "long_x1d.fits", points=LONG_POINTS)
        cube = root / "big_s3d.fits"
        _write_cube(cube)
        s2d = synth.write_s2d_gwcs(root / "gwcs_s2d.fits")
        print(f"wrote the products in {time.perf_counter() - started:.1f} s")

        spectra = []
        for _ in range(20):
            t0 = time.perf_counter()
            answer = read_spectra(ints, "x", index=rng.randrange(INTEGRATIONS))
            spectra.append(time.perf_counter() - t0)
        assert answer["total_spectra"] == INTEGRATIONS
        decimated = []
        for index in (0, 1) * 5:
            t0 = time.perf_counter()
            shown = read_spectra(long, "x", index=index)["spectrum"]["shown"]
            decimated.append(time.perf_counter() - t0)
        assert shown <= 4000

        t0 = time.perf_counter()
        planes = len(read_cube(cube, "x")["wavelength"] or [])
        cube_info = time.perf_counter() - t0
        assert planes == CUBE[0]
        slices = []
        for _ in range(30):
            t0 = time.perf_counter()
            render_cube_slice(cube, "x", index=rng.randrange(CUBE[0]))
            slices.append(time.perf_counter() - t0)
        spaxels = []
        for _ in range(10):
            t0 = time.perf_counter()
            cube_spectrum(cube, "x", x=rng.randrange(CUBE[2]), y=rng.randrange(CUBE[1]))
            spaxels.append(time.perf_counter() - t0)
        whole = []
        for _ in range(3):
            t0 = time.perf_counter()
            with fits.open(cube, memmap=False) as hdus:
                np.nanmean(hdus["SCI"].data[rng.randrange(CUBE[0])])
            whole.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        read_spectral_image(s2d, "x")
        gwcs_first = time.perf_counter() - t0
        t0 = time.perf_counter()
        read_spectral_image(s2d, "x")
        gwcs_cached = time.perf_counter() - t0

    ok = (
        p50_ms(spectra) <= 150
        and p50_ms(decimated) <= 300
        and p50_ms(slices) <= 50
        and p50_ms(spaxels) <= 300
    )
    print(
        f"x1dints {INTEGRATIONS}x{INT_POINTS}: one spectrum + the list p50 "
        f"{p50_ms(spectra):.0f} ms (target <= 150); x1d {LONG_POINTS} points -> <= 4000 p50 "
        f"{p50_ms(decimated):.0f} ms "
        f"(target <= 300); s3d {CUBE}: wavelengths {cube_info * 1000:.0f} ms, plane PNG p50 "
        f"{p50_ms(slices):.1f} ms (target <= 50), spaxel spectrum p50 {p50_ms(spaxels):.0f} ms "
        f"(target <= 300); baseline whole-cube read per step p50 {p50_ms(whole):.0f} ms; "
        f"s2d gwcs wavelengths first {gwcs_first * 1000:.0f} ms, cached {gwcs_cached * 1000:.2f} ms"
    )
    return verdict("bench_spectra", ok)


if __name__ == "__main__":
    sys.exit(main())
