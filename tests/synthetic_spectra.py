"""Small synthetic JWST spectral products written with stdatamodels, as the pipeline lays them out.

- ``x1d``: a :class:`MultiSpecModel` with two spectra of different sources, slits and
  spectral orders (one EXTRACT1D table each; the second has NaN gaps);
- ``x1dints``: a :class:`TSOMultiSpecModel` with several integrations as rows of vector
  columns in one EXTRACT1D table;
- ``s2d``: a :class:`MultiSlitModel` with two resampled slits, each with a WAVELENGTH array;
  ``s2d_gwcs``: one slit without a WAVELENGTH array whose wavelengths come from its gwcs;
- ``s3d``: an :class:`IFUCubeModel` with ``CTYPE3 = 'WAVE'`` keywords, an emission line in a
  known plane and a point source at a known spaxel.

Everything is labelled synthetic in the primary header. ``python -m tests.synthetic_spectra DIR``
writes one of each into ``DIR`` (the Galata set-up calls it with the venv's Python).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

#: File names ``write_all`` uses, by product kind.
NAMES = {
    "x1d": "jw01234-o001_t001_nirspec_f290lp-g395h_x1d.fits",
    "x1dints": "jw01234001001_04101_00001-seg001_nis_x1dints.fits",
    "s2d": "jw01234-o001_t001_nirspec_f290lp-g395h_s2d.fits",
    "s2d_gwcs": "jw01234001001_03101_00001_mirimage_s2d.fits",
    "s3d": "jw01234-o001_t001_miri_ch1-short_s3d.fits",
}

#: The x1d's spectra: (slit name, source id, source name, spectral order, points, λ range in µm).
X1D_SPECTRA = [
    ("S200A1", 1, "star-1", 1, 400, (2.9, 5.1)),
    ("S200A2", 2, "galaxy-2", 2, 250, (1.5, 2.6)),
]
#: The cube: shape (planes, rows, columns), first wavelength, step (µm), line plane, source spaxel.
CUBE_SHAPE = (60, 21, 25)
CUBE_CRVAL3 = 4.9
CUBE_CDELT3 = 0.002
CUBE_LINE_PLANE = 37
CUBE_SOURCE = (14, 8)  # (x, y), 0-based


def _label(model: Any, kind: str) -> None:
    model.meta.telescope = "JWST"
    model.meta.filename = NAMES.get(kind, f"synthetic_{kind}.fits")
    model.meta.observation.date = "2026-01-01"
    model.meta.observation.time = "00:00:00"
    model.meta.program.pi_name = "SYNTHETIC"
    model.meta.target.proposer_name = "SYNTHETIC-SPECTRA"


def _stamp_synthetic(path: Path) -> None:
    from astropy.io import fits

    with fits.open(path, mode="update") as hdus:
        hdus[0].header["SYNTHET"] = (True, "synthetic test data, not an observation")
        hdus[0].header["COMMENT"] = "Synthetic spectral product written by jwst-lab's tests."


def _spec(model_class: Any, rows: int, **columns: Any) -> Any:
    spec = model_class()
    table = np.zeros(rows, dtype=spec.get_dtype("spec_table"))
    for name, values in columns.items():
        table[name.upper()] = values
    spec.spec_table = table
    return spec


def write_x1d(path: Path, *, points: int | None = None) -> Path:
    """An x1d with the two spectra of :data:`X1D_SPECTRA` (``points`` overrides their length)."""
    from stdatamodels.jwst import datamodels

    model = datamodels.MultiSpecModel()
    _label(model, "x1d")
    model.meta.instrument.name = "NIRSPEC"
    model.meta.instrument.detector = "NRS1"
    model.meta.exposure.type = "NRS_FIXEDSLIT"
    rng = np.random.default_rng(14)
    for slit, source_id, source_name, order, count, (low, high) in X1D_SPECTRA:
        n = points or count
        wavelength = np.linspace(low, high, n)
        flux = 1e-3 * (1.0 + 0.3 * np.sin(wavelength * 4.0)) + rng.normal(0, 2e-5, n)
        error = np.full(n, 5e-5) * (1.0 + 0.5 * (np.arange(n) % 7 == 0))
        if order == 2:
            flux[n // 3 : n // 3 + 10] = np.nan  # a gap, as bad pixels leave
            error[n // 3 : n // 3 + 10] = np.nan
        spec = _spec(
            datamodels.SpecModel,
            n,
            wavelength=wavelength,
            flux=flux,
            flux_error=error,
            surf_bright=flux * 10.0,
            sb_error=error * 10.0,
        )
        spec.spec_table.columns["wavelength"].unit = "um"
        spec.spec_table.columns["flux"].unit = "Jy"
        spec.spec_table.columns["flux_error"].unit = "Jy"
        spec.spec_table.columns["surf_bright"].unit = "MJy/sr"
        spec.spec_table.columns["sb_error"].unit = "MJy/sr"
        spec.name = slit
        spec.source_id = source_id
        spec.source_name = source_name
        spec.spectral_order = order
        spec.dispersion_direction = 1
        model.spec.append(spec)
    model.save(path)
    _stamp_synthetic(path)
    return path


def write_x1d_surface_brightness(path: Path) -> Path:
    """An x1d of an extended source: FLUX all NaN, SURF_BRIGHT holds the spectrum."""
    from stdatamodels.jwst import datamodels

    model = datamodels.MultiSpecModel()
    _label(model, "x1d")
    n = 80
    wavelength = np.linspace(5.0, 7.0, n)
    spec = _spec(
        datamodels.SpecModel,
        n,
        wavelength=wavelength,
        flux=np.full(n, np.nan),
        flux_error=np.full(n, np.nan),
        surf_bright=np.linspace(10.0, 20.0, n),
        sb_error=np.full(n, 0.5),
    )
    spec.spec_table.columns["wavelength"].unit = "um"
    spec.spec_table.columns["surf_bright"].unit = "MJy/sr"
    spec.spectral_order = 1
    model.spec.append(spec)
    model.save(path)
    _stamp_synthetic(path)
    return path


def write_x1dints(path: Path, *, integrations: int = 3, points: int = 200) -> Path:
    """An x1dints: one EXTRACT1D table whose rows are the integrations (vector columns)."""
    from stdatamodels.jwst import datamodels

    model = datamodels.TSOMultiSpecModel()
    _label(model, "x1dints")
    model.meta.instrument.name = "NIRISS"
    model.meta.exposure.type = "NIS_SOSS"
    spec = datamodels.TSOSpecModel()
    # Columns of a single spectrum become vectors of ``points``; the others stay per row.
    vectors = set(datamodels.SpecModel().get_dtype("spec_table").names)
    flat = spec.get_dtype("spec_table")
    dtype = np.dtype(
        [
            (name, flat[name], (points,)) if name in vectors else (name, flat[name])
            for name in flat.names
        ]
    )
    table = np.zeros(integrations, dtype=dtype)
    wavelength = np.linspace(0.9, 2.8, points)
    for row in range(integrations):
        table["INT_NUM"][row] = row + 1
        table["WAVELENGTH"][row] = wavelength
        # Each integration a little fainter: a transit, for the eye.
        table["FLUX"][row] = (1.0 - 0.01 * row) * (1.0 + 0.1 * np.cos(wavelength * 3.0))
        table["FLUX_ERROR"][row] = 0.002
        table["N_ALONGDISP"][row] = points
    spec.spec_table = table
    spec.spec_table.columns["wavelength"].unit = "um"
    spec.spec_table.columns["flux"].unit = "Jy"
    spec.spec_table.columns["flux_error"].unit = "Jy"
    spec.spectral_order = 1
    spec.name = "SUBSTRIP256"
    model.spec.append(spec)
    model.save(path)
    _stamp_synthetic(path)
    return path


def _trace(shape: tuple[int, int], row: float, rng: Any) -> Any:
    rows, cols = shape
    y = np.arange(rows)[:, None]
    profile = np.exp(-0.5 * ((y - row) / 1.5) ** 2)
    continuum = 1.0 + 0.5 * np.sin(np.linspace(0, 6, cols))[None, :]
    data = 20.0 * profile * continuum + rng.normal(0.0, 0.3, shape)
    return data.astype(np.float32)


def write_s2d(path: Path) -> Path:
    """A MultiSlitModel s2d: two resampled slits with a WAVELENGTH array each."""
    from stdatamodels.jwst import datamodels

    model = datamodels.MultiSlitModel()
    _label(model, "s2d")
    model.meta.instrument.name = "NIRSPEC"
    model.meta.exposure.type = "NRS_FIXEDSLIT"
    model.meta.bunit_data = "MJy/sr"
    rng = np.random.default_rng(2)
    for index, (name, shape, low, high) in enumerate(
        [("S200A1", (31, 420), 2.9, 5.1), ("S200A2", (25, 300), 1.5, 2.6)]
    ):
        data = _trace(shape, shape[0] / 2, rng)
        data[:, :3] = np.nan  # the resampled edges are NaN
        wavelength = np.broadcast_to(np.linspace(low, high, shape[1]), shape).astype(np.float32)
        wavelength = np.array(wavelength)
        wavelength[:, :3] = np.nan
        slit = datamodels.SlitModel(data=data)
        slit.err = np.full(shape, 0.3, dtype=np.float32)
        slit.wavelength = wavelength
        slit.name = name
        slit.source_id = index + 1
        slit.source_name = f"source-{index + 1}"
        slit.meta.wcsinfo.spectral_order = 1
        slit.meta.wcsinfo.dispersion_direction = 1
        model.slits.append(slit)
    model.save(path)
    _stamp_synthetic(path)
    return path


def linear_spectral_wcs(start: float, step: float, *, dispaxis: int = 1) -> Any:
    """A gwcs: detector (x, y) → (slit position, wavelength in µm), λ linear along ``dispaxis``."""
    from astropy import units as u
    from astropy.modeling import models
    from gwcs import coordinate_frames as cf
    from gwcs import wcs

    spectral = models.Shift(start / step) | models.Scale(step)
    spatial = models.Scale(0.1)
    # Inputs (x, y): the dispersion axis goes to the wavelength, the other one along the slit.
    order = (1, 0) if dispaxis == 1 else (0, 1)
    transform = models.Mapping(order) | spatial & spectral
    detector = cf.Frame2D(name="detector", axes_order=(0, 1), unit=(u.pix, u.pix))
    slit = cf.CoordinateFrame(
        naxes=1,
        axes_type=("SPATIAL",),
        axes_order=(0,),
        unit=(u.arcsec,),
        axes_names=("slit_y",),
        name="slit_spatial",
    )
    spec = cf.SpectralFrame(
        name="spectral", axes_order=(1,), unit=(u.micron,), axes_names=("wavelength",)
    )
    world = cf.CompositeFrame([slit, spec], name="world")
    return wcs.WCS([(detector, transform), (world, None)])


def write_s2d_gwcs(path: Path, *, shape: tuple[int, int] = (120, 40)) -> Path:
    """A single-slit s2d (SlitModel) dispersed along rows (DISPAXIS 2), λ only in its gwcs."""
    from stdatamodels.jwst import datamodels

    rng = np.random.default_rng(3)
    data = _trace(shape[::-1], shape[1] / 2, rng).T.copy()
    model = datamodels.SlitModel(data=data)
    _label(model, "s2d_gwcs")
    model.meta.instrument.name = "MIRI"
    model.meta.exposure.type = "MIR_LRS-FIXEDSLIT"
    model.meta.wcsinfo.dispersion_direction = 2
    model.meta.wcs = linear_spectral_wcs(5.0, 0.05, dispaxis=2)
    model.name = "LRS"
    model.save(path)
    _stamp_synthetic(path)
    return path


def cube_wavelengths() -> Any:
    """The wavelength (µm) of each plane of the cube :func:`write_s3d` writes."""
    return CUBE_CRVAL3 + CUBE_CDELT3 * np.arange(CUBE_SHAPE[0])


def write_s3d(path: Path) -> Path:
    """An IFUCubeModel: a continuum source at :data:`CUBE_SOURCE`, a line in one plane."""
    from stdatamodels.jwst import datamodels

    planes, rows, cols = CUBE_SHAPE
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:rows, 0:cols]
    sx, sy = CUBE_SOURCE
    source = np.exp(-0.5 * (((x - sx) / 1.2) ** 2 + ((y - sy) / 1.2) ** 2))
    continuum = np.linspace(50.0, 80.0, planes)[:, None, None] * source[None]
    data = continuum + rng.normal(0.0, 0.5, (planes, rows, cols))
    # An emission line that fills a ring around the source in one plane only.
    ring = np.exp(-0.5 * ((np.hypot(x - sx, y - sy) - 5.0) / 1.0) ** 2)
    data[CUBE_LINE_PLANE] += 400.0 * ring
    data[:, 0, :] = np.nan  # an edge row with no coverage
    model = datamodels.IFUCubeModel(data=data.astype(np.float32))
    model.err = np.full(data.shape, 0.5, dtype=np.float32)
    _label(model, "s3d")
    model.meta.instrument.name = "MIRI"
    model.meta.instrument.channel = "1"
    model.meta.instrument.band = "SHORT"
    model.meta.exposure.type = "MIR_MRS"
    model.meta.bunit_data = "MJy/sr"
    model.meta.bunit_err = "MJy/sr"
    info = model.meta.wcsinfo
    info.ctype1, info.ctype2, info.ctype3 = "RA---TAN", "DEC--TAN", "WAVE"
    info.cunit1, info.cunit2, info.cunit3 = "deg", "deg", "um"
    info.crval1, info.crval2, info.crval3 = 83.82, -5.39, CUBE_CRVAL3
    info.crpix1, info.crpix2, info.crpix3 = cols / 2, rows / 2, 1.0
    info.cdelt1, info.cdelt2, info.cdelt3 = -0.13 / 3600, 0.13 / 3600, CUBE_CDELT3
    info.pc1_1, info.pc2_2, info.pc3_3 = 1.0, 1.0, 1.0
    model.save(path)
    _stamp_synthetic(path)
    return path


WRITERS = {
    "x1d": write_x1d,
    "x1dints": write_x1dints,
    "s2d": write_s2d,
    "s2d_gwcs": write_s2d_gwcs,
    "s3d": write_s3d,
}


def write_all(folder: Path) -> dict[str, Path]:
    """One product of each kind in ``folder`` (created), by kind."""
    folder.mkdir(parents=True, exist_ok=True)
    return {kind: writer(folder / NAMES[kind]) for kind, writer in WRITERS.items()}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.synthetic_spectra FOLDER")
    for kind, written in write_all(Path(sys.argv[1])).items():
        print(f"{kind}: {written}")
