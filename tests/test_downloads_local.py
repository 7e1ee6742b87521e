"""``POST /downloads`` from the real local archive (``LocalArchive`` index of FITS files).

No network: MAST points at a dead port and ``archive_backend = "local"``, so
product rows come from the index the server builds of ``local_archive_dir``,
and the download job copies the files (``.part``, size check, rename).
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from .api_helpers import dead_url, write_jwst_fits

OBS = "jw01234001001_02101_00001_nrcb1"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    for seed, suffix in enumerate(("cal", "rate")):
        write_jwst_fits(
            folder / "JWST" / OBS / f"{OBS}_{suffix}.fits", "DOWNLOAD TEST", size=64, seed=seed
        )
    return folder


@pytest.fixture
def jwst_lab_config(archive: Path, tmp_path: Path) -> dict[str, Any]:
    return {
        "crds_context": "jwst_0541.pmap",
        "crds_path": "/nonexistent/crds_cache",
        "archive_backend": "local",
        "mast_url": dead_url(),
        "local_archive_dir": str(archive),
        "local_archive_index": str(tmp_path / "index.sqlite"),
    }


async def _call(jp_fetch, method: str, *parts: str, body: Any = None):
    try:
        response = await jp_fetch(
            "jwst-lab", *parts, method=method, body=None if body is None else json.dumps(body)
        )
    except HTTPClientError as error:
        raw = error.response.body if error.response is not None else b""
        return error.code, json.loads(raw or b"null")
    return response.code, json.loads(response.body)


async def _wait(jp_fetch, job_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        code, job = await _call(jp_fetch, "GET", "jobs", job_id)
        assert code == 200
        if job["status"] in {"succeeded", "failed", "cancelled", "interrupted"}:
            return job
        assert time.monotonic() < deadline, f"job still {job['status']}"
        await asyncio.sleep(0.1)


async def test_local_archive_products_are_copied_into_the_layout(jp_fetch, jp_root_dir, archive):
    uris = [f"mast:JWST/product/{OBS}_{suffix}.fits" for suffix in ("cal", "rate")]
    code, job = await _call(jp_fetch, "POST", "downloads", body={"products": uris, "dest": "mine"})
    assert code == 201, job
    assert job["download"]["source"] == "local"
    assert job["download"]["bytes_total"] > 0
    done = await _wait(jp_fetch, job["id"])
    assert done["status"] == "succeeded", done["error"]
    for suffix in ("cal", "rate"):
        name = f"{OBS}_{suffix}.fits"
        copy = jp_root_dir / "mine" / "JWST" / OBS / name
        assert copy.read_bytes() == (archive / "JWST" / OBS / name).read_bytes()
    assert done["progress"]["bytes_done"] == done["progress"]["bytes_total"]
    manifest = json.loads((jp_root_dir / "mine" / "jwst_lab_manifest.json").read_text())
    assert sorted(manifest["files"]) == sorted(
        f"JWST/{OBS}/{OBS}_{s}.fits" for s in ("cal", "rate")
    )

    code, job = await _call(jp_fetch, "POST", "downloads", body={"obsids": [OBS], "dest": "again"})
    assert code == 201, job
    done = await _wait(jp_fetch, job["id"])
    assert done["status"] == "succeeded", done["error"]
    assert len(done["outputs"]) == 2
    code, error = await _call(
        jp_fetch, "POST", "downloads", body={"products": ["mast:JWST/product/jw_not_here.fits"]}
    )
    assert code == 404
    assert "jw_not_here.fits" in error["message"]
