"""``GET /previews``: PNG quick looks of 2-D images, and clear errors for everything else."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from astropy.io import fits
from tornado.httpclient import HTTPClientError

from jwst_lab.core.preview import encode_png, render_preview
from jwst_lab.errors import BadRequest

from .conftest import body_json


def _png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _pixels(png: bytes) -> np.ndarray:
    width, height = _png_size(png)
    raw = zlib.decompress(png[8 + 8 + 13 + 4 + 8 : -12 - 4])
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, width + 1)
    assert (rows[:, 0] == 0).all()
    return rows[:, 1:]


@pytest.fixture
def images(jp_root_dir):
    folder = jp_root_dir / "img"
    folder.mkdir()
    data = np.zeros((300, 200), dtype=np.float32)
    data[250:260, 10:20] = 1000.0  # a bright source near the top-left (FITS row 250+)
    data[0, 0] = np.nan
    hdus = fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(data, name="SCI")])
    hdus.writeto(folder / "x_i2d.fits")
    # A cal-like file: scaled integer extensions (BZERO) beside SCI cannot be memory-mapped.
    dq = fits.ImageHDU(np.full((300, 200), 2**31 + 5, dtype=np.uint32), name="DQ")
    fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(data, name="SCI"), dq]).writeto(
        folder / "x_cal.fits"
    )
    fits.PrimaryHDU(np.zeros((2, 4, 4), dtype=np.float32)).writeto(folder / "cube.fits")
    (folder / "text.fits").write_text("not fits")
    return folder


@pytest.mark.parametrize("name", ["x_i2d.fits", "x_cal.fits"])
def test_render_flips_downsamples_and_stretches(images, name):
    for stretch in ("asinh", "zscale", "linear"):
        png = render_preview(images / name, "x", stretch=stretch, max_size=100)
        assert _png_size(png) == (66, 100)
        pixels = _pixels(png)
        # FITS row 250 is near the top of the picture once flipped for display.
        assert pixels[:20, :10].max() == 255
        assert pixels[50:, :].max() < 255


def test_encode_png_round_trip():
    pixels = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert (_pixels(encode_png(pixels)) == pixels).all()


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        ("cube.fits", {}, "3-D image"),
        ("text.fits", {}, "not a readable FITS image"),
        ("x_i2d.fits", {"stretch": "log"}, "stretch must be one of"),
        ("x_i2d.fits", {"max_size": 5}, "max_size"),
    ],
)
def test_render_errors(images, name, kwargs, message):
    with pytest.raises(BadRequest, match=message):
        render_preview(images / name, name, **kwargs)


async def test_preview_route(jp_fetch, images):
    response = await jp_fetch(
        "jwst-lab", "previews", params={"path": "img/x_i2d.fits", "stretch": "zscale"}
    )
    assert response.headers["Content-Type"] == "image/png"
    assert _png_size(response.body) == (200, 300)
    for params, code in [
        ({"path": "../x.fits"}, 400),
        ({"path": "img/missing.fits"}, 404),
        ({"path": "img/cube.fits"}, 400),
        ({"path": "img/x_i2d.fits", "max_size": "big"}, 400),
        ({}, 400),
    ]:
        with pytest.raises(HTTPClientError) as caught:
            await jp_fetch("jwst-lab", "previews", params=params)
        assert caught.value.code == code, params
        assert body_json(caught.value.response)["message"]
