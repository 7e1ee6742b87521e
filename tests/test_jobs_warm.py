"""The pre-warmed runner: jobs forked from a process with jwst imported keep their own settings.

Real processes throughout: the warm runner imports jwst once, each job is a
child forked from it, running a real (short) ``calwebb_image3`` on the demo
workspace with the CRDS context of that job.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from jwst_lab.config import resolve_crds
from jwst_lab.jobs import runfiles
from jwst_lab.jobs.executors import LocalExecutor
from jwst_lab.jobs.executors.warm_pool import WarmRunner
from tests.demo_fixtures import SERVERLESS_URL, DemoBuild, demo_workspace

from .jobs_helpers import make_manager, make_settings, wait_status

__all__ = ["demo_workspace"]

#: Every image3 step skipped: the run still loads its parameters through CRDS.
ALL_SKIPPED = {
    step: {"skip": True}
    for step in ("tweakreg", "skymatch", "outlier_detection", "resample", "source_catalog")
}


@pytest.fixture
def warm_setup(demo_workspace: DemoBuild, tmp_path: Path, catalog_cache_dir: Path):
    root = tmp_path / "root"
    shutil.copytree(demo_workspace.path / "cal", root / "cal")
    crds = resolve_crds(
        path=str(demo_workspace.path / "crds_cache"),
        server_url=SERVERLESS_URL,
        context="",
        environ={},
    )
    settings = make_settings(root, demo_workspace.path / "crds_cache", crds=crds)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("CRDS_")}
    warm = WarmRunner(sys.executable, base_env, tmp_path / "warm.log")
    executor = LocalExecutor(warm=warm)
    manager = make_manager(settings, catalog_cache_dir, executor=executor)
    asn = next(p for p in demo_workspace.manifest["associations"]["image3"])
    return manager, executor, warm, asn


async def test_forked_jobs_use_their_own_crds_context(warm_setup, demo_workspace):
    manager, executor, warm, asn = warm_setup
    await manager.start()
    try:
        contexts = [c["name"] for c in demo_workspace.manifest["contexts"]]
        operational = demo_workspace.manifest["operational_context"]
        older = next(name for name in contexts if name != operational)
        pinned = await manager.create(
            {
                "pipeline": "calwebb_image3",
                "input": asn,
                "steps": ALL_SKIPPED,
                "crds_context": older,
            }
        )
        default = await manager.create(
            {"pipeline": "calwebb_image3", "input": asn, "steps": ALL_SKIPPED}
        )
        first = await wait_status(manager, pinned["id"], timeout=180)
        second = await wait_status(manager, default["id"], timeout=180)
        assert first["status"] == "succeeded", first["error"]
        assert second["status"] == "succeeded", second["error"]
        # Both started from the warm process, each with its own CRDS context.
        assert executor.warm_starts == 2
        assert first["crds_context_used"] == older
        assert second["crds_context_used"] == operational

        # The warm process itself never had a CRDS setting to leak into a job.
        assert warm.pid is not None
        environ = Path(f"/proc/{warm.pid}/environ").read_bytes().split(b"\0")
        assert not [item for item in environ if item.startswith(b"CRDS_")]
    finally:
        await manager.stop()
    assert warm.pid is None


async def test_killed_forked_job_ends_with_its_signal(warm_setup):
    manager, executor, _warm, asn = warm_setup
    await manager.start()
    try:
        job = await manager.create({"pipeline": "calwebb_image3", "input": asn})
        while True:
            record = await manager.get(job["id"])
            if record["progress"]["current_step"]:
                break
            assert record["status"] in ("queued", "running"), record["error"]
            await asyncio.sleep(0.05)
        record_pid = runfiles.read_pid(manager.job_dir(job["id"]))
        assert record_pid is not None
        pid = record_pid.pid
        os.killpg(pid, signal.SIGKILL)
        record = await wait_status(manager, job["id"], timeout=60)
        assert executor.warm_starts == 1
        # The warm process reaped its child and recorded how it ended.
        assert record["status"] == "failed"
        assert record["exit_code"] == 128 + signal.SIGKILL
    finally:
        await manager.stop()


async def test_unavailable_warm_runner_falls_back_to_cold(
    tmp_path: Path, crds_cache: Path, catalog_cache_dir: Path
) -> None:
    warm = WarmRunner(str(tmp_path / "no-such-python"), os.environ, tmp_path / "warm.log")
    executor = LocalExecutor(warm=warm)
    root = tmp_path / "root"
    root.mkdir()
    settings = make_settings(root, crds_cache)
    manager = make_manager(settings, catalog_cache_dir, executor=executor)
    await manager.start()
    try:
        (root / "junk_rate.fits").write_bytes(b"not a FITS file")
        job = await manager.create({"pipeline": "calwebb_image2", "input": "junk_rate.fits"})
        record = await wait_status(manager, job["id"], timeout=120)
        # It ran (cold) and failed on the bad input, not on the missing warm runner.
        assert record["status"] == "failed"
        assert executor.warm_starts == 0
        assert "could not be started" not in (record["error"] or "")
    finally:
        await manager.stop()


async def test_closing_a_warm_runner_that_is_still_importing_is_immediate(tmp_path: Path) -> None:
    warm = WarmRunner(sys.executable, os.environ, tmp_path / "warm.log")
    await warm.open()
    pid = warm.pid
    assert pid is not None
    started = time.monotonic()
    await warm.close()
    # Without the kill it would wait (up to 5 s) for imports that take ~10 s.
    assert time.monotonic() - started < 3
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
