"""``POST /downloads`` through a real Jupyter server: bad input, jobs, token secrecy."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jwst_lab.errors import DependencyMissing
from jwst_lab.models import DownloadCreated, JobRecord

from .download_server import DownloadServer
from .downloads_helpers import OBS_ID, FakeMast, product_row, rows_for, served_files

TOKEN = "mast-TOKEN-93b1c2d4e5f60718293a4b5c"


class _TokenStore:
    def __init__(self, token: str | None) -> None:
        self.token = token

    def current_token(self) -> str | None:
        return self.token


@pytest.fixture
def files() -> dict[str, bytes | Path]:
    return served_files(4, 200_000)


@pytest.fixture
def server(files):
    with DownloadServer(files) as running:
        yield running


@pytest.fixture
def jwst_lab_config(server) -> dict[str, Any]:
    return {
        "crds_context": "jwst_0541.pmap",
        "crds_path": "/nonexistent/crds_cache",
        "mast_url": server.url,
        "max_parallel_downloads": 4,
        "download_dir": "mast_downloads",
    }


@pytest.fixture
def lab(jp_serverapp, server, tmp_path):
    """The server's services, with a fake product catalogue and token store."""
    (app,) = jp_serverapp.extension_manager.extension_apps["jwst_lab"]
    services = app.services
    rows = rows_for(server)
    secret_name = "jw09999001001_00001_nrca1_cal.fits"
    server.files[secret_name] = b"s" * 5000
    server.require_token[secret_name] = TOKEN
    rows.append(product_row(secret_name, 5000, obs_id="jw09999-o001", rights="EXCLUSIVE_ACCESS"))
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "jw02222001001_00001_mirimage_cal.fits").write_bytes(b"L" * 3000)
    rows.append(
        product_row(
            "jw02222001001_00001_mirimage_cal.fits",
            3000,
            obs_id="jw02222-o001",
            rights="EXCLUSIVE_ACCESS",
            local_path=archive / "jw02222001001_00001_mirimage_cal.fits",
        )
    )
    previous = services.mast, services.tokens
    services.mast = FakeMast(rows)
    services.tokens = _TokenStore(None)
    yield services
    services.mast, services.tokens = previous


async def _call(jp_fetch, method: str, *parts: str, body: Any = None, **params: Any):
    payload = None if body is None else (body if isinstance(body, str) else json.dumps(body))
    try:
        response = await jp_fetch(
            "jwst-lab", *parts, method=method, body=payload, params=params or None
        )
    except HTTPClientError as error:
        raw = error.response.body if error.response is not None else b""
        return error.code, json.loads(raw or b"null"), {}
    return response.code, (json.loads(response.body) if response.body else None), response.headers


async def _wait(jp_fetch, job_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        code, job, _ = await _call(jp_fetch, "GET", "jobs", job_id)
        assert code == 200
        if job["status"] in {"succeeded", "failed", "cancelled", "interrupted"}:
            return job
        assert time.monotonic() < deadline, f"job still {job['status']}"
        await asyncio.sleep(0.1)


def _uri(name: str) -> str:
    return f"mast:JWST/product/{name}"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("not json", "JSON"),
        ([], "object"),
        ({}, "products"),
        ({"products": []}, "products"),
        ({"products": "mast:JWST/product/a.fits"}, "products"),
        ({"products": ["a.fits"]}, "products[0]"),
        ({"products": [""]}, "products[0]"),
        ({"products": [_uri("a.fits")], "obsids": ["1"]}, "obsids"),
        (
            {"obsids": ["1"], "product_filters": {"calib_level": {"x": 1}}},
            "product_filters.calib_level",
        ),
        ({"products": [_uri("a.fits")], "product_filters": {"a": 1}}, "product_filters"),
        ({"products": [_uri("a.fits")], "source": "ftp"}, "source"),
        ({"products": [_uri("a.fits")], "dest": 7}, "dest"),
        ({"products": [_uri("a.fits")], "unknown": 1}, "unknown"),
    ],
)
async def test_bad_bodies_are_400_naming_the_field(jp_fetch, lab, body, field):
    code, error, _ = await _call(jp_fetch, "POST", "downloads", body=body)
    assert code == 400, error
    assert error["reason"] == "bad_request"
    assert field in error["message"]


async def test_bad_destinations_unknown_products_and_disk(
    jp_fetch, lab, jp_root_dir, server, tmp_path
):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (jp_root_dir / "out").symlink_to(outside)
    name = next(iter(server.files))
    for dest in ("/etc", "../up", "out", "out/deeper"):
        code, error, _ = await _call(
            jp_fetch, "POST", "downloads", body={"products": [_uri(name)], "dest": dest}
        )
        assert code == 400, (dest, error)
        assert "dest" in error["message"]
    code, error, _ = await _call(
        jp_fetch, "POST", "downloads", body={"products": [_uri(name), _uri("jw_nope_cal.fits")]}
    )
    assert code == 404
    assert "jw_nope_cal.fits" in error["message"]
    code, error, _ = await _call(jp_fetch, "POST", "downloads", body={"obsids": ["jw00000-o000"]})
    assert code == 404
    lab.mast.rows.append(product_row("jw_huge_cal.fits", 10**17, obs_id="jw07777-o001"))
    code, error, _ = await _call(
        jp_fetch, "POST", "downloads", body={"products": [_uri("jw_huge_cal.fits")]}
    )
    assert code == 413
    assert error["reason"] == "insufficient_storage"
    assert not list(outside.iterdir())


async def test_products_download_into_the_layout(jp_fetch, lab, jp_root_dir, files):
    names = list(files)[:3]
    code, job, headers = await _call(
        jp_fetch, "POST", "downloads", body={"products": [_uri(n) for n in names], "dest": "dl"}
    )
    assert code == 201, job
    DownloadCreated.model_validate(job)
    assert headers["Location"].endswith(f"/jwst-lab/jobs/{job['id']}")
    assert "from astroquery.mast import Observations" in job["python"]
    assert _uri(names[0]) in job["python"]
    assert job["kind"] == "download"
    done = await _wait(jp_fetch, job["id"])
    assert done["status"] == "succeeded", done["error"]
    JobRecord.model_validate(done)
    for name in names:
        assert (jp_root_dir / "dl" / "JWST" / OBS_ID / name).read_bytes() == files[name]
    assert sorted(done["outputs"]) == sorted(f"dl/JWST/{OBS_ID}/{n}" for n in names)
    code, page, _ = await _call(jp_fetch, "GET", "jobs", kind="download")
    assert [j["id"] for j in page["jobs"]] == [job["id"]]


async def test_obsids_with_filters_and_the_default_dest(jp_fetch, lab, jp_root_dir, files):
    body = {"obsids": [OBS_ID], "product_filters": {"product_type": ["SCIENCE"]}}
    code, job, _ = await _call(jp_fetch, "POST", "downloads", body=body)
    assert code == 201, job
    assert "filter_products(products, productType=['SCIENCE'])" in job["python"]
    assert job["output_dir"] == "mast_downloads"
    done = await _wait(jp_fetch, job["id"])
    assert done["status"] == "succeeded", done["error"]
    assert len(done["outputs"]) == len(files)
    assert lab.mast.calls == [("list_products", "mast")]


async def test_local_exclusive_products_need_no_token(jp_fetch, lab, jp_root_dir):
    name = "jw02222001001_00001_mirimage_cal.fits"
    code, job, _ = await _call(
        jp_fetch, "POST", "downloads", body={"products": [_uri(name)], "source": "local"}
    )
    assert code == 201, job
    done = await _wait(jp_fetch, job["id"])
    assert done["status"] == "succeeded", done["error"]
    copied = jp_root_dir / "mast_downloads" / "JWST" / "jw02222-o001" / name
    assert copied.read_bytes() == b"L" * 3000


async def test_the_token_stays_secret(jp_fetch, lab, server, caplog):
    caplog.set_level(logging.DEBUG)
    name = "jw09999001001_00001_nrca1_cal.fits"
    code, error, _ = await _call(jp_fetch, "POST", "downloads", body={"products": [_uri(name)]})
    assert code == 403
    assert error["reason"] == "token_required"
    assert "token" in error["message"]
    lab.tokens.token = TOKEN
    code, job, _ = await _call(jp_fetch, "POST", "downloads", body={"products": [_uri(name)]})
    assert code == 201, job
    done = await _wait(jp_fetch, job["id"])
    assert done["status"] == "succeeded", done["error"]
    assert server.authorizations == [f"token {TOKEN}"]
    code, log, _ = await _call(jp_fetch, "GET", "jobs", job["id"], "log")
    code, page, _ = await _call(jp_fetch, "GET", "jobs")
    for text in (json.dumps(job), json.dumps(done), log["text"], json.dumps(page), caplog.text):
        assert TOKEN not in text
    job_dir = Path(lab.jobs.job_dir(job["id"]))
    for path in job_dir.iterdir():
        assert TOKEN not in path.read_text(errors="replace")
    assert "Observations.login" in job["python"]
    assert TOKEN not in " ".join(done["argv"])


class _NoMast(FakeMast):
    """A product catalogue that cannot be used on this server."""

    async def products_for_uris(self, source: str | None, uris: list[str]) -> list[dict]:
        raise DependencyMissing("MAST products are not available on this server")


async def test_when_mast_cannot_be_used_the_route_says_so(jp_fetch, lab):
    lab.mast = _NoMast([])
    code, error, _ = await _call(
        jp_fetch, "POST", "downloads", body={"products": [_uri("jw_a_cal.fits")]}
    )
    assert code == 503
    assert "MAST" in error["message"]


async def test_with_the_real_mast_service(jp_fetch, jp_serverapp, jp_root_dir, files):
    """MAST products named by dataURI need no catalogue look-up: sizes come from the server."""
    (app,) = jp_serverapp.extension_manager.extension_apps["jwst_lab"]
    assert type(app.services.mast).__name__ == "MastService"
    names = list(files)[:2]
    body = {"products": [_uri(n) for n in names], "source": "mast", "dest": "real"}
    code, job, _ = await _call(jp_fetch, "POST", "downloads", body=body)
    assert code == 201, job
    # Sizes came from HEAD requests: the disk check and the progress know the total.
    assert job["download"]["bytes_total"] == sum(len(files[n]) for n in names)
    done = await _wait(jp_fetch, job["id"])
    assert done["status"] == "succeeded", done["error"]
    for name in names:
        (path,) = (jp_root_dir / "real" / "JWST").rglob(name)
        assert path.read_bytes() == files[name]


async def test_real_mast_service_refuses_missing_and_exclusive_products_up_front(
    jp_fetch, jp_serverapp, jp_root_dir, server
):
    (app,) = jp_serverapp.extension_manager.extension_apps["jwst_lab"]
    assert app.services.tokens.current_token() is None
    body = {"products": [_uri("jw_absent_cal.fits")], "source": "mast"}
    code, error, _ = await _call(jp_fetch, "POST", "downloads", body=body)
    assert code == 404
    assert "not on MAST" in error["message"]
    server.files["jw_private_cal.fits"] = b"p" * 100
    server.require_token["jw_private_cal.fits"] = TOKEN
    body = {"products": [_uri("jw_private_cal.fits")], "source": "mast"}
    code, error, _ = await _call(jp_fetch, "POST", "downloads", body=body)
    assert code == 403
    assert error["reason"] == "token_required"
    assert not (jp_root_dir / "mast_downloads").exists()
