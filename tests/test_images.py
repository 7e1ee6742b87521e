"""The quick look's questions: ``GET /images/info``, ``/images/pixel``, ``/catalogs`` and
``/previews?region=``, on a synthetic i2d (stdatamodels ``ImageModel`` with a gwcs) and the
``_cat.ecsv`` beside it."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.table import Table
from tornado.httpclient import HTTPClientError

from jwst_lab.core.catalogs import CatalogCache, catalog_page
from jwst_lab.core.images import ImageCache, image_info, pixel_at
from jwst_lab.core.preview import parse_region, render_preview
from jwst_lab.errors import BadRequest

from .conftest import body_json

RA0, DEC0 = 150.0, 2.0
SCALE = 0.1 / 3600.0  # degrees per pixel
CRPIX = (40.0, 30.0)  # 0-based pixel at (RA0, DEC0)
WIDTH, HEIGHT = 80, 60
SOURCES = [(10.0, 40.0), (60.5, 12.25), (33.0, 50.0)]  # 0-based (x, y)


def _gwcs():
    from astropy import coordinates as coord
    from astropy.modeling import models
    from gwcs import coordinate_frames as cf
    from gwcs import wcs

    detector = cf.Frame2D(name="detector", axes_order=(0, 1), unit=(u.pix, u.pix))
    sky = cf.CelestialFrame(reference_frame=coord.ICRS(), name="world", unit=(u.deg, u.deg))
    transform = (
        (models.Shift(-CRPIX[0]) & models.Shift(-CRPIX[1]))
        | (models.Scale(-SCALE) & models.Scale(SCALE))
        | models.Pix2Sky_TAN()
        | models.RotateNative2Celestial(RA0, DEC0, 180.0)
    )
    return wcs.WCS([(detector, transform), (sky, None)])


def _fits_header_wcs() -> fits.Header:
    header = fits.Header()
    header.update(
        CTYPE1="RA---TAN",
        CTYPE2="DEC--TAN",
        CRVAL1=RA0,
        CRVAL2=DEC0,
        CRPIX1=CRPIX[0] + 1,
        CRPIX2=CRPIX[1] + 1,
        CDELT1=-SCALE,
        CDELT2=SCALE,
        CUNIT1="deg",
        CUNIT2="deg",
    )
    return header


def _data() -> np.ndarray:
    data = np.zeros((HEIGHT, WIDTH), dtype=np.float32)
    for x, y in SOURCES:
        data[round(y), round(x)] = 100.0
    data[0, 0] = np.nan
    return data


@pytest.fixture
def products(jp_root_dir):
    """``prod/``: an i2d with a gwcs and its catalog, a FITS-WCS image, an image without WCS."""
    from stdatamodels.jwst.datamodels import ImageModel

    folder = jp_root_dir / "prod"
    folder.mkdir()
    dq = np.zeros((HEIGHT, WIDTH), dtype=np.uint32)
    dq[40, 10] = 4
    model = ImageModel(data=_data(), dq=dq)
    model.meta.wcs = _gwcs()
    model.meta.bunit_data = "MJy/sr"
    model.save(folder / "t_i2d.fits")
    gw = _gwcs()
    sky = [gw(x, y) for x, y in SOURCES]
    table = Table()
    table["label"] = np.arange(1, len(SOURCES) + 1, dtype=np.int32)
    table["xcentroid"] = [x for x, _ in SOURCES]
    table["xcentroid"].info.description = "X pixel value of the source centroid (0 indexed)"
    table["ycentroid"] = [y for _, y in SOURCES]
    table["sky_centroid"] = SkyCoord([s[0] for s in sky] * u.deg, [s[1] for s in sky] * u.deg)
    table["aper_total_flux"] = [1.5, np.nan, 3.0] * u.Jy
    table["is_extended"] = [False, True, False]
    table.write(folder / "t_cat.ecsv", format="ascii.ecsv")
    fits.HDUList(
        [fits.PrimaryHDU(), fits.ImageHDU(_data(), header=_fits_header_wcs(), name="SCI")]
    ).writeto(folder / "f_cal.fits")
    fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(_data(), name="SCI")]).writeto(
        folder / "n_rate.fits"
    )
    (folder / "plain.ecsv").write_text("a,b\n1,2\n")
    return folder


def _png(png: bytes) -> np.ndarray:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    raw = zlib.decompress(png[8 + 8 + 13 + 4 + 8 : -12 - 4])
    return np.frombuffer(raw, dtype=np.uint8).reshape(height, width + 1)[:, 1:]


def test_info_finds_the_gwcs_and_the_catalog(products, jp_root_dir):
    cache = ImageCache()
    info = image_info(products / "t_i2d.fits", "prod/t_i2d.fits", jp_root_dir, cache)
    assert info == {
        "path": "prod/t_i2d.fits",
        "width": WIDTH,
        "height": HEIGHT,
        "unit": "MJy/sr",
        "has_dq": True,
        "wcs": "gwcs",
        "catalog": "prod/t_cat.ecsv",
    }
    assert image_info(products / "f_cal.fits", "f", jp_root_dir, cache)["wcs"] == "fits"
    plain = image_info(products / "n_rate.fits", "n", jp_root_dir, cache)
    assert (plain["wcs"], plain["catalog"], plain["has_dq"]) == (None, None, False)


@pytest.mark.parametrize("name", ["t_i2d.fits", "f_cal.fits"])
def test_pixel_sky_position_is_the_wcs_at_that_position(products, name):
    cache = ImageCache()
    for x, y in [(*CRPIX,), (10.0, 40.0), (60.3, 12.4)]:
        pixel = pixel_at(products / name, name, x, y, cache)
        ra, dec = _gwcs()(x, y)
        assert pixel["ra"] == pytest.approx(ra, abs=1e-9)
        assert pixel["dec"] == pytest.approx(dec, abs=1e-9)
        assert (pixel["column"], pixel["row"]) == (round(x), round(y))
    source = pixel_at(products / name, name, 10.2, 39.8, cache)
    assert source["value"] == 100.0
    assert source["dq"] == (4 if name == "t_i2d.fits" else None)
    assert pixel_at(products / name, name, 0, 0, cache)["value"] is None  # NaN
    # East is left on the sky: larger x, smaller RA.
    assert pixel_at(products / name, name, 50, 30, cache)["ra"] < RA0


def test_pixel_without_wcs_and_outside(products):
    pixel = pixel_at(products / "n_rate.fits", "n", 10, 40, ImageCache())
    assert (pixel["value"], pixel["ra"], pixel["dec"], pixel["wcs"]) == (100.0, None, None, None)
    for x, y, field in [(-1, 3, "x"), (WIDTH, 3, "x"), (3, HEIGHT + 0.6, "y")]:
        with pytest.raises(BadRequest) as caught:
            pixel_at(products / "n_rate.fits", "n", x, y, ImageCache())
        assert caught.value.field == field


def test_regions_come_from_one_open_file_at_the_asked_resolution(products):
    cache = ImageCache()
    path = products / "t_i2d.fits"
    whole = _png(render_preview(path, "t", max_size=1024, cache=cache))
    assert whole.shape == (HEIGHT, WIDTH)
    # 1:1 over a region: the source at (10, 40) is at column 10-5, row (50-1-40) from the top.
    region = _png(render_preview(path, "t", region="5,20,30,50", cache=cache))
    assert region.shape == (30, 25)
    assert region[50 - 1 - 40, 10 - 5] == 255
    assert (region == 255).sum() == 1
    # Same stretch as the overview: the region's pixels are the overview's.
    assert (region == whole[HEIGHT - 50 : HEIGHT - 20, 5:30]).all()
    # Downsampled by f = ceil(75 / 16) = 5 with a partial last block: ceil(75/5) x ceil(55/5).
    small = _png(render_preview(path, "t", region="0,0,75,55", max_size=16, cache=cache))
    assert small.shape == (11, 15)
    # A region past the edge is clipped to the image.
    assert _png(render_preview(path, "t", region="70,50,500,500", cache=cache)).shape == (10, 10)
    assert cache.opened == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,2,3", "four non-negative integers"),
        ("a,b,c,d", "four non-negative integers"),
        ("-1,0,5,5", "four non-negative integers"),
        ("5,0,5,5", "x1 > x0"),
        ("100,100,200,200", "outside"),
    ],
)
def test_bad_regions(text, message):
    with pytest.raises(BadRequest, match=message) as caught:
        parse_region(text, WIDTH, HEIGHT)
    assert caught.value.field == "region"


def test_catalog_columns_rows_and_image(products, jp_root_dir):
    page = catalog_page(
        products / "t_cat.ecsv", "prod/t_cat.ecsv", jp_root_dir, cache=CatalogCache()
    )
    names = [c["name"] for c in page["columns"]]
    assert names == [
        "label",
        "xcentroid",
        "ycentroid",
        "sky_centroid.ra",
        "sky_centroid.dec",
        "aper_total_flux",
        "is_extended",
    ]
    columns = {c["name"]: c for c in page["columns"]}
    assert columns["aper_total_flux"]["unit"] == "Jy"
    assert columns["sky_centroid.dec"]["unit"] == "deg"
    assert columns["xcentroid"]["description"].startswith("X pixel value")
    assert columns["is_extended"]["dtype"] == "bool"
    assert (page["total"], len(page["rows"])) == (3, 3)
    assert page["rows"][1][0] == 2
    assert page["rows"][1][5] is None  # NaN
    assert page["rows"][1][6] is True
    ra, dec = _gwcs()(*SOURCES[2])
    assert page["rows"][2][3:5] == [pytest.approx(ra), pytest.approx(dec)]
    assert (page["x_column"], page["y_column"]) == ("xcentroid", "ycentroid")
    assert (page["ra_column"], page["dec_column"]) == ("sky_centroid.ra", "sky_centroid.dec")
    assert page["image"] == "prod/t_i2d.fits"
    second = catalog_page(products / "t_cat.ecsv", "c", jp_root_dir, offset=1, limit=1)
    assert (second["total"], second["offset"], [r[0] for r in second["rows"]]) == (3, 1, [2])


async def test_routes(jp_fetch, products):
    info = body_json(
        await jp_fetch("jwst-lab", "images", "info", params={"path": "prod/t_i2d.fits"})
    )
    assert (info["wcs"], info["catalog"]) == ("gwcs", "prod/t_cat.ecsv")
    pixel = body_json(
        await jp_fetch(
            "jwst-lab", "images", "pixel", params={"path": "prod/t_i2d.fits", "x": "10", "y": "40"}
        )
    )
    assert (pixel["value"], pixel["dq"], pixel["wcs"]) == (100.0, 4, "gwcs")
    assert pixel["dec"] == pytest.approx(DEC0 + 10 * SCALE, abs=1e-7)
    table = body_json(await jp_fetch("jwst-lab", "catalogs", params={"path": "prod/t_cat.ecsv"}))
    assert table["total"] == 3
    response = await jp_fetch(
        "jwst-lab", "previews", params={"path": "prod/t_i2d.fits", "region": "0,0,20,10"}
    )
    assert _png(response.body).shape == (10, 20)
    for route, params, code, field in [
        (("images", "info"), {"path": "../x.fits"}, 400, "path"),
        (("images", "info"), {"path": "prod/missing.fits"}, 404, "path"),
        (("images", "info"), {"path": "prod/plain.ecsv"}, 400, "path"),
        (("images", "info"), {"path": "prod"}, 400, "path"),
        (("images", "pixel"), {"path": "prod/t_i2d.fits", "x": "a", "y": "1"}, 400, "x"),
        (("images", "pixel"), {"path": "prod/t_i2d.fits", "x": "nan", "y": "1"}, 400, "x"),
        (("images", "pixel"), {"path": "prod/t_i2d.fits", "x": "1"}, 400, "y"),
        (("images", "pixel"), {"path": "prod/t_i2d.fits", "x": "1", "y": "1e6"}, 400, "y"),
        (("catalogs",), {"path": "prod/plain.ecsv"}, 400, "path"),
        (("catalogs",), {"path": "prod/t_i2d.fits"}, 400, "path"),
        (("catalogs",), {"path": "prod/t_cat.ecsv", "limit": "0"}, 400, "limit"),
        (("catalogs",), {"path": "/etc/passwd"}, 400, "path"),
        (("previews",), {"path": "prod/t_i2d.fits", "region": "1,2"}, 400, "region"),
        (("previews",), {"path": "prod/t_i2d.fits", "region": "500,500,600,600"}, 400, "region"),
    ]:
        with pytest.raises(HTTPClientError) as caught:
            await jp_fetch("jwst-lab", *route, params=params)
        answer = body_json(caught.value.response)
        assert (caught.value.code, answer.get("field")) == (code, field), (route, params, answer)


def test_the_server_reads_a_gwcs_without_importing_jwst(products):
    # asdf's extensions import stdatamodels, stpipe and crds: the WCS lives in a child process.
    script = (
        "import sys, json\n"
        "from pathlib import Path\n"
        "from jwst_lab.core.images import pixel_at\n"
        f"p = pixel_at(Path({str(products / 't_i2d.fits')!r}), 't', 10.0, 40.0)\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules}\n"
        "               & {'jwst', 'stpipe', 'stdatamodels', 'crds', 'asdf', 'gwcs'})\n"
        "print(json.dumps({'wcs': p['wcs'], 'dec': p['dec'] is not None, 'heavy': heavy}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    answer = out.stdout.strip().splitlines()[-1]
    assert answer == '{"wcs": "gwcs", "dec": true, "heavy": []}'


def test_a_dead_wcs_worker_is_replaced(products):
    import os
    import signal

    from jwst_lab.core.wcs_client import WcsWorker

    worker = WcsWorker()
    try:
        path = str(products / "t_i2d.fits")
        first = worker.sky(path, [CRPIX])
        assert first["wcs"] == "gwcs"
        assert first["sky"][0] == [pytest.approx(RA0), pytest.approx(DEC0)]
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.sky(path, [CRPIX])["sky"] == first["sky"]
        assert worker.starts == 2
        assert worker.sky(str(products / "n_rate.fits"), [(1.0, 1.0)]) == {"wcs": None, "sky": None}
    finally:
        worker.close()
    assert worker.pid is None
