"""Compare an image3 source catalog with the demo's truth catalog.

The demo promises that ``calwebb_image3`` finds its stars where they were
injected: every star brighter than the completeness limit should appear in the
``*_cat.ecsv`` source catalog within :data:`MATCH_RADIUS_ARCSEC`. A truth star
counts as recovered when its nearest catalog source lies within the radius and
that source has no nearer truth star (each source recovers at most one star).
Only astropy and numpy are used, so the server, tests and benchmarks can all
call this.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import instrument as inst

#: How close (arcsec) a catalog source must be to a truth star to recover it.
MATCH_RADIUS_ARCSEC = 0.05
#: The share of stars above the completeness limit the demo promises to recover.
REQUIRED_FRACTION = 0.90


@dataclass(frozen=True)
class TruthMatch:
    """How well a source catalog recovers the truth stars above the completeness limit."""

    #: Truth stars at or above ``limit_njy``.
    n_truth: int
    #: Of those, the ones with a catalog source within ``radius_arcsec``.
    n_recovered: int
    #: ``n_recovered / n_truth`` (0 when there is no truth star).
    fraction: float
    #: Median distance (arcsec) from a recovered star to its source; None if none.
    median_separation_arcsec: float | None
    #: Median ``|measured - true| / true`` of the recovered stars' ``aper_total_flux``.
    median_flux_error: float | None
    #: Sources in the catalog (with a finite sky position).
    n_sources: int
    radius_arcsec: float
    limit_njy: float

    def passes(self, required: float = REQUIRED_FRACTION) -> bool:
        """Whether at least ``required`` of the truth stars were recovered."""
        return self.n_truth > 0 and self.fraction >= required

    def as_dict(self) -> dict[str, Any]:
        """The figures as a JSON-ready dict."""
        return asdict(self)

    def summary(self) -> str:
        """One line for logs and benchmark output."""
        separation = (
            "n/a"
            if self.median_separation_arcsec is None
            else f"{self.median_separation_arcsec * 1000:.1f} mas"
        )
        return (
            f"recovered {self.n_recovered}/{self.n_truth} truth stars >= "
            f"{self.limit_njy:.0f} nJy ({100 * self.fraction:.1f} %) within "
            f'{self.radius_arcsec}"; median separation {separation}; '
            f"{self.n_sources} catalog sources"
        )


def _sky_positions(catalog: Any) -> tuple[np.ndarray, np.ndarray]:
    """RA, Dec (deg) of an image3 catalog's sources (``sky_centroid``)."""
    centroid = catalog["sky_centroid"]
    return (
        np.asarray(centroid.ra.deg, dtype=float).reshape(-1),
        np.asarray(centroid.dec.deg, dtype=float).reshape(-1),
    )


def match_catalog(
    catalog_path: Path | str,
    truth_path: Path | str,
    radius_arcsec: float = MATCH_RADIUS_ARCSEC,
    limit_njy: float | None = None,
) -> TruthMatch:
    """Match an image3 ``*_cat.ecsv`` against a demo truth catalog.

    ``limit_njy`` defaults to the truth catalog's own completeness limit
    (its ``completeness_limit_njy`` metadata).
    """
    import astropy.units as u
    from astropy.coordinates import SkyCoord
    from astropy.table import QTable

    truth = QTable.read(truth_path, format="ascii.ecsv")
    catalog = QTable.read(catalog_path, format="ascii.ecsv")
    if limit_njy is None:
        limit_njy = float(truth.meta.get("completeness_limit_njy", inst.COMPLETENESS_LIMIT_NJY))
    flux = truth["flux"].to_value(u.nJy)
    bright = truth[flux >= limit_njy]
    n_truth = len(bright)
    ra, dec = _sky_positions(catalog) if len(catalog) else (np.empty(0), np.empty(0))
    finite = np.isfinite(ra) & np.isfinite(dec)
    sources = np.flatnonzero(finite)
    if n_truth == 0 or len(sources) == 0:
        return TruthMatch(n_truth, 0, 0.0, None, None, len(sources), radius_arcsec, limit_njy)
    stars = SkyCoord(bright["ra"], bright["dec"])
    found = SkyCoord(ra[sources] * u.deg, dec[sources] * u.deg)
    nearest, separation, _ = stars.match_to_catalog_sky(found)
    # Mutual nearest neighbours: a source recovers only the truth star closest to it.
    if len(stars) > 1:
        back, _, _ = found.match_to_catalog_sky(stars)
    else:
        back = np.zeros(len(found), dtype=int)
    separation_arcsec = separation.to_value(u.arcsec)
    recovered = (separation_arcsec < radius_arcsec) & (
        np.asarray(back)[nearest] == np.arange(n_truth)
    )
    n_recovered = int(recovered.sum())
    median_separation = float(np.median(separation_arcsec[recovered])) if n_recovered else None
    flux_error: float | None = None
    if n_recovered and "aper_total_flux" in catalog.colnames:
        measured = catalog["aper_total_flux"][sources[nearest[recovered]]].to_value(u.nJy)
        expected = bright["flux"][recovered].to_value(u.nJy)
        errors = np.abs(np.asarray(measured, dtype=float) - expected) / expected
        errors = errors[np.isfinite(errors)]
        flux_error = float(np.median(errors)) if errors.size else None
    return TruthMatch(
        n_truth=n_truth,
        n_recovered=n_recovered,
        fraction=n_recovered / n_truth,
        median_separation_arcsec=median_separation,
        median_flux_error=flux_error,
        n_sources=len(sources),
        radius_arcsec=radius_arcsec,
        limit_njy=limit_njy,
    )


def truth_catalog_for(workspace: Path | str, catalog_path: Path | str) -> Path:
    """The truth catalog of a demo workspace that an image3 catalog should be compared with.

    Looks the catalog's product name (``<product>_cat.ecsv``) up in the
    manifest's ``truth_catalogs``, then the filter named in it; a workspace
    with one filter has one truth catalog. Raises :class:`FileNotFoundError`
    when the workspace has no manifest or no truth catalog fits.
    """
    workspace = Path(workspace)
    try:
        manifest = json.loads((workspace / "jwst_lab_demo.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FileNotFoundError(f"{workspace} has no readable demo manifest") from error
    catalogs: dict[str, str] = manifest.get("truth_catalogs") or {}
    name = Path(catalog_path).name.lower()
    product = name.removesuffix("_cat.ecsv")
    for relative in catalogs.values():
        if Path(relative).name.lower().removesuffix("_truth.ecsv") == product:
            return workspace / relative
    named = [rel for filt, rel in catalogs.items() if f"_{filt.lower()}" in name]
    if len(named) == 1:
        return workspace / named[0]
    if len(catalogs) == 1:
        return workspace / next(iter(catalogs.values()))
    raise FileNotFoundError(f"no truth catalog of {workspace} matches {Path(catalog_path).name}")
