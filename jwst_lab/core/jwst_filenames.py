"""JWST product file names: what a product's name says about it.

``jw01234001001_02101_00001_nrca1_cal.fits`` is the ``cal`` product of the
exposure ``jw01234001001_02101_00001_nrca1``, which is also its MAST
observation id; ``jw01234-o001_t001_nircam_clear-f150w_i2d.fits`` is a Level 3
product of the observation ``jw01234-o001_t001_nircam_clear-f150w``. These
rules read a name's suffix, observation id, calibration level and instrument,
tell guide-star products apart, and say which suffixes MAST recommends. Pure
string rules: nothing here opens a file.
"""

from __future__ import annotations

import re

from .mast_vocabulary import JWST_INSTRUMENTS

#: Suffixes whose products MAST lists as "Minimum Recommended Products".
MRP_SUFFIXES = frozenset(
    {"cal", "calints", "i2d", "s2d", "s3d", "x1d", "x1dints", "c1d", "cat", "segm", "whtlt"}
)
#: Calibration level of a product, by its file-name suffix.
LEVEL1_SUFFIXES = frozenset({"uncal"})
LEVEL2_SUFFIXES = frozenset(
    {"rate", "rateints", "cal", "calints", "trapsfilled", "x1dints", "i2d", "s2d", "x1d", "s3d"}
)

_LEVEL3_OBS_ID = re.compile(r"^jw\d{5}-[a-z]\d{3,}")
_GUIDESTAR_SUBGROUP = re.compile(r"_(gs-[a-z0-9]+)")


def product_suffix(filename: str) -> str:
    """``jw..._cal.fits`` → ``cal``; ``..._asn.json`` → ``asn``."""
    stem = filename.split(".", 1)[0]
    return stem.rsplit("_", 1)[-1].lower() if "_" in stem else ""


def obs_id_from_name(filename: str) -> str:
    """MAST observation id of a product from its name (the name minus its suffix).

    ``filename`` may be a path with ``/`` separators; only its last part counts.
    """
    stem = filename.rsplit("/", 1)[-1].split(".", 1)[0]
    return stem.rsplit("_", 1)[0] if "_" in stem else stem


def looks_like_obs_id(name: str) -> bool:
    """True for a folder named like a JWST observation id (``jw...``)."""
    return name.lower().startswith("jw") and len(name) > 8


def is_level3_obs_id(obs_id: str) -> bool:
    """True for a Level 3 observation id (``jw01234-o001_...``, ``jw01234-c1001_...``)."""
    return bool(_LEVEL3_OBS_ID.match(obs_id.lower()))


def is_guidestar(filename: str) -> bool:
    """JWST guide-star (FGS guiding) products: ``jw..._gs-fg_...``, ``_gs-acq1_`` etc."""
    return "_gs-" in filename.lower()


def guidestar_subgroup(filename: str) -> str:
    """MAST's ``productSubGroupDescription`` of a guide-star product (``GS-FG``, ``GS-ACQ1``)."""
    match = _GUIDESTAR_SUBGROUP.search(filename.lower())
    return match.group(1).upper() if match else "GS"


def product_level(filename: str, obs_id: str) -> int:
    """Calibration level (1-3) of the product ``filename`` filed under ``obs_id``."""
    suffix = product_suffix(filename)
    if suffix in LEVEL1_SUFFIXES:
        return 1
    if is_level3_obs_id(obs_id_from_name(filename)) or (
        is_level3_obs_id(obs_id) and suffix not in (LEVEL2_SUFFIXES | LEVEL1_SUFFIXES)
    ):
        return 3
    return 2


def instrument_from_obs_id(obs_id: str) -> str | None:
    """The JWST instrument an observation id names (``..._miri_f770w`` → ``MIRI``), if any."""
    for part in obs_id.lower().split("_"):
        if part.upper() in JWST_INSTRUMENTS:
            return part.upper()
    return None
