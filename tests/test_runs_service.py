"""The run service's own logic, without pipelines: status, ETA, reuse by provenance, dry runs.

A hand-built :class:`~jwst_lab.jobs.planning.Plan` stands in for the planner
here (the demo tests use the real one); the service, the engine and the
pipeline catalog are real.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from jwst_lab.core.events import EventBus
from jwst_lab.errors import Conflict
from jwst_lab.jobs.planning import Exposure, Plan, PlannedJob, Stage
from jwst_lab.jobs.runs import RunService, RunState
from jwst_lab.models import RunCreate, RunPlan, RunRecord

from .jobs_helpers import job_record, make_manager, make_settings, wait_status
from .test_runs_engine import LinkedToy, manager_on

GB = 1024**3


def iso(seconds_ago: float) -> str:
    moment = datetime.now(UTC) - timedelta(seconds=seconds_ago)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def exposure(name: str) -> Exposure:
    return Exposure(
        path=f"uncal/{name}_uncal.fits",
        suffix="uncal",
        instrument="MIRI",
        exp_type="MIR_IMAGE",
        detector="MIRIMAGE",
        nints=1,
        ngroups=10,
        nrows=512,
        ncols=512,
        size_bytes=5_000_000,
    )


def small_plan(output_dir: str = "uncal/run_x") -> Plan:
    """detector1 on a, then image2 on its rate file (written as a plain exposure input)."""
    detector1 = PlannedJob(
        key="1:calwebb_detector1:a",
        pipeline="calwebb_detector1",
        level=1,
        input="uncal/a_uncal.fits",
        output_dir=f"{output_dir}/stage1",
        depends_on=(),
        products=(f"{output_dir}/stage1/a_rate.fits",),
        exposures=("uncal/a_uncal.fits",),
    )
    image2 = PlannedJob(
        key="2:calwebb_image2:a",
        pipeline="calwebb_image2",
        level=2,
        input=f"{output_dir}/stage1/a_rate.fits",
        output_dir=f"{output_dir}/stage2",
        depends_on=(detector1.key,),
        products=(f"{output_dir}/stage2/a_cal.fits",),
        exposures=("uncal/a_uncal.fits",),
    )
    return Plan(
        inputs=("uncal",),
        target_level=2,
        output_dir=output_dir,
        exposures=(exposure("a"),),
        associations=(),
        stages=(
            Stage(1, "calwebb_detector1", f"{output_dir}/stage1", 1),
            Stage(2, "calwebb_image2", f"{output_dir}/stage2", 1),
        ),
        jobs=(detector1, image2),
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "root"
    (folder / "uncal").mkdir(parents=True)
    (folder / "uncal" / "a_uncal.fits").write_bytes(b"uncal")
    return folder


def service(root: Path, catalog_dir: Path, crds_cache: Path, **settings: Any) -> RunService:
    manager = make_manager(make_settings(root, crds_cache, **settings), catalog_dir)
    return RunService(
        settings=manager.settings,
        jobs=manager,
        store=manager._store,
        bus=EventBus(),
        catalog=manager.kind_context("pipeline").catalog,
        planner=lambda root, request, output_dir: small_plan(output_dir),
    )


async def test_a_dry_run_answers_the_plan_with_estimates_and_creates_nothing(
    root, catalog_cache_dir, crds_cache
):
    runs = service(root, catalog_cache_dir, crds_cache)
    plan = await runs.create(RunCreate(inputs=["uncal"], dry_run=True))
    assert isinstance(plan, RunPlan)
    assert plan.output_dir.startswith("uncal/run_")
    assert [job.status for job in plan.jobs] == ["planned", "planned"]
    assert plan.jobs[1].depends_on == ["1:calwebb_detector1:a"]
    assert all(job.memory_estimate_bytes for job in plan.jobs)
    assert plan.memory.peak_estimate_bytes == max(j.memory_estimate_bytes for j in plan.jobs)
    assert sorted(p.name for p in (root / "uncal").iterdir()) == ["a_uncal.fits"]
    assert runs._store.runs() == ([], 0)


async def test_a_job_over_the_limit_is_refused_with_its_estimate_and_the_limit(
    root, catalog_cache_dir, crds_cache
):
    runs = service(root, catalog_cache_dir, crds_cache, memory_limit_bytes=1000)
    with pytest.raises(Conflict) as refused:
        await runs.create(RunCreate(inputs=["uncal"], dry_run=True))
    assert refused.value.reason == "insufficient_memory"
    assert "of this run" in refused.value.message
    assert "memory_limit" in refused.value.message
    plan = await runs.create(RunCreate(inputs=["uncal"], dry_run=True, force=True))
    assert plan.memory.limit_bytes == 1000


def state_of(plan: Plan, provenance: dict[str, Any] | None = None) -> RunState:
    jobs = [
        {
            "key": job.key,
            "id": f"id-{index}",
            "pipeline": job.pipeline,
            "level": job.level,
            "input": job.input,
            "depends_on": [f"id-{index - 1}"] if job.depends_on else [],
            "status": "queued",
            "reused": False,
            "memory_estimate_bytes": GB,
        }
        for index, job in enumerate(plan.jobs)
    ]
    record = {
        "id": "run0",
        "status": "queued",
        "created": iso(100),
        "started": None,
        "finished": None,
        "crds_context_requested": "jwst_0541.pmap",
        "jobs": jobs,
    }
    plan_dicts = [{**job.__dict__, "depends_on": list(job.depends_on)} for job in plan.jobs]
    return RunState(record, plan_dicts, [], {}, provenance or {}, [])


def test_eta_is_the_remaining_jobs_mean_wall_time_per_pipeline_over_the_slots(
    root, catalog_cache_dir, crds_cache
):
    runs = service(root, catalog_cache_dir, crds_cache, max_concurrent_jobs=2)
    children = {
        "d1": job_record("d1", status="succeeded", started=iso(100), finished=iso(90)),
        "d2": job_record("d2", status="succeeded", started=iso(50), finished=iso(30)),
        "d3": job_record("d3", status="running", started=iso(5)),
    }
    jobs = [
        {"id": "d1", "pipeline": "calwebb_detector1", "status": "succeeded"},
        {"id": "d2", "pipeline": "calwebb_detector1", "status": "succeeded"},
        {"id": "d3", "pipeline": "calwebb_detector1", "status": "running"},
        {"id": "d4", "pipeline": "calwebb_detector1", "status": "queued"},
        {"id": "d5", "pipeline": "calwebb_detector1", "status": "queued"},
    ]
    # Mean 15 s: 10 s left for d3, 15 s each for d4 and d5, on two slots.
    assert runs._eta(jobs, children) == pytest.approx(20.0, abs=0.5)
    unknown = [*jobs, {"id": "i1", "pipeline": "calwebb_image2", "status": "queued"}]
    assert runs._eta(unknown, children) is None
    assert runs._eta(jobs[:2], children) == 0.0


def test_run_status_follows_its_jobs(root, catalog_cache_dir, crds_cache):
    runs = service(root, catalog_cache_dir, crds_cache)
    state = state_of(small_plan())
    runs._derive(state)
    assert state.record["status"] == "queued"
    state.children["id-0"] = job_record("id-0", status="running", started=iso(1))
    state.record["jobs"][0]["status"] = "running"
    runs._derive(state)
    assert state.record["status"] == "running"
    assert state.record["memory"]["in_use_bytes"] == 0  # job_record carries no estimate
    state.record["jobs"][0]["status"] = "failed"
    state.record["jobs"][1]["status"] = "cancelled"
    runs._derive(state)
    assert state.record["status"] == "failed"
    assert state.record["finished"] is not None
    state.record["jobs"][0]["status"] = "succeeded"
    state.record["jobs"][1]["status"] = "succeeded"
    state.record["finished"] = None
    runs._derive(state)
    assert state.record["status"] == "succeeded"
    assert state.record["progress"]["jobs_done"] == 2


def test_a_job_is_reused_only_while_its_provenance_holds(root, catalog_cache_dir, crds_cache):
    runs = service(root, catalog_cache_dir, crds_cache)
    plan = small_plan()
    stage1, stage2 = root / "uncal/run_x/stage1", root / "uncal/run_x/stage2"
    stage1.mkdir(parents=True)
    stage2.mkdir(parents=True)
    (stage1 / "a_rate.fits").write_bytes(b"rate")
    (stage2 / "a_cal.fits").write_bytes(b"cal")
    jwst = runs._versions().get("jwst")

    def recorded(job: PlannedJob, job_id: str, output: str) -> dict[str, Any]:
        child = job_record(
            job_id,
            pipeline=job.pipeline,
            input=job.input,
            status="succeeded",
            outputs=[output],
            crds_context_used="jwst_0541.pmap",
            versions={"jwst": jwst},
        )
        return runs._provenance(state_of(plan), child)

    detector1, image2 = plan.jobs
    provenance = {
        detector1.key: recorded(detector1, "old1", "uncal/run_x/stage1/a_rate.fits"),
        image2.key: recorded(image2, "old2", "uncal/run_x/stage2/a_cal.fits"),
    }
    assert runs._reusable(state_of(plan, provenance)) == {detector1.key, image2.key}

    # A changed output of detector1: it runs again, and so does image2 that reads it.
    (stage1 / "a_rate.fits").write_bytes(b"rate, rewritten")
    assert runs._reusable(state_of(plan, provenance)) == set()

    # Other step parameters than those recorded: not reused.
    provenance[detector1.key] = recorded(detector1, "old1", "uncal/run_x/stage1/a_rate.fits")
    provenance[image2.key] = recorded(image2, "old2", "uncal/run_x/stage2/a_cal.fits")
    changed = state_of(plan, provenance)
    changed.steps = {"calwebb_image2": {"resample": {"pixfrac": 0.5}}}
    assert runs._reusable(changed) == {detector1.key}

    # Another CRDS context, or a deleted output: not reused.
    other_context = state_of(plan, provenance)
    other_context.record["crds_context_requested"] = "jwst_9999.pmap"
    assert runs._reusable(other_context) == set()
    (stage2 / "a_cal.fits").unlink()
    assert runs._reusable(state_of(plan, provenance)) == {detector1.key}


# --- a run whose jobs are toys: recovery across a restart -------------------------------------


class ToyPipeline(LinkedToy):
    """The toy under the ``pipeline`` name: what a run submits, without jwst."""

    name = "pipeline"

    def validate(self, ctx: Any, request: Any, job: Any) -> Any:
        pause = 1.0 if request["input"].endswith("slow") else 0.0
        toy = {
            **request,
            "steps": 2,
            "pause": pause,
            "output_dir": f"{request['output_dir']}/{job.id}",
        }
        return super().validate(ctx, toy, job)


def toy_runs(root: Path) -> RunService:
    manager = manager_on(root, max_concurrent_jobs=2)
    manager.kinds["pipeline"] = ToyPipeline()
    plan = small_plan("run")
    first, second = plan.jobs
    plan = replace(plan, jobs=(replace(first, input="slow"), second))
    runs = RunService(
        settings=manager.settings,
        jobs=manager,
        store=manager._store,
        bus=EventBus(),
        catalog=manager.kind_context("pipeline").catalog,
        planner=lambda root, request, output_dir: plan,
    )
    runs._check_request = lambda request, run_id: ("run", {}, None)  # type: ignore[method-assign]
    runs._versions = lambda: {"jwst": "toy"}  # type: ignore[method-assign]
    return runs


async def wait_run(runs: RunService, run_id: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while (run := await runs.get(run_id)).status in ("queued", "running"):
        assert time.monotonic() < deadline, f"run still {run.status}"
        await asyncio.sleep(0.1)
    return run


async def test_an_active_run_is_followed_again_after_a_restart(root):
    first_server = toy_runs(root)
    await first_server._jobs.start()
    await first_server.start()
    try:
        created = await first_server.create(RunCreate(inputs=["uncal"], output_dir="run"))
        assert isinstance(created, RunRecord)
        await wait_status(first_server._jobs, created.jobs[0].id, {"running"})
    finally:
        await first_server.stop()
        await first_server._jobs.stop()  # the runner goes on; the run is still "running"
    second_server = toy_runs(root)
    await second_server._jobs.start()
    await second_server.start()
    try:
        run = await wait_run(second_server, created.id)
        listed = await second_server.list_runs()
    finally:
        await second_server.stop()
        await second_server._jobs.stop()
    assert run.status == "succeeded", [
        (await second_server._jobs.get(job.id))["error"] for job in run.jobs
    ]
    assert [job.status for job in run.jobs] == ["succeeded", "succeeded"]
    assert run.jobs[1].depends_on == [run.jobs[0].id]
    assert run.progress.jobs_done == 2
    assert [item.id for item in listed["runs"]] == [created.id]
    manifest = json.loads((root / "run" / "run.json").read_text())
    assert manifest["run"]["status"] == "succeeded"
    assert [job["status"] for job in manifest["jobs"]] == ["succeeded", "succeeded"]
