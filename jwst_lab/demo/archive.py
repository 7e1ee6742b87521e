"""The demo's local archive, laid out as MAST organises products.

``archive/JWST/<obs_id>/<files>``: one folder per observation id. Exposure-level
products (``uncal``, ``rate``, ``cal``) live under the exposure's id
(``jw09999001001_02101_00001_mirimage``), as MAST files them; the Level 3
observation (``jw09999-o001_t001_miri_f770w``) holds the associations that
define it. Every file is a copy, so editing a working copy never changes the
archive. Observation ids come from the file names
(:func:`jwst_lab.core.jwst_filenames.obs_id_from_name`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..core.mast_vocabulary import JWST_COLLECTION


def archive_path(archive: Path, obs_id: str, filename: str) -> Path:
    """Where a product lives in the archive."""
    return archive / JWST_COLLECTION / obs_id / Path(filename).name


def add_product(archive: Path, obs_id: str, source: Path) -> Path:
    """Copy ``source`` into the archive under ``obs_id``; return the archive path."""
    target = archive_path(archive, obs_id, source.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target
