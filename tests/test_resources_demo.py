"""A real demo pipeline job through the REST API gets a memory estimate and its resources.

The job is forked from the warm runner (the production default); when it
ends its record has what its process used, and its measured peak calibrates
the estimate of the next job of the same pipeline, instrument and size.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from jwst_lab.jobs.resources import BASELINE_BYTES, PEAKS_NAME, PeakStore
from jwst_lab.models import JobRecord
from tests.demo_fixtures import (
    demo_workspace,
    jp_root_dir,
    jwst_lab_config,
    seeded_catalog,
    workspace,
)

__all__ = ["demo_workspace", "jp_root_dir", "jwst_lab_config", "seeded_catalog", "workspace"]


async def _wait(jp_fetch, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 240
    while True:
        job = json.loads((await jp_fetch("jwst-lab", "jobs", job_id)).body)
        if job["status"] not in ("queued", "running"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} did not end in 240 s"
        await asyncio.sleep(0.2)


async def test_a_demo_job_is_estimated_measured_and_calibrates_the_next(
    jp_fetch, jp_data_dir, workspace, seeded_catalog, monkeypatch
):
    for name in ("CRDS_CONTEXT", "CRDS_PATH", "CRDS_SERVER_URL", "CRDS_MODE"):
        monkeypatch.delenv(name, raising=False)
    manifest = json.loads((workspace / "jwst_lab_demo.json").read_text())
    rate = manifest["files"]["rate"][0]
    body = {"pipeline": "calwebb_image2", "input": rate}
    response = await jp_fetch("jwst-lab", "jobs", method="POST", body=json.dumps(body))
    assert response.code == 201
    created = json.loads(response.body)
    # The physical model: the process baseline and the exposure's arrays.
    first_estimate = created["memory_estimate_bytes"]
    assert first_estimate > BASELINE_BYTES

    job = await _wait(jp_fetch, created["id"])
    assert job["status"] == "succeeded", job["error"]
    record = JobRecord.model_validate(job)
    assert record.memory_estimate_bytes == first_estimate
    assert record.resources is not None
    assert record.resources.peak_rss_bytes > 0
    assert record.resources.cpu_seconds > 0
    assert record.resources.wall_seconds > 0
    # At least the products it wrote (the cal and i2d files, the parameter file).
    written = sum((workspace / path).stat().st_size for path in record.outputs)
    assert record.resources.bytes_written >= written
    assert record.reason is None

    (stored,) = [PeakStore(path) for path in jp_data_dir.rglob(PEAKS_NAME)]
    (sample,) = stored.samples()
    assert sample.pipeline == "calwebb_image2"
    assert sample.instrument == "MIRI"
    assert sample.peak_rss == record.resources.peak_rss_bytes
    assert sample.job_id == record.id

    # The same job again: its estimate is now what the first one really used.
    response = await jp_fetch("jwst-lab", "jobs", method="POST", body=json.dumps(body))
    again = json.loads(response.body)
    assert again["memory_estimate_bytes"] == pytest.approx(sample.peak_rss, abs=2)
    await jp_fetch("jwst-lab", "jobs", again["id"], "cancel", method="POST", body="")
    ended = await _wait(jp_fetch, again["id"])
    assert ended["status"] == "cancelled"
    assert ended["reason"] is None
