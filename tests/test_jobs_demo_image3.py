"""A real ``calwebb_image3`` run on the demo workspace through the jobs API.

The demo workspace (synthetic MIRI cal files, a Level 3 association and a
CRDS cache with its own contexts) is built once per session with
``jwst-lab demo --no-launch``; the job runs the real pipeline in the real
runner subprocess and must produce the mosaic and the source catalog.
"""

from __future__ import annotations

import asyncio
import json
import time

from jwst_lab.models import JobRecord
from tests.demo_fixtures import (
    demo_workspace,
    jp_root_dir,
    jwst_lab_config,
    seeded_catalog,
    workspace,
)

__all__ = ["demo_workspace", "jp_root_dir", "jwst_lab_config", "seeded_catalog", "workspace"]


async def test_demo_image3_through_the_api(jp_fetch, workspace, seeded_catalog, monkeypatch):
    for name in ("CRDS_CONTEXT", "CRDS_PATH", "CRDS_SERVER_URL", "CRDS_MODE"):
        monkeypatch.delenv(name, raising=False)
    manifest = json.loads((workspace / "jwst_lab_demo.json").read_text())
    asn = manifest["associations"]["image3"][0]

    response = await jp_fetch("jwst-lab", "associations", params={"path": asn})
    summary = json.loads(response.body)
    assert summary["pipelines"] == ["calwebb_image3"]
    assert summary["members_missing"] == []

    body = {"pipeline": "calwebb_image3", "input": asn, "steps": {"resample": {"pixfrac": 0.9}}}
    response = await jp_fetch("jwst-lab", "jobs", method="POST", body=json.dumps(body))
    assert response.code == 201
    job = json.loads(response.body)

    deadline = time.monotonic() + 240
    seen_steps: set[str] = set()
    while True:
        job = json.loads((await jp_fetch("jwst-lab", "jobs", job["id"])).body)
        if job["progress"]["current_step"]:
            seen_steps.add(job["progress"]["current_step"])
        if job["status"] not in ("queued", "running"):
            break
        assert time.monotonic() < deadline, "image3 did not finish in 240 s"
        await asyncio.sleep(0.2)
    assert job["status"] == "succeeded", job["error"]
    record = JobRecord.model_validate(job)
    assert record.crds_context_used == manifest["operational_context"]
    # Not pinned by the request: the copied commands pin the context the run used.
    assert record.crds_context_requested is None
    context = manifest["operational_context"]
    assert record.commands.strun.startswith(f"CRDS_CONTEXT={context} strun calwebb_image3 ")
    assert f"os.environ['CRDS_CONTEXT'] = '{context}'" in record.commands.python
    assert record.progress.steps_done == record.progress.steps_total
    # Time per step, from stpipe's timestamps: every step that ran, in order, ended.
    times = {time.name: time for time in record.progress.step_times}
    assert {"tweakreg", "skymatch", "outlier_detection", "resample", "source_catalog"} <= set(times)
    assert all(time.seconds is not None and time.seconds >= 0 for time in times.values())
    starts = [time.start for time in record.progress.step_times]
    assert starts == sorted(starts)
    assert seen_steps & {"tweakreg", "skymatch", "outlier_detection", "resample", "source_catalog"}
    assert any(path.endswith("_i2d.fits") for path in record.outputs)
    assert any(path.endswith("_cat.ecsv") for path in record.outputs)
    assert any(path.endswith("calwebb_image3_params.asdf") for path in record.outputs)
    assert record.params is not None
    assert record.params["steps"]["resample"]["pixfrac"] == 0.9
    assert record.output_dir.startswith("cal/image3_")
    log = json.loads((await jp_fetch("jwst-lab", "jobs", job["id"], "log")).body)
    assert "Step tweakreg running" in log["text"]
    assert "Step Image3Pipeline done" in log["text"]
