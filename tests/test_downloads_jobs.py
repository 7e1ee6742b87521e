"""Download jobs through the real JobManager and runner subprocess, against a loopback server."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import pytest

from jwst_lab.core.downloads import MANIFEST_NAME
from jwst_lab.core.events import EventBus
from jwst_lab.errors import BadRequest, Conflict, Forbidden, PayloadTooLarge
from jwst_lab.jobs.download_jobs import read_spec
from jwst_lab.jobs.executors.base import Executor, LaunchPlan, RunHandle
from jwst_lab.models import JobRecord

from .download_server import DownloadServer
from .downloads_helpers import OBS_ID, body, product_row, rows_for, served_files, wait_gone
from .jobs_helpers import Recorder, make_manager, make_settings, wait_status

TOKEN = "tok-SECRET-5f1e2d3c4b5a69788796a5b4"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "root"
    folder.mkdir()
    return folder


def _manager(root, crds_cache, tmp_path, server, token=None, **kwargs):
    settings = make_settings(
        root, crds_cache, mast_url=server.url, max_parallel_downloads=kwargs.pop("parallel", 4)
    )
    return make_manager(
        settings,
        tmp_path / "catalog",
        token_provider=(lambda: token),
        cancel_grace=5,
        **kwargs,
    )


async def download(manager, **request):
    """Queue a download job (``source``, ``rows``, ``dest``, ``products``, ``obsids``)."""
    return await manager.submit("download", request)


def _dest_file(root: Path, name: str, dest: str = "data") -> Path:
    return root / dest / "JWST" / OBS_ID / name


async def _pid(manager, job_id: str, timeout: float = 20) -> int:
    path = manager.job_dir(job_id) / "runner.pid"
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, "no runner pid"
        await asyncio.sleep(0.05)
    return int(json.loads(path.read_text())["pid"])


def manager_log(manager, job_id: str) -> list[str]:
    return (manager.job_dir(job_id) / "job.log").read_text().splitlines()


async def _wait_bytes(server: DownloadServer, at_least: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while sum(server.bytes_sent.values()) < at_least:
        assert time.monotonic() < deadline, "the server sent too little"
        await asyncio.sleep(0.05)


async def test_a_download_job_runs_with_progress_events_and_a_manifest(root, crds_cache, tmp_path):
    files = served_files(6, 300_000)
    bus = EventBus()
    with DownloadServer(files, rate=600_000) as server:
        manager = _manager(root, crds_cache, tmp_path, server, bus=bus)
        recorder = Recorder(bus)
        await manager.start()
        try:
            job = await download(
                manager, source="mast", rows=rows_for(server), dest="data", obsids=[OBS_ID]
            )
            JobRecord.model_validate(job)
            assert job["kind"] == "download"
            assert job["progress"]["files_total"] == 6
            done = await wait_status(manager, job["id"], timeout=60)
        finally:
            await manager.stop()
            await recorder.close()
        assert server.peak_active >= 4
    assert done["status"] == "succeeded", done["error"]
    JobRecord.model_validate(done)
    assert done["executor"] == "local"
    assert done["progress"]["bytes_done"] == done["progress"]["bytes_total"] > 0
    assert done["progress"]["files_done"] == 6
    assert len(done["outputs"]) == 6
    for name, data in files.items():
        assert _dest_file(root, name).read_bytes() == data
    manifest = json.loads((root / "data" / MANIFEST_NAME).read_text())
    assert len(manifest["files"]) == 6
    assert done["download"]["manifest"] == f"data/{MANIFEST_NAME}"
    progress = [e for e in recorder.of(job["id"]) if e["type"] == "job.progress"]
    assert any(0 < e["progress"]["bytes_done"] < e["progress"]["bytes_total"] for e in progress)
    logs = [
        line["text"]
        for e in recorder.of(job["id"])
        if e["type"] == "job.log"
        for line in e["lines"]
    ]
    assert any(text.startswith("downloaded ") for text in logs)
    assert "astroquery" in done["commands"]["python"]
    assert "get_product_list" in done["commands"]["python"]


async def test_the_token_reaches_only_the_runner_environment(root, crds_cache, tmp_path):
    files = served_files(2, 1_500_000)
    bus = EventBus()
    with DownloadServer(files, rate=1_000_000) as server:
        for name in files:
            server.require_token[name] = TOKEN
        manager = _manager(root, crds_cache, tmp_path, server, token=TOKEN, bus=bus)
        recorder = Recorder(bus)
        await manager.start()
        try:
            rows = rows_for(server, rights="EXCLUSIVE_ACCESS")
            job = await download(manager, source="mast", rows=rows, dest="data")
            pid = await _pid(manager, job["id"])
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            done = await wait_status(manager, job["id"], timeout=60)
        finally:
            await manager.stop()
            await recorder.close()
        assert server.authorizations
        assert set(server.authorizations) == {f"token {TOKEN}"}
    assert done["status"] == "succeeded", done["error"]
    assert b"download_runner" in cmdline
    assert TOKEN.encode() not in cmdline
    assert f"JWST_LAB_MAST_TOKEN={TOKEN}".encode() in environ
    job_dir = manager.job_dir(job["id"])
    for path in job_dir.iterdir():
        assert TOKEN not in path.read_text(errors="replace"), path.name
    assert TOKEN not in json.dumps(done)
    assert TOKEN not in json.dumps(recorder.events)
    assert TOKEN not in (root / "data" / MANIFEST_NAME).read_text()
    assert "login" in done["commands"]["python"]


async def test_exclusive_products_without_a_token_are_refused(root, crds_cache, tmp_path):
    with DownloadServer(served_files(1, 10)) as server:
        manager = _manager(root, crds_cache, tmp_path, server)
        await manager.start()
        try:
            rows = rows_for(server, rights="EXCLUSIVE_ACCESS")
            with pytest.raises(Forbidden) as refused:
                await download(manager, source="mast", rows=rows, dest="data")
            with pytest.raises(BadRequest):
                await download(manager, source="mast", rows=[], dest="data")
            # The same products from a local archive on disk need no token.
            source = tmp_path / "archive.fits"
            source.write_bytes(b"0123456789")
            local = [dict(r, local_path=str(source)) for r in rows]
            job = await download(manager, source="local", rows=local, dest="data")
            done = await wait_status(manager, job["id"], timeout=60)
        finally:
            await manager.stop()
    assert refused.value.reason == "token_required"
    assert "MAST token" in refused.value.message
    assert done["status"] == "succeeded", done["error"]


async def test_bad_destinations_and_too_little_disk(root, crds_cache, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "escape").symlink_to(outside)
    (root / "a_file").write_text("x")
    with DownloadServer(served_files(1, 10)) as server:
        manager = _manager(root, crds_cache, tmp_path, server)
        await manager.start()
        try:
            rows = rows_for(server)
            for dest in ("/tmp/x", "../x", "escape/sub", "a_file", ""):
                with pytest.raises(BadRequest) as bad:
                    await download(manager, source="mast", rows=rows, dest=dest)
                assert "dest" in bad.value.message
            huge = [product_row("jw_huge_cal.fits", 10**17)]
            with pytest.raises(PayloadTooLarge) as full:
                await download(manager, source="mast", rows=huge, dest="data")
            sneaky = [dict(rows[0], obs_id="../../etc")]
            with pytest.raises(BadRequest):
                await download(manager, source="mast", rows=sneaky, dest="data")
        finally:
            await manager.stop()
    assert full.value.reason == "insufficient_storage"
    assert "free" in full.value.message
    assert not (outside / "JWST").exists()


async def test_cancel_stops_the_runner_and_removes_partial_files(root, crds_cache, tmp_path):
    files = served_files(3, 3_000_000)
    with DownloadServer(files, rate=300_000) as server:
        manager = _manager(root, crds_cache, tmp_path, server)
        await manager.start()
        try:
            job = await download(manager, source="mast", rows=rows_for(server), dest="data")
            await _wait_bytes(server, 300_000)
            with pytest.raises(Conflict) as overlap:
                await download(manager, source="mast", rows=rows_for(server), dest="data")
            assert job["id"] in overlap.value.message
            await manager.cancel(job["id"])
            done = await wait_status(manager, job["id"], timeout=30)
        finally:
            await manager.stop()
    assert done["status"] == "cancelled"
    folder = root / "data" / "JWST" / OBS_ID
    assert not [p for p in folder.iterdir() if p.name.endswith((".fits", ".part"))]


async def test_a_killed_runner_resumes_on_restart_with_range_requests(root, crds_cache, tmp_path):
    files = served_files(3, 4_000_000)
    with DownloadServer(files, rate=2_000_000) as server:
        manager = _manager(root, crds_cache, tmp_path, server)
        await manager.start()
        job = await download(manager, source="mast", rows=rows_for(server), dest="data")
        pid = await _pid(manager, job["id"])
        await _wait_bytes(server, 4_000_000)
        # The server stops (runners keep running), then the runner dies too.
        await manager.stop()
        os.killpg(pid, signal.SIGKILL)
        await wait_gone(pid)
        parts = [p for p in (root / "data").rglob("*.part") if p.stat().st_size]
        assert parts, "the killed runner left no partial file"
        manager = _manager(root, crds_cache, tmp_path, server)
        await manager.start()
        try:
            done = await wait_status(manager, job["id"], timeout=60)
        finally:
            await manager.stop()
        ranges = list(server.ranges)
        sent = dict(server.bytes_sent)
    assert done["status"] == "succeeded", done["error"]
    assert done["download"]["resumes"] == 1
    assert ranges
    for name, data in files.items():
        assert _dest_file(root, name).read_bytes() == data
        assert sent[name] < 1.1 * len(data)


async def test_size_mismatch_fails_a_cut_is_resumed_and_rerun_skips(root, crds_cache, tmp_path):
    data = body("r", 1_000_000)
    name = "jw01234001001_00001_mirimage_cal.fits"
    with DownloadServer({name: data}) as server:
        manager = _manager(root, crds_cache, tmp_path, server)
        await manager.start()
        try:
            rows = rows_for(server)
            wrong = [dict(rows[0], size=999)]
            failed = await download(manager, source="mast", rows=wrong, dest="data")
            failed = await wait_status(manager, failed["id"], timeout=60)
            server.cut_after[name] = 400_000
            job = await download(manager, source="mast", rows=rows, dest="data")
            done = await wait_status(manager, job["id"], timeout=60)
            again = await manager.rerun(job["id"])
            ledgers = read_spec(manager.job_dir(again["id"]))["resume_ledgers"]
            again = await wait_status(manager, again["id"], timeout=60)
        finally:
            await manager.stop()
    assert failed["status"] == "failed"
    assert "size mismatch" in failed["error"]
    assert not _dest_file(root, name).with_name(name + ".part").exists()
    assert done["status"] == "succeeded", done["error"]
    assert _dest_file(root, name).read_bytes() == data
    assert any("resumed at byte" in line for line in manager_log(manager, job["id"]))
    assert again["status"] == "succeeded"
    assert any(line.startswith("skipped ") for line in manager_log(manager, again["id"]))
    assert again["rerun_of"] == job["id"]
    # The rerun may resume the partial files its predecessor left (and only those).
    assert str(manager.job_dir(job["id"])) in ledgers


async def test_local_archive_products_are_copied(root, crds_cache, tmp_path):
    archive = tmp_path / "archive" / "JWST" / OBS_ID
    archive.mkdir(parents=True)
    rows = []
    for i in range(3):
        name = f"jw01234001001_0000{i}_mirimage_cal.fits"
        (archive / name).write_bytes(body(name, 200_000 + i))
        rows.append(product_row(name, 200_000 + i, local_path=archive / name))
    with DownloadServer({}) as server:
        manager = _manager(root, crds_cache, tmp_path, server)
        await manager.start()
        try:
            job = await download(manager, source="local", rows=rows, dest="local")
            done = await wait_status(manager, job["id"], timeout=60)
        finally:
            await manager.stop()
        assert server.requests == []
    assert done["status"] == "succeeded", done["error"]
    for row in rows:
        copied = root / "local" / "JWST" / OBS_ID / row["productFilename"]
        assert copied.read_bytes() == Path(row["local_path"]).read_bytes()
    assert done["download"]["source"] == "local"
    # A job shorter than one sampling period is measured by its runner itself
    # (the per-user cost counter would otherwise count nothing for it).
    assert done["resources"]["cpu_seconds"] > 0
    assert done["resources"]["peak_rss_bytes"] > 0


class _RemoteOnly(Executor):
    """Stands for a remote (Dask) executor: records what it is asked to start."""

    name = "dask"

    def __init__(self) -> None:
        self.started: list[LaunchPlan] = []

    async def start(self, plan: LaunchPlan) -> RunHandle:
        self.started.append(plan)
        raise RuntimeError("this executor must not run download jobs")

    async def attach(self, job_dir: Path) -> RunHandle | None:
        return None


async def test_download_jobs_never_go_to_a_remote_executor(root, crds_cache, tmp_path):
    remote = _RemoteOnly()
    files = served_files(1, 1000)
    with DownloadServer(files) as server:
        manager = _manager(root, crds_cache, tmp_path, server, token=TOKEN, executor=remote)
        await manager.start()
        try:
            job = await download(manager, source="mast", rows=rows_for(server), dest="d")
            done = await wait_status(manager, job["id"], timeout=60)
        finally:
            await manager.stop()
    assert remote.started == []
    assert done["status"] == "succeeded", done["error"]
    assert done["executor"] == "local"


async def test_a_runner_that_outlives_the_server_is_reattached(root, crds_cache, tmp_path):
    files = served_files(2, 3_000_000)
    with DownloadServer(files, rate=1_500_000) as server:
        manager = _manager(root, crds_cache, tmp_path, server)
        await manager.start()
        job = await download(manager, source="mast", rows=rows_for(server), dest="data")
        await _wait_bytes(server, 1_000_000)
        await manager.stop()  # the runner keeps running in its own session
        manager = _manager(root, crds_cache, tmp_path, server)
        await manager.start()
        try:
            done = await wait_status(manager, job["id"], timeout=60)
        finally:
            await manager.stop()
        assert server.ranges == []
    assert done["status"] == "succeeded", done["error"]
    assert done["download"]["resumes"] == 0
    assert done["progress"]["bytes_done"] == done["progress"]["bytes_total"]
    for name, data in files.items():
        assert _dest_file(root, name).read_bytes() == data
