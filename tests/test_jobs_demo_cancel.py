"""Cancelling a real ``calwebb_image3`` job on the demo workspace: one log line, no traceback."""

from __future__ import annotations

import asyncio
import json
import time

from tests.demo_fixtures import (
    demo_workspace,
    jp_root_dir,
    jwst_lab_config,
    seeded_catalog,
    workspace,
)

__all__ = ["demo_workspace", "jp_root_dir", "jwst_lab_config", "seeded_catalog", "workspace"]


async def _job(jp_fetch, job_id: str) -> dict:
    return json.loads((await jp_fetch("jwst-lab", "jobs", job_id)).body)


async def test_a_cancelled_pipeline_logs_one_line_and_no_traceback(
    jp_fetch, workspace, seeded_catalog, monkeypatch
):
    for name in ("CRDS_CONTEXT", "CRDS_PATH", "CRDS_SERVER_URL", "CRDS_MODE"):
        monkeypatch.delenv(name, raising=False)
    manifest = json.loads((workspace / "jwst_lab_demo.json").read_text())
    body = {"pipeline": "calwebb_image3", "input": manifest["associations"]["image3"][0]}
    response = await jp_fetch("jwst-lab", "jobs", method="POST", body=json.dumps(body))
    job = json.loads(response.body)

    # Cancel in the middle of a step, where the signal lands deep inside jwst.
    deadline = time.monotonic() + 240
    while not (await _job(jp_fetch, job["id"]))["progress"]["current_step"]:
        assert time.monotonic() < deadline, "no step started in 240 s"
        await asyncio.sleep(0.1)
    await jp_fetch("jwst-lab", "jobs", job["id"], "cancel", method="POST", body="")
    while (job := await _job(jp_fetch, job["id"]))["status"] not in (
        "cancelled",
        "failed",
        "succeeded",
    ):
        assert time.monotonic() < deadline, "the cancel did not end the job"
        await asyncio.sleep(0.1)
    assert job["status"] == "cancelled"

    log = json.loads((await jp_fetch("jwst-lab", "jobs", job["id"], "log")).body)["text"]
    assert "Traceback" not in log
    assert "SystemExit" not in log
    cancel_lines = [line for line in log.splitlines() if "Cancelled by the user" in line]
    assert len(cancel_lines) == 1, cancel_lines
    assert " - INFO - Cancelled by the user after " in cancel_lines[0]
    assert not [line for line in log.splitlines() if " - ERROR - " in line]
