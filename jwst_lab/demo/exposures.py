"""The demo's exposures at three levels: ``uncal`` ramps, ``rate`` slopes and ``cal`` images.

Each level is made directly from the same simulated scene and noise (no
pipeline runs): the ramps follow the detector truth that the reference files
describe, the ``rate`` image is the slope a perfect ramp fit gets from those
very ramps, and the ``cal`` image is that slope flat-fielded and calibrated to
MJy/sr with the demo's FLAT and PHOTOM references.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import instrument as inst
from . import sky
from .detector import (
    DO_NOT_USE,
    JUMP_DET,
    Detector,
    detector,
    group_times,
    ipc_couple,
)
from .wcs import Pointing, dithered_pointing, imaging_wcs, v1_pointing

SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class ExposurePlan:
    """One exposure of the demo program."""

    filter_name: str
    activity: str
    number: int  # position in the dither, 1-based
    dither_offset: tuple[float, float]  # arcsec, ideal frame
    true_pointing: Pointing
    pointing: Pointing  # what the headers say (includes the pointing error)
    sky_mjysr: float
    start_mjd: float
    #: Points of the program's dither pattern (the number of exposures per filter).
    dither_points: int = inst.DEFAULT_EXPOSURES

    @property
    def basename(self) -> str:
        """File name stem: ``jw<program><obs><visit>_<group><seq><act>_<exp>_mirimage``."""
        return (
            f"jw{inst.PROGRAM}{inst.OBSERVATION}{inst.VISIT}_"
            f"{inst.VISIT_GROUP}{inst.SEQUENCE}{self.activity:0>2}_{self.number:05d}_mirimage"
        )

    def filename(self, suffix: str) -> str:
        """The product file name for ``suffix`` (``uncal``, ``rate``, ``cal``)."""
        return f"{self.basename}_{suffix}.fits"

    @property
    def filter_spec(self) -> inst.FilterSpec:
        """Optics and calibration of this exposure's filter."""
        return next(f for f in inst.FILTERS if f.name == self.filter_name)

    @property
    def exposure_duration(self) -> float:
        """Seconds from the first to the last read."""
        return inst.NGROUPS * inst.FRAME_TIME * inst.NINTS


@dataclass
class ExposureArrays:
    """The simulated arrays of one exposure at every level."""

    uncal: np.ndarray  # (nints, ngroups, ny, nx) uint16
    rate: np.ndarray  # DN/s
    rate_dq: np.ndarray
    rate_var_poisson: np.ndarray
    rate_var_rnoise: np.ndarray
    cal: np.ndarray  # MJy/sr
    cal_var_poisson: np.ndarray
    cal_var_rnoise: np.ndarray
    cal_var_flat: np.ndarray
    cosmic_rays: np.ndarray  # structured: group, y, x, amplitude_dn, flagged


def mjd_from_iso(iso: str) -> float:
    """MJD (UTC) of an ISO date-time."""
    from astropy.time import Time

    return float(Time(iso, format="isot", scale="utc").mjd)


def plan_exposures(seed: int, n_exposures: int = inst.DEFAULT_EXPOSURES) -> list[ExposurePlan]:
    """The dithered exposures of every filter, with their pointing errors and sky levels.

    ``n_exposures`` dither positions per filter (see :func:`~.instrument.dither_offsets`);
    the first exposures of a longer program are those of a shorter one.
    """
    offsets = inst.dither_offsets(n_exposures)
    rng = np.random.default_rng([seed, 202])
    base = Pointing(ra_ref=inst.TARGET_RA, dec_ref=inst.TARGET_DEC)
    start = mjd_from_iso(inst.OBSERVATION_START)
    plans: list[ExposurePlan] = []
    index = 0
    for spec in inst.FILTERS:
        for number, offset in enumerate(offsets, start=1):
            if number == 1:
                # The first position is where guide-star acquisition left the
                # telescope: exact. tweakreg aligns the others to it.
                error = (0.0, 0.0)
            else:
                radius = inst.MAX_POINTING_ERROR * math.sqrt(rng.uniform(0.25, 1.0))
                angle = rng.uniform(0.0, 2.0 * math.pi)
                error = (radius * math.cos(angle), radius * math.sin(angle))
            true, commanded = dithered_pointing(base, offset, error)
            sky_level = spec.sky_mjysr * (1.0 + rng.uniform(-0.08, 0.08))
            plans.append(
                ExposurePlan(
                    filter_name=spec.name,
                    activity=spec.activity,
                    number=number,
                    dither_offset=offset,
                    true_pointing=true,
                    pointing=commanded,
                    sky_mjysr=float(sky_level),
                    start_mjd=start + index * inst.EXPOSURE_CADENCE_S / SECONDS_PER_DAY,
                    dither_points=n_exposures,
                )
            )
            index += 1
    return plans


def plan_field(
    seed: int, n_exposures: int = inst.DEFAULT_EXPOSURES
) -> tuple[list[ExposurePlan], sky.StarField]:
    """The exposures and the star field of a seed (stars inside every exposure)."""
    plans = plan_exposures(seed, n_exposures)
    true_wcs = [imaging_wcs(p.true_pointing, p.filter_name) for p in plans]

    def _inverse(wcs: Any) -> Any:
        return lambda ra, dec: wcs.invert(ra, dec, with_bounding_box=False)

    stars = sky.make_star_field(
        seed,
        [_inverse(w) for w in true_wcs],
        lambda x, y: true_wcs[0](x, y, with_bounding_box=False),
    )
    return plans, stars


def star_pixel_positions(plan: ExposurePlan, stars: sky.StarField) -> tuple[np.ndarray, np.ndarray]:
    """Where the stars fall on the detector in this exposure (true pointing)."""
    true_wcs = imaging_wcs(plan.true_pointing, plan.filter_name)
    x, y = true_wcs.invert(stars.ra, stars.dec, with_bounding_box=False)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _linearity_inverse(linear: np.ndarray) -> np.ndarray:
    """Raw counts whose linearity correction ``raw + c2 * raw**2`` gives ``linear``."""
    c2 = inst.LINEARITY_C2
    return (np.sqrt(1.0 + 4.0 * c2 * linear) - 1.0) / (2.0 * c2)


def simulate_exposure(plan: ExposurePlan, stars: sky.StarField, seed: int) -> ExposureArrays:
    """Simulate one exposure: scene, ramps with noise and cosmic rays, slopes, calibration."""
    det: Detector = detector()
    spec = plan.filter_spec
    filter_index = next(i for i, f in enumerate(inst.FILTERS) if f.name == plan.filter_name)
    rng = np.random.default_rng([seed, 303, filter_index, plan.number])
    shape = det.shape
    ngroups = inst.NGROUPS

    # The scene (MJy/sr) and the count rate it makes (DN/s) through the true flat.
    x, y = star_pixel_positions(plan, stars)
    star_image = sky.render_stars(
        x, y, stars.flux_njy[plan.filter_name], sky.psf_sigma_pixels(plan.filter_name), shape
    )
    scene = plan.sky_mjysr + star_image / sky.NJY_PER_MJYSR_PIXEL
    flat = det.flats[plan.filter_name].astype(np.float64)
    illumination = scene * flat / spec.photmjsr
    illumination[det.dead] = 0.0

    # Ramps: Poisson electrons per frame, dark current included.
    electrons_per_group = (illumination + det.dark_rate) * det.gain * inst.FRAME_TIME
    increments = rng.poisson(np.broadcast_to(electrons_per_group, (ngroups, *shape)))
    signal = np.cumsum(increments, axis=0) / det.gain  # DN, linear
    # Cosmic rays: a jump at one group that stays for the rest of the ramp.
    cosmic = np.zeros((ngroups, *shape))
    jumps: list[tuple[int, int, int, float]] = []
    low, high = inst.COSMIC_RAY_DN
    for _ in range(inst.COSMIC_RAYS_PER_EXPOSURE):
        group = int(rng.integers(1, ngroups - 1))
        row = int(rng.integers(1, shape[0] - 1))
        column = int(rng.integers(1, shape[1] - 1))
        amplitude = 10 ** rng.uniform(math.log10(low), math.log10(high))
        cosmic[group:, row, column] += amplitude
        jumps.append((group, row, column, amplitude))
    read_noise = rng.standard_normal((ngroups, *shape)) * det.read_noise
    linear = det.bias + signal + cosmic  # what the dark step leaves is linear + dark mean

    # Forward detector model: undo linearity, add reset anomaly, IPC, read noise.
    raw = _linearity_inverse(linear)
    reset = det.reset_ramp()
    raw[: reset.shape[0]] += reset
    for group in range(ngroups):
        raw[group] = ipc_couple(raw[group])
    raw += read_noise
    uncal = np.clip(np.rint(raw), 0, 65535).astype(np.uint16)[np.newaxis]

    # The slope a perfect ramp fit finds: jumps removed, dark subtracted,
    # groups flagged by RSCD (first) and lastframe (last) left out.
    dark_mean = det.dark_ramp()
    clean = signal + read_noise - dark_mean
    first = inst.RSCD_SKIP_INT1
    last = ngroups - 1
    times = group_times()[first:last]
    n_used = len(times)
    weights = (times - times.mean()) / np.sum((times - times.mean()) ** 2)
    rate = np.tensordot(weights, clean[first:last], axes=1)
    group_time = inst.FRAME_TIME
    var_rnoise = (
        12.0 * det.read_noise.astype(np.float64) ** 2 / ((n_used**3 - n_used) * group_time**2)
    )
    var_poisson = np.maximum(rate + det.dark_rate, 0.0) / (det.gain * (n_used - 1) * group_time)
    dq = det.mask_dq().copy()
    table = np.array(
        jumps,
        dtype=[("group", "<i4"), ("y", "<i4"), ("x", "<i4"), ("amplitude_dn", "<f8")],
    )
    amplitudes = cosmic[-1, table["y"], table["x"]]
    threshold = 4.0 * np.sqrt(2.0) * det.read_noise[table["y"], table["x"]]
    # A jump shows between two usable groups: after the RSCD-flagged first group.
    flagged = (amplitudes > threshold) & (table["group"] > first) & ~det.bad[table["y"], table["x"]]
    dq[table["y"][flagged], table["x"][flagged]] |= JUMP_DET

    # Residual hits that ramp fitting misses in real data, for outlier_detection.
    low_rate, high_rate = inst.RESIDUAL_HIT_RATE
    for _ in range(inst.RESIDUAL_HITS_PER_EXPOSURE):
        row = int(rng.integers(0, shape[0]))
        column = int(rng.integers(0, shape[1]))
        rate[row, column] += 10 ** rng.uniform(math.log10(low_rate), math.log10(high_rate))

    bad = (dq & DO_NOT_USE) > 0
    rate[bad] = np.nan
    var_rnoise[bad] = np.nan
    var_poisson[bad] = np.nan

    # Calibration: flat field then PHOTOM (MJy/sr per DN/s).
    scale = spec.photmjsr / flat
    cal = rate * scale
    cal_var_poisson = var_poisson * scale**2
    cal_var_rnoise = var_rnoise * scale**2
    cal_var_flat = cal**2 * (det.flat_error.astype(np.float64) / flat) ** 2
    return ExposureArrays(
        uncal=uncal,
        rate=rate.astype(np.float32),
        rate_dq=dq,
        rate_var_poisson=var_poisson.astype(np.float32),
        rate_var_rnoise=var_rnoise.astype(np.float32),
        cal=cal.astype(np.float32),
        cal_var_poisson=cal_var_poisson.astype(np.float32),
        cal_var_rnoise=cal_var_rnoise.astype(np.float32),
        cal_var_flat=cal_var_flat.astype(np.float32),
        cosmic_rays=_cosmic_ray_records(table, flagged),
    )


def _cosmic_ray_records(table: np.ndarray, flagged: np.ndarray) -> np.ndarray:
    records = np.zeros(
        len(table),
        dtype=[
            ("group", "<i4"),
            ("y", "<i4"),
            ("x", "<i4"),
            ("amplitude_dn", "<f8"),
            ("flagged", "?"),
        ],
    )
    for name in ("group", "y", "x", "amplitude_dn"):
        records[name] = table[name]
    records["flagged"] = flagged
    return records


def write_cosmic_ray_table(arrays: ExposureArrays, path: Path) -> None:
    """Write the cosmic rays injected into one exposure's ramps (ECSV).

    ``group`` is the first group that sees the hit, ``x``/``y`` the pixel
    (0-based), ``flagged`` whether the ``rate`` file flags it JUMP_DET (the
    hit lands between two usable groups of a good pixel).
    """
    from astropy.table import Table

    table = Table(arrays.cosmic_rays)
    table.meta["comments"] = [
        inst.SYNTHETIC_NOTICE,
        "Cosmic rays injected into the uncal ramps (jumps that persist to the end of the ramp).",
    ]
    table.write(path, format="ascii.ecsv", overwrite=True)


# --- metadata -----------------------------------------------------------------


def _iso_from_mjd(mjd: float) -> str:
    from astropy.time import Time

    return str(Time(mjd, format="mjd", scale="utc").isot)


def _label_synthetic(model: Any, seed: int) -> None:
    """Mark a model as synthetic in its FITS primary header and history."""
    model.extra_fits = {
        "PRIMARY": {
            "header": [
                ["SYNTHETC", True, "synthetic data made by jwst-lab demo"],
                ["DEMOSEED", int(seed), "random seed of the jwst-lab demo generator"],
                ["DEMOVER", inst.GENERATOR_VERSION, "jwst-lab demo generator version"],
            ]
        }
    }
    model.add_history_entry(inst.SYNTHETIC_NOTICE)
    model.add_history_entry(
        f"Generated by jwst-lab demo generator {inst.GENERATOR_VERSION}, seed {seed}."
    )


def populate_meta(model: Any, plan: ExposurePlan, seed: int) -> None:
    """Fill the metadata every level shares: program, target, instrument, exposure, pointing."""
    meta = model.meta
    start = plan.start_mjd
    duration = plan.exposure_duration
    end = start + duration / SECONDS_PER_DAY
    start_iso = _iso_from_mjd(start)
    meta.telescope = "JWST"
    meta.origin = "jwst-lab demo (synthetic)"
    meta.program.pi_name = inst.PI_NAME
    meta.program.title = inst.PROGRAM_TITLE
    meta.program.category = "GO"
    meta.observation.date = start_iso[:10]
    meta.observation.time = start_iso[11:23]
    meta.observation.date_beg = start_iso[:23]
    meta.observation.date_end = _iso_from_mjd(end)[:23]
    meta.observation.program_number = inst.PROGRAM
    meta.observation.observation_number = inst.OBSERVATION
    meta.observation.visit_number = inst.VISIT
    meta.observation.visit_group = inst.VISIT_GROUP
    meta.observation.sequence_id = inst.SEQUENCE
    meta.observation.activity_id = f"{plan.activity:0>2}"
    meta.observation.exposure_number = str(plan.number)
    meta.observation.visit_id = f"{inst.PROGRAM}{inst.OBSERVATION}{inst.VISIT}"
    meta.observation.obs_id = (
        f"V{inst.PROGRAM}{inst.OBSERVATION}{inst.VISIT}P0000000{inst.VISIT_GROUP}"
        f"{inst.SEQUENCE}{plan.activity:0>2}"
    )
    meta.observation.template = "MIRI Imaging"
    meta.observation.observation_label = "SYNTHETIC demo star field"
    meta.target.proposer_name = inst.TARGET_NAME
    meta.target.catalog_name = inst.TARGET_NAME
    meta.target.type = "FIXED"
    meta.target.ra = inst.TARGET_RA
    meta.target.dec = inst.TARGET_DEC
    meta.target.description = inst.TARGET_DESCRIPTION
    meta.instrument.name = inst.INSTRUMENT
    meta.instrument.detector = inst.DETECTOR
    meta.instrument.filter = plan.filter_name
    meta.exposure.type = inst.EXP_TYPE
    meta.exposure.readpatt = inst.READPATT
    meta.exposure.noutputs = 1
    meta.exposure.nints = inst.NINTS
    meta.exposure.ngroups = inst.NGROUPS
    meta.exposure.nframes = 1
    meta.exposure.groupgap = 0
    meta.exposure.frame_divisor = 1
    meta.exposure.nsamples = 1
    meta.exposure.sample_time = 10.0
    meta.exposure.frame_time = inst.FRAME_TIME
    meta.exposure.group_time = inst.FRAME_TIME
    meta.exposure.integration_time = duration
    meta.exposure.exposure_time = duration
    meta.exposure.effective_exposure_time = duration
    meta.exposure.measurement_time = (inst.NGROUPS - 1) * inst.FRAME_TIME
    meta.exposure.duration = duration
    meta.exposure.start_time = start
    meta.exposure.mid_time = (start + end) / 2.0
    meta.exposure.end_time = end
    meta.exposure.nresets_at_start = 1
    meta.exposure.nresets_between_ints = 1
    meta.exposure.zero_frame = False
    meta.exposure.count = plan.number
    meta.exposure.prime_parallel = "PRIME"
    inst.set_subarray(meta)
    meta.dither.primary_type = inst.dither_pattern(plan.dither_points)
    meta.dither.position_number = plan.number
    meta.dither.total_points = plan.dither_points
    if meta.dither.primary_type == "CYCLING":
        meta.dither.total_cycling_points = plan.dither_points
    meta.dither.x_offset = plan.dither_offset[0]
    meta.dither.y_offset = plan.dither_offset[1]
    meta.aperture.name = "MIRIM_BRIGHTSKY"
    for key, value in plan.pointing.wcsinfo().items():
        setattr(meta.wcsinfo, key, value)
    ra_v1, dec_v1, pa_v3 = v1_pointing(plan.pointing)
    meta.pointing.ra_v1 = ra_v1
    meta.pointing.dec_v1 = dec_v1
    meta.pointing.pa_v3 = pa_v3
    meta.velocity_aberration.scale_factor = 1.0
    _label_synthetic(model, seed)


_RATE_STEPS = {
    "group_scale": "SKIPPED",
    "dq_init": "COMPLETE",
    "saturation": "COMPLETE",
    "ipc": "COMPLETE",
    "lastframe": "COMPLETE",
    "reset": "COMPLETE",
    "linearity": "COMPLETE",
    "rscd": "COMPLETE",
    "dark_sub": "COMPLETE",
    "refpix": "SKIPPED",
    "jump": "COMPLETE",
    "ramp_fit": "COMPLETE",
    "gain_scale": "SKIPPED",
}
_CAL_STEPS = {"assign_wcs": "COMPLETE", "flat_field": "COMPLETE", "photom": "COMPLETE"}


def write_uncal(plan: ExposurePlan, arrays: ExposureArrays, seed: int, path: Path) -> None:
    """Write the ``uncal`` ramps (Level1bModel, uint16) of one exposure."""
    from stdatamodels.jwst import datamodels

    with datamodels.Level1bModel(data=arrays.uncal) as model:
        populate_meta(model, plan, seed)
        model.meta.filename = path.name
        model.meta.bunit_data = "DN"
        model.save(path)


def write_rate(plan: ExposurePlan, arrays: ExposureArrays, seed: int, path: Path) -> None:
    """Write the ``rate`` slope image (ImageModel, DN/s) of one exposure."""
    from stdatamodels.jwst import datamodels

    err = np.sqrt(arrays.rate_var_poisson + arrays.rate_var_rnoise).astype(np.float32)
    with datamodels.ImageModel(
        data=arrays.rate,
        dq=arrays.rate_dq,
        err=err,
        var_poisson=arrays.rate_var_poisson,
        var_rnoise=arrays.rate_var_rnoise,
    ) as model:
        populate_meta(model, plan, seed)
        model.meta.filename = path.name
        model.meta.bunit_data = "DN/s"
        model.meta.bunit_err = "DN/s"
        for step, status in _RATE_STEPS.items():
            setattr(model.meta.cal_step, step, status)
        model.save(path)


def write_cal(plan: ExposurePlan, arrays: ExposureArrays, seed: int, path: Path) -> None:
    """Write the ``cal`` image (ImageModel, MJy/sr, with its gwcs) of one exposure."""
    from jwst.assign_wcs.util import update_fits_wcsinfo, update_s_region_imaging
    from stdatamodels.jwst import datamodels

    spec = plan.filter_spec
    err = np.sqrt(arrays.cal_var_poisson + arrays.cal_var_rnoise + arrays.cal_var_flat)
    with datamodels.ImageModel(
        data=arrays.cal,
        dq=arrays.rate_dq,
        err=err.astype(np.float32),
        var_poisson=arrays.cal_var_poisson,
        var_rnoise=arrays.cal_var_rnoise,
        var_flat=arrays.cal_var_flat,
        area=np.ones(arrays.cal.shape, dtype=np.float32),
    ) as model:
        populate_meta(model, plan, seed)
        model.meta.filename = path.name
        model.meta.bunit_data = "MJy/sr"
        model.meta.bunit_err = "MJy/sr"
        model.meta.photometry.conversion_megajanskys = spec.photmjsr
        model.meta.photometry.conversion_microjanskys = (
            spec.photmjsr * 1.0e12 / inst.ARCSEC_PER_RADIAN**2
        )
        model.meta.photometry.pixelarea_steradians = inst.PIXEL_AREA_SR
        model.meta.photometry.pixelarea_arcsecsq = inst.PIXEL_AREA_ARCSEC2
        for step, status in {**_RATE_STEPS, **_CAL_STEPS}.items():
            setattr(model.meta.cal_step, step, status)
        model.meta.wcs = imaging_wcs(plan.pointing, plan.filter_name)
        update_s_region_imaging(model)
        update_fits_wcsinfo(model)
        model.save(path)
