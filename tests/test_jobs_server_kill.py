"""``kill -9`` of a real server during runs: after a restart no job is left ``running``.

A real ``jupyter server`` subprocess runs two jobs; it is killed with SIGKILL.
While it is down, one job's runner is killed too. The restarted server
re-attaches to the runner that survived (the job then succeeds) and marks
the other ``interrupted`` with its log kept.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import time
from pathlib import Path

from jwst_lab.jobs.store import root_state_dir

from .jobs_helpers import place_uncal
from .server_process import ServerProcess


def start_server(tmp_path: Path, root: Path, crds: Path) -> ServerProcess:
    """A server on ``root``; its Jupyter folders (job database, job folders) in ``tmp_path``."""
    return ServerProcess(
        tmp_path,
        root,
        options=[f"--JwstLabApp.crds_path={crds}", "--JwstLabApp.crds_context=jwst_0541.pmap"],
    )


async def test_kill_9_of_the_server_leaves_no_job_running(
    tmp_path, crds_cache, catalog_cache_dir, tiny_uncal_template
):
    root = tmp_path / "root"
    place_uncal(tiny_uncal_template, root, "obs/a_uncal.fits")
    shutil.copytree(catalog_cache_dir, tmp_path / "data" / "jwst_lab" / "catalog")
    server = start_server(tmp_path, root, crds_cache)
    try:
        survivor = await server.request(
            "POST", "/jobs", {"pipeline": "group_scale", "input": "obs/a_uncal.fits"}
        )
        victim = await server.request(
            "POST", "/jobs", {"pipeline": "group_scale", "input": "obs/a_uncal.fits"}
        )
        await server.wait_job(survivor["id"], {"running"})
        await server.wait_job(victim["id"], {"running"})
        deadline = time.monotonic() + 30
        while (
            "JWST-LAB-EVENT"
            not in (await server.request("GET", f"/jobs/{victim['id']}/log"))["text"]
        ):
            assert time.monotonic() < deadline, "the runner printed nothing"
            await asyncio.sleep(0.1)
    finally:
        server.kill_9()

    jobs_dir = root_state_dir(tmp_path / "data" / "jwst_lab", root) / "jobs"
    victim_pid = json.loads((jobs_dir / victim["id"] / "runner.pid").read_text())["pid"]
    os.killpg(victim_pid, signal.SIGKILL)

    server = start_server(tmp_path, root, crds_cache)
    try:
        lost = await server.wait_job(
            victim["id"], {"interrupted", "failed", "succeeded"}, timeout=20
        )
        done = await server.wait_job(survivor["id"], {"succeeded", "failed", "interrupted"})
        log = await server.request("GET", f"/jobs/{victim['id']}/log")
        running = await server.request("GET", "/jobs?status=running,queued")
    finally:
        server.stop()
    # Jobs are forked from the warm runner (the default). If it was still alive when
    # the victim died, it reaped it and recorded the signal: the job failed with 137.
    # Otherwise nobody saw the end: interrupted, log kept. Never left "running".
    if lost["status"] == "failed":
        assert lost["exit_code"] == 128 + signal.SIGKILL
    else:
        assert lost["status"] == "interrupted"
        assert "log is kept" in lost["error"]
    assert "JWST-LAB-EVENT" in log["text"]
    assert done["status"] == "succeeded", done["error"]
    assert done["crds_context_used"] == "jwst_0541.pmap"
    assert running["total"] == 0
