"""``POST /crds/fetch``: a ``crds_fetch`` job that syncs a file's references into the cache.

The real ``crds`` client (in the job's own process) selects the best
references (from the loopback JSON-RPC server, ``tests/crds_rpc_server.py``,
in remote mode; from the fixture cache's rules in local mode); the job fetches
the bodies that server serves in parallel, checking each one's size and sha1
against the server's file info. Afterwards the real ``crds`` (bestrefs, its
client API, ``crds sync --check-files --check-sha1sum``) sees an ordinary cache.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import signal
import socket
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
    """Remote mode on the loopback server (params: extra config, ``readonly``, ``mode``)."""
    extra = dict(getattr(request, "param", {}))
    monkeypatch.delenv("CRDS_READONLY_CACHE", raising=False)
    monkeypatch.delenv("CRDS_CONTEXT", raising=False)
    monkeypatch.setenv("CRDS_MODE", extra.pop("mode", "remote"))
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
    # Nothing to fetch is a short job: its runner measures itself all the same.
    assert second["resources"]["cpu_seconds"] > 0
    assert second["resources"]["peak_rss_bytes"] > 0
    assert sorted(rpc.downloads) == sorted(declared), "cached references were downloaded again"

    code, page = await _call(jp_fetch, "GET", "jobs", kind="crds_fetch")
    assert code == 200
    assert {j["id"] for j in page["jobs"]} == {job["id"], again["id"]}

    code, status = await _call(jp_fetch, "GET", "crds", "status")
    assert status["cache"]["references"] == len(declared)


async def test_cancel_stops_the_fetch(jp_fetch, files, cache, rpc):
    rpc.throttle_bps = 4096  # every reference takes seconds: all are in flight at the cancel
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
    code, log = await _call(jp_fetch, "GET", "jobs", job["id"], "log", offset="0")
    assert rpc.completed == [], log["text"]
    # Nothing half received passes as cached, and the runner cleared its temporary files.
    assert not list(cache.rglob("*_9001.fits")), log["text"]
    assert not list(cache.rglob(".tmp_*")), log["text"]


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
    rpc.throttle_bps = 8192
    manager = make_manager(settings, catalog_cache_dir)
    await manager.start()
    job = await manager.submit("crds_fetch", {"input_label": name, "plan": plan})
    pid_file = manager.job_dir(job["id"]) / "runner.pid"
    deadline = time.monotonic() + 60
    while not (pid_file.exists() and any(p.stat().st_size for p in cache.rglob(".tmp_*"))):
        assert time.monotonic() < deadline, "the fetch did not start receiving"
        await asyncio.sleep(0.05)
    # The server stops (runners keep running), then the runner dies unseen mid-file.
    await manager.stop()
    pid = int(json.loads(pid_file.read_text())["pid"])
    os.killpg(pid, signal.SIGKILL)
    await wait_gone(pid)
    # What was being received is only a temporary file: crds does not see it.
    assert rpc.completed == []
    assert not list(cache.rglob("*_9001.fits"))
    assert [p for p in cache.rglob(".tmp_*") if p.stat().st_size]

    rpc.throttle_bps = 0
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


#: Run in a child with the CRDS environment the test gives: crds's own look-ups
#: (best references from the rules, then its client's cache check) must find
#: every reference in the cache (any missing one would be fetched from a dead port).
CRDS_SEES_THE_CACHE = """
import json, sys
import crds
from crds import data_file
from crds.client import api

context, names, paths = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3:]
found = []
for path in paths:
    header = data_file.get_header(path, observatory="jwst")
    chosen = crds.getrecommendations(header, context=context, observatory="jwst")
    types = [t for t, name in chosen.items() if not name.startswith("NOT FOUND")]
    got = crds.getreferences(header, reftypes=types, observatory="jwst", context=context)
    found.extend(got.values())
_local, downloads, _bytes = api.dump_references3(context, baserefs=names)
print(json.dumps({"found": found, "downloads": downloads}))
"""


def _crds_child(cache: Path, server_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRDS_")}
    env.update(
        CRDS_PATH=str(cache),
        CRDS_SERVER_URL=server_url,
        CRDS_MODE="local",
        CRDS_OBSERVATORY="jwst",
    )
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(
    "jwst_lab_config", [{"mode": "local", "crds_fetch_concurrency": 4}], indirect=True
)
async def test_parallel_fetch_of_what_the_rules_select_gives_crds_an_ordinary_cache(
    jp_fetch, files, cache, rpc
):
    rpc.synthesize_size = 64 * 1024 + 17
    rpc.hold_until = 2  # the first requests wait until two are in flight at once
    code, job = await _call(
        jp_fetch, "POST", "crds", "fetch", body={"path": "data/image3_asn.json"}
    )
    assert code == 201, job
    done = await _wait(jp_fetch, job["id"], timeout=240)
    assert done["status"] == "succeeded", done["error"]
    names = sorted(set(rpc.completed))
    assert len(names) > 4, names  # more references than connections
    assert sorted(rpc.downloads) == names, "a reference was requested twice"
    # Parallel, bounded by the setting, on kept-alive connections.
    assert 2 <= rpc.max_in_flight <= 4
    assert len(rpc.file_connections) <= 4 < len(names)
    fetched = sorted(done["crds_fetch"]["fetched"])
    assert fetched == sorted(str(cache / "references" / "jwst" / "nircam" / n) for n in names)
    for name in names:
        info = rpc.file_info(name)
        assert isinstance(info, dict)
        body = (cache / "references" / "jwst" / "nircam" / name).read_bytes()
        assert len(body) == int(info["size"])
        assert hashlib.sha1(body).hexdigest() == info["sha1sum"]  # noqa: S324
    progress = done["progress"]
    assert progress["files_done"] == progress["files_total"] == len(names)
    assert progress["bytes_done"] == progress["bytes_total"] == len(names) * rpc.synthesize_size
    assert not list(cache.rglob(".tmp_*"))
    assert not list(cache.rglob("*.lock"))

    # crds itself, offline (a dead server, local mode), finds every reference.
    paths = [str(files / "data" / n) for n in UNCAL_FILES]
    child = _crds_child(
        cache, _dead_url(), "-c", CRDS_SEES_THE_CACHE, "jwst_0541.pmap", json.dumps(names), *paths
    )
    assert child.returncode == 0, child.stderr[-3000:]
    seen = json.loads(child.stdout.strip().splitlines()[-1])
    assert seen["downloads"] == 0
    # Every reference the pipeline's look-up selects is one the fetch put there (the
    # fetch also has the instrument's other types); crds's client finds all of them.
    assert set(names) > {Path(p).name for p in seen["found"]} != set()
    assert all(Path(p).is_file() for p in seen["found"])

    # crds sync's own verification (sizes and sha1 against the server's file info).
    before = len(rpc.downloads)
    child = _crds_child(
        cache,
        rpc.url,
        "-m",
        "crds.sync",
        "--files",
        *names,
        "--check-files",
        "--check-sha1sum",
    )
    assert child.returncode == 0, child.stdout[-3000:] + child.stderr[-3000:]
    assert "0 errors" in child.stdout + child.stderr
    assert len(rpc.downloads) == before, "crds sync downloaded a reference again"


async def test_a_sha1_mismatch_fails_that_reference_and_keeps_nothing(jp_fetch, files, cache, rpc):
    bad = "jwst_nircam_gain_9001.fits"
    rpc.corrupt = {bad}
    code, job = await _call(
        jp_fetch, "POST", "crds", "fetch", body={"path": f"data/{UNCAL_FILES[0]}"}
    )
    assert code == 201, job
    done = await _wait(jp_fetch, job["id"])
    assert done["status"] == "failed"
    failed = done["crds_fetch"]["failed"]
    assert [f["reference"] for f in failed] == [bad]
    assert "does not match the CRDS server's sha1sum" in failed[0]["error"]
    assert bad in done["error"]
    nircam = cache / "references" / "jwst" / "nircam"
    assert not (nircam / bad).exists()
    assert not list(cache.rglob(".tmp_*"))
    good = sorted(n for n in _declared() if n != bad)
    assert sorted(Path(p).name for p in done["crds_fetch"]["fetched"]) == good
    for name in good:
        assert (nircam / name).read_bytes() == (REFERENCES / name).read_bytes()
    assert done["progress"]["files_failed"] == 1
    assert done["progress"]["bytes_done"] == sum(_declared()[n]["size"] for n in good)


#: Holds crds's own lock on a reference (as a ``crds sync`` fetching it would) until
#: the file named third exists, then puts the reference in place and lets go.
HOLD_CRDS_LOCK = """
import sys, time
from pathlib import Path
from crds.core.cache_locker import crds_lock

target, body, go = sys.argv[1:4]
with crds_lock(target, timeout=5):
    print("locked", flush=True)
    while not Path(go).exists():
        time.sleep(0.05)
    Path(target).write_bytes(Path(body).read_bytes())
"""


async def test_a_reference_another_crds_process_is_fetching_is_waited_for(
    jp_fetch, files, cache, rpc, tmp_path
):
    held = "jwst_nircam_dark_9001.fits"
    target = cache / "references" / "jwst" / "nircam" / held
    target.parent.mkdir(parents=True, exist_ok=True)
    go = tmp_path / "go"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRDS_")}
    env.update(CRDS_PATH=str(cache), CRDS_OBSERVATORY="jwst")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_CRDS_LOCK, str(target), str(REFERENCES / held), str(go)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert (await asyncio.to_thread(holder.stdout.readline)).strip() == "locked"
        code, job = await _call(
            jp_fetch, "POST", "crds", "fetch", body={"path": f"data/{UNCAL_FILES[0]}"}
        )
        assert code == 201, job
        others = sorted(n for n in _declared() if n != held)
        deadline = time.monotonic() + 120
        while sorted(rpc.completed) != others:
            assert time.monotonic() < deadline, f"only {rpc.completed} were fetched"
            await asyncio.sleep(0.1)
        code, running = await _call(jp_fetch, "GET", "jobs", job["id"])
        assert running["status"] == "running"  # waiting for crds's lock, not fetching
        go.touch()
        done = await _wait(jp_fetch, job["id"])
    finally:
        go.touch()
        await asyncio.to_thread(holder.wait, 60)
    assert holder.returncode == 0
    assert done["status"] == "succeeded", done["error"]
    assert done["crds_fetch"]["skipped"] == [held]
    assert held not in rpc.downloads
    assert target.read_bytes() == (REFERENCES / held).read_bytes()
    assert not list(cache.rglob("*.lock"))
