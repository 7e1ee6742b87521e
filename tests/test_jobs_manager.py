"""The job manager with real runner subprocesses running a real (cheap) stpipe step.

``group_scale`` on a tiny 1x3x8x8 MIRI ramp: a real jwst step through the
real runner (``Step.from_cmdline``, CRDS from the fixture cache), about
8 s per run, mostly importing jwst.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from jwst_lab.core.events import EventBus
from jwst_lab.errors import BadRequest, Conflict, NotFound
from jwst_lab.jobs import runfiles
from jwst_lab.jobs.manager import check_transition
from jwst_lab.jobs.store import JobStore
from jwst_lab.models import JobRecord

from .jobs_helpers import (
    Recorder,
    job_record,
    make_manager,
    make_settings,
    place_uncal,
    wait_status,
)


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    return root


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("queued", "succeeded"),
        ("queued", "failed"),
        ("running", "queued"),
        ("succeeded", "running"),
        ("failed", "cancelled"),
        ("cancelled", "running"),
        ("interrupted", "running"),
    ],
)
def test_illegal_transitions_are_conflicts(old, new):
    with pytest.raises(Conflict, match=f"is {old}; it cannot become {new}"):
        check_transition("j", old, new)


def test_legal_transitions_pass():
    for old, new in [
        ("queued", "running"),
        ("queued", "cancelled"),
        ("running", "succeeded"),
        ("running", "failed"),
        ("running", "cancelled"),
        ("running", "interrupted"),
    ]:
        check_transition("j", old, new)


async def test_fifo_queue_cap_success_failure_and_queued_cancel(
    root, crds_cache, catalog_cache_dir, tiny_uncal_template
):
    place_uncal(tiny_uncal_template, root, "obs/a_uncal.fits")
    (root / "obs" / "junk_uncal.fits").write_bytes(b"not a FITS file at all\n" * 10)
    bus = EventBus()
    recorder = Recorder(bus)
    manager = make_manager(
        make_settings(root, crds_cache, max_concurrent_jobs=1), catalog_cache_dir, bus
    )
    await manager.start()
    try:
        good = await manager.create({"pipeline": "group_scale", "input": "obs/a_uncal.fits"})
        bad = await manager.create({"pipeline": "group_scale", "input": "obs/junk_uncal.fits"})
        third = await manager.create({"pipeline": "group_scale", "input": "obs/a_uncal.fits"})
        assert good["status"] == "queued"
        await wait_status(manager, good["id"], {"running"})
        assert (await manager.get(bad["id"]))["status"] == "queued"
        cancelled = await manager.cancel(third["id"])
        assert cancelled["status"] == "cancelled"
        with pytest.raises(Conflict, match="already cancelled"):
            await manager.cancel(third["id"])

        done = await wait_status(manager, good["id"])
        assert done["status"] == "succeeded", done["error"]
        failed = await wait_status(manager, bad["id"])
        await recorder.wait_for_status(bad["id"], "failed")
        assert failed["status"] == "failed"
        assert failed["exit_code"] not in (0, None)
        assert failed["error"]
        assert len(failed["error"].splitlines()) >= 1
    finally:
        await manager.stop()
        await recorder.close()

    # Provenance of the successful job.
    assert done["exit_code"] == 0
    assert done["crds_context_requested"] == "jwst_0541.pmap"
    assert done["crds_context_used"] == "jwst_0541.pmap"
    assert done["crds_context"] == "jwst_0541.pmap"
    assert done["versions"]["jwst"]
    assert done["params"]["class"].endswith("GroupScaleStep")
    assert done["params"]["pipeline"]["output_dir"].endswith(done["output_dir"])
    assert done["output_dir"] == f"obs/group_scale_{done['id']}"
    assert f"{done['output_dir']}/group_scale_params.asdf" in done["outputs"]
    assert any(o.endswith("_groupscalestep.fits") for o in done["outputs"])
    assert done["progress"]["steps_done"] == done["progress"]["steps_total"] == 1
    assert done["argv"] == [
        "strun",
        "group_scale",
        "obs/a_uncal.fits",
        f"--output_dir={done['output_dir']}",
    ]
    assert done["commands"]["strun"].startswith("CRDS_CONTEXT=jwst_0541.pmap strun group_scale")
    assert done["started"] <= done["finished"]
    # FIFO: the second job started only after the first ended.
    assert failed["started"] >= done["finished"]

    # Events: created, running, progress and log lines, then the end, all with the job id.
    types = [e["type"] for e in recorder.of(good["id"])]
    assert types[0] == "job.created"
    assert "job.log" in types
    assert "job.progress" in types
    statuses = [e["job"]["status"] for e in recorder.of(good["id"]) if e["type"] == "job.updated"]
    assert statuses[0] == "running"
    assert statuses[-1] == "succeeded"
    lines = [
        line["text"]
        for e in recorder.of(good["id"])
        if e["type"] == "job.log"
        for line in e["lines"]
    ]
    assert any("Step GroupScaleStep running" in line for line in lines)
    third_statuses = [e["job"]["status"] for e in recorder.of(third["id"]) if "job" in e]
    assert third_statuses == ["queued", "cancelled"]


async def test_cancel_a_running_job_and_rerun_then_delete(
    root, crds_cache, catalog_cache_dir, tiny_uncal_template
):
    place_uncal(tiny_uncal_template, root, "obs/a_uncal.fits")
    manager = make_manager(make_settings(root, crds_cache), catalog_cache_dir, cancel_grace=5)
    await manager.start()
    try:
        job = await manager.create(
            {
                "pipeline": "group_scale",
                "input": "obs/a_uncal.fits",
                "crds_context": "jwst_0540.pmap",
            }
        )
        await wait_status(manager, job["id"], {"running"})
        with pytest.raises(Conflict, match="cancel it before deleting"):
            await manager.delete(job["id"])
        await manager.cancel(job["id"])
        ended = await wait_status(manager, job["id"], timeout=30)
        assert ended["status"] == "cancelled"
        with pytest.raises(Conflict, match="already cancelled"):
            await manager.cancel(job["id"])

        again = await manager.rerun(job["id"])
        assert again["rerun_of"] == job["id"]
        assert again["crds_context_requested"] == "jwst_0540.pmap"
        assert again["steps"] == job["steps"]
        assert again["output_dir"] != job["output_dir"]
        await manager.cancel(again["id"])
        await wait_status(manager, again["id"], timeout=30)

        await manager.delete(job["id"])
        with pytest.raises(NotFound):
            await manager.get(job["id"])
        assert not manager.job_dir(job["id"]).exists()
        page = await manager.list_jobs(statuses=("cancelled",))
        assert [j["id"] for j in page["jobs"]] == [again["id"]]
    finally:
        await manager.stop()


async def test_job_timeout_fails_the_job(root, crds_cache, catalog_cache_dir, tiny_uncal_template):
    place_uncal(tiny_uncal_template, root, "obs/a_uncal.fits")
    manager = make_manager(
        make_settings(root, crds_cache, job_timeout=0.5), catalog_cache_dir, cancel_grace=5
    )
    await manager.start()
    try:
        job = await manager.create({"pipeline": "group_scale", "input": "obs/a_uncal.fits"})
        ended = await wait_status(manager, job["id"], timeout=30)
    finally:
        await manager.stop()
    assert ended["status"] == "failed"
    assert "timed out after 0.5 s" in ended["error"]


async def test_restart_reattaches_a_running_job_and_interrupts_lost_ones(
    root, crds_cache, catalog_cache_dir, tiny_uncal_template
):
    place_uncal(tiny_uncal_template, root, "obs/a_uncal.fits")
    settings = make_settings(root, crds_cache)
    first = make_manager(settings, catalog_cache_dir)
    await first.start()
    job = await first.create({"pipeline": "group_scale", "input": "obs/a_uncal.fits"})
    await wait_status(first, job["id"], {"running"})
    await first.stop()  # like a server stop: the runner keeps running

    # A job whose runner vanished (e.g. the machine rebooted) and one queued job.
    state = root.parent / "state"
    store = JobStore(state / "jobs.sqlite")
    lost = {**job, "id": "lost0000", "status": "running", "created": "2000-01-01T00:00:00Z"}
    store.insert(JobRecord.model_validate(lost))
    (state / "jobs" / "lost0000").mkdir(parents=True)
    (state / "jobs" / "lost0000" / "job.log").write_text("partial log\n")
    store.close()

    bus = EventBus()
    recorder = Recorder(bus)
    second = make_manager(settings, catalog_cache_dir, bus)
    await second.start()
    try:
        interrupted = await second.get("lost0000")
        assert interrupted["status"] == "interrupted"
        assert "log is kept" in interrupted["error"]
        log = await second.read_log("lost0000", 0)
        assert log == {"text": "partial log\n", "next_offset": 12, "done": True}
        assert (await second.get(job["id"]))["status"] == "running"
        done = await wait_status(second, job["id"])
        await recorder.wait_for_status(job["id"], done["status"])
    finally:
        await second.stop()
        await recorder.close()
    assert done["status"] == "succeeded", done["error"]
    assert done["progress"]["steps_done"] == 1
    assert done["crds_context_used"] == "jwst_0541.pmap"
    assert runfiles.read_exit_status(state / "jobs" / job["id"]) == 0
    assert [e["job"]["status"] for e in recorder.of(job["id"]) if e["type"] == "job.updated"][
        -1
    ] == "succeeded"


async def test_a_runner_that_ended_while_the_server_was_down_is_finished_from_its_files(
    root, crds_cache, catalog_cache_dir
):
    settings = make_settings(root, crds_cache)
    state = root.parent / "state"
    store = JobStore(state / "jobs.sqlite")
    record = job_record(
        "ended0001",
        status="running",
        created="2000-01-01T00:00:00Z",
        started="2000-01-01T00:00:01Z",
        input="obs/a_uncal.fits",
        pipeline="group_scale",
        output_dir="obs/out",
        argv=["strun", "group_scale", "obs/a_uncal.fits", "--output_dir=obs/out"],
        crds_context_requested=None,
    )
    store.insert(record)
    store.close()
    job_dir = state / "jobs" / "ended0001"
    job_dir.mkdir(parents=True)
    runfiles.write_exit_status(job_dir, 0)
    (job_dir / "result.json").write_text(json.dumps({"crds_context_used": "jwst_0541.pmap"}))
    (root / "obs" / "out").mkdir(parents=True)
    (root / "obs" / "out" / "x_i2d.fits").write_text("x")
    manager = make_manager(settings, catalog_cache_dir)
    await manager.start()
    try:
        ended = await manager.get("ended0001")
    finally:
        await manager.stop()
    assert ended["status"] == "succeeded"
    assert ended["outputs"] == ["obs/out/x_i2d.fits"]
    assert ended["crds_context_used"] == "jwst_0541.pmap"
    assert ended["commands"]["strun"] == (
        "CRDS_CONTEXT=jwst_0541.pmap strun group_scale obs/a_uncal.fits --output_dir=obs/out"
    )


@pytest.mark.parametrize(
    ("request_body", "error", "message"),
    [
        ({"pipeline": "calwebb_nope", "input": "obs/a_uncal.fits"}, BadRequest, "unknown pipeline"),
        ({"pipeline": "group_scale", "input": "../x"}, BadRequest, "'..'"),
        ({"pipeline": "group_scale", "input": "/etc/passwd"}, BadRequest, "relative"),
        ({"pipeline": "group_scale", "input": "obs/none.fits"}, NotFound, "does not exist"),
        ({"pipeline": "group_scale", "input": "obs"}, BadRequest, "is a folder"),
        (
            {"pipeline": "group_scale", "input": "obs/a_uncal.fits", "crds_context": "x; rm"},
            BadRequest,
            "crds_context .* is not a CRDS JWST mapping name",
        ),
        (
            {
                "pipeline": "group_scale",
                "input": "obs/a_uncal.fits",
                "crds_context": "jwst_9999.pmap",
            },
            BadRequest,
            "not in the CRDS cache",
        ),
        (
            {"pipeline": "group_scale", "input": "obs/a_uncal.fits", "output_dir": "obs"},
            Conflict,
            "not an empty folder",
        ),
        (
            {"pipeline": "group_scale", "input": "obs/a_uncal.fits", "kind": "download"},
            BadRequest,
            "kind must be",
        ),
        (
            {"pipeline": "group_scale", "input": "obs/a_uncal.fits", "steps": {"x": {}}},
            BadRequest,
            "unknown step 'x'",
        ),
    ],
)
async def test_bad_requests_create_nothing(
    root, crds_cache, catalog_cache_dir, tiny_uncal_template, request_body, error, message
):
    place_uncal(tiny_uncal_template, root, "obs/a_uncal.fits")
    manager = make_manager(make_settings(root, crds_cache), catalog_cache_dir)
    await manager.start()
    try:
        with pytest.raises(error, match=message):
            await manager.create(request_body)
        assert (await manager.list_jobs())["total"] == 0
        with pytest.raises(BadRequest, match="unknown status"):
            await manager.list_jobs(statuses=("done",))
        with pytest.raises(NotFound):
            await manager.cancel("nosuchjob")
    finally:
        await manager.stop()


async def test_wrong_association_type_for_the_pipeline(root, crds_cache, catalog_cache_dir):
    asn = {
        "asn_type": "image3",
        "asn_rule": "DMS_Level3_Base",
        "products": [{"name": "p", "members": [{"expname": "a_cal.fits", "exptype": "science"}]}],
    }
    (root / "obs").mkdir()
    (root / "obs" / "a_cal.fits").write_text("x")
    (root / "obs" / "p_image3_asn.json").write_text(json.dumps(asn))
    manager = make_manager(make_settings(root, crds_cache), catalog_cache_dir)
    await manager.start()
    try:
        with pytest.raises(BadRequest, match="calwebb_image2 does not run 'image3' associations"):
            await manager.create({"pipeline": "calwebb_image2", "input": "obs/p_image3_asn.json"})
        asn["products"][0]["members"].append({"expname": "b_cal.fits", "exptype": "science"})
        (root / "obs" / "p_image3_asn.json").write_text(json.dumps(asn))
        with pytest.raises(BadRequest, match=r"1 member file\(s\) missing or refused: b_cal.fits"):
            await manager.create({"pipeline": "calwebb_image3", "input": "obs/p_image3_asn.json"})
    finally:
        await manager.stop()


async def test_concurrent_jobs_respect_the_cap(
    root, crds_cache, catalog_cache_dir, tiny_uncal_template
):
    """Two of three start together under max_concurrent_jobs=2; cancelled to keep it short."""
    place_uncal(tiny_uncal_template, root, "obs/a_uncal.fits")
    manager = make_manager(make_settings(root, crds_cache), catalog_cache_dir, cancel_grace=5)
    await manager.start()
    try:
        request = {"pipeline": "group_scale", "input": "obs/a_uncal.fits"}
        jobs = [await manager.create({**request, "output_dir": "obs/mine"})]
        with pytest.raises(Conflict, match=f"belongs to job {jobs[0]['id']}"):
            await manager.create({**request, "output_dir": "obs/mine"})
        jobs += [await manager.create(request) for _ in range(2)]
        await asyncio.gather(*(wait_status(manager, j["id"], {"running"}) for j in jobs[:2]))
        assert (await manager.get(jobs[2]["id"]))["status"] == "queued"
        for job in jobs:
            await manager.cancel(job["id"])
        ended = [await wait_status(manager, j["id"], timeout=30) for j in jobs]
    finally:
        await manager.stop()
    assert [e["status"] for e in ended] == ["cancelled"] * 3


async def test_a_crds_failure_inside_stpipe_fails_the_job_and_nothing_else(
    root, tmp_path, catalog_cache_dir, tiny_uncal_template
):
    """An empty CRDS cache makes stpipe raise SystemExit(-1): the job fails, the manager lives."""
    place_uncal(tiny_uncal_template, root, "obs/a_uncal.fits")
    empty_cache = tmp_path / "empty_crds"
    empty_cache.mkdir()
    settings = make_settings(root, empty_cache)
    manager = make_manager(settings, catalog_cache_dir)
    await manager.start()
    try:
        job = await manager.create({"pipeline": "group_scale", "input": "obs/a_uncal.fits"})
        ended = await wait_status(manager, job["id"])
        assert (await manager.list_jobs())["total"] == 1
    finally:
        await manager.stop()
    assert ended["status"] == "failed"
    assert ended["exit_code"] == 255
    assert "exited with status -1" in ended["error"]
    assert "CRDS" in ended["error"]
