"""``POST /crds/fetch``: a ``crds_fetch`` job that syncs a file's references into the cache.

The real ``crds`` client (in the job's own process) asks the loopback JSON-RPC
server (``tests/crds_rpc_server.py``, synthetic answers in ``tests/data/crds``)
for best references and downloads the synthetic reference bodies it serves,
checking the size and sha1 its ``get_server_info`` answer declares.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jwst_lab.jobs.crds_fetch_runner import remove_dead_partials
from jwst_lab.models import JobRecord

from .crds_helpers import UNCAL_FILES, copy_cache, make_service, uncal
from .crds_rpc_server import REFERENCES, crds_rpc_server, load_answers
from .downloads_helpers import wait_gone
from .jobs_helpers import make_manager, make_settings, wait_status

TERMINAL = {"succeeded", "failed", "cancelled", "interrupted"}


@pytest.fixture
def rpc():
    with crds_rpc_server() as server:
        yield server


@pytest.fixture
def cache(tmp_path) -> Path:
    return copy_cache(tmp_path / "crds_cache")


@pytest.fixture
def jwst_lab_config(request, cache, rpc, monkeypatch) -> dict[str, Any]:
    """Remote mode on the loopback server (params: extra config, ``readonly``)."""
    extra = dict(getattr(request, "param", {}))
    monkeypatch.delenv("CRDS_READONLY_CACHE", raising=False)
    monkeypatch.delenv("CRDS_CONTEXT", raising=False)
    monkeypatch.setenv("CRDS_MODE", "remote")
    if extra.pop("readonly", False):
        monkeypatch.setenv("CRDS_READONLY_CACHE", "1")
    config: dict[str, Any] = {"crds_path": str(cache), "crds_server_url": rpc.url}
    config.update(extra)
    return config


@pytest.fixture
def files(jp_root_dir, tmp_path):
    """Two real NIRCam uncal files, their association, bad inputs, a link out of the root."""
    data = jp_root_dir / "data"
    data.mkdir()
    for name in UNCAL_FILES:
        shutil.copy(uncal(name), data / name)
    (data / "image3_asn.json").write_text(
        json.dumps(
            {
                "asn_type": "image3",
                "products": [
                    {
                        "name": "synthetic_product",
                        "members": [{"expname": n, "exptype": "science"} for n in UNCAL_FILES],
                    }
                ],
            }
        )
    )
    (data / "gap_asn.json").write_text(
        json.dumps(
            {
                "asn_type": "image3",
                "products": [
                    {
                        "name": "gap",
                        "members": [{"expname": "gone_uncal.fits", "exptype": "science"}],
                    }
                ],
            }
        )
    )
    (data / "broken_asn.json").write_text("{not json")
    (data / "notes.txt").write_text("hello")
    (data / "empty.fits").write_bytes(b"")
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(uncal(UNCAL_FILES[0]), outside / "secret_uncal.fits")
    (jp_root_dir / "link_out").symlink_to(outside)
    return jp_root_dir


async def _call(jp_fetch, method: str, *parts: str, body: Any = None, **params: Any):
    payload = None if body is None else json.dumps(body)
    try:
        response = await jp_fetch(
            "jwst-lab", *parts, method=method, body=payload, params=params or None
        )
    except HTTPClientError as error:
        raw = error.response.body if error.response is not None else b""
        return error.code, json.loads(raw or b"null")
    return response.code, json.loads(response.body) if response.body else None


async def _wait(jp_fetch, job_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        code, job = await _call(jp_fetch, "GET", "jobs", job_id)
        assert code == 200
        if job["status"] in TERMINAL:
            return job
        assert time.monotonic() < deadline, f"job still {job['status']}"
        await asyncio.sleep(0.2)


def _declared() -> dict[str, dict[str, Any]]:
    return dict(load_answers()["get_server_info"]["download_metadata"])


async def test_fetch_downloads_the_references_then_skips_them(jp_fetch, files, cache, rpc):
    declared = _declared()
    code, job = await _call(
        jp_fetch, "POST", "crds", "fetch", body={"path": f"data/{UNCAL_FILES[0]}"}
    )
    assert code == 201, job
    JobRecord.model_validate(job)
    assert job["kind"] == "crds_fetch"
    assert job["crds_context_requested"] == "jwst_0541.pmap"
    assert job["crds_fetch"]["context_reason"] == "operational"
    assert f"data/{UNCAL_FILES[0]}" in job["commands"]["python"]
    done = await _wait(jp_fetch, job["id"])
    assert done["status"] == "succeeded", done["error"]
    JobRecord.model_validate(done)
    progress = done["progress"]
    assert progress["files_total"] == progress["files_done"] == len(declared)
    assert (
        progress["bytes_total"]
        == progress["bytes_done"]
        == sum(d["size"] for d in declared.values())
    )
    for name, about in declared.items():
        local = cache / "references" / "jwst" / "nircam" / name
        assert local.is_file(), sorted(p.name for p in cache.rglob("*9001*"))
        body = local.read_bytes()
        assert len(body) == about["size"]
        assert hashlib.sha1(body).hexdigest() == about["sha1sum"]  # noqa: S324
        assert body == (REFERENCES / name).read_bytes()
    assert sorted(done["crds_fetch"]["fetched"]) == sorted(
        str(cache / "references" / "jwst" / "nircam" / n) for n in declared
    )
    assert done["crds_fetch"]["skipped"] == []
    assert sorted(rpc.downloads) == sorted(declared)
    code, log = await _call(jp_fetch, "GET", "jobs", job["id"], "log", offset="0")
    assert code == 200
    assert "fetched jwst_nircam_dark_9001.fits" in log["text"]

    # The association (both uncal files): the same references, all cached now.
    code, again = await _call(
        jp_fetch, "POST", "crds", "fetch", body={"path": "data/image3_asn.json"}
    )
    assert code == 201, again
    second = await _wait(jp_fetch, again["id"])
    assert second["status"] == "succeeded", second["error"]
    assert second["crds_fetch"]["files"] == len(UNCAL_FILES)
    assert sorted(second["crds_fetch"]["skipped"]) == sorted(declared)
    assert second["crds_fetch"]["fetched"] == []
    assert second["progress"]["files_total"] == 0
    assert sorted(rpc.downloads) == sorted(declared), "cached references were downloaded again"

    code, page = await _call(jp_fetch, "GET", "jobs", kind="crds_fetch")
    assert code == 200
    assert {j["id"] for j in page["jobs"]} == {job["id"], again["id"]}

    code, status = await _call(jp_fetch, "GET", "crds", "status")
    assert status["cache"]["references"] == len(declared)


async def test_cancel_stops_the_fetch(jp_fetch, files, cache, rpc):
    rpc.download_delay = 3.0
    code, job = await _call(
        jp_fetch, "POST", "crds", "fetch", body={"path": f"data/{UNCAL_FILES[0]}"}
    )
    assert code == 201
    deadline = time.monotonic() + 60
    while not rpc.downloads:
        assert time.monotonic() < deadline, "no download started"
        await asyncio.sleep(0.1)
    code, _ = await _call(jp_fetch, "POST", "jobs", job["id"], "cancel", body={})
    assert code == 202
    done = await _wait(jp_fetch, job["id"])
    assert done["status"] == "cancelled"
    assert len(rpc.downloads) < len(_declared())


@pytest.mark.parametrize("jwst_lab_config", [{"readonly": True}], indirect=True)
async def test_read_only_cache_is_refused_and_shown(jp_fetch, files, rpc):
    code, status = await _call(jp_fetch, "GET", "crds", "status")
    assert status["cache"]["readonly"] is True
    code, error = await _call(
        jp_fetch, "POST", "crds", "fetch", body={"path": f"data/{UNCAL_FILES[0]}"}
    )
    assert code == 409
    assert error["reason"] == "crds_readonly"
    assert "read-only" in error["message"]
    assert "CRDS_READONLY_CACHE" in error["message"]
    assert "whoever manages" in error["message"]
    assert rpc.downloads == []


@pytest.mark.parametrize("jwst_lab_config", [{"crds_server_url": ""}], indirect=True)
async def test_serverless_is_refused_with_what_to_set(jp_fetch, files, monkeypatch):
    monkeypatch.delenv("CRDS_SERVER_URL", raising=False)
    code, error = await _call(
        jp_fetch, "POST", "crds", "fetch", body={"path": f"data/{UNCAL_FILES[0]}"}
    )
    assert code == 409
    assert error["reason"] == "crds_serverless"
    assert "crds_server_url" in error["message"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({}, 400, "path"),
        ({"path": ""}, 400, "path"),
        ({"path": "../etc/passwd"}, 400, "path"),
        ({"path": "link_out/secret_uncal.fits"}, 400, "path"),
        ({"path": "data/nothing_uncal.fits"}, 404, "nothing_uncal.fits"),
        ({"path": "data/notes.txt"}, 400, "not a FITS"),
        ({"path": "data/empty.fits"}, 400, "SIMPLE"),
        ({"path": "data/gap_asn.json"}, 400, "gone_uncal.fits"),
        ({"path": "data/broken_asn.json"}, 400, "not valid JSON"),
        ({"path": f"data/{UNCAL_FILES[0]}", "context": "../x.pmap"}, 400, "context"),
        ({"path": f"data/{UNCAL_FILES[0]}", "context": "jwst_0541.rmap"}, 400, "context"),
        ({"path": f"data/{UNCAL_FILES[0]}", "extra": 1}, 400, "extra"),
    ],
)
async def test_bad_paths_and_fields(jp_fetch, files, rpc, body, status, words):
    code, error = await _call(jp_fetch, "POST", "crds", "fetch", body=body)
    assert code == status, error
    assert words in error["message"]
    assert rpc.downloads == []


async def test_a_fetch_whose_runner_died_with_the_server_runs_again(
    tmp_path, cache, rpc, catalog_cache_dir, monkeypatch
):
    monkeypatch.setenv("CRDS_MODE", "remote")
    root = tmp_path / "root"
    root.mkdir()
    name = UNCAL_FILES[0]
    shutil.copy(uncal(name), root / name)
    service = make_service(cache, root=root, server_url=rpc.url, mode="remote")
    try:
        plan = await asyncio.to_thread(service.fetch_plan, [(root / name, name)], None)
    finally:
        service.close()
    settings = make_settings(root, cache)
    rpc.download_delay = 2.0
    manager = make_manager(settings, catalog_cache_dir)
    await manager.start()
    job = await manager.submit("crds_fetch", {"input_label": name, "plan": plan})
    pid_file = manager.job_dir(job["id"]) / "runner.pid"
    deadline = time.monotonic() + 60
    while not (rpc.downloads and pid_file.exists()):
        assert time.monotonic() < deadline, "the fetch did not start"
        await asyncio.sleep(0.05)
    # The server stops (runners keep running), then the runner dies unseen.
    await manager.stop()
    pid = int(json.loads(pid_file.read_text())["pid"])
    os.killpg(pid, signal.SIGKILL)
    await wait_gone(pid)

    rpc.download_delay = 0.0
    manager = make_manager(settings, catalog_cache_dir)
    await manager.start()
    try:
        done = await wait_status(manager, job["id"], timeout=120)
    finally:
        await manager.stop()
    assert done["status"] == "succeeded", done["error"]
    assert done["crds_fetch"]["resumes"] == 1
    fetched = {Path(p).name for p in done["crds_fetch"]["fetched"]}
    skipped = set(done["crds_fetch"]["skipped"])
    assert fetched | skipped == set(_declared())
    for name in _declared():
        local = cache / "references" / "jwst" / "nircam" / name
        assert local.read_bytes() == (REFERENCES / name).read_bytes()
    # The killed runner's temporary file was removed by the next one.
    assert not list(cache.rglob(".tmp_*"))
    assert "left by an interrupted fetch" in (manager.job_dir(job["id"]) / "job.log").read_text()


def test_only_partials_of_ended_processes_are_removed(tmp_path):
    reference = tmp_path / "jwst_nircam_dark_9001.fits"
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = tmp_path / f".tmp_{reference.name}_{int(ended.stdout)}"
    live = tmp_path / f".tmp_{reference.name}_{os.getpid()}"
    other = tmp_path / f".tmp_jwst_nircam_gain_0001.fits_{int(ended.stdout)}"
    for path in (dead, live, other):
        path.write_bytes(b"partial")
    assert remove_dead_partials(reference) == [dead]
    assert live.exists()
    assert other.exists()
