"""The synthetic observatory behind the demo: program, target, MIRI imager, detector.

Everything the generator and the synthetic reference files must agree on lives
here, so the references describe exactly the detector that made the data.
Values are realistic for MIRI imaging but invented; none is a calibrated number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

#: Bump whenever the generated content changes; a workspace made by another
#: generator version is rebuilt instead of reused.
GENERATOR_VERSION = "1"

#: Shown wherever a user may look (FITS headers, README, manifest).
SYNTHETIC_NOTICE = "SYNTHETIC DATA made by the jwst-lab offline demo: not a real JWST observation"

# --- program --------------------------------------------------------------------

PROGRAM = "09999"
OBSERVATION = "001"
VISIT = "001"
VISIT_GROUP = "02"
SEQUENCE = "1"
PROGRAM_TITLE = "SYNTHETIC jwst-lab offline demo: MIRI imaging of a star field"
PI_NAME = "jwst-lab demo (synthetic)"
TARGET_NAME = "DEMO-FIELD"
TARGET_DESCRIPTION = "Synthetic star field (no real astronomical source)"
#: Field centre (deg), near the north ecliptic pole where JWST can always look.
TARGET_RA = 269.7275
TARGET_DEC = 66.0450
#: V3 position angle of the observation (deg).
ROLL_REF = 72.5
#: Date of the first exposure (UTC).
OBSERVATION_START = "2025-04-01T12:00:00.000"

# --- instrument -----------------------------------------------------------------

INSTRUMENT = "MIRI"
DETECTOR = "MIRIMAGE"
EXP_TYPE = "MIR_IMAGE"
READPATT = "FASTR1"

#: 512x512 MIRI subarray (1-based corner in the 1032x1024 full frame).
SUBARRAY_NAME = "BRIGHTSKY"
SUBARRAY_XSTART = 457
SUBARRAY_YSTART = 51
SUBARRAY_SIZE = 512
FULL_FRAME_SHAPE = (1024, 1032)

#: Readout: one frame per group, no gaps, one integration.
FRAME_TIME = 0.86528
NGROUPS = 10
NINTS = 1
#: Groups that RSCD flags at the start of the first integration and lastframe at the end.
RSCD_SKIP_INT1 = 1
RSCD_SKIP_INT2P = 1

#: Detector pixel scale (arcsec/pixel) and pixel solid angle.
PIXEL_SCALE = 0.11
ARCSEC_PER_RADIAN = 206264.80624709636
PIXEL_AREA_SR = (PIXEL_SCALE / ARCSEC_PER_RADIAN) ** 2
PIXEL_AREA_ARCSEC2 = PIXEL_SCALE**2

#: Imager frame in the telescope (V2, V3) system, SIAF-like (arcsec, deg).
FULL_FRAME_REF_PIXEL = (692.5, 511.5)  # 0-based full-frame pixel at (V2_FULL, V3_FULL)
V2_FULL = -453.559
V3_FULL = -373.814
V3_IDL_YANGLE = 4.83
VIDL_PARITY = -1

# --- detector physics (the "truth" the reference files describe) -------------

GAIN = 4.0  # e-/DN
READ_NOISE = 5.0  # DN per read
BIAS_LEVEL = 10000.0  # DN
BIAS_SPREAD = 250.0  # DN, pixel to pixel
DARK_RATE = 0.08  # DN/s
SATURATION_LEVEL = 55000.0  # DN in raw counts
#: Linearity: linear counts = raw + LINEARITY_C2 * raw**2 (coefficients 0, 1, C2).
LINEARITY_C2 = 2.0e-7
#: Inter-pixel capacitance: fraction of charge seen by each of the 4 neighbours.
IPC_COUPLING = 0.008
#: Reset anomaly: amplitude (DN) and decay (groups) of the first-integration transient.
RESET_AMPLITUDE = 30.0
RESET_DECAY_GROUPS = 1.5
RESET_GROUPS = 4
#: Fractions of bad pixels.
DEAD_FRACTION = 0.0008
HOT_FRACTION = 0.0008
HOT_RATE_RANGE = (30.0, 300.0)  # DN/s
#: Cosmic rays per exposure hitting the ramps, amplitude range (DN).
COSMIC_RAYS_PER_EXPOSURE = 150
COSMIC_RAY_DN = (150.0, 4000.0)
#: Residual hits that ramp fitting would miss, left in rate/cal for outlier_detection.
RESIDUAL_HITS_PER_EXPOSURE = 25
RESIDUAL_HIT_RATE = (40.0, 400.0)  # DN/s


@dataclass(frozen=True)
class FilterSpec:
    """Per-filter optics and calibration of the synthetic imager."""

    name: str
    activity: str  # the N in the file name's 0210N
    psf_fwhm_arcsec: float
    photmjsr: float  # MJy/sr per DN/s
    sky_mjysr: float  # mean sky level
    abvega_offset: float
    column_offset: float  # FILTEROFFSET (pixels)
    row_offset: float


FILTERS: tuple[FilterSpec, ...] = (
    FilterSpec(
        name="F770W",
        activity="1",
        psf_fwhm_arcsec=0.27,
        photmjsr=0.20,
        sky_mjysr=2.4,
        abvega_offset=4.31,
        column_offset=0.0,
        row_offset=0.0,
    ),
)

#: 4-point dither offsets in the ideal frame (arcsec).
DITHER_OFFSETS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0),
    (2.37, 1.63),
    (-1.85, 2.41),
    (1.12, -2.18),
)
#: Exposures of the program (``jwst-lab demo --exposures N``): the default and the bounds.
DEFAULT_EXPOSURES = len(DITHER_OFFSETS)
MIN_EXPOSURES = 1
MAX_EXPOSURES = 64
#: Beyond the first four, positions follow a golden-angle spiral between these radii
#: (arcsec): far enough out to sample new sub-pixel phases, near enough that the
#: stars (kept inside every exposure) still fill most of the subarray.
SPIRAL_RADII_ARCSEC = (3.0, 7.0)
GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))
#: Exposure start spacing (s) and the largest pointing error injected (arcsec).
EXPOSURE_CADENCE_S = 60.0
MAX_POINTING_ERROR = 0.25


def dither_offsets(n_exposures: int) -> tuple[tuple[float, float], ...]:
    """The ideal-frame offsets (arcsec) of an ``n_exposures``-point program.

    The first four are :data:`DITHER_OFFSETS` (so the default program is the
    4-point dither); further points lie on a spiral, so every ``n`` is a prefix
    of the :data:`MAX_EXPOSURES`-point pattern.
    """
    if not MIN_EXPOSURES <= n_exposures <= MAX_EXPOSURES:
        raise ValueError(
            f"the demo program has {MIN_EXPOSURES} to {MAX_EXPOSURES} exposures, not {n_exposures}"
        )
    offsets = list(DITHER_OFFSETS[:n_exposures])
    extra = MAX_EXPOSURES - len(DITHER_OFFSETS)
    inner, outer = SPIRAL_RADII_ARCSEC
    for index in range(n_exposures - len(offsets)):
        radius = inner + (outer - inner) * math.sqrt((index + 1) / extra)
        angle = index * GOLDEN_ANGLE
        offsets.append((round(radius * math.cos(angle), 3), round(radius * math.sin(angle), 3)))
    return tuple(offsets)


def dither_pattern(n_exposures: int) -> str:
    """``PATTTYPE`` of an ``n_exposures``-point program (a schema value)."""
    if n_exposures == 1:
        return "NONE"
    if n_exposures == len(DITHER_OFFSETS):
        return "4-POINT-DITHER"
    return "CYCLING"


# --- star field -----------------------------------------------------------------

N_STARS = 140
#: Stars brighter than this (nJy) are the ones the demo promises to recover.
COMPLETENESS_LIMIT_NJY = 10_000.0
STAR_FLUX_RANGE_NJY = (2_000.0, 800_000.0)
MIN_STAR_SEPARATION_ARCSEC = 1.6
#: Stars stay this far (pixels) inside every exposure.
STAR_EDGE_MARGIN_PIX = 14.0

# --- CRDS -------------------------------------------------------------------------

#: First serial number of the demo's mappings and references (far above real ones).
CRDS_SERIAL_BASE = 9000
REFERENCE_USEAFTER = "2022-01-01T00:00:00"


# --- datamodel metadata -----------------------------------------------------------


def set_subarray(meta: Any) -> None:
    """Describe the demo's subarray in a datamodel's ``meta`` (exposures and references alike)."""
    meta.subarray.name = SUBARRAY_NAME
    meta.subarray.xstart = SUBARRAY_XSTART
    meta.subarray.ystart = SUBARRAY_YSTART
    meta.subarray.xsize = SUBARRAY_SIZE
    meta.subarray.ysize = SUBARRAY_SIZE
    meta.subarray.fastaxis = 1
    meta.subarray.slowaxis = 2
