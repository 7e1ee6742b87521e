"""The truth check: an image3 source catalog against the demo's truth catalog.

The catalogs here are written the way image3 writes them (ECSV with a
``sky_centroid`` SkyCoord column and ``aper_total_flux`` in nJy), with known
displacements, so every figure the check reports is known in advance. The
check on a real image3 catalog runs in ``test_demo_pipeline.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::Warning")

LIMIT = 10_000.0


def _truth(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A truth catalog of 20 stars, 1.6"+ apart, half of them above the limit."""
    from jwst_lab.demo import sky

    ra0, dec0 = 269.7275, 66.045
    grid = np.arange(20)
    ra = ra0 + (grid % 5) * 2.0 / 3600 / np.cos(np.radians(dec0))
    dec = dec0 + (grid // 5) * 2.0 / 3600
    flux = np.where(grid % 2 == 0, 50_000.0, 4_000.0)
    sky.write_truth_catalog(sky.StarField(ra, dec, {"F770W": flux}), "F770W", path)
    return ra, dec, flux


def _catalog(path: Path, ra: np.ndarray, dec: np.ndarray, flux: np.ndarray) -> Path:
    import astropy.units as u
    from astropy.coordinates import SkyCoord
    from astropy.table import QTable

    table = QTable()
    table["label"] = np.arange(1, len(ra) + 1)
    table["sky_centroid"] = SkyCoord(ra * u.deg, dec * u.deg)
    table["aper_total_flux"] = flux * u.nJy
    table.write(path, format="ascii.ecsv", overwrite=True)
    return path


def _moved(ra: np.ndarray, dec: np.ndarray, arcsec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions moved north by ``arcsec``."""
    return ra, dec + arcsec / 3600.0


def test_recovery_counts_only_bright_stars_within_the_radius(tmp_path: Path) -> None:
    from jwst_lab.demo.truth import match_catalog

    truth = tmp_path / "truth.ecsv"
    ra, dec, flux = _truth(truth)
    bright = flux >= LIMIT
    shifts = np.full(len(ra), 0.010)
    # Of the 10 bright stars: two found too far away, one not found at all.
    bright_index = np.flatnonzero(bright)
    shifts[bright_index[0]] = 0.08
    shifts[bright_index[1]] = 0.051
    keep = np.ones(len(ra), dtype=bool)
    keep[bright_index[2]] = False
    cat_ra, cat_dec = _moved(ra, dec, shifts)
    measured = flux * 1.05
    catalog = _catalog(tmp_path / "x_cat.ecsv", cat_ra[keep], cat_dec[keep], measured[keep])

    result = match_catalog(catalog, truth)
    assert result.limit_njy == LIMIT  # from the truth catalog's metadata
    assert result.n_truth == 10
    assert result.n_recovered == 7
    assert result.fraction == pytest.approx(0.7)
    assert not result.passes()
    assert result.median_separation_arcsec == pytest.approx(0.010, abs=1e-4)
    assert result.median_flux_error == pytest.approx(0.05, rel=1e-6)
    assert result.n_sources == 19
    assert "7/10" in result.summary()
    # A wider radius takes the star at 0.051"; a lower limit counts the faint stars too.
    assert match_catalog(catalog, truth, radius_arcsec=0.06).n_recovered == 8
    everything = match_catalog(catalog, truth, limit_njy=0.0)
    assert (everything.n_truth, everything.n_recovered) == (20, 17)
    assert json.loads(json.dumps(result.as_dict()))["n_recovered"] == 7


def test_one_source_recovers_at_most_one_star(tmp_path: Path) -> None:
    from jwst_lab.demo.truth import match_catalog

    truth = tmp_path / "truth.ecsv"
    ra, dec, flux = _truth(truth)
    bright = np.flatnonzero(flux >= LIMIT)
    # A single source between two bright stars 0.04" apart: the nearer one only.
    ra = ra.copy()
    dec = dec.copy()
    ra[bright[1]] = ra[bright[0]]
    dec[bright[1]] = dec[bright[0]] + 0.04 / 3600
    from jwst_lab.demo import sky

    sky.write_truth_catalog(sky.StarField(ra, dec, {"F770W": flux}), "F770W", truth)
    source_dec = dec[bright[0]] + 0.015 / 3600
    catalog = _catalog(
        tmp_path / "x_cat.ecsv", np.array([ra[bright[0]]]), np.array([source_dec]), flux[:1]
    )
    result = match_catalog(catalog, truth)
    assert result.n_recovered == 1
    assert result.median_separation_arcsec == pytest.approx(0.015, abs=1e-4)


def test_an_empty_catalog_recovers_nothing(tmp_path: Path) -> None:
    from jwst_lab.demo.truth import match_catalog

    truth = tmp_path / "truth.ecsv"
    _truth(truth)
    catalog = _catalog(tmp_path / "x_cat.ecsv", np.empty(0), np.empty(0), np.empty(0))
    result = match_catalog(catalog, truth)
    assert (result.n_truth, result.n_recovered, result.fraction) == (10, 0, 0.0)
    assert result.median_separation_arcsec is None
    assert not result.passes()


def test_the_truth_catalog_is_found_for_a_run_product_name(tmp_path: Path) -> None:
    """The demo's own product name, or the one jwst's Level 3 rules give (``-a3001``)."""
    from jwst_lab.demo.truth import truth_catalog_for

    workspace = tmp_path / "ws"
    (workspace / "truth").mkdir(parents=True)
    relative = "truth/jw09999-o001_t001_miri_f770w_truth.ecsv"
    (workspace / relative).write_text("")
    (workspace / "jwst_lab_demo.json").write_text(
        json.dumps({"truth_catalogs": {"F770W": relative}})
    )
    for name in (
        "jw09999-o001_t001_miri_f770w_cat.ecsv",
        "jw09999-a3001_t001_miri_f770w-brightsky_cat.ecsv",
    ):
        assert truth_catalog_for(workspace, Path("run") / name) == workspace / relative
    with pytest.raises(FileNotFoundError):
        truth_catalog_for(tmp_path / "nowhere", "x_cat.ecsv")
