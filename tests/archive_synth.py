"""Synthetic observation rows for large local-archive indexes (tests and benchmarks).

Rows have MAST's CAOM columns with plausible JWST values: positions uniform on
the sphere, instruments, filters, programs, levels and dates drawn at random
from a seeded generator, so a test can recompute the right answer by brute
force.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

INSTRUMENTS = (
    ("MIRI/IMAGE", ("F560W", "F770W", "F1000W", "F1500W", "F2100W"), "image"),
    ("MIRI/IFU", ("CH1", "CH2", "SHORT", "LONG"), "cube"),
    ("NIRCAM/IMAGE", ("F090W;CLEAR", "F150W;CLEAR", "F200W;CLEAR", "F444W;CLEAR"), "image"),
    ("NIRSPEC/IFU", ("F170LP;G235H", "F290LP;G395H"), "cube"),
    ("NIRISS/SOSS", ("CLEAR;GR700XD",), "timeseries"),
    ("FGS/FGS", ("N/A",), "image"),
)


def synthetic_rows(n: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """``n`` observation rows (dicts keyed by MAST column names), reproducibly."""
    rng = np.random.default_rng(seed)
    chunk = 50_000
    made = 0
    while made < n:
        size = min(chunk, n - made)
        ra = rng.uniform(0.0, 360.0, size)
        dec = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, size)))
        which = rng.integers(0, len(INSTRUMENTS), size)
        pick = rng.random(size)
        level = rng.integers(1, 4, size)
        program = rng.integers(1000, 6000, size)
        t_min = rng.uniform(59700.0, 61000.0, size)
        exptime = rng.uniform(10.0, 5000.0, size)
        rights = rng.random(size) < 0.1
        for i in range(size):
            number = made + i
            instrument, filters, product_type = INSTRUMENTS[int(which[i])]
            filt = filters[int(pick[i] * len(filters))]
            yield {
                "intentType": "science",
                "obs_collection": "JWST",
                "provenance_name": "CALJWST",
                "instrument_name": instrument,
                "project": "JWST",
                "filters": filt,
                "wavelength_region": "INFRARED",
                "target_name": f"SYNTH-{number % 5000:04d}",
                "target_classification": None,
                "obs_id": f"jw{int(program[i]):05d}{number:09d}_synthetic",
                "s_ra": float(ra[i]),
                "s_dec": float(dec[i]),
                "dataproduct_type": product_type,
                "proposal_pi": "Synthetic, P.",
                "calib_level": int(level[i]),
                "t_min": float(t_min[i]),
                "t_max": float(t_min[i] + exptime[i] / 86400.0),
                "t_exptime": float(exptime[i]),
                "em_min": None,
                "em_max": None,
                "obs_title": "SYNTHETIC benchmark observation",
                "t_obs_release": float(t_min[i] + 365.0),
                "proposal_id": str(int(program[i])),
                "proposal_type": "GO",
                "sequence_number": None,
                "s_region": None,
                "jpegURL": None,
                "dataURL": None,
                "dataRights": "EXCLUSIVE_ACCESS" if rights[i] else "PUBLIC",
                "mtFlag": False,
                "srcDen": None,
                "objID": None,
            }
        made += size


def angular_distance(ra1: float, dec1: float, ra2: float, dec2: float) -> float:
    """Great-circle distance in degrees (haversine, stable for small angles)."""
    p1, p2 = math.radians(dec1), math.radians(dec2)
    dp = p2 - p1
    dl = math.radians(ra2 - ra1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return math.degrees(2 * math.asin(min(1.0, math.sqrt(a))))
