"""The spectra routes through a real Jupyter server: answers, bad input as 4xx with the field at
fault, and every way out of the root refused."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from jwst_lab import models

from . import synthetic_spectra as synth
from .api_helpers import call_api
from .test_path_escapes import escapes, snapshot
from .test_previews import _png_size

SECRET = "secret_x1d.fits"
JSON_ROUTES = {
    ("spectra",): models.SpectraResponse,
    ("spectra", "image"): models.SpectralImage,
    ("cubes",): models.CubeInfo,
}
PNG_ROUTES = [("spectra", "image", "preview"), ("cubes", "slice")]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    return synth.write_all(tmp_path_factory.mktemp("spectra-products"))


@pytest.fixture
def root(jp_root_dir, written, tmp_path):
    """The products under ``obs/``; links out of the root; a folder outside worth stealing."""
    (jp_root_dir / "obs").mkdir()
    for kind, path in written.items():
        shutil.copy(path, jp_root_dir / "obs" / f"{kind}.fits")
    outside = tmp_path / "outside"
    (outside / "deep" / "deeper").mkdir(parents=True)
    for where in (outside, outside / "deep", outside / "deep" / "deeper"):
        shutil.copy(written["x1d"], where / SECRET)
    (jp_root_dir / "link_out").symlink_to(outside)
    (jp_root_dir / "obs" / "link_out").symlink_to(outside / "deep")
    (jp_root_dir / "obs" / "deep" / "deeper").mkdir(parents=True)
    (jp_root_dir / "obs" / "deep" / "deeper" / "link_out").symlink_to(outside / "deep" / "deeper")
    (jp_root_dir / "obs" / "secret_x1d.fits").symlink_to(outside / SECRET)
    (jp_root_dir / "loop").symlink_to(jp_root_dir / "loop")
    return outside


async def _png(jp_fetch, *parts, **params):
    response = await jp_fetch("jwst-lab", *parts, params=params)
    assert response.code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Cache-Control"] == "no-store"
    return response.body


async def test_x1d_answers_its_spectra_and_switches_between_them(jp_fetch, root):
    code, body = await call_api(jp_fetch, "GET", "spectra", path="obs/x1d.fits")
    assert code == 200
    answer = models.SpectraResponse.model_validate(body)
    assert answer.total_spectra == 2
    assert [s.spectral_order for s in answer.spectra] == [1, 2]
    assert (answer.spectrum.index, answer.spectrum.points) == (0, 400)
    code, body = await call_api(
        jp_fetch, "GET", "spectra", path="obs/x1d.fits", index="1", max_points="100"
    )
    assert code == 200
    second = body["spectrum"]
    assert (second["index"], second["points"], second["downsampled"]) == (1, 250, True)
    assert None in second["flux"]  # NaN as JSON null
    assert len(second["flux"]) <= 100


async def test_s2d_answers_its_slits_and_a_png_of_each(jp_fetch, root):
    code, body = await call_api(jp_fetch, "GET", "spectra", "image", path="obs/s2d.fits", slit="1")
    assert code == 200
    slit = models.SpectralImage.model_validate(body).slit
    assert (slit.name, slit.image_width, slit.wavelength_source) == ("S200A2", 300, "WAVELENGTH")
    png = await _png(jp_fetch, "spectra", "image", "preview", path="obs/s2d.fits", slit="1")
    assert _png_size(png) == (300, 25)
    png = await _png(
        jp_fetch, "spectra", "image", "preview", path="obs/s2d_gwcs.fits", stretch="zscale"
    )
    assert _png_size(png) == (120, 40)


async def test_s3d_answers_its_planes_a_slice_and_a_spaxel_spectrum(jp_fetch, root):
    code, body = await call_api(jp_fetch, "GET", "cubes", path="obs/s3d.fits")
    assert code == 200
    cube = models.CubeInfo.model_validate(body)
    assert cube.shape == list(synth.CUBE_SHAPE)
    np.testing.assert_allclose(cube.wavelength, synth.cube_wavelengths())
    first = await _png(jp_fetch, "cubes", "slice", path="obs/s3d.fits", index="0")
    line = await _png(
        jp_fetch, "cubes", "slice", path="obs/s3d.fits", index=str(synth.CUBE_LINE_PLANE)
    )
    assert _png_size(first) == _png_size(line) == (25, 21)
    assert first != line
    sx, sy = synth.CUBE_SOURCE
    code, body = await call_api(
        jp_fetch, "GET", "cubes", "spectrum", path="obs/s3d.fits", x=str(sx), y=str(sy), radius="1"
    )
    assert code == 200
    spectrum = models.CubeSpectrum.model_validate(body)
    assert (spectrum.spaxels, spectrum.unit, len(spectrum.flux)) == (5, "MJy/sr", 60)


@pytest.mark.parametrize(
    ("parts", "params", "code", "field"),
    [
        (("spectra",), {}, 400, "path"),
        (("spectra",), {"path": "obs/s3d.fits"}, 400, "path"),
        (("spectra",), {"path": "obs/x1d.fits", "index": "2"}, 400, "index"),
        (("spectra",), {"path": "obs/x1d.fits", "index": "x"}, 400, "index"),
        (("spectra",), {"path": "obs/x1d.fits", "max_points": "1"}, 400, "max_points"),
        (("spectra",), {"path": "obs/missing_x1d.fits"}, 404, "path"),
        (("spectra",), {"path": "obs"}, 400, "path"),
        (("spectra", "image"), {"path": "obs/s2d.fits", "slit": "7"}, 400, "slit"),
        (("spectra", "image"), {"path": "obs/s2d.fits", "slit": "-1"}, 400, "slit"),
        (("spectra", "image"), {"path": "obs/x1d.fits"}, 400, "path"),
        (
            ("spectra", "image", "preview"),
            {"path": "obs/s2d.fits", "stretch": "log"},
            400,
            "stretch",
        ),
        (("spectra", "image", "preview"), {"path": "obs/s2d.fits", "slit": "9"}, 400, "slit"),
        (("cubes",), {"path": "obs/s2d.fits"}, 400, "path"),
        (("cubes", "slice"), {"path": "obs/s3d.fits", "index": "60"}, 400, "index"),
        (("cubes", "slice"), {"path": "obs/s3d.fits", "collapse": "0"}, 400, "collapse"),
        (("cubes", "slice"), {"path": "obs/x1d.fits"}, 400, "path"),
        (("cubes", "spectrum"), {"path": "obs/s3d.fits", "y": "1"}, 400, "x"),
        (("cubes", "spectrum"), {"path": "obs/s3d.fits", "x": "99", "y": "1"}, 400, "x"),
        (("cubes", "spectrum"), {"path": "obs/s3d.fits", "x": "1", "y": "1e3"}, 400, "y"),
        (
            ("cubes", "spectrum"),
            {"path": "obs/s3d.fits", "x": "1", "y": "1", "radius": "99"},
            400,
            "radius",
        ),
    ],
)
async def test_bad_input_is_a_4xx_naming_the_field(jp_fetch, root, parts, params, code, field):
    answered, body = await call_api(jp_fetch, "GET", *parts, **params)
    assert (answered, body["field"]) == (code, field), body
    assert body["message"]
    assert body["reason"]


async def test_no_path_leaves_the_root(jp_fetch, root):
    before = snapshot(root)
    routes = [*JSON_ROUTES, *PNG_ROUTES, ("cubes", "spectrum")]
    for value in [*escapes(SECRET), "obs/secret_x1d.fits", "loop/a"]:
        for parts in routes:
            params = {"path": value}
            if parts == ("cubes", "spectrum"):
                params.update(x="0", y="0")
            code, body = await call_api(jp_fetch, "GET", *parts, **params)
            assert 400 <= code < 500, (parts, value, code, body)
            assert body["message"], (parts, value)
            assert body["reason"], (parts, value)
    assert snapshot(root) == before


async def test_unauthenticated_requests_are_refused(http_server_client, jp_base_url, root):
    for parts in [*JSON_ROUTES, *PNG_ROUTES, ("cubes", "spectrum")]:
        url = f"{jp_base_url.rstrip('/')}/jwst-lab/{'/'.join(parts)}?path=obs/x1d.fits"
        response = await http_server_client.fetch(url, raise_error=False)
        assert response.code == 403, parts
