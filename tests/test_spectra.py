"""Spectral products read for plotting (:mod:`jwst_lab.core.spectra`), on synthetic x1d, x1dints,
s2d and s3d files written with stdatamodels as the pipeline writes them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits

from jwst_lab.core.spectra import (
    cube_spectrum,
    read_cube,
    read_spectra,
    read_spectral_image,
    render_cube_slice,
    render_spectral_image,
)
from jwst_lab.errors import BadRequest

from . import synthetic_spectra as synth
from .test_previews import _pixels, _png_size


@pytest.fixture(scope="session")
def products(tmp_path_factory) -> dict[str, Path]:
    """One synthetic product of each kind, and a few variants."""
    folder = tmp_path_factory.mktemp("spectra")
    written = synth.write_all(folder)
    written["x1d_long"] = synth.write_x1d(folder / "long_x1d.fits", points=20_000)
    written["x1d_sb"] = synth.write_x1d_surface_brightness(folder / "extended_x1d.fits")
    image = folder / "image_i2d.fits"
    fits.HDUList(
        [fits.PrimaryHDU(), fits.ImageHDU(np.ones((8, 8), np.float32), name="SCI")]
    ).writeto(image)
    written["i2d"] = image
    text = folder / "text.fits"
    text.write_text("not FITS at all")
    written["text"] = text
    return written


def _column(path: Path, extension: int, name: str, row: int | None = None) -> np.ndarray:
    with fits.open(path) as hdus:
        values = hdus[extension].data[name]
        return np.array(values[row] if row is not None else values, dtype=np.float64)


def _as_array(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values])


# --- x1d -----------------------------------------------------------------------------------


def test_x1d_lists_every_spectrum_with_its_slit_source_and_order(products):
    answer = read_spectra(products["x1d"], "a_x1d.fits")
    assert answer["kind"] == "x1d"
    assert answer["total_spectra"] == 2
    described = [
        (
            s["index"],
            s["extension"],
            s["name"],
            s["source_id"],
            s["source_name"],
            s["spectral_order"],
        )
        for s in answer["spectra"]
    ]
    assert described == [
        (0, 1, "S200A1", 1, "star-1", 1),
        (1, 2, "S200A2", 2, "galaxy-2", 2),
    ]
    assert all(s["row"] is None and s["integration"] is None for s in answer["spectra"])


@pytest.mark.parametrize("index", [0, 1])
def test_x1d_arrays_are_the_file_columns_with_units_and_gaps_as_null(products, index):
    path = products["x1d"]
    spectrum = read_spectra(path, "a_x1d.fits", index=index)["spectrum"]
    extension = index + 1
    assert spectrum["index"] == index
    assert (spectrum["wavelength_unit"], spectrum["flux_unit"]) == ("um", "Jy")
    assert spectrum["flux_column"] == "FLUX"
    assert spectrum["downsampled"] is False
    assert spectrum["points"] == spectrum["shown"] == synth.X1D_SPECTRA[index][4]
    np.testing.assert_array_equal(
        _as_array(spectrum["wavelength"]), _column(path, extension, "WAVELENGTH")
    )
    flux = _column(path, extension, "FLUX")
    np.testing.assert_array_equal(_as_array(spectrum["flux"]), flux)
    np.testing.assert_array_equal(
        _as_array(spectrum["error"]), _column(path, extension, "FLUX_ERROR")
    )
    gaps = [i for i, v in enumerate(spectrum["flux"]) if v is None]
    assert gaps == np.flatnonzero(np.isnan(flux)).tolist()
    assert bool(gaps) == (index == 1)
    json.dumps(spectrum, allow_nan=False)  # NaN never reaches JSON


def test_long_spectra_are_decimated_keeping_extremes_order_and_gaps(products):
    path = products["x1d_long"]
    for index in (0, 1):
        spectrum = read_spectra(path, "long_x1d.fits", index=index, max_points=1000)["spectrum"]
        full = _column(path, index + 1, "FLUX")
        assert spectrum["points"] == 20_000
        assert spectrum["downsampled"] is True
        assert spectrum["shown"] == len(spectrum["flux"]) <= 1000
        assert spectrum["shown"] > 600  # two or three points per bin, not a handful
        assert "20000 points shown as" in spectrum["note"]
        wavelength = _as_array(spectrum["wavelength"])
        assert (np.diff(wavelength) > 0).all()  # still in the file's order
        flux = _as_array(spectrum["flux"])
        assert np.nanmax(flux) == np.nanmax(full)
        assert np.nanmin(flux) == np.nanmin(full)
        assert (None in spectrum["flux"]) == (index == 1)  # the gap stays a gap
    untouched = read_spectra(path, "long_x1d.fits", max_points=20_000)["spectrum"]
    assert untouched["downsampled"] is False
    assert untouched["shown"] == 20_000


def test_an_extended_source_shows_surface_brightness(products):
    spectrum = read_spectra(products["x1d_sb"], "extended_x1d.fits")["spectrum"]
    assert spectrum["flux_column"] == "SURF_BRIGHT"
    assert spectrum["flux_unit"] == "MJy/sr"
    assert "SURF_BRIGHT" in spectrum["note"]
    np.testing.assert_allclose(_as_array(spectrum["flux"]), np.linspace(10.0, 20.0, 80))
    assert spectrum["error"] == [0.5] * 80


def test_x1dints_lists_one_spectrum_per_integration(products, tmp_path):
    path = tmp_path / "ints_x1dints.fits"
    synth.write_x1dints(path, integrations=4, points=200)
    with fits.open(path, mode="update") as hdus:
        hdus[1].data["N_ALONGDISP"][2] = 150  # integration 3 has fewer valid points
    answer = read_spectra(path, "ints_x1dints.fits", index=2)
    assert answer["kind"] == "x1dints"
    assert answer["total_spectra"] == 4
    assert [(s["row"], s["integration"]) for s in answer["spectra"]] == [
        (0, 1),
        (1, 2),
        (2, 3),
        (3, 4),
    ]
    spectrum = answer["spectrum"]
    assert spectrum["points"] == spectrum["shown"] == 150
    np.testing.assert_array_equal(_as_array(spectrum["flux"]), _column(path, 1, "FLUX", 2)[:150])
    first = read_spectra(path, "ints_x1dints.fits", index=0)["spectrum"]
    assert first["points"] == 200
    assert first["flux"] != spectrum["flux"][:150]


@pytest.mark.parametrize(
    ("kind", "kwargs", "field", "message"),
    [
        ("s3d", {}, "path", "holds no extracted spectrum"),
        ("s2d", {}, "path", "holds no extracted spectrum"),
        ("i2d", {}, "path", "holds no extracted spectrum"),
        ("text", {}, "path", "not a readable FITS file"),
        ("x1d", {"index": 2}, "index", "between 0 and 1"),
        ("x1d", {"max_points": 3}, "max_points", "max_points"),
    ],
)
def test_spectra_refuse_other_files_and_bad_indices(products, kind, kwargs, field, message):
    with pytest.raises(BadRequest, match=message) as caught:
        read_spectra(products[kind], "f.fits", **kwargs)
    assert caught.value.field == field


# --- s2d -----------------------------------------------------------------------------------


def test_s2d_slits_and_wavelengths_from_the_wavelength_arrays(products):
    path = products["s2d"]
    answer = read_spectral_image(path, "a_s2d.fits", slit=1)
    assert [(s["index"], s["name"], s["source_id"], s["shape"]) for s in answer["slits"]] == [
        (0, "S200A1", 1, [31, 420]),
        (1, "S200A2", 2, [25, 300]),
    ]
    slit = answer["slit"]
    assert (slit["columns"], slit["rows"], slit["dispersion_axis"]) == (300, 25, 1)
    assert (slit["column_step"], slit["image_width"]) == (1, 300)
    assert slit["wavelength_source"] == "WAVELENGTH"
    assert slit["wavelength_unit"] == "um"
    expected = np.linspace(1.5, 2.6, 300).astype(np.float32)
    expected[:3] = np.nan
    np.testing.assert_allclose(_as_array(slit["wavelength"]), expected, rtol=1e-6)
    png = render_spectral_image(path, "a_s2d.fits", slit=1)
    assert _png_size(png) == (300, 25)
    pixels = _pixels(png)
    # The trace runs along the middle row; the NaN edge columns are black.
    assert pixels[12, 10:].mean() > pixels[2, 10:].mean() + 50
    assert pixels[:, :3].max() == 0


def test_s2d_dispersed_along_y_is_transposed_and_takes_its_wavelengths_from_the_gwcs(products):
    path = products["s2d_gwcs"]
    slit = read_spectral_image(path, "b_s2d.fits")["slit"]
    assert slit["dispersion_axis"] == 2
    assert slit["shape"] == [120, 40]
    assert (slit["columns"], slit["rows"]) == (120, 40)
    assert slit["wavelength_source"] == "gwcs"
    assert slit["wavelength_unit"] == "um"
    np.testing.assert_allclose(_as_array(slit["wavelength"]), 5.0 + 0.05 * np.arange(120))
    assert _png_size(render_spectral_image(path, "b_s2d.fits")) == (120, 40)


def test_a_wide_slit_is_averaged_by_a_whole_factor_along_the_dispersion(tmp_path):
    from stdatamodels.jwst import datamodels

    data = np.tile(np.arange(5000, dtype=np.float32), (6, 1))
    model = datamodels.SlitModel(data=data)
    model.wavelength = np.tile(np.linspace(1.0, 5.0, 5000, dtype=np.float32), (6, 1))
    path = tmp_path / "wide_s2d.fits"
    model.save(path)
    slit = read_spectral_image(path, "wide_s2d.fits")["slit"]
    assert (slit["column_step"], slit["image_width"]) == (2, 2500)
    assert len(slit["wavelength"]) == 5000
    pixels = _pixels(render_spectral_image(path, "wide_s2d.fits", stretch="linear"))
    assert pixels.shape == (6, 2500)
    assert (np.diff(pixels[0].astype(int)) >= 0).all()  # columns kept in order


def test_s2d_refuses_other_files_and_slits_it_does_not_have(products):
    with pytest.raises(BadRequest, match="between 0 and 1") as caught:
        read_spectral_image(products["s2d"], "a_s2d.fits", slit=2)
    assert caught.value.field == "slit"
    with pytest.raises(BadRequest, match="holds no 2-D image") as caught:
        read_spectral_image(products["x1d"], "a_x1d.fits")
    assert caught.value.field == "path"
    with pytest.raises(BadRequest, match="stretch") as caught:
        render_spectral_image(products["s2d"], "a_s2d.fits", stretch="log")
    assert caught.value.field == "stretch"


# --- s3d -----------------------------------------------------------------------------------


def test_cube_shape_unit_and_plane_wavelengths(products):
    cube = read_cube(products["s3d"], "c_s3d.fits")
    assert cube["shape"] == list(synth.CUBE_SHAPE)
    assert cube["unit"] == "MJy/sr"
    assert (cube["wavelength_source"], cube["wavelength_unit"]) == ("WAVE", "um")
    np.testing.assert_allclose(_as_array(cube["wavelength"]), synth.cube_wavelengths())
    assert (cube["instrument"], cube["channel"], cube["band"]) == ("MIRI", "1", "SHORT")
    assert cube["has_error"] is True


def test_cube_slices_show_the_plane_asked_for(products):
    path = products["s3d"]
    planes, rows, columns = synth.CUBE_SHAPE
    line = _pixels(render_cube_slice(path, "c_s3d.fits", index=synth.CUBE_LINE_PLANE))
    continuum = _pixels(render_cube_slice(path, "c_s3d.fits", index=0))
    assert line.shape == continuum.shape == (rows, columns)
    sx, sy = synth.CUBE_SOURCE
    # Row 0 of the file is at the bottom of the picture: file row r is picture row rows-1-r.
    ring = (rows - 1 - sy, sx + 5)
    centre = (rows - 1 - sy, sx)
    assert continuum[centre] == 255
    assert continuum[ring] < 100
    assert line[ring] > 200
    assert (line[-1] == 0).all()  # the file's NaN row 0
    averaged = _pixels(render_cube_slice(path, "c_s3d.fits", index=0, collapse=planes))
    assert averaged[centre] == 255


def test_cube_spectrum_of_a_spaxel_and_of_an_aperture(products):
    path = products["s3d"]
    sx, sy = synth.CUBE_SOURCE
    with fits.open(path) as hdus:
        data = np.array(hdus["SCI"].data, dtype=np.float64)
    one = cube_spectrum(path, "c_s3d.fits", x=sx, y=sy)
    assert (one["spaxels"], one["unit"], one["wavelength_unit"]) == (1, "MJy/sr", "um")
    np.testing.assert_allclose(_as_array(one["flux"]), data[:, sy, sx])
    np.testing.assert_allclose(_as_array(one["error"]), 0.5)
    np.testing.assert_allclose(_as_array(one["wavelength"]), synth.cube_wavelengths())
    wide = cube_spectrum(path, "c_s3d.fits", x=sx, y=sy, radius=2)
    assert wide["spaxels"] == 13
    yy, xx = np.mgrid[0 : data.shape[1], 0 : data.shape[2]]
    inside = (xx - sx) ** 2 + (yy - sy) ** 2 <= 4
    np.testing.assert_allclose(_as_array(wide["flux"]), data[:, inside].mean(axis=1))
    np.testing.assert_allclose(_as_array(wide["error"]), 0.5 / np.sqrt(13))
    edge = cube_spectrum(path, "c_s3d.fits", x=3, y=0)
    assert edge["flux"] == [None] * synth.CUBE_SHAPE[0]  # no coverage: null, not NaN


def test_a_cube_with_a_wavelength_table(products, tmp_path):
    path = tmp_path / "tab_s3d.fits"
    wavelengths = 4.9 + 0.002 * np.arange(synth.CUBE_SHAPE[0]) ** 1.2
    with fits.open(products["s3d"]) as hdus:
        hdus["SCI"].header["CTYPE3"] = "WAVE-TAB"
        hdus["SCI"].header["PS3_0"] = "WCS-TABLE"
        hdus["SCI"].header["PS3_1"] = "wavelength"
        table = fits.BinTableHDU.from_columns(
            [
                fits.Column(name="nelem", format="J", array=[wavelengths.size]),
                fits.Column(
                    name="wavelength",
                    format=f"{wavelengths.size}D",
                    unit="um",
                    array=[wavelengths],
                ),
            ],
            name="WCS-TABLE",
        )
        fits.HDUList([*hdus, table]).writeto(path)
    cube = read_cube(path, "tab_s3d.fits")
    assert (cube["wavelength_source"], cube["wavelength_unit"]) == ("WAVE-TAB", "um")
    np.testing.assert_allclose(_as_array(cube["wavelength"]), wavelengths)


@pytest.mark.parametrize(
    ("call", "field", "message"),
    [
        (lambda p: read_cube(p["x1d"], "f"), "path", "not a cube"),
        (lambda p: read_cube(p["s2d"], "f"), "path", "has 2 axes"),
        (lambda p: read_cube(p["text"], "f"), "path", "not a readable FITS file"),
        (lambda p: render_cube_slice(p["s3d"], "f", index=60), "index", "between 0 and 59"),
        (lambda p: render_cube_slice(p["s3d"], "f", index=0, collapse=0), "collapse", "collapse"),
        (lambda p: cube_spectrum(p["s3d"], "f", x=25, y=0), "x", "between 0 and 24"),
        (lambda p: cube_spectrum(p["s3d"], "f", x=0, y=21), "y", "between 0 and 20"),
        (lambda p: cube_spectrum(p["s3d"], "f", x=0, y=0, radius=51), "radius", "radius"),
    ],
)
def test_cubes_refuse_other_files_and_out_of_range_requests(products, call, field, message):
    with pytest.raises(BadRequest, match=message) as caught:
        call(products)
    assert caught.value.field == field


def test_a_folder_is_refused(tmp_path):
    for reader in (read_spectra, read_spectral_image, read_cube):
        with pytest.raises(BadRequest, match="is a folder") as caught:
            reader(tmp_path, "folder")
        assert caught.value.field == "path"


def test_reading_every_kind_never_imports_jwst(products):
    """The server reads spectra, gwcs wavelengths included, without loading jwst, stpipe,
    stdatamodels, asdf or gwcs: a gwcs is evaluated in the WCS worker."""
    program = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from jwst_lab.core import spectra\n"
        "p = json.loads(sys.argv[1])\n"
        "spectra.read_spectra(Path(p['x1d']), 'x')\n"
        "spectra.read_spectral_image(Path(p['s2d_gwcs']), 'x')\n"
        "spectra.render_cube_slice(Path(p['s3d']), 'x', index=3)\n"
        "spectra.cube_spectrum(Path(p['s3d']), 'x', x=1, y=1)\n"
        "assert spectra.read_spectral_image(Path(p['s2d_gwcs']), 'x')['slit']"
        "['wavelength_source'] == 'gwcs'\n"
        "spectra.WCS.close()\n"
        "banned = {'jwst', 'stpipe', 'stdatamodels', 'asdf', 'gwcs'}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in banned)))\n"
    )
    paths = json.dumps({k: str(v) for k, v in products.items()})
    done = subprocess.run(
        [sys.executable, "-c", program, paths],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
