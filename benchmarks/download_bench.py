"""What the download benchmarks share: the served files, astroquery's side, the check.

``bench_downloads.py`` (a throttled HTTP server) and ``bench_cloud.py`` (a
throttled S3 bucket) time jwst-lab's download runner against astroquery's
``Observations.download_products`` on the same files; both make the files,
the product table astroquery reads, and check every copy byte for byte here.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import time
from pathlib import Path
from typing import Any

#: The observation the benchmark products belong to (astroquery's folder name).
OBS_ID = "jw01234-o001_t001_nircam_clear-f200w"


def workload_parser(description: str) -> argparse.ArgumentParser:
    """A parser with the workload options both benchmarks take (16 files x 32 MB, 8 at once)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--files", type=int, default=16)
    parser.add_argument("--size-mb", type=int, default=32)
    parser.add_argument("--parallel", type=int, default=8)
    return parser


def make_files(folder: Path, count: int, size: int) -> list[Path]:
    """``count`` incompressible files of ``size`` bytes (fast to make), named as NIRCam cal."""
    folder.mkdir(parents=True)
    block = os.urandom(1 << 20)
    paths = []
    for index in range(count):
        path = folder / f"jw01234001001_02101_{index + 1:05d}_nrca1_cal.fits"
        with path.open("wb") as handle:
            for chunk in range(size >> 20):
                handle.write(bytes([index, chunk & 0xFF]) + block[2:])
        paths.append(path)
    return paths


def product_uri(path: Path) -> str:
    """The MAST data URI of a benchmark file."""
    return f"mast:JWST/product/{path.name}"


def download_with_astroquery(files: list[Path], dest: Path, **options: Any) -> float:
    """Seconds ``Observations.download_products`` takes for ``files`` (their product
    table) into ``dest``; ``options`` go to it (``cloud_only=True``, ...). Every
    product must come back COMPLETE."""
    from astropy.table import Table
    from astroquery.mast import Observations

    table = Table(
        rows=[("JWST", OBS_ID, product_uri(p), p.name, p.stat().st_size) for p in files],
        names=("obs_collection", "obs_id", "dataURI", "productFilename", "size"),
    )
    started = time.perf_counter()
    manifest = Observations.download_products(
        table, download_dir=str(dest), cache=False, verbose=False, **options
    )
    seconds = time.perf_counter() - started
    bad = [row for row in manifest if row["Status"] != "COMPLETE"]
    if bad:
        raise SystemExit(f"astroquery download failed: {bad[0]}")
    return seconds


def verify(files: list[Path], folder: Path) -> None:
    """Every downloaded file in ``folder`` is byte-identical to its source."""
    for path in files:
        copy = folder / path.name
        if not filecmp.cmp(path, copy, shallow=False):
            raise SystemExit(f"{copy} differs from its source")
