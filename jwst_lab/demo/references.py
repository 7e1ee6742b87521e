"""Synthetic CRDS reference files for the demo, made with stdatamodels' reference models.

Each writer saves one file under ``references/jwst/miri/`` and returns a
:class:`Reference`: its CRDS type, file name and the header values its rmap
row matches on. The values describe :mod:`.detector` and :mod:`.instrument`,
so the pipeline undoes exactly what the generator did.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import instrument as inst
from . import sky
from .detector import DEAD, DO_NOT_USE, HOT, detector, ipc_deconvolution_kernel

AUTHOR = "jwst-lab demo generator (synthetic)"
PEDIGREE = "SIMULATION"

#: Encircled-energy fractions tabulated in the APCORR reference.
APCORR_EE = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
APCORR_SKYIN = 6.0
APCORR_SKYOUT = 10.0


@dataclass(frozen=True)
class Reference:
    """A reference file and the header values (CRDS parkeys) its rmap row selects on."""

    reftype: str  # CRDS type, lower case: "flat", "pars-tweakregstep"
    filename: str
    description: str
    match: dict[str, str] = field(default_factory=dict)


def reference_name(reftype: str, serial: int, ext: str) -> str:
    """CRDS-style name: ``jwst_miri_<type>_<serial>.<ext>``."""
    return f"jwst_miri_{reftype}_{serial:04d}.{ext}"


#: CRDS parkey -> (meta path, FITS keyword) for the keys the demo's rmaps select on.
PARKEY_FIELDS: dict[str, tuple[str, str]] = {
    "META.INSTRUMENT.DETECTOR": ("instrument.detector", "DETECTOR"),
    "META.INSTRUMENT.FILTER": ("instrument.filter", "FILTER"),
    "META.INSTRUMENT.BAND": ("instrument.band", "BAND"),
    "META.INSTRUMENT.CHANNEL": ("instrument.channel", "CHANNEL"),
    "META.SUBARRAY.NAME": ("subarray.name", "SUBARRAY"),
    "META.EXPOSURE.READPATT": ("exposure.readpatt", "READPATT"),
    "META.EXPOSURE.TYPE": ("exposure.type", "EXP_TYPE"),
}


def selection(reftype: str, **values: str) -> dict[str, str]:
    """Header values a reference of ``reftype`` carries for each match parkey of its rmap.

    Keys not given apply to any exposure: ``N/A``. ``values`` use the short
    names ``detector``, ``filter``, ``band``, ``channel``, ``subarray``,
    ``readpatt`` and ``exp_type``.
    """
    from .crds_context import rmap_parkey

    short = {
        "META.INSTRUMENT.DETECTOR": "detector",
        "META.INSTRUMENT.FILTER": "filter",
        "META.INSTRUMENT.BAND": "band",
        "META.INSTRUMENT.CHANNEL": "channel",
        "META.SUBARRAY.NAME": "subarray",
        "META.EXPOSURE.READPATT": "readpatt",
        "META.EXPOSURE.TYPE": "exp_type",
    }
    values.setdefault("detector", inst.DETECTOR)
    match_keys, _ = rmap_parkey(reftype)
    return {key: values.get(short.get(key, ""), "N/A") for key in match_keys}


def _apply_selection(model: Any, keys: dict[str, str]) -> list[list[Any]]:
    """Put each selection value in the header; return FITS cards the schema has no field for."""
    cards: list[list[Any]] = []
    for parkey, value in keys.items():
        if parkey not in PARKEY_FIELDS:
            continue
        path, keyword = PARKEY_FIELDS[parkey]
        if model.find_fits_keyword(keyword):
            node = model.meta
            *parents, leaf = path.split(".")
            for parent in parents:
                node = getattr(node, parent)
            setattr(node, leaf, value)
        else:
            cards.append([keyword, value, "CRDS selection keyword (jwst-lab demo)"])
    return cards


def _common_meta(
    model: Any,
    reftype: str,
    filename: str,
    description: str,
    keys: dict[str, str] | None = None,
) -> None:
    meta = model.meta
    meta.reftype = reftype.upper() if not reftype.startswith("pars-") else reftype
    meta.filename = filename
    meta.description = f"SYNTHETIC {description}"
    meta.author = AUTHOR
    meta.pedigree = PEDIGREE
    meta.useafter = inst.REFERENCE_USEAFTER
    meta.origin = "jwst-lab demo"
    meta.telescope = "JWST"
    meta.instrument.name = inst.INSTRUMENT
    meta.instrument.detector = inst.DETECTOR
    cards = _apply_selection(model, keys or {})
    model.extra_fits = {
        "PRIMARY": {
            "header": [
                ["SYNTHETC", True, "synthetic reference made by jwst-lab demo"],
                ["DEMOVER", inst.GENERATOR_VERSION, "jwst-lab demo generator version"],
                *cards,
            ]
        }
    }
    model.add_history_entry(inst.SYNTHETIC_NOTICE)


def _dq_def() -> list[tuple[int, int, str, str]]:
    return [
        (0, DO_NOT_USE, "DO_NOT_USE", "Bad pixel, do not use"),
        (10, DEAD, "DEAD", "Dead pixel"),
        (11, HOT, "HOT", "Hot pixel"),
    ]


def _save(model: Any, directory: Path, filename: str) -> None:
    model.save(directory / filename)
    model.close()


# --- detector1 --------------------------------------------------------------------

SUBARRAY = inst.SUBARRAY_NAME


def write_mask(directory: Path, serial: int) -> Reference:
    """MASK: dead and hot pixels flagged DO_NOT_USE."""
    from stdatamodels.jwst import datamodels

    name = reference_name("mask", serial, "fits")
    keys = selection("mask", subarray=SUBARRAY)
    model = datamodels.MaskModel(dq=detector().mask_dq(), dq_def=_dq_def())
    inst.set_subarray(model.meta)
    model.meta.exposure.type = inst.EXP_TYPE
    _common_meta(model, "mask", name, "bad pixel mask of the demo MIRI imager", keys)
    _save(model, directory, name)
    return Reference("mask", name, "bad pixel mask", keys)


def write_saturation(directory: Path, serial: int) -> Reference:
    """SATURATION: per-pixel raw saturation level (DN)."""
    from stdatamodels.jwst import datamodels

    det = detector()
    name = reference_name("saturation", serial, "fits")
    keys = selection("saturation")
    model = datamodels.SaturationModel(
        data=det.saturation, dq=np.zeros(det.shape, np.uint32), dq_def=_dq_def()
    )
    inst.set_subarray(model.meta)
    _common_meta(model, "saturation", name, "saturation levels of the demo MIRI imager", keys)
    _save(model, directory, name)
    return Reference("saturation", name, "saturation levels", keys)


def write_ipc(directory: Path, serial: int) -> Reference:
    """IPC: the 3x3 deconvolution kernel of the demo's inter-pixel capacitance."""
    from stdatamodels.jwst import datamodels

    name = reference_name("ipc", serial, "fits")
    keys = selection("ipc")
    model = datamodels.IPCModel(data=ipc_deconvolution_kernel())
    _common_meta(model, "ipc", name, "inter-pixel capacitance kernel of the demo MIRI imager", keys)
    _save(model, directory, name)
    return Reference("ipc", name, "IPC deconvolution kernel", keys)


def write_reset(directory: Path, serial: int) -> Reference:
    """RESET: the first-groups reset anomaly (first integration)."""
    from stdatamodels.jwst import datamodels

    det = detector()
    ramp = det.reset_ramp()[np.newaxis]
    name = reference_name("reset", serial, "fits")
    keys = selection("reset", subarray=SUBARRAY, readpatt=inst.READPATT)
    model = datamodels.ResetModel(
        data=ramp,
        err=np.full(ramp.shape, 0.5, np.float32),
        dq=np.zeros(det.shape, np.uint32),
        dq_def=_dq_def(),
    )
    inst.set_subarray(model.meta)
    model.meta.exposure.ngroups = ramp.shape[1]
    model.meta.exposure.nints = 1
    _common_meta(model, "reset", name, "reset anomaly of the demo MIRI imager", keys)
    _save(model, directory, name)
    return Reference("reset", name, "reset anomaly", keys)


def write_linearity(directory: Path, serial: int) -> Reference:
    """LINEARITY: coefficients (0, 1, c2) of ``linear = raw + c2 * raw**2``."""
    from stdatamodels.jwst import datamodels

    det = detector()
    coeffs = np.zeros((3, *det.shape), np.float32)
    coeffs[1] = 1.0
    coeffs[2] = inst.LINEARITY_C2
    name = reference_name("linearity", serial, "fits")
    keys = selection("linearity")
    model = datamodels.LinearityModel(
        coeffs=coeffs, dq=np.zeros(det.shape, np.uint32), dq_def=_dq_def()
    )
    inst.set_subarray(model.meta)
    model.meta.instrument.band = "N/A"
    _common_meta(model, "linearity", name, "non-linearity correction of the demo MIRI imager", keys)
    _save(model, directory, name)
    return Reference("linearity", name, "linearity coefficients", keys)


def write_rscd(directory: Path, serial: int) -> Reference:
    """RSCD: how many initial groups to flag, per subarray and readout pattern."""
    from stdatamodels.jwst import datamodels

    rows = [
        (inst.SUBARRAY_NAME, inst.READPATT, inst.RSCD_SKIP_INT1, inst.RSCD_SKIP_INT2P),
        ("FULL", "FASTR1", 1, 3),
        ("FULL", "SLOWR1", 0, 1),
    ]
    table = np.array(
        rows,
        dtype=[
            ("subarray", "S17"),
            ("readpatt", "S12"),
            ("group_skip1", "<i4"),
            ("group_skip", "<i4"),
        ],
    )
    name = reference_name("rscd", serial, "fits")
    keys = selection("rscd")
    model = datamodels.RSCDModel(rscd_group_skip_table=table)
    _common_meta(model, "rscd", name, "RSCD group flagging of the demo MIRI imager", keys)
    _save(model, directory, name)
    return Reference("rscd", name, "RSCD initial-group flagging", keys)


def write_dark(directory: Path, serial: int) -> Reference:
    """DARK: dark signal per group (one integration), hot pixels included."""
    from stdatamodels.jwst import datamodels

    det = detector()
    dark = det.dark_ramp()[np.newaxis]
    name = reference_name("dark", serial, "fits")
    keys = selection("dark", subarray=SUBARRAY, readpatt=inst.READPATT)
    model = datamodels.DarkMIRIModel(
        data=dark,
        err=np.full(dark.shape, 0.05, np.float32),
        dq=np.zeros(dark.shape, np.uint32),
        dq_def=_dq_def(),
    )
    inst.set_subarray(model.meta)
    model.meta.exposure.ngroups = inst.NGROUPS
    model.meta.exposure.nframes = 1
    model.meta.exposure.groupgap = 0
    model.meta.exposure.type = inst.EXP_TYPE
    model.meta.exposure.average_dark_current = inst.DARK_RATE
    _common_meta(model, "dark", name, "dark current of the demo MIRI imager", keys)
    _save(model, directory, name)
    return Reference("dark", name, "dark current", keys)


def write_gain(directory: Path, serial: int) -> Reference:
    """GAIN: electrons per DN, per pixel."""
    from stdatamodels.jwst import datamodels

    name = reference_name("gain", serial, "fits")
    keys = selection("gain", subarray=SUBARRAY)
    model = datamodels.GainModel(data=detector().gain)
    inst.set_subarray(model.meta)
    model.meta.bunit_data = "ELECTRONS/DN"
    _common_meta(model, "gain", name, "gain of the demo MIRI imager", keys)
    _save(model, directory, name)
    return Reference("gain", name, "gain", keys)


def write_readnoise(directory: Path, serial: int) -> Reference:
    """READNOISE: correlated double-sampling noise (DN), per pixel.

    JWST read-noise references hold the noise of the difference of two reads
    (the pipeline divides by sqrt(2) for a single read).
    """
    from stdatamodels.jwst import datamodels

    name = reference_name("readnoise", serial, "fits")
    keys = selection("readnoise")
    cds_noise = (detector().read_noise * np.float32(math.sqrt(2.0))).astype(np.float32)
    model = datamodels.ReadnoiseModel(data=cds_noise)
    inst.set_subarray(model.meta)
    model.meta.exposure.readpatt = inst.READPATT
    model.meta.bunit_data = "DN"
    _common_meta(model, "readnoise", name, "read noise of the demo MIRI imager", keys)
    _save(model, directory, name)
    return Reference("readnoise", name, "read noise", keys)


# --- image2 -----------------------------------------------------------------------


def write_distortion(directory: Path, serial: int) -> Reference:
    """DISTORTION: full-frame detector pixels to V2, V3 (arcsec)."""
    from astropy import units as u
    from stdatamodels.jwst import datamodels

    from .wcs import full_frame_distortion

    name = reference_name("distortion", serial, "asdf")
    keys = selection("distortion")
    model = datamodels.DistortionModel(
        model=full_frame_distortion(), input_units=u.pix, output_units=u.arcsec
    )
    model.meta.exposure.type = inst.EXP_TYPE
    model.meta.exposure.p_exptype = "MIR_IMAGE|MIR_TACQ|MIR_LYOT|MIR_4QPM|MIR_CORONCAL|"
    model.meta.subarray.name = "GENERIC"
    _common_meta(model, "distortion", name, "distortion (plate scale and rotation)", keys)
    _save(model, directory, name)
    return Reference("distortion", name, "distortion", keys)


def write_filteroffset(directory: Path, serial: int) -> Reference:
    """FILTEROFFSET: per-filter pointing offsets (pixels)."""
    from astropy import units as u
    from stdatamodels.jwst import datamodels

    filters = [
        {"filter": f.name, "column_offset": f.column_offset, "row_offset": f.row_offset}
        for f in inst.FILTERS
    ]
    name = reference_name("filteroffset", serial, "asdf")
    keys = selection("filteroffset")
    model = datamodels.FilteroffsetModel(filters=filters, instrument="MIRI")
    model.meta.input_units = u.pix
    model.meta.exposure.type = inst.EXP_TYPE
    model.meta.instrument.filter = "N/A"
    _common_meta(model, "filteroffset", name, "filter offsets of the demo MIRI imager", keys)
    _save(model, directory, name)
    return Reference("filteroffset", name, "filter offsets", keys)


def write_flat(directory: Path, serial: int, filter_name: str, *, old: bool) -> Reference:
    """FLAT: the pixel flat of one filter (``old``: the smooth first version)."""
    from stdatamodels.jwst import datamodels

    det = detector()
    data = det.old_flats[filter_name] if old else det.flats[filter_name]
    name = reference_name("flat", serial, "fits")
    keys = selection("flat", filter=filter_name, subarray=SUBARRAY, readpatt=inst.READPATT)
    model = datamodels.FlatModel(
        data=data,
        err=det.flat_error,
        dq=np.zeros(det.shape, np.uint32),
        dq_def=_dq_def(),
    )
    inst.set_subarray(model.meta)
    model.meta.exposure.type = inst.EXP_TYPE
    which = "first smooth-only" if old else "improved pixel-to-pixel"
    _common_meta(model, "flat", name, f"{which} {filter_name} flat of the demo MIRI imager", keys)
    _save(model, directory, name)
    return Reference("flat", name, f"{filter_name} flat ({which})", keys)


def write_photom(directory: Path, serial: int) -> Reference:
    """PHOTOM: MJy/sr per DN/s for each filter and subarray."""
    from stdatamodels.jwst import datamodels

    rows = [
        (spec.name, subarray, spec.photmjsr, 0.02 * spec.photmjsr)
        for spec in inst.FILTERS
        for subarray in (inst.SUBARRAY_NAME, "FULL")
    ]
    table = np.array(
        rows,
        dtype=[("filter", "S12"), ("subarray", "S17"), ("photmjsr", "<f4"), ("uncertainty", "<f4")],
    )
    name = reference_name("photom", serial, "fits")
    keys = selection("photom")
    model = datamodels.MirImgPhotomModel(phot_table=table)
    model.meta.exposure.type = inst.EXP_TYPE
    model.meta.photometry.pixelarea_steradians = inst.PIXEL_AREA_SR
    model.meta.photometry.pixelarea_arcsecsq = inst.PIXEL_AREA_ARCSEC2
    _common_meta(model, "photom", name, "flux calibration of the demo MIRI imager", keys)
    _save(model, directory, name)
    return Reference("photom", name, "photometric calibration", keys)


def write_area(directory: Path, serial: int) -> Reference:
    """AREA: relative pixel area over the full frame (uniform: the distortion is affine)."""
    from stdatamodels.jwst import datamodels

    name = reference_name("area", serial, "fits")
    keys = selection("area")
    model = datamodels.PixelAreaModel(data=np.ones(inst.FULL_FRAME_SHAPE, np.float32))
    model.meta.exposure.type = inst.EXP_TYPE
    model.meta.photometry.pixelarea_steradians = inst.PIXEL_AREA_SR
    model.meta.photometry.pixelarea_arcsecsq = inst.PIXEL_AREA_ARCSEC2
    full = [
        ["SUBARRAY", "FULL", "Subarray used"],
        ["SUBSTRT1", 1, "Starting pixel in axis 1 direction"],
        ["SUBSTRT2", 1, "Starting pixel in axis 2 direction"],
        ["SUBSIZE1", inst.FULL_FRAME_SHAPE[1], "Number of pixels in axis 1 direction"],
        ["SUBSIZE2", inst.FULL_FRAME_SHAPE[0], "Number of pixels in axis 2 direction"],
        ["FASTAXIS", 1, "Fast readout axis direction"],
        ["SLOWAXIS", 2, "Slow readout axis direction"],
    ]
    _common_meta(model, "area", name, "pixel area map of the demo MIRI imager", keys)
    model.extra_fits.PRIMARY.header.extend(full)
    _save(model, directory, name)
    return Reference("area", name, "pixel area map", keys)


# --- image3 -----------------------------------------------------------------------


def apcorr_rows(filter_name: str) -> list[tuple[str, str, float, float, float, float, float]]:
    """APCORR rows of one filter: radius and correction for each EE fraction.

    The correction is for the demo PSF as it appears in a native-scale mosaic
    (see :func:`.sky.mosaic_sigma_pixels`), so ``aper_total_flux`` is the total flux.
    """
    sigma = sky.mosaic_sigma_pixels(filter_name)
    return [
        (
            filter_name,
            inst.SUBARRAY_NAME,
            ee,
            sky.encircled_energy_radius(ee, sigma),
            1.0 / ee,
            APCORR_SKYIN,
            APCORR_SKYOUT,
        )
        for ee in APCORR_EE
    ]


def write_apcorr(directory: Path, serial: int) -> Reference:
    """APCORR: aperture radii and corrections to total flux for the demo PSF."""
    from stdatamodels.jwst import datamodels

    rows = [row for spec in inst.FILTERS for row in apcorr_rows(spec.name)]
    table = np.array(
        rows,
        dtype=[
            ("filter", "S12"),
            ("subarray", "S17"),
            ("eefraction", "<f4"),
            ("radius", "<f4"),
            ("apcorr", "<f4"),
            ("skyin", "<f4"),
            ("skyout", "<f4"),
        ],
    )
    name = reference_name("apcorr", serial, "fits")
    keys = selection("apcorr", exp_type=inst.EXP_TYPE)
    model = datamodels.MirImgApcorrModel(apcorr_table=table)
    _common_meta(model, "apcorr", name, "aperture corrections for the demo PSF", keys)
    _save(model, directory, name)
    return Reference("apcorr", name, "aperture corrections", keys)


def write_abvegaoffset(directory: Path, serial: int) -> Reference:
    """ABVEGAOFFSET: AB minus Vega magnitude for each filter."""
    from astropy.table import Table
    from stdatamodels.jwst import datamodels

    table = Table(
        {
            "filter": [spec.name for spec in inst.FILTERS],
            "abvega_offset": [spec.abvega_offset for spec in inst.FILTERS],
        }
    )
    name = reference_name("abvegaoffset", serial, "asdf")
    model = datamodels.ABVegaOffsetModel()
    model.abvega_offset = table
    _common_meta(model, "abvegaoffset", name, "AB to Vega offsets of the demo filters")
    _save(model, directory, name)
    return Reference("abvegaoffset", name, "AB-Vega offsets", {})


# --- parameter references ------------------------------------------------------------


def write_parameters(
    directory: Path,
    serial: int,
    step_class: str,
    step_name: str,
    parameters: dict[str, Any],
    description: str,
) -> Reference:
    """A ``pars-<stepclass>`` reference: an ASDF step configuration with a CRDS ``meta``."""
    import asdf

    reftype = "pars-" + step_class.rsplit(".", 1)[-1].lower()
    name = reference_name(reftype, serial, "asdf")
    tree = {
        "class": step_class,
        "name": step_name,
        "parameters": parameters,
        "meta": {
            "author": AUTHOR,
            "date": "2025-01-15T10:00:00",
            "description": f"SYNTHETIC {description}",
            "instrument": {"name": inst.INSTRUMENT},
            "exposure": {"type": inst.EXP_TYPE},
            "origin": "jwst-lab demo",
            "pedigree": PEDIGREE,
            "reftype": reftype,
            "telescope": "JWST",
            "useafter": inst.REFERENCE_USEAFTER,
            "history": f"{inst.SYNTHETIC_NOTICE}. Written by jwst-lab demo.",
        },
    }
    asdf.AsdfFile(tree).write_to(directory / name)
    return Reference(reftype, name, description, selection(reftype, exp_type=inst.EXP_TYPE))


#: The step parameters the demo pins, and why (step class, alias, parameters, reason).
PARAMETER_REFERENCES: tuple[tuple[str, str, dict[str, Any], str], ...] = (
    (
        "jwst.tweakreg.tweakreg_step.TweakRegStep",
        "tweakreg",
        {"abs_refcat": "", "enforce_user_order": True},
        "tweakreg parameters: relative alignment only (no network catalog), "
        "first exposure is the astrometric reference",
    ),
)


ReferenceWriter = Callable[[Path, int], Reference]

#: Every non-parameter, filter-independent reference writer, by CRDS type.
WRITERS: dict[str, ReferenceWriter] = {
    "mask": write_mask,
    "saturation": write_saturation,
    "ipc": write_ipc,
    "reset": write_reset,
    "linearity": write_linearity,
    "rscd": write_rscd,
    "dark": write_dark,
    "gain": write_gain,
    "readnoise": write_readnoise,
    "distortion": write_distortion,
    "filteroffset": write_filteroffset,
    "photom": write_photom,
    "area": write_area,
    "apcorr": write_apcorr,
    "abvegaoffset": write_abvegaoffset,
}
