"""The synthetic star field: positions, fluxes, the truth catalog and PSF images."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import instrument as inst

#: FWHM of a Gaussian in units of its sigma.
FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))
#: nJy in one pixel of surface brightness 1 MJy/sr.
NJY_PER_MJYSR_PIXEL = 1.0e15 * inst.PIXEL_AREA_SR


@dataclass(frozen=True)
class StarField:
    """Stars of the demo field: sky position (deg) and flux (nJy) in each filter."""

    ra: np.ndarray
    dec: np.ndarray
    flux_njy: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.ra)


def psf_sigma_pixels(filter_name: str) -> float:
    """Gaussian sigma (detector pixels) of the demo PSF in ``filter_name``."""
    spec = next(f for f in inst.FILTERS if f.name == filter_name)
    return spec.psf_fwhm_arcsec / inst.PIXEL_SCALE / FWHM_PER_SIGMA


def make_star_field(
    seed: int,
    world_to_pixels: Sequence[Any],
    pixel_to_world: Any,
) -> StarField:
    """Draw the stars: log-uniform fluxes, positions well inside every exposure.

    ``world_to_pixels`` holds one ``(ra, dec) -> (x, y)`` transform per exposure
    (true pointings); ``pixel_to_world`` maps the first exposure's pixels to the
    sky. Stars keep :data:`~.instrument.MIN_STAR_SEPARATION_ARCSEC` apart and
    :data:`~.instrument.STAR_EDGE_MARGIN_PIX` away from every exposure's edge.
    """
    rng = np.random.default_rng([seed, 101])
    size = inst.SUBARRAY_SIZE
    margin = inst.STAR_EDGE_MARGIN_PIX
    n_candidates = inst.N_STARS * 30
    x = rng.uniform(margin, size - 1 - margin, n_candidates)
    y = rng.uniform(margin, size - 1 - margin, n_candidates)
    ra, dec = pixel_to_world(x, y)
    ra = np.asarray(ra, dtype=float)
    dec = np.asarray(dec, dtype=float)
    inside = np.ones(n_candidates, dtype=bool)
    for transform in world_to_pixels:
        px, py = transform(ra, dec)
        px = np.asarray(px)
        py = np.asarray(py)
        inside &= (px >= margin) & (px <= size - 1 - margin)
        inside &= (py >= margin) & (py <= size - 1 - margin)
    min_sep_pix = inst.MIN_STAR_SEPARATION_ARCSEC / inst.PIXEL_SCALE
    chosen: list[int] = []
    for index in np.flatnonzero(inside):
        if len(chosen) == inst.N_STARS:
            break
        if chosen:
            dx = x[chosen] - x[index]
            dy = y[chosen] - y[index]
            if np.min(dx * dx + dy * dy) < min_sep_pix**2:
                continue
        chosen.append(int(index))
    if len(chosen) < inst.N_STARS:
        raise RuntimeError(f"could place only {len(chosen)} of {inst.N_STARS} stars")
    low, high = inst.STAR_FLUX_RANGE_NJY
    log_flux = rng.uniform(math.log10(low), math.log10(high), inst.N_STARS)
    fluxes: dict[str, np.ndarray] = {}
    for position, spec in enumerate(inst.FILTERS):
        # Other filters see the same stars with a colour of up to a factor 2.
        colour = 1.0 if position == 0 else 10 ** rng.uniform(-0.3, 0.3, inst.N_STARS)
        fluxes[spec.name] = 10**log_flux * colour
    return StarField(ra=ra[chosen], dec=dec[chosen], flux_njy=fluxes)


def write_truth_catalog(stars: StarField, filter_name: str, path: Path) -> None:
    """Write the truth catalog of one filter as ECSV: id, ra, dec (deg), flux (nJy), abmag."""
    from astropy import units as u
    from astropy.table import Table

    flux = stars.flux_njy[filter_name]
    table = Table()
    table["id"] = np.arange(1, len(stars) + 1, dtype=np.int32)
    table["ra"] = stars.ra * u.deg
    table["dec"] = stars.dec * u.deg
    table["flux"] = flux * u.nJy
    table["abmag"] = -2.5 * np.log10(flux * 1e-9) + 8.9
    table["above_completeness_limit"] = flux >= inst.COMPLETENESS_LIMIT_NJY
    table.meta["comments"] = [
        inst.SYNTHETIC_NOTICE,
        f"Truth catalog of the injected stars, filter {filter_name}.",
        "flux is the total flux density in nJy, comparable to the image3 catalog's "
        "aper_total_flux.",
        f"Completeness limit: {inst.COMPLETENESS_LIMIT_NJY:.0f} nJy.",
    ]
    table.meta["filter"] = filter_name
    table.meta["completeness_limit_njy"] = inst.COMPLETENESS_LIMIT_NJY
    table.meta["synthetic"] = True
    table.write(path, format="ascii.ecsv", overwrite=True)


def render_stars(
    x: np.ndarray, y: np.ndarray, flux_njy: np.ndarray, sigma: float, shape: tuple[int, int]
) -> np.ndarray:
    """Image (nJy per pixel) of Gaussian stars integrated over each pixel.

    Pixel ``i`` spans ``[i - 0.5, i + 0.5]`` (the gwcs detector convention).
    Each star is drawn in a box of +-6 sigma, which holds all but 1e-8 of its flux.
    """
    from scipy.special import erf

    image = np.zeros(shape, dtype=np.float64)
    half = math.ceil(6.0 * sigma) + 1
    scale = 1.0 / (math.sqrt(2.0) * sigma)
    ny, nx = shape
    for xc, yc, flux in zip(x, y, flux_njy, strict=True):
        ix0 = max(math.floor(xc) - half, 0)
        ix1 = min(math.floor(xc) + half + 1, nx)
        iy0 = max(math.floor(yc) - half, 0)
        iy1 = min(math.floor(yc) + half + 1, ny)
        if ix0 >= ix1 or iy0 >= iy1:
            continue
        xs = np.arange(ix0, ix1 + 1) - 0.5 - xc
        ys = np.arange(iy0, iy1 + 1) - 0.5 - yc
        px = np.diff(0.5 * erf(xs * scale))
        py = np.diff(0.5 * erf(ys * scale))
        image[iy0:iy1, ix0:ix1] += flux * np.outer(py, px)
    return image


def encircled_energy_radius(fraction: float, sigma: float) -> float:
    """Radius holding ``fraction`` of a circular Gaussian's flux."""
    return sigma * math.sqrt(-2.0 * math.log(1.0 - fraction))


def mosaic_sigma_pixels(filter_name: str) -> float:
    """Effective Gaussian sigma of a star as aperture photometry sees it in a native-scale mosaic.

    Three one-pixel boxes widen the optical PSF: the detector pixel (variance
    1/12 pixel**2), drizzling onto a grid at a random sub-pixel phase (the
    flux splits f : 1 - f, on average 1/6), and summing square pixels inside
    a circular aperture (1/12).
    """
    return math.sqrt(psf_sigma_pixels(filter_name) ** 2 + 1.0 / 12.0 + 1.0 / 6.0 + 1.0 / 12.0)
