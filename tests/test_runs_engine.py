"""The job engine's admission: dependencies, memory and recovery (a toy kind, real runners).

Jobs of a run carry ``depends_on`` and ``memory_estimate_bytes``; the engine
starts a queued job only when its dependencies have succeeded and its estimate
fits beside the running jobs' in ``memory_limit_bytes``. Orders are asserted
from the records' start and end times, never from durations.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from jwst_lab.clock import epoch_seconds
from jwst_lab.errors import BadRequest
from jwst_lab.jobs.kinds.base import KindContext, NewJob
from jwst_lab.jobs.manager import JobManager
from jwst_lab.models import JobRecord

from .jobs_helpers import job_record, make_manager, make_settings, wait_status
from .test_job_kinds import ToyKind, toy_manager

GB = 1024**3


class LinkedToy(ToyKind):
    """The toy, with the members a run gives its children."""

    name = "toy"

    def validate(self, ctx: KindContext, request: Mapping[str, Any], job: NewJob) -> JobRecord:
        record = super().validate(ctx, request, job)
        return self.updated(
            record,
            run_id=request.get("run_id"),
            depends_on=list(request.get("depends_on", [])),
            memory_estimate_bytes=request.get("memory_estimate_bytes"),
        )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "root"
    folder.mkdir()
    return folder


def manager_on(root: Path, **settings: Any) -> JobManager:
    manager = toy_manager(root, **settings)
    manager.kinds["toy"] = LinkedToy()
    return manager


def interval(job: dict[str, Any]) -> tuple[float, float]:
    began, ended = epoch_seconds(job["started"]), epoch_seconds(job["finished"])
    assert began is not None
    assert ended is not None
    return began, ended


async def test_a_job_starts_after_its_dependencies_succeed(root):
    manager = manager_on(root)
    await manager.start()
    try:
        first = await manager.submit("toy", {"steps": 2, "pause": 0.2})
        second = await manager.submit("toy", {"steps": 1, "depends_on": [first["id"]]})
        third = await manager.submit("toy", {"steps": 1, "depends_on": [first["id"], second["id"]]})
        assert (await manager.get(second["id"]))["status"] == "queued"
        done = [await wait_status(manager, job["id"]) for job in (first, second, third)]
    finally:
        await manager.stop()
    assert [job["status"] for job in done] == ["succeeded"] * 3
    assert done[1]["depends_on"] == [first["id"]]
    assert interval(done[1])[0] >= interval(done[0])[1]
    assert interval(done[2])[0] >= interval(done[1])[1]


async def test_a_failed_dependency_cancels_its_dependents_without_running_them(root):
    manager = manager_on(root)
    await manager.start()
    try:
        failing = await manager.submit("toy", {"steps": 1, "mode": "fail"})
        child = await manager.submit("toy", {"steps": 1, "depends_on": [failing["id"]]})
        grandchild = await manager.submit("toy", {"steps": 1, "depends_on": [child["id"]]})
        with pytest.raises(BadRequest) as unknown:
            await manager.submit("toy", {"steps": 1, "depends_on": ["nosuchjob"]})
        ended = [await wait_status(manager, j["id"]) for j in (failing, child, grandchild)]
    finally:
        await manager.stop()
    assert unknown.value.field == "depends_on"
    assert [job["status"] for job in ended] == ["failed", "cancelled", "cancelled"]
    assert ended[1]["reason"] == ended[2]["reason"] == "dependency_failed"
    assert failing["id"] in ended[1]["error"]
    assert child["id"] in ended[2]["error"]
    assert ended[1]["started"] is None
    assert ended[2]["started"] is None


async def test_jobs_that_fit_one_at_a_time_run_one_at_a_time_with_two_slots(root):
    manager = manager_on(root, max_concurrent_jobs=2, memory_limit_bytes=10 * GB)
    await manager.start()
    try:
        big = [
            await manager.submit(
                "toy",
                {"steps": 2, "pause": 0.1, "memory_estimate_bytes": 6 * GB, "output_dir": f"b{i}"},
            )
            for i in range(3)
        ]
        small = [
            await manager.submit(
                "toy",
                {"steps": 3, "pause": 0.2, "memory_estimate_bytes": 1 * GB, "output_dir": f"s{i}"},
            )
            for i in range(2)
        ]
        big_done = [await wait_status(manager, job["id"]) for job in big]
        small_done = [await wait_status(manager, job["id"]) for job in small]
    finally:
        await manager.stop()
    assert all(job["status"] == "succeeded" for job in big_done + small_done)
    spans = sorted(interval(job) for job in big_done)
    for (_, end), (begin, _) in itertools.pairwise(spans):
        assert begin >= end, "two 6 GB jobs ran at once under a 10 GB limit"
    # The small jobs fit beside each other (and beside one big job): FIFO is not a barrier.
    first_small = min(interval(job)[0] for job in small_done)
    assert first_small < spans[-1][1]


async def test_a_job_larger_than_the_limit_runs_alone(root):
    manager = manager_on(root, max_concurrent_jobs=2, memory_limit_bytes=4 * GB)
    await manager.start()
    try:
        before = await manager.submit(
            "toy", {"steps": 2, "pause": 0.2, "memory_estimate_bytes": GB, "output_dir": "a"}
        )
        huge = await manager.submit(
            "toy", {"steps": 1, "memory_estimate_bytes": 8 * GB, "output_dir": "h"}
        )
        after = await manager.submit(
            "toy", {"steps": 1, "memory_estimate_bytes": GB, "output_dir": "c"}
        )
        done = [await wait_status(manager, job["id"]) for job in (before, huge, after)]
    finally:
        await manager.stop()
    assert [job["status"] for job in done] == ["succeeded"] * 3
    alone = interval(done[1])
    for other in (done[0], done[2]):
        begin, end = interval(other)
        assert end <= alone[0] or begin >= alone[1], "a job ran beside the oversized one"


async def test_a_queued_dependent_survives_a_restart_and_runs_after_its_dependency(root):
    first_server = manager_on(root)
    await first_server.start()
    try:
        parent = await first_server.submit("toy", {"steps": 3, "pause": 0.3})
        child = await first_server.submit("toy", {"steps": 1, "depends_on": [parent["id"]]})
        await wait_status(first_server, parent["id"], {"running"})
    finally:
        await first_server.stop()  # the parent's runner keeps running
    second_server = manager_on(root)
    await second_server.start()
    try:
        assert (await second_server.get(child["id"]))["status"] == "queued"
        assert (await second_server.get(child["id"]))["depends_on"] == [parent["id"]]
        parent_done = await wait_status(second_server, parent["id"])
        child_done = await wait_status(second_server, child["id"])
    finally:
        await second_server.stop()
    assert parent_done["status"] == child_done["status"] == "succeeded"
    assert interval(child_done)[0] >= interval(parent_done)[1]


# --- run children of the pipeline kind -------------------------------------------------------


def child_request(input_path: str, folder: str, **extra: Any) -> dict[str, Any]:
    return {
        "pipeline": "calwebb_detector1",
        "input": input_path,
        "output_dir": folder,
        "run_id": "run0",
        "depends_on": [],
        "memory_estimate_bytes": GB,
        **extra,
    }


async def test_run_children_share_a_stage_folder_and_fail_at_launch_without_their_input(
    tmp_path, catalog_cache_dir, crds_cache
):
    root = tmp_path / "root"
    (root / "run" / "stage1").mkdir(parents=True)
    (root / "run" / "stage1" / "older_rate.fits").write_bytes(b"not this job's")
    manager = make_manager(make_settings(root, crds_cache), catalog_cache_dir)
    await manager.start()
    try:
        # The input does not exist yet (a dependency would make it): accepted at creation.
        first = await manager.submit("pipeline", child_request("run/x_uncal.fits", "run/stage1"))
        # Another exposure in the same (non-empty) stage folder: its own products, no conflict.
        second = await manager.submit("pipeline", child_request("run/y_uncal.fits", "run/stage1"))
        ended = [await wait_status(manager, job["id"]) for job in (first, second)]
    finally:
        await manager.stop()
    for job, name in zip(ended, ("x_uncal.fits", "y_uncal.fits"), strict=True):
        assert job["run_id"] == "run0"
        assert job["memory_estimate_bytes"] == GB
        assert job["status"] == "failed"
        assert "could not be started" in job["error"]
        assert f"run/{name}" in job["error"]
        assert "does not exist" in job["error"]
        assert job["outputs"] == []


def test_a_run_child_claims_its_products_not_its_stage_folder(tmp_path, catalog_cache_dir):
    root = tmp_path / "root"
    stage3 = root / "run" / "stage3"
    stage3.mkdir(parents=True)
    asn = {
        "products": [
            {
                "name": "jw1-o001_t001_miri_f770w",
                "members": [{"expname": "../stage2/jw1_02101_00001_mirimage_cal.fits"}],
            }
        ]
    }
    (stage3 / "l3_asn.json").write_text(json.dumps(asn))
    manager = make_manager(make_settings(root, root / "no_crds"), catalog_cache_dir)
    kind, ctx = manager.kinds["pipeline"], manager.kind_context("pipeline")

    def keys(job_id: str, pipeline: str, input_path: str, folder: str) -> set[str]:
        record = job_record(
            job_id, pipeline=pipeline, input=input_path, output_dir=folder, run_id="run0"
        )
        return {claim.key for claim in kind.claims(ctx, record)}

    a = keys("j1", "calwebb_detector1", "uncal/a_uncal.fits", "run/stage1")
    b = keys("j2", "calwebb_detector1", "uncal/b_uncal.fits", "run/stage1")
    again = keys("j3", "calwebb_detector1", "uncal/a_uncal.fits", "run/stage1")
    level3 = keys("j4", "calwebb_image3", "run/stage3/l3_asn.json", "run/stage3")
    assert "file:run/stage1/a_*" in a
    assert "file:run/stage1/calwebb_detector1_j1_*" in a
    assert not a & b  # two exposures share the folder
    assert "file:run/stage1/a_*" in again  # the same exposure twice conflicts
    assert "file:run/stage3/jw1-o001_t001_miri_f770w_*" in level3
    plain = job_record("j5", output_dir="run/stage1")
    assert {c.key for c in kind.claims(ctx, plain)} == {"folder:run/stage1"}
