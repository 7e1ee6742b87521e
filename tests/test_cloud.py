"""Cloud downloads and peeks against a real S3-compatible server (moto) on loopback.

The bucket holds the demo archive's products at the keys MAST's path lookup
gives them (a stand-in MAST answers the lookup and serves the HTTPS
fallback). The download runner runs as the subprocess the manager starts.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from jwst_lab.core import cloud
from jwst_lab.core.downloads import MANIFEST_NAME, mast_download_url
from jwst_lab.jobs.download_jobs import cloud_spec, write_spec

from .demo_fixtures import demo_workspace  # noqa: F401 (the session fixture)
from .downloads_helpers import run_download_spec, wait_gone
from .s3_helpers import (
    BUCKET,
    LookupMast,
    ThrottlingProxy,
    bucket_path,
    make_public_bucket,
    moto_s3,
    s3_admin,
)


@pytest.fixture(scope="module")
def s3_endpoint() -> Any:
    """moto's S3 server, with the public bucket made."""
    with moto_s3() as endpoint:
        make_public_bucket(endpoint)
        yield endpoint


def _put(endpoint: str, uri: str, data: bytes) -> str:
    key = bucket_path(uri).lstrip("/")
    s3_admin(endpoint).put_object(Bucket=BUCKET, Key=key, Body=data)
    return key


def _spec(
    tmp_path: Path, files: dict[str, bytes], mast: LookupMast, endpoint: str, job: str = "job1"
) -> Path:
    root = tmp_path / "root"
    folder = root / "dl"
    entries = [
        {
            "uri": f"mast:JWST/product/{name}",
            "dest": str(folder / "JWST" / name.rsplit("_", 1)[0] / name),
            "url": mast_download_url(mast.url, f"mast:JWST/product/{name}"),
            "size": len(data),
            "checksum": None,
        }
        for name, data in files.items()
    ]
    root.mkdir(exist_ok=True)
    return write_spec(
        tmp_path / "jobs" / job,
        job_id=job,
        root=root,
        folder=folder,
        files=entries,
        parallel=4,
        mast_url=mast.url,
        cloud=cloud_spec("aws", endpoint_url=endpoint, mast_url=mast.url),
    )


def _archive_files(demo: Any, count: int) -> dict[str, bytes]:
    paths = sorted((demo.path / "archive").rglob("*.fits"))[:count]
    assert len(paths) == count
    return {path.name: path.read_bytes() for path in paths}


def test_download_from_the_bucket_is_byte_identical_and_falls_back_per_product(
    tmp_path: Path,
    s3_endpoint: str,
    demo_workspace: Any,  # noqa: F811
) -> None:
    files = _archive_files(demo_workspace, 4)
    names = list(files)
    missing = names[-1]
    for name in names[:-1]:
        _put(s3_endpoint, f"mast:JWST/product/{name}", files[name])
    with LookupMast(files) as mast:
        spec_path = _spec(tmp_path, files, mast, s3_endpoint)
        code, result, log = run_download_spec(spec_path, subprocess_run=True)
        served = dict(mast.served)
    assert code == 0, log
    assert result["origin_counts"] == {"s3": 3, "https": 1}, result
    assert "3 of 4 products found in s3://stpubdata" in log
    assert served == {missing: len(files[missing])}, "only the missing product came over HTTPS"
    spec = json.loads(spec_path.read_text())
    for entry in spec["files"]:
        name = Path(entry["dest"]).name
        assert Path(entry["dest"]).read_bytes() == files[name]
        relative = Path(entry["dest"]).relative_to(tmp_path / "root").as_posix()
        assert result["origins"][relative] == ("https" if name == missing else "s3")
    manifest = json.loads((tmp_path / "root" / "dl" / MANIFEST_NAME).read_text())
    origins = {Path(k).name: v["origin"] for k, v in manifest["files"].items()}
    assert origins == {name: ("https" if name == missing else "s3") for name in names}
    assert not list((tmp_path / "root").rglob("*.part"))


def test_a_download_killed_mid_file_resumes_from_the_bucket(
    tmp_path: Path, s3_endpoint: str
) -> None:
    name = "jw09998001001_02101_00001_mirimage_cal.fits"
    data = os.urandom(40 * 1024 * 1024)
    _put(s3_endpoint, f"mast:JWST/product/{name}", data)
    with ThrottlingProxy(s3_endpoint, rate=2_000_000) as proxy, LookupMast({}) as mast:
        spec_path = _spec(tmp_path, {name: data}, mast, proxy.url)
        spec = json.loads(spec_path.read_text())
        target = Path(spec["files"][0]["dest"])
        part = target.with_name(target.name + ".part")
        runner = subprocess.Popen(
            [sys.executable, "-m", "jwst_lab.jobs.download_runner", str(spec_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while not (part.exists() and part.stat().st_size >= 8 * 1024 * 1024):
                assert runner.poll() is None, "the runner ended before it was killed"
                assert time.monotonic() < deadline, "the download did not start"
                time.sleep(0.05)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()
        import asyncio

        asyncio.run(wait_gone(runner.pid))
        kept = part.stat().st_size
        assert 0 < kept < len(data)
        assert not target.exists()
        before = proxy.bytes_down
        code, result, log = run_download_spec(spec_path, subprocess_run=True)
        again = proxy.bytes_down - before
    assert code == 0, log
    assert f"resumed at byte {kept}" in log
    assert target.read_bytes() == data
    assert not part.exists()
    assert result["origin_counts"] == {"s3": 1}
    # The rerun fetched what was missing, not the whole object again.
    assert again < len(data) - kept + 2 * 1024 * 1024, (again, kept)


def test_a_changed_object_is_not_renamed_into_place(tmp_path: Path, s3_endpoint: str) -> None:
    """The object's single-part ETag (its md5) is checked: a corrupt part never lands."""
    name = "jw09997001001_02101_00001_mirimage_cal.fits"
    data = os.urandom(3 * 1024 * 1024)
    _put(s3_endpoint, f"mast:JWST/product/{name}", data)
    with LookupMast({}) as mast:
        spec_path = _spec(tmp_path, {name: data}, mast, s3_endpoint)
        spec = json.loads(spec_path.read_text())
        target = Path(spec["files"][0]["dest"])
        target.parent.mkdir(parents=True)
        # A part that holds wrong bytes, written by this job (its ledger names it).
        part = target.with_name(target.name + ".part")
        part.write_bytes(b"\0" * 1024)
        info = part.stat()
        (Path(spec["job_dir"]) / "parts.jsonl").write_text(
            json.dumps({"path": str(part), "st_dev": info.st_dev, "st_ino": info.st_ino}) + "\n"
        )
        code, _, log = run_download_spec(spec_path, subprocess_run=True)
    assert code == 1
    assert "md5 checksum mismatch" in log
    assert not target.exists()


def _big_fits(path: Path) -> None:
    import numpy as np
    from astropy.io import fits

    science = np.zeros((5000, 5000), dtype=np.float32)
    science[2000:3000, 2000:3000] = 100.0
    hdus = fits.HDUList(
        [
            fits.PrimaryHDU(header=fits.Header([("TELESCOP", "JWST"), ("INSTRUME", "MIRI")])),
            fits.ImageHDU(science, name="SCI"),
            fits.ImageHDU(np.ones((100, 100), dtype=np.float32), name="ERR"),
        ]
    )
    hdus.writeto(path)


def test_a_header_peek_of_a_100_mb_object_reads_under_1_percent(
    tmp_path: Path, s3_endpoint: str
) -> None:
    path = tmp_path / "big_i2d.fits"
    _big_fits(path)
    size = path.stat().st_size
    assert size > 100_000_000
    key = _put(
        s3_endpoint, "mast:JWST/product/jw09996-o001_t001_miri_f770w_i2d.fits", path.read_bytes()
    )
    with ThrottlingProxy(s3_endpoint) as proxy:
        client = cloud.s3_client(proxy.url)
        obj = cloud.head(client, BUCKET, key)
        before = proxy.bytes_down
        answer = cloud.peek(obj, client, image=False)
        served = proxy.bytes_down - before
        assert served < 0.01 * size, served
        assert answer["bytes_read"] <= served
        names = [h["name"] for h in answer["headers"]]
        assert names == ["PRIMARY", "SCI"]
        primary = {card[0]: card[1] for card in answer["headers"][0]["cards"]}
        assert primary["TELESCOP"] == "JWST"
        sci = {card[0]: card[1] for card in answer["headers"][1]["cards"]}
        assert (sci["NAXIS1"], sci["NAXIS2"]) == ("5000", "5000")

        before = proxy.bytes_down
        looked = cloud.peek(obj, client, image=True)
        served = proxy.bytes_down - before
    png = looked["image_png"]
    assert png is not None
    assert png.startswith(b"\x89PNG")
    assert looked["shape"] == [5000, 5000]
    # Every 40th row and column (at most 128 rows): square as the image, 125 x 125.
    assert _png_size(png) == (125, 125)
    # Only every 40th row of the image is read, not the object.
    assert served < 0.05 * size, served


def _png_size(png: bytes) -> tuple[int, int]:
    """``(width, height)`` from a PNG's IHDR chunk."""
    import struct

    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_a_product_not_in_the_bucket_is_none(s3_endpoint: str) -> None:
    with LookupMast({}) as mast:
        client = cloud.s3_client(s3_endpoint)
        found = cloud.locate(
            ["mast:JWST/product/jw00000000000_00000_00000_nothing_cal.fits"],
            mast_url=mast.url,
            client=client,
        )
    assert found == [None]


# --- through a real Jupyter server -----------------------------------------------------------

ROUTE_FILES = {
    "jw09995001001_02101_00001_mirimage_cal.fits": "in the bucket",
    "jw09995001001_02101_00002_mirimage_cal.fits": "over HTTPS only",
}


@pytest.fixture(scope="module")
def route_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Two small FITS products; the first one is put in the bucket by ``route_mast``."""
    import numpy as np
    from astropy.io import fits

    folder = tmp_path_factory.mktemp("route-files")
    files = {}
    for index, name in enumerate(ROUTE_FILES):
        data = np.arange(64 * 48, dtype=np.float32).reshape(48, 64) * (index + 1)
        hdus = fits.HDUList(
            [
                fits.PrimaryHDU(header=fits.Header([("TELESCOP", "JWST")])),
                fits.ImageHDU(data, name="SCI"),
            ]
        )
        hdus.writeto(folder / name)
        files[name] = (folder / name).read_bytes()
    return files


@pytest.fixture(scope="module")
def route_mast(s3_endpoint: str, route_files: dict[str, bytes]) -> Any:
    """The stand-in MAST of the route tests; the first product is in the bucket."""
    first = next(iter(route_files))
    _put(s3_endpoint, f"mast:JWST/product/{first}", route_files[first])
    with LookupMast(route_files) as mast:
        yield mast


@pytest.fixture
def jwst_lab_config(s3_endpoint: str, route_mast: LookupMast) -> dict[str, Any]:
    """Cloud access off by default (requests ask for it), the bucket on moto."""
    return {
        "crds_context": "jwst_0541.pmap",
        "crds_path": "/nonexistent/crds_cache",
        "mast_url": route_mast.url,
        "archive_backend": "mast",
        "cloud": "",
        "cloud_endpoint_url": s3_endpoint,
        "max_parallel_downloads": 2,
    }


async def test_peek_route_answers_headers_and_a_quick_look(jp_fetch: Any, route_files: Any) -> None:
    import base64

    from .api_helpers import call_api

    first, second = list(route_files)
    code, info = await call_api(jp_fetch, "GET", "info")
    assert (code, info["cloud"]) == (200, "")
    code, answer = await call_api(jp_fetch, "GET", "mast", "peek", uri=f"mast:JWST/product/{first}")
    assert code == 400
    assert answer["field"] == "cloud"
    code, answer = await call_api(
        jp_fetch, "GET", "mast", "peek", uri=f"mast:JWST/product/{first}", cloud="aws"
    )
    assert code == 200, answer
    assert answer["cloud_uri"] == f"s3://{BUCKET}{bucket_path(f'mast:JWST/product/{first}')}"
    assert [h["name"] for h in answer["headers"]] == ["PRIMARY", "SCI"]
    assert answer["shape"] == [48, 64]
    png = base64.b64decode(answer["image_png"])
    assert png.startswith(b"\x89PNG")
    assert _png_size(png) == (64, 48)  # every row and column of a small image
    assert answer["size"] == len(route_files[first])
    assert answer["bytes_read"] > 0
    assert answer["requests"] > 0
    code, answer = await call_api(
        jp_fetch, "GET", "mast", "peek", uri=f"mast:JWST/product/{second}", cloud="aws"
    )
    assert code == 404
    assert answer["reason"] == "not_in_bucket"
    assert "download the product instead" in answer["message"]


@pytest.mark.parametrize(
    "uri",
    [
        "not a uri",
        "mast:JWST",  # no product path
        "mast:/product/a.fits",  # no collection
        "http://127.0.0.1/JWST/product/a.fits",
        "mast:JWST/product/a b.fits",
        "mast:JWST/product/a.fits?x=1",
        "",
        "mast:JWST/product/" + "a" * 600,
    ],
)
async def test_a_peek_of_something_not_a_data_uri_is_a_400_naming_uri(
    jp_fetch: Any, uri: str
) -> None:
    """The same rule as the downloads' ``products``: ``mast:<collection>/<path>``."""
    from jwst_lab.core.mast_vocabulary import DATA_URI

    from .api_helpers import call_api

    assert len(uri) > 512 or not DATA_URI.fullmatch(uri)
    code, answer = await call_api(jp_fetch, "GET", "mast", "peek", uri=uri, cloud="aws")
    assert code == 400, answer
    assert answer["field"] == "uri"
    code, answer = await call_api(jp_fetch, "POST", "downloads", body={"products": [uri]})
    assert code == 400, answer
    assert answer["field"].startswith("products")


async def test_a_peek_of_an_object_that_is_not_fits_is_a_400_naming_uri(
    jp_fetch: Any, s3_endpoint: str
) -> None:
    from .api_helpers import call_api

    uri = "mast:JWST/product/jw09995001001_02101_00003_mirimage_asn.json"
    _put(s3_endpoint, uri, b'{"asn_type": "image3"}' * 200)
    code, answer = await call_api(jp_fetch, "GET", "mast", "peek", uri=uri, cloud="aws")
    assert code == 400, answer
    assert answer["field"] == "uri"
    assert "FITS" in answer["message"]


class FailingBucket:
    """An S3 endpoint on loopback that answers every request with ``status`` (or, with
    ``status=None``, accepts connections and never answers); counts the requests."""

    def __init__(self, status: int | None) -> None:
        import socket
        import threading

        self.status = status
        self.requests = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        """The endpoint URL."""
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> FailingBucket:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._listener.close()
        for connection in self._held:
            with contextlib.suppress(OSError):
                connection.close()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self._held.append(connection)
            with contextlib.suppress(OSError):
                connection.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    block = connection.recv(65536)
                    if not block:
                        break
                    data += block
                if data:
                    self.requests += 1
                if self.status is None or not data:
                    continue
                body = b"<Error><Code>ServiceUnavailable</Code><Message>down</Message></Error>"
                head = (
                    f"HTTP/1.1 {self.status} Service Unavailable\r\n"
                    f"Content-Type: application/xml\r\nContent-Length: {len(body)}\r\n"
                    "Connection: close\r\n\r\n"
                )
                connection.sendall(head.encode() + (b"" if data.startswith(b"HEAD") else body))
                connection.close()


async def _peek_with_endpoint(
    jp_serverapp: Any, jp_fetch: Any, endpoint: str, **settings: Any
) -> Any:
    import dataclasses

    from .api_helpers import call_api

    (app,) = jp_serverapp.extension_manager.extension_apps["jwst_lab"]
    services = app.services
    previous = services.settings
    services.settings = dataclasses.replace(previous, cloud_endpoint_url=endpoint, **settings)
    try:
        first = next(iter(ROUTE_FILES))
        return await call_api(
            jp_fetch, "GET", "mast", "peek", uri=f"mast:JWST/product/{first}", cloud="aws"
        )
    finally:
        services.settings = previous


async def test_the_path_lookup_may_be_another_service_than_mast_url(
    jp_serverapp: Any, jp_fetch: Any, s3_endpoint: str, route_mast: LookupMast
) -> None:
    """``cloud_lookup_url``: MAST's searches and downloads elsewhere, the lookup here."""
    from .api_helpers import dead_url

    lookups = route_mast.lookups
    code, answer = await _peek_with_endpoint(
        jp_serverapp, jp_fetch, s3_endpoint, mast_url=dead_url(), cloud_lookup_url=route_mast.url
    )
    assert code == 200, answer
    assert route_mast.lookups == lookups + 1
    code, answer = await _peek_with_endpoint(
        jp_serverapp, jp_fetch, s3_endpoint, mast_url=route_mast.url, cloud_lookup_url=dead_url()
    )
    assert code == 502, answer
    assert "path lookup" in answer["message"]


async def test_a_bucket_that_cannot_be_reached_is_a_502_saying_so(
    jp_serverapp: Any, jp_fetch: Any
) -> None:
    from .api_helpers import dead_url

    code, answer = await _peek_with_endpoint(jp_serverapp, jp_fetch, dead_url())
    assert code == 502, answer
    assert answer["reason"] == "cloud_error"
    assert "could not be reached" in answer["message"]
    assert "download the product instead" in answer["message"]


async def test_a_bucket_outage_is_a_503_after_a_bounded_number_of_tries(
    jp_serverapp: Any, jp_fetch: Any
) -> None:
    with FailingBucket(503) as bucket:
        code, answer = await _peek_with_endpoint(jp_serverapp, jp_fetch, bucket.url)
    assert code == 503, answer
    assert answer["reason"] == "cloud_unavailable"
    assert "try again later" in answer["message"]
    assert bucket.requests == cloud.PEEK_ATTEMPTS


def test_a_silent_bucket_times_out_as_a_502(route_mast: LookupMast) -> None:
    """A bucket that accepts the connection and never answers: the read timeout ends it."""
    from jwst_lab.errors import UpstreamError

    first = next(iter(ROUTE_FILES))
    with FailingBucket(None) as bucket, pytest.raises(UpstreamError) as raised:
        cloud.peek_product(
            f"mast:JWST/product/{first}",
            mast_url=route_mast.url,
            endpoint_url=bucket.url,
            read_timeout=0.5,
            connect_timeout=0.5,
            attempts=2,
        )
    assert "Timeout" in raised.value.message
    assert bucket.requests == 2


async def test_a_download_asking_for_the_cloud_records_where_files_came_from(
    jp_fetch: Any, jp_serverapp: Any, jp_root_dir: Path, route_files: Any
) -> None:
    import asyncio

    from .api_helpers import call_api
    from .downloads_helpers import FakeMast, product_row

    (app,) = jp_serverapp.extension_manager.extension_apps["jwst_lab"]
    services = app.services
    rows = [product_row(name, len(data)) for name, data in route_files.items()]
    previous = services.mast
    services.mast = FakeMast(rows)
    try:
        code, job = await call_api(
            jp_fetch,
            "POST",
            "downloads",
            body={"products": [r["dataURI"] for r in rows], "dest": "dl", "cloud": "aws"},
        )
        assert code == 201, job
        assert job["download"]["cloud"] == "aws"
        assert "Observations.enable_cloud_dataset(provider='AWS')" in job["python"]
        deadline = time.monotonic() + 60
        while job["status"] not in {"succeeded", "failed", "cancelled", "interrupted"}:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
            code, job = await call_api(jp_fetch, "GET", "jobs", job["id"])
    finally:
        services.mast = previous
    assert job["status"] == "succeeded", job["error"]
    assert job["download"]["origins"] == {"s3": 1, "https": 1}
    for name, data in route_files.items():
        (path,) = (jp_root_dir / "dl").rglob(name)
        assert path.read_bytes() == data


def test_an_object_gone_from_the_bucket_mid_job_comes_over_https(
    tmp_path: Path, s3_endpoint: str
) -> None:
    """The engine itself falls back per file: a 404 on the object switches it to its URL."""
    from jwst_lab.core.downloads import Transfer, TransferEngine

    there = "jw09994001001_02101_00001_mirimage_cal.fits"
    gone = "jw09994001001_02101_00002_mirimage_cal.fits"
    files = {there: os.urandom(5 * 1024 * 1024 + 7), gone: os.urandom(1024 * 1024 + 3)}
    keys = {
        name: _put(s3_endpoint, f"mast:JWST/product/{name}", data) for name, data in files.items()
    }
    client = cloud.s3_client(s3_endpoint)
    objects = {name: cloud.head(client, BUCKET, key) for name, key in keys.items()}
    s3_admin(s3_endpoint).delete_object(Bucket=BUCKET, Key=keys[gone])
    with LookupMast(files) as mast:
        transfers = [
            Transfer(
                uri=f"mast:JWST/product/{name}",
                dest=tmp_path / "out" / name,
                url=mast_download_url(mast.url, f"mast:JWST/product/{name}"),
                size=objects[name].size,
                s3_bucket=BUCKET,
                s3_key=objects[name].key,
                etag=objects[name].etag,
                checksum=f"md5:{objects[name].single_part_md5}",
            )
            for name in files
        ]
        engine = TransferEngine(parallel=2, s3_client=client, root=tmp_path, range_size=1 << 20)
        results = engine.run(transfers)
        served = dict(mast.served)
    assert {Path(r.dest).name: (r.status, r.origin) for r in results} == {
        there: ("downloaded", "s3"),
        gone: ("downloaded", "https"),
    }
    assert served == {gone: len(files[gone])}
    for name, data in files.items():
        assert (tmp_path / "out" / name).read_bytes() == data
