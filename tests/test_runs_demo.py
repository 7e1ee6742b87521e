"""Runs through the REST API on a copy of the demo workspace: the real planner and pipeline.

One workspace copy and one job database serve the whole module (each test
starts its own server on them, so the runs of earlier tests are there, and
every test also exercises the recovery of runs at server start). The first
test that needs it reduces the demo's ``uncal/`` folder to Level 3; the
others reuse that run. Orders of jobs are asserted from their records' start
and end times, never from durations.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jwst_lab.clock import epoch_seconds
from jwst_lab.demo.truth import match_catalog, truth_catalog_for
from jwst_lab.jobs.planning import Exposure
from jwst_lab.jobs.resources import PeakStore, estimate_job_memory, format_bytes
from jwst_lab.models import JobRecord, RunPlan, RunRecord
from tests.demo_fixtures import SERVERLESS_URL, DemoBuild, demo_workspace

__all__ = ["demo_workspace"]

#: The completed Level 3 run the module's tests share (created by the first that needs it).
SHARED: dict[str, Any] = {}
UNCAL = "uncal"
#: Extra server settings of a test, from the state folder and the workspace.
Overrides = Callable[[Path, Path], dict[str, Any]]


@pytest.fixture(scope="module")
def workspace(demo_workspace: DemoBuild, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the demo workspace for the module: runs write their folders into it."""
    copy = tmp_path_factory.mktemp("runs") / "workspace"
    shutil.copytree(demo_workspace.path, copy, symlinks=True)
    return copy


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The job database and job folders every server of the module shares."""
    return tmp_path_factory.mktemp("runs_state")


@pytest.fixture
def server_overrides() -> Overrides:
    """Extra ``JwstLabApp`` settings of a test (parametrize to change them)."""
    return lambda state, workspace: {}


@pytest.fixture
def jp_root_dir(workspace: Path) -> Path:
    return workspace


@pytest.fixture
def jwst_lab_config(
    workspace: Path, state_dir: Path, server_overrides: Overrides
) -> dict[str, Any]:
    return {
        "crds_path": str(workspace / "crds_cache"),
        "crds_server_url": SERVERLESS_URL,
        "prewarm_runner": True,
        "max_concurrent_jobs": 2,
        "db_url": f"sqlite:///{state_dir / 'jobs.sqlite'}",
        **server_overrides(state_dir, workspace),
    }


@pytest.fixture(autouse=True)
def server_environment(jp_data_dir: Path, catalog_cache_dir: Path, monkeypatch) -> None:
    """The session's pipeline catalog, and no CRDS settings from the test's environment."""
    shutil.copytree(catalog_cache_dir, jp_data_dir / "jwst_lab" / "catalog", dirs_exist_ok=True)
    for name in ("CRDS_CONTEXT", "CRDS_PATH", "CRDS_SERVER_URL", "CRDS_MODE"):
        monkeypatch.delenv(name, raising=False)


async def post_run(jp_fetch: Any, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = await jp_fetch("jwst-lab", "runs", method="POST", body=json.dumps(body))
    return response.code, json.loads(response.body)


async def refused(jp_fetch: Any, *path: str, body: dict[str, Any] | None = None) -> dict:
    """The JSON error of a request that must fail."""
    method = "GET" if body is None else "POST"
    with pytest.raises(HTTPClientError) as failure:
        await jp_fetch(
            "jwst-lab", *path, method=method, body=None if body is None else json.dumps(body)
        )
    error = json.loads(failure.value.response.body)
    error["code"] = failure.value.code
    return error


async def get_run(jp_fetch: Any, run_id: str) -> dict[str, Any]:
    return json.loads((await jp_fetch("jwst-lab", "runs", run_id)).body)


async def wait_run(
    jp_fetch: Any,
    run_id: str,
    done: Callable[[dict[str, Any]], bool] = lambda run: run["status"] not in ("queued", "running"),
    timeout: float = 900,
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        run = await get_run(jp_fetch, run_id)
        if done(run):
            return run
        assert time.monotonic() < deadline, f"run {run_id} still {run['status']}"
        await asyncio.sleep(0.5)


async def child_jobs(jp_fetch: Any, run: dict[str, Any]) -> list[JobRecord]:
    jobs = []
    for job in run["jobs"]:
        body = (await jp_fetch("jwst-lab", "jobs", job["id"])).body
        jobs.append(JobRecord.model_validate_json(body))
    return jobs


async def all_job_ids(jp_fetch: Any) -> set[str]:
    page = json.loads((await jp_fetch("jwst-lab", "jobs", params={"page_size": "500"})).body)
    return {job["id"] for job in page["jobs"]}


def interval(job: JobRecord) -> tuple[float, float]:
    began, ended = epoch_seconds(job.started), epoch_seconds(job.finished)
    assert began is not None
    assert ended is not None
    return began, ended


async def completed_run(jp_fetch: Any) -> dict[str, Any]:
    """The module's Level 3 run of the demo's ``uncal/`` folder (made once, then shared)."""
    if "run" not in SHARED:
        code, created = await post_run(jp_fetch, {"inputs": [UNCAL], "target_level": 3})
        assert code == 201, created
        SHARED["created"] = created
        SHARED["run"] = await wait_run(jp_fetch, created["id"])
    return SHARED["run"]


# --- a whole program, resumed -------------------------------------------------------------


async def test_a_run_reduces_the_demo_uncal_folder_to_level_3(jp_fetch, workspace):
    run = await completed_run(jp_fetch)
    created = SHARED["created"]
    RunRecord.model_validate(created)
    assert created["status"] in ("queued", "running")
    assert created["output_dir"] == f"{UNCAL}/run_{created['id']}"
    assert run["status"] == "succeeded", run["error"]
    assert Counter(job["pipeline"] for job in run["jobs"]) == {
        "calwebb_detector1": 4,
        "calwebb_image2": 4,
        "calwebb_image3": 1,
    }
    assert all(job["status"] == "succeeded" and not job["reused"] for job in run["jobs"])
    assert run["progress"] == {"jobs_done": 9, "jobs_total": 9, "eta_seconds": 0.0}
    assert run["memory"]["peak_estimate_bytes"] > 0
    assert run["memory"]["in_use_bytes"] == 0
    assert run["crds_context_used"]
    output = workspace / run["output_dir"]
    stage3 = sorted(p.name for p in (output / "stage3").iterdir())
    assert any(name.endswith("_i2d.fits") for name in stage3)
    assert any(name.endswith("_cat.ecsv") for name in stage3)
    assert len(list((output / "stage1").glob("*_rate.fits"))) == 4
    assert len(list((output / "stage2").glob("*_cal.fits"))) == 4
    for association in run["associations"]:
        assert (workspace / association["path"]).is_file()

    # Children are ordinary jobs: run_id, depends_on, only their own outputs.
    jobs = await child_jobs(jp_fetch, run)
    by_id = {job.id: job for job in jobs}
    for planned, job in zip(run["jobs"], jobs, strict=True):
        assert job.run_id == run["id"]
        assert job.depends_on == planned["depends_on"]
        assert job.memory_estimate_bytes == planned["memory_estimate_bytes"]
        for dependency in job.depends_on:
            assert interval(job)[0] >= interval(by_id[dependency])[1]
        assert job.outputs, job.id
        assert any(path.endswith(f"{job.pipeline}_{job.id}_params.asdf") for path in job.outputs)
        if job.pipeline == "calwebb_detector1":
            stem = Path(job.input).name.removesuffix("_uncal.fits")
            assert all(Path(path).name.startswith((stem, job.pipeline)) for path in job.outputs)
            assert any(path.endswith(f"{stem}_rate.fits") for path in job.outputs)
    image3 = next(job for job in jobs if job.pipeline == "calwebb_image3")
    assert len(image3.depends_on) == 4
    catalog = next(path for path in image3.outputs if path.endswith("_cat.ecsv"))
    assert catalog.startswith(f"{run['output_dir']}/stage3/")

    # The image3 catalog finds the demo's stars where they were injected.
    match = match_catalog(workspace / catalog, truth_catalog_for(workspace, catalog))
    assert match.passes(0.90), match.summary()
    assert match.radius_arcsec <= 0.05

    # run.json: inputs, plan, context, parameters, versions, jobs and their outputs.
    manifest = json.loads((workspace / run["manifest"]).read_text())
    assert manifest["run"]["status"] == "succeeded"
    assert manifest["inputs"] == [UNCAL]
    assert manifest["crds_context_used"] == run["crds_context_used"]
    assert manifest["versions"]["jwst"]
    assert len(manifest["plan"]["jobs"]) == 9
    assert {job["id"] for job in manifest["jobs"]} == set(by_id)
    assert sorted(manifest["jobs"][-1]["outputs"]) == sorted(image3.outputs)
    assert set(manifest["provenance"]) == {job["key"] for job in run["jobs"]}


async def test_resuming_a_finished_run_reuses_every_job_and_runs_nothing(jp_fetch):
    run = await completed_run(jp_fetch)
    before = await all_job_ids(jp_fetch)
    response = await jp_fetch("jwst-lab", "runs", run["id"], "resume", method="POST", body="")
    assert response.code == 202
    resumed = await wait_run(jp_fetch, run["id"])
    assert resumed["status"] == "succeeded"
    assert all(job["reused"] and job["status"] == "succeeded" for job in resumed["jobs"])
    assert [job["id"] for job in resumed["jobs"]] == [job["id"] for job in run["jobs"]]
    assert await all_job_ids(jp_fetch) == before  # no job was created, no runner started
    listed = json.loads((await jp_fetch("jwst-lab", "runs")).body)
    assert run["id"] in {item["id"] for item in listed["runs"]}
    assert listed["total"] >= 1
    # Finished runs cannot be cancelled; active ones cannot be deleted (checked below).
    error = await refused(jp_fetch, "runs", run["id"], "cancel", body={})
    assert error["code"] == 409


async def test_a_partial_resume_reruns_what_changed_and_keeps_every_edge(jp_fetch, workspace):
    run = await completed_run(jp_fetch)
    by_key = {job["key"]: job for job in run["jobs"]}
    image2 = next(job for job in run["jobs"] if job["pipeline"] == "calwebb_image2")
    (detector1_id,) = image2["depends_on"]
    # One image2 output gone: that job and image3 (which reads it) run again.
    detector1 = next(job for job in run["jobs"] if job["id"] == detector1_id)
    cal = f"{Path(detector1['input']).name.removesuffix('_uncal.fits')}_cal.fits"
    (workspace / run["output_dir"] / "stage2" / cal).unlink()
    response = await jp_fetch("jwst-lab", "runs", run["id"], "resume", method="POST", body="")
    assert response.code == 202
    resumed = await wait_run(jp_fetch, run["id"])
    assert resumed["status"] == "succeeded", resumed["error"]
    rerun = {job["key"] for job in resumed["jobs"] if not job["reused"]}
    image3_key = next(job["key"] for job in run["jobs"] if job["pipeline"] == "calwebb_image3")
    assert rerun == {image2["key"], image3_key}
    ids = {job["id"] for job in resumed["jobs"]}
    again = {job["key"]: job for job in resumed["jobs"]}
    # The run's graph keeps every edge: a reused dependency by the job whose outputs it kept.
    assert again[image2["key"]]["id"] != image2["id"]
    assert again[image2["key"]]["depends_on"] == [detector1_id]
    assert len(again[image3_key]["depends_on"]) == 4
    for job in resumed["jobs"]:
        assert set(job["depends_on"]) <= ids
        assert len(job["depends_on"]) == len(by_key[job["key"]]["depends_on"])
    # The child itself waits only on what runs again.
    (child,) = await child_jobs(jp_fetch, {"jobs": [again[image2["key"]]]})
    assert child.depends_on == []
    (child3,) = await child_jobs(jp_fetch, {"jobs": [again[image3_key]]})
    assert child3.depends_on == [again[image2["key"]]["id"]]
    assert (workspace / run["output_dir"] / "stage2" / cal).is_file()


async def test_cancelling_mid_run_leaves_nothing_running_and_resume_completes_it(
    jp_fetch, jp_ws_fetch, workspace
):
    events = await jp_ws_fetch("jwst-lab", "events")
    body = {"inputs": [UNCAL], "target_level": 1, "output_dir": "cancelled_run"}
    code, created = await post_run(jp_fetch, body)
    assert code == 201
    run_id = created["id"]
    await wait_run(jp_fetch, run_id, lambda run: run["progress"]["jobs_done"] >= 1)
    with pytest.raises(HTTPClientError) as active:
        await jp_fetch("jwst-lab", "runs", run_id, method="DELETE")
    assert active.value.code == 409
    response = await jp_fetch("jwst-lab", "runs", run_id, "cancel", method="POST", body="")
    assert response.code == 202
    cancelled = await wait_run(jp_fetch, run_id)
    assert cancelled["status"] == "cancelled"
    jobs = await child_jobs(jp_fetch, cancelled)
    assert all(job.status not in ("queued", "running") for job in jobs)
    assert any(job.status == "cancelled" for job in jobs)
    done_before = {j["key"]: j["id"] for j in cancelled["jobs"] if j["status"] == "succeeded"}
    assert done_before
    # The websocket told the story: the run created, then updated as its jobs changed.
    seen: list[dict[str, Any]] = []
    while not any(e.get("run", {}).get("status") == "cancelled" for e in seen):
        message = json.loads(await asyncio.wait_for(events.read_message(), timeout=30))
        if message.get("run_id") == run_id:
            seen.append(message)
    events.close()
    assert seen[0]["type"] == "run.created"
    assert {e["type"] for e in seen[1:]} == {"run.updated"}
    assert any(e["run"]["status"] == "running" for e in seen)

    response = await jp_fetch("jwst-lab", "runs", run_id, "resume", method="POST", body="")
    assert response.code == 202
    resumed = await wait_run(jp_fetch, run_id)
    assert resumed["status"] == "succeeded", resumed["error"]
    for job in resumed["jobs"]:
        assert job["status"] == "succeeded"
        assert job["reused"] == (job["key"] in done_before)
        if job["reused"]:
            assert job["id"] == done_before[job["key"]]
    assert len(list((workspace / "cancelled_run" / "stage1").glob("*_rate.fits"))) == 4

    # Deleting forgets the run and its jobs' records; the outputs stay.
    response = await jp_fetch("jwst-lab", "runs", run_id, method="DELETE")
    assert response.code == 204
    assert (await refused(jp_fetch, "runs", run_id))["code"] == 404
    assert (await refused(jp_fetch, "jobs", jobs[0].id))["code"] == 404
    assert (workspace / "cancelled_run" / "run.json").is_file()


# --- planning, memory and bad requests -------------------------------------------------------

NO_RUNNER: Overrides = lambda state, workspace: {"prewarm_runner": False}  # noqa: E731


@pytest.mark.parametrize("server_overrides", [NO_RUNNER])
async def test_a_dry_run_answers_the_plan_and_creates_nothing(jp_fetch, workspace):
    runs_before = json.loads((await jp_fetch("jwst-lab", "runs")).body)["total"]
    folders_before = sorted(p.name for p in (workspace / UNCAL).iterdir())
    body = {"inputs": [UNCAL], "dry_run": True, "steps": {"calwebb_spec2": {}}}
    code, plan = await post_run(jp_fetch, body)
    assert code == 200
    RunPlan.model_validate(plan)
    assert [(s["pipeline"], s["jobs"]) for s in plan["stages"]] == [
        ("calwebb_detector1", 4),
        ("calwebb_image2", 4),
        ("calwebb_image3", 1),
    ]
    assert all(job["status"] == "planned" for job in plan["jobs"])
    keys = {job["key"] for job in plan["jobs"]}
    assert all(set(job["depends_on"]) <= keys for job in plan["jobs"])
    members = [m for a in plan["associations"] if a["asn_type"] == "image3" for m in a["members"]]
    assert len(members) == 4
    assert all(m.startswith(f"{plan['output_dir']}/stage2/") for m in members)
    assert any("calwebb_spec2" in warning for warning in plan["warnings"])
    assert sorted(p.name for p in (workspace / UNCAL).iterdir()) == folders_before
    assert json.loads((await jp_fetch("jwst-lab", "runs")).body)["total"] == runs_before


def detector1_estimate(state: Path, workspace_uncal: Path) -> int:
    """What the server will estimate for one demo detector1 job (with its stored peaks)."""
    from astropy.io import fits

    path = sorted(workspace_uncal.glob("*_uncal.fits"))[0]
    header = fits.getheader(path)
    exposure = Exposure(
        path=path.name,
        suffix="uncal",
        instrument=header["INSTRUME"],
        exp_type=header["EXP_TYPE"],
        detector=header["DETECTOR"],
        nints=header["NINTS"],
        ngroups=header["NGROUPS"],
        nrows=header["SUBSIZE2"],
        ncols=header["SUBSIZE1"],
        size_bytes=path.stat().st_size,
    )
    store = PeakStore.beside_jobs(state / "jobs")
    return estimate_job_memory("calwebb_detector1", [exposure], store=store)


@pytest.mark.parametrize("server_overrides", [lambda state, workspace: {"memory_limit": 1_000_000}])
async def test_a_limit_below_one_jobs_estimate_is_refused_unless_forced(jp_fetch, workspace):
    one = sorted(p.name for p in (workspace / UNCAL).glob("*_uncal.fits"))[0]
    body = {"inputs": [f"{UNCAL}/{one}"], "target_level": 1, "output_dir": "forced_run"}
    error = await refused(jp_fetch, "runs", body=body)
    assert error["code"] == 409
    assert error["reason"] == "insufficient_memory"
    assert "memory_limit" in error["message"]
    assert format_bytes(1_000_000) in error["message"]
    assert not (workspace / "forced_run").exists()

    code, created = await post_run(jp_fetch, {**body, "force": True})
    assert code == 201
    run = await wait_run(jp_fetch, created["id"])
    assert run["status"] == "succeeded", run["error"]
    assert run["memory"]["peak_estimate_bytes"] > run["memory"]["limit_bytes"] == 1_000_000


def one_detector1_at_a_time(state: Path, workspace: Path) -> dict[str, Any]:
    return {"memory_limit": int(detector1_estimate(state, workspace / UNCAL) * 1.5)}


@pytest.mark.parametrize("server_overrides", [one_detector1_at_a_time])
async def test_a_limit_that_fits_one_job_runs_one_at_a_time_in_two_slots(jp_fetch, workspace):
    names = sorted(p.name for p in (workspace / UNCAL).glob("*_uncal.fits"))[:2]
    body = {
        "inputs": [f"{UNCAL}/{name}" for name in names],
        "target_level": 1,
        "output_dir": "serial_run",
    }
    code, created = await post_run(jp_fetch, body)
    assert code == 201
    run = await wait_run(jp_fetch, created["id"])
    assert run["status"] == "succeeded", run["error"]
    first, second = sorted(interval(job) for job in await child_jobs(jp_fetch, run))
    assert second[0] >= first[1], "two jobs ran at once although only one fits"


@pytest.mark.parametrize("server_overrides", [NO_RUNNER])
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"inputs": ["../outside"]}, "inputs.0"),
        ({"inputs": [UNCAL, "$HOME/x"]}, "inputs.1"),
        ({"inputs": ["no/such/folder"]}, "inputs.0"),
        ({"pool": "../pool.csv"}, "pool"),
        ({"output_dir": "../elsewhere"}, "output_dir"),
        ({"output_dir": "~/run"}, "output_dir"),
        ({"steps": {"calwebb_nope": {}}}, "steps.calwebb_nope"),
        ({"steps": {"calwebb_image3": {"nostep": {}}}}, "steps.calwebb_image3.nostep"),
        (
            {"steps": {"calwebb_image3": {"tweakreg": {"abs_refcat": "../../../etc/hosts"}}}},
            "steps.calwebb_image3.tweakreg.abs_refcat",
        ),
        ({"target_level": 4}, "target_level"),
    ],
)
async def test_bad_requests_are_400s_naming_the_field(jp_fetch, workspace, change, field):
    body = {"inputs": [UNCAL], "dry_run": True, **change}
    error = await refused(jp_fetch, "runs", body=body)
    assert error["code"] in (400, 404), error
    assert error.get("field") == field, error


@pytest.mark.parametrize("server_overrides", [NO_RUNNER])
async def test_links_out_of_the_root_at_every_level_stay_out_of_a_run(
    jp_fetch, workspace, tmp_path
):
    """Symbolic links leading out of the root, wherever they sit, never reach a run's plan."""
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(
        next((workspace / UNCAL).glob("*_uncal.fits")), outside / "jw09999_stray_uncal.fits"
    )
    (outside / "x_pool.csv").write_text("FILENAME\n")
    links = workspace / "links-out"
    links.mkdir(exist_ok=True)
    (links / "folder").symlink_to(outside, target_is_directory=True)
    (links / "pool.csv").symlink_to(outside / "x_pool.csv")
    (links / "run").symlink_to(outside, target_is_directory=True)
    mixed = links / "mixed"
    mixed.mkdir()
    for exposure in (workspace / UNCAL).glob("*_uncal.fits"):
        (mixed / exposure.name).symlink_to(exposure)
    (mixed / "jw09999_stray_uncal.fits").symlink_to(outside / "jw09999_stray_uncal.fits")
    try:
        cases = [
            ({"inputs": ["links-out/folder"]}, "inputs.0"),
            ({"inputs": ["links-out/folder/jw09999_stray_uncal.fits"]}, "inputs.0"),
            ({"inputs": [UNCAL], "pool": "links-out/pool.csv"}, "pool"),
            ({"inputs": [UNCAL], "output_dir": "links-out/run/new"}, "output_dir"),
            (
                {
                    "inputs": [UNCAL],
                    "steps": {"calwebb_image3": {"resample": {"pre_hooks": ["x"]}}},
                },
                "steps.calwebb_image3.resample.pre_hooks",
            ),
        ]
        for change, field in cases:
            error = await refused(jp_fetch, "runs", body={"dry_run": True, **change})
            assert 400 <= error["code"] < 500, (change, error)
            assert error.get("field") == field, (change, error)
        # A folder whose links lead inside the root is planned; its link out is left out.
        code, plan = await post_run(jp_fetch, {"inputs": ["links-out/mixed"], "dry_run": True})
        assert code == 200
        planned = {job["input"] for job in plan["jobs"] if job["level"] == 1}
        assert len(planned) == 4, planned
        assert not any("stray" in path for path in planned), planned
    finally:
        shutil.rmtree(links)
    assert sorted(p.name for p in outside.iterdir()) == ["jw09999_stray_uncal.fits", "x_pool.csv"]
