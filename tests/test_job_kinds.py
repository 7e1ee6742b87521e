"""Job kinds: a toy kind (registered here only) through the real engine, and the real kinds.

The toy kind's runner is ``python -c`` printing ``JWST-LAB-EVENT`` progress
lines and writing a result file, started by the real ``LocalExecutor`` and
followed, cancelled, finished and recovered by the real ``JobManager``: what
adding a kind takes is one class and one registry entry. The real kinds'
pure parts (progress, finish, rerun and recovery policies) are tested without
runners.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, get_args

import pytest

from jwst_lab.clock import epoch_seconds, now_iso
from jwst_lab.core.associations import AssociationReader
from jwst_lab.core.events import EventBus
from jwst_lab.errors import BadRequest, Conflict
from jwst_lab.jobs import runfiles
from jwst_lab.jobs.claims import Claim, HeldClaims
from jwst_lab.jobs.executors import LocalExecutor
from jwst_lab.jobs.kinds import DEFAULT_KIND, KINDS
from jwst_lab.jobs.kinds.base import (
    Ending,
    Finished,
    JobKind,
    KindContext,
    LaunchPlan,
    NewJob,
    read_result,
)
from jwst_lab.jobs.kinds.crds_fetch import CrdsFetchKind
from jwst_lab.jobs.kinds.download import DownloadKind
from jwst_lab.jobs.kinds.pipeline import PipelineKind, StepProgress
from jwst_lab.jobs.manager import JobManager
from jwst_lab.jobs.progress import Progress, TransferProgress, format_runner_event
from jwst_lab.jobs.states import final_status
from jwst_lab.jobs.store import JobStore
from jwst_lab.models import JobRecord

from .jobs_helpers import Recorder, job_record, make_settings, manager_on_root, wait_status

#: The toy runner: ``steps`` progress events ``pause`` s apart, a file, a result, an exit code.
TOY_RUNNER = """
import json, sys, time
from pathlib import Path
from jwst_lab.jobs import runfiles
from jwst_lab.jobs.progress import format_runner_event

job_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
steps, pause, fail = int(sys.argv[3]), float(sys.argv[4]), sys.argv[5] == "fail"
with runfiles.recording(job_dir):
    print(format_runner_event("started", versions={"toy": "1.0"}), flush=True)
    for step in range(1, steps + 1):
        time.sleep(pause)
        print(f"toy step {step} of {steps}", flush=True)
        print(format_runner_event("progress", done=step, total=steps), flush=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "toy.txt").write_text("made by the toy runner")
    error = "the toy was asked to fail" if fail else None
    (job_dir / "result.json").write_text(json.dumps({"made": ["toy.txt"], "error": error}))
    if fail:
        raise SystemExit(3)
"""


@dataclass(frozen=True)
class ToyProgress:
    """Steps done of the toy's total."""

    total: int
    done: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "steps_total": self.total,
            "steps_done": self.done,
            "current_step": None,
            "skipped_steps": [],
        }

    def completed(self) -> ToyProgress:
        return replace(self, done=self.total)


class ToyKind(JobKind):
    """Counts to ``steps`` in a ``python -c`` runner; a runner lost with the server is rerun."""

    name = "toy"

    def validate(self, ctx: KindContext, request: Mapping[str, Any], job: NewJob) -> JobRecord:
        steps = request.get("steps")
        if not isinstance(steps, int) or steps < 1:
            raise BadRequest("steps must be a positive whole number", field="steps")
        return self.new_record(
            ctx,
            job,
            input=f"{steps} steps",
            output_dir=str(request.get("output_dir") or f"toy/{job.id}"),
            argv=["toy", str(steps), str(request.get("pause", 0.0)), request.get("mode", "ok")],
            commands={"strun": "", "python": f"print({steps})"},
            versions={},
            progress=ToyProgress(steps).as_dict(),
        )

    def claims(self, ctx: KindContext, record: JobRecord) -> list[Claim]:
        return [Claim(f"folder:{record.output_dir}", f"the toy folder {record.output_dir!r}")]

    def plan(self, ctx: KindContext, record: JobRecord) -> LaunchPlan:
        job_dir = ctx.job_dir(record.id)
        job_dir.mkdir(parents=True, exist_ok=True)
        (job_dir / "result.json").unlink(missing_ok=True)
        (job_dir / runfiles.STATUS_NAME).unlink(missing_ok=True)
        _, steps, pause, mode = record.argv
        out = ctx.root / record.output_dir
        return LaunchPlan(
            job_id=record.id,
            argv=[ctx.python, "-c", TOY_RUNNER, str(job_dir), str(out), steps, pause, mode],
            cwd=ctx.root,
            job_dir=job_dir,
            env={**ctx.base_env, "PYTHONUNBUFFERED": "1"},
        )

    def progress(self, ctx: KindContext, record: JobRecord) -> ToyProgress:
        return ToyProgress(record.progress.steps_total)

    def advance(self, progress: Any, line: str, event: dict[str, Any] | None) -> ToyProgress:
        if event is None or event.get("event") != "progress":
            return progress
        return ToyProgress(int(event["total"]), int(event["done"]))

    def finish(self, ctx: KindContext, record: JobRecord, ending: Ending) -> Finished:
        result = read_result(ctx.job_dir(record.id))
        made = [f"{record.output_dir}/{name}" for name in result.get("made", [])]
        finished = self.updated(
            record,
            outputs=made if ending.succeeded else [],
            partial_outputs=[] if ending.succeeded else made,
        )
        error = None if ending.exit_code in (0, None) else result.get("error")
        return Finished(finished, error)

    def rerun(self, ctx: KindContext, record: JobRecord) -> Mapping[str, Any]:
        _, steps, pause, mode = record.argv
        return {"steps": int(steps), "pause": float(pause), "mode": mode}

    def requeue(self, ctx: KindContext, record: JobRecord) -> JobRecord | None:
        return record


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "root"
    folder.mkdir()
    return folder


def toy_manager(root: Path, bus: EventBus | None = None, **kwargs: Any) -> JobManager:
    """The real engine with the package's kinds plus the toy, on ``root``."""
    settings = make_settings(root, root.parent / "no_crds", **kwargs)
    return manager_on_root(
        root,
        settings,
        LocalExecutor(),
        {**KINDS, "toy": ToyKind()},
        bus,
        cancel_grace=5,
        poll_interval=0.05,
    )


async def wait_for(condition: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


# --- the toy kind through the real engine --------------------------------------------


async def test_a_toy_job_runs_end_to_end_with_progress_events_and_outputs(root):
    bus = EventBus()
    recorder = Recorder(bus)
    manager = toy_manager(root, bus)
    await manager.start()
    try:
        job = await manager.submit("toy", {"steps": 4, "pause": 0.15})
        assert job["status"] == "queued"
        assert job["kind"] == "toy"
        assert job["executor"] == "local"
        done = await wait_status(manager, job["id"], timeout=60)
        await recorder.wait_for_status(job["id"], "succeeded")
    finally:
        await manager.stop()
        await recorder.close()
    assert done["status"] == "succeeded", done["error"]
    assert done["exit_code"] == 0
    assert done["error"] is None
    assert done["outputs"] == [f"toy/{job['id']}/toy.txt"]
    assert (root / "toy" / job["id"] / "toy.txt").read_text() == "made by the toy runner"
    assert done["progress"]["steps_done"] == done["progress"]["steps_total"] == 4
    assert done["versions"] == {"toy": "1.0"}
    assert done["created"] <= done["started"] <= done["finished"]
    events = recorder.of(job["id"])
    assert events[0]["type"] == "job.created"
    statuses = [e["job"]["status"] for e in events if e["type"] == "job.updated"]
    assert statuses == ["running", "succeeded"]
    steps = [e["progress"]["steps_done"] for e in events if e["type"] == "job.progress"]
    assert steps == sorted(steps)
    assert steps[-1] == 4
    assert len(steps) >= 2
    lines = [line["text"] for e in events if e["type"] == "job.log" for line in e["lines"]]
    assert "toy step 2 of 4" in lines


async def test_a_failing_toy_job_fails_with_its_kinds_error(root):
    manager = toy_manager(root)
    await manager.start()
    try:
        job = await manager.submit("toy", {"steps": 2, "mode": "fail"})
        done = await wait_status(manager, job["id"], timeout=60)
        with pytest.raises(BadRequest) as bad:
            await manager.submit("toy", {"steps": 0})
        page = await manager.list_jobs(kind="toy")
    finally:
        await manager.stop()
    assert done["status"] == "failed"
    assert done["exit_code"] == 3
    assert done["error"] == "the toy was asked to fail"
    assert done["outputs"] == []
    assert done["partial_outputs"] == [f"toy/{job['id']}/toy.txt"]
    assert done["progress"]["steps_done"] == 2
    assert bad.value.field == "steps"
    assert [j["id"] for j in page["jobs"]] == [job["id"]]


async def test_cancel_a_running_toy_job_and_the_queue_moves_on(root):
    manager = toy_manager(root, max_concurrent_jobs=1)
    await manager.start()
    try:
        slow = await manager.submit("toy", {"steps": 200, "pause": 0.1})
        after = await manager.submit("toy", {"steps": 1})
        await wait_status(manager, slow["id"], {"running"})
        assert (await manager.get(after["id"]))["status"] == "queued"
        log = manager.job_dir(slow["id"]) / "job.log"
        await wait_for(lambda: log.is_file() and "toy step 1 of" in log.read_text())
        cancelled = await manager.cancel(slow["id"])
        assert cancelled["status"] == "running"
        ended = await wait_status(manager, slow["id"], timeout=30)
        later = await wait_status(manager, after["id"], timeout=60)
        with pytest.raises(Conflict, match="already cancelled"):
            await manager.cancel(slow["id"])
    finally:
        await manager.stop()
    assert ended["status"] == "cancelled"
    assert ended["error"] == "cancelled by the user"
    assert ended["outputs"] == []
    assert 0 < ended["progress"]["steps_done"] < 200
    assert later["status"] == "succeeded"
    assert later["started"] >= ended["finished"]


async def test_claims_conflict_and_rerun_follows_the_kinds_policy(root):
    manager = toy_manager(root)
    await manager.start()
    try:
        first = await manager.submit("toy", {"steps": 20, "pause": 0.1, "output_dir": "mine"})
        with pytest.raises(Conflict, match=f"the toy folder 'mine' belongs to job {first['id']}"):
            await manager.submit("toy", {"steps": 1, "output_dir": "mine"})
        with pytest.raises(BadRequest, match="kind must be 'pipeline', not 'toy'") as refused:
            await manager.create({"kind": "toy", "steps": 1})
        assert refused.value.field == "kind"
        await manager.cancel(first["id"])
        await wait_status(manager, first["id"], timeout=30)
        again = await manager.rerun(first["id"])
        done = await wait_status(manager, again["id"], timeout=60)
    finally:
        await manager.stop()
    assert again["rerun_of"] == first["id"]
    assert again["argv"] == first["argv"]
    assert again["output_dir"] != first["output_dir"]
    assert done["status"] == "succeeded", done["error"]


async def _stop_while_running(manager: JobManager, request: dict[str, Any]) -> tuple[str, int]:
    """Start a toy job, wait until its runner runs, stop the manager; the id and runner pid."""
    await manager.start()
    job = await manager.submit("toy", request)
    await wait_status(manager, job["id"], {"running"})
    pid_file = manager.job_dir(job["id"]) / runfiles.PID_NAME
    await wait_for(pid_file.is_file)
    await manager.stop()
    return job["id"], json.loads(pid_file.read_text())["pid"]


async def test_a_runner_that_ended_while_the_manager_was_stopped_is_finished_at_restart(root):
    job_id, _ = await _stop_while_running(toy_manager(root), {"steps": 3, "pause": 0.3})
    job_dir = root.parent / "state" / "jobs" / job_id
    await wait_for(lambda: runfiles.read_exit_status(job_dir) is not None)
    bus = EventBus()
    recorder = Recorder(bus)
    manager = toy_manager(root, bus)
    await manager.start()
    try:
        # Finished from its exit status (or followed to its end if it is still exiting).
        done = await wait_status(manager, job_id, timeout=30)
        await recorder.wait_for_status(job_id, "succeeded")
    finally:
        await manager.stop()
        await recorder.close()
    assert done["status"] == "succeeded", done["error"]
    assert done["outputs"] == [f"toy/{job_id}/toy.txt"]
    assert done["progress"]["steps_done"] == 3
    assert [e["job"]["status"] for e in recorder.of(job_id) if "job" in e] == ["succeeded"]


async def test_a_runner_lost_with_the_server_is_requeued_by_its_kind(root):
    job_id, pid = await _stop_while_running(toy_manager(root), {"steps": 100, "pause": 0.1})
    os.killpg(pid, signal.SIGKILL)
    job_dir = root.parent / "state" / "jobs" / job_id
    await wait_for(lambda: not runfiles.is_running(runfiles.read_pid(job_dir)))
    assert runfiles.read_exit_status(job_dir) is None
    bus = EventBus()
    recorder = Recorder(bus)
    manager = toy_manager(root, bus)
    await manager.start()
    try:
        await wait_status(manager, job_id, {"running"}, timeout=30)
        await manager.cancel(job_id)
        done = await wait_status(manager, job_id, timeout=30)
        await recorder.wait_for_status(job_id, "cancelled")
    finally:
        await manager.stop()
        await recorder.close()
    statuses = [e["job"]["status"] for e in recorder.of(job_id) if "job" in e]
    assert statuses == ["queued", "running", "cancelled"]
    assert done["status"] == "cancelled"


async def test_a_record_of_a_kind_the_server_does_not_run_ends_interrupted(root):
    state = root.parent / "state"
    store = JobStore(state / "jobs.sqlite")
    store.insert(job_record("gone0001", kind="retired", status="running", executor="local"))
    store.close()
    manager = toy_manager(root)
    await manager.start()
    try:
        ended = await manager.get("gone0001")
        with pytest.raises(Conflict, match="runs no 'retired' jobs"):
            await manager.rerun("gone0001")
    finally:
        await manager.stop()
    assert ended["status"] == "interrupted"
    assert "could not recover this job" in ended["error"]


# --- the registry and the shared pieces ------------------------------------------------


def test_the_registry_names_the_api_kinds_and_keeps_the_toy_out():
    assert list(KINDS) == list(get_args(JobRecord.model_fields["kind"].annotation))
    assert all(name == kind.name for name, kind in KINDS.items())
    assert "toy" not in KINDS
    assert DEFAULT_KIND == "pipeline"
    assert [n for n, k in KINDS.items() if k.requestable] == ["pipeline"]
    assert {n for n, k in KINDS.items() if k.local_only} == {"download", "crds_fetch"}
    # The API model refuses kinds it does not document; the store and engine take any.
    with pytest.raises(ValueError, match="pipeline"):
        JobRecord.model_validate(job_record("t", kind="toy").model_dump())


def test_the_clock_writes_utc_milliseconds_that_sort_as_text():
    first = now_iso()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first)
    assert now_iso() >= first
    assert abs(epoch_seconds(first) - time.time()) < 5
    assert epoch_seconds(None) is None
    assert epoch_seconds("not a time") is None


def test_claims_are_held_until_released():
    held = HeldClaims()
    held.take("a", [Claim("folder:x", "output_dir 'x'")])
    with pytest.raises(Conflict, match="output_dir 'x' belongs to job a"):
        held.take("b", [Claim("folder:y", "output_dir 'y'"), Claim("folder:x", "output_dir 'x'")])
    held.take("b", [Claim("folder:y", "output_dir 'y'")])
    held.release("a")
    held.take("c", [Claim("folder:x", "output_dir 'x'")])


@pytest.mark.parametrize(
    ("exit_code", "flags", "expected"),
    [
        (0, {}, ("succeeded", None)),
        (143, {"cancelled": True}, ("cancelled", "cancelled by the user")),
        (143, {"timed_out": "timed out"}, ("failed", "timed out")),
        (1, {"lost_track": "lost"}, ("failed", "lost")),
        (0, {"lost_track": "lost"}, ("succeeded", None)),
        (None, {}, ("interrupted", "the runner process ended without recording an exit status")),
        (None, {"recovered": True}, ("interrupted", None)),
        (2, {"failure": "why"}, ("failed", "why")),
        (2, {}, ("failed", "the job exited with status 2")),
    ],
)
def test_final_status(exit_code, flags, expected):
    values = {"cancelled": False, "timed_out": None, "lost_track": None, "recovered": False}
    values["failure"] = None
    values.update(flags)
    status, error = final_status(exit_code, **values)
    assert status == expected[0]
    if expected[1] is None and status == "interrupted":
        assert "the log is kept" in error
    else:
        assert error == expected[1]


# --- the real kinds' pure parts --------------------------------------------------------


class _Catalog:
    """Stands for the pipeline catalog: one pipeline of two steps."""

    def entry(self, alias: str) -> dict[str, Any] | None:
        steps = [{"alias": "one"}, {"alias": "two"}]
        return {"class_name": "jwst.Demo", "steps": steps} if alias == "demo" else None


def kind_context(root: Path, jobs: Path, **changes: Any) -> KindContext:
    settings = make_settings(root, root.parent / "no_crds")
    context = KindContext(
        root=root.resolve(),
        settings=settings,
        jobs_dir=jobs,
        base_env={"PATH": "/bin", "CRDS_PATH": "/server/crds"},
        catalog=_Catalog(),  # type: ignore[arg-type]
        associations=AssociationReader(root),
        executor="local",
    )
    return replace(context, **changes)


def test_pipeline_progress_counts_its_steps_and_skips_unrelated_lines(root, tmp_path):
    kind = PipelineKind()
    record = job_record("p1", pipeline="demo")
    progress = kind.progress(kind_context(root, tmp_path), record)
    assert progress == StepProgress(("one", "two"), Progress(total=2))
    same = kind.advance(progress, "2026 - stpipe - INFO - nothing to see", None)
    assert same is progress
    running = kind.advance(progress, "stpipe.Demo.one - INFO - Step one running with args", None)
    assert running.as_dict()["current_step"] == "one"
    done = kind.advance(running, "stpipe.Demo.one - INFO - Step one done", None)
    assert done.as_dict()["steps_done"] == 1
    assert done.completed().as_dict()["steps_done"] == 2
    unknown = kind.progress(kind_context(root, tmp_path), job_record("p2", pipeline="nope"))
    assert unknown.state.total == 1


def test_pipeline_finish_lists_outputs_or_partial_outputs_and_pins_commands(root, tmp_path):
    kind = PipelineKind()
    ctx = kind_context(root, tmp_path)
    out = root / "obs" / "out"
    out.mkdir(parents=True)
    (out / "a_cal.fits").write_text("x")
    (out / "b_cal.fits.part").write_text("x")
    record = job_record(
        "p3",
        pipeline="demo",
        output_dir="obs/out",
        argv=["strun", "demo", "obs/a_uncal.fits", "--output_dir=obs/out"],
    )
    (tmp_path / "p3").mkdir()
    (tmp_path / "p3" / "result.json").write_text(
        json.dumps({"crds_context_used": "jwst_0541.pmap", "versions": {"jwst": "1.0"}})
    )
    good = kind.finish(ctx, record, Ending(0, succeeded=True))
    assert good.error is None
    assert good.record.outputs == ["obs/out/a_cal.fits"]
    assert good.record.crds_context == good.record.crds_context_used == "jwst_0541.pmap"
    assert good.record.commands.strun.startswith("CRDS_CONTEXT=jwst_0541.pmap strun demo")
    assert good.record.versions == {"jwst": "1.0"}
    (tmp_path / "p3" / "result.json").write_text(json.dumps({"error": "No space left on device"}))
    bad = kind.finish(ctx, record, Ending(1, succeeded=False))
    assert bad.record.outputs == []
    assert bad.record.partial_outputs == ["obs/out/a_cal.fits"]
    assert not (out / "b_cal.fits.part").exists()
    assert bad.error.startswith("disk full: no space left in obs/out (")


def test_pipeline_rerun_pins_the_context_used_and_runs_anywhere():
    kind = PipelineKind()
    record = job_record("p4", crds_context_used="jwst_0541.pmap", steps={"x": {"skip": True}})
    request = kind.rerun(None, record)  # type: ignore[arg-type]
    assert request["crds_context"] == "jwst_0541.pmap"
    assert request["steps"] == {"x": {"skip": True}}
    assert kind.requeue(None, record) is None  # type: ignore[arg-type]
    assert not kind.local_only
    assert kind.claims(None, record) == [  # type: ignore[arg-type]
        Claim("folder:obs/out_p4", "output_dir 'obs/out_p4'")
    ]


def _transfer_record(kind: str, **about: Any) -> JobRecord:
    progress = TransferProgress(files_total=2, bytes_total=100).as_dict()
    return job_record("t1", kind=kind, pipeline=None, progress=progress, **about)


def test_transfer_progress_follows_progress_events_only():
    for kind in (DownloadKind(), CrdsFetchKind()):
        start = TransferProgress(files_total=2, bytes_total=100)
        assert kind.advance(start, "downloaded x", None) is start
        started = {"event": "started", "files_total": 5}
        assert kind.advance(start, format_runner_event("started"), started) is start
        event = {"event": "progress", "files_done": 1, "bytes_done": 60, "current_file": "a"}
        moved = kind.advance(start, "", event)
        assert moved.as_dict()["bytes_done"] == 60
        assert moved.as_dict()["current_file"] == "a"
        assert moved.completed().as_dict()["files_done"] == 2
        assert kind.advance(start, "", {"event": "progress", "files_done": "x"}) is start


def test_download_recovery_resumes_and_its_record_keeps_its_shape(root, tmp_path):
    kind = DownloadKind()
    about = {
        "source": "mast",
        "dest": "data",
        "files_total": 2,
        "bytes_total": 100,
        "products": [],
        "obsids": ["o1"],
        "product_filters": {},
        "manifest": "data/jwst_lab_manifest.json",
        "resumes": 0,
    }
    record = _transfer_record("download", download=about, output_dir="data")
    again = kind.requeue(kind_context(root, tmp_path), record)
    assert again is not None
    assert again.download is not None
    assert again.download.resumes == 1
    shown = record.model_dump(mode="json")
    assert "crds_fetch" not in shown
    assert shown["download"]["obsids"] == ["o1"]
    assert shown["progress"]["bytes_total"] == 100
    assert "bytes_total" not in job_record("p5").model_dump(mode="json")["progress"]
    assert "download" not in job_record("p5").model_dump(mode="json")
    with pytest.raises(Conflict, match="file list is gone"):
        kind.rerun(kind_context(root, tmp_path), record)
    (tmp_path / "t1").mkdir()
    (tmp_path / "t1" / "result.json").write_text(
        json.dumps({"files": ["data/a.fits"], "error": "1 of 2 files failed"})
    )
    ended = kind.finish(kind_context(root, tmp_path), record, Ending(1, succeeded=False))
    assert ended.record.outputs == ["data/a.fits"]
    assert ended.error == "1 of 2 files failed"


def test_a_download_plan_puts_the_token_in_the_environment_only(root, tmp_path):
    token = "tok-SECRET-123456789"
    kind = DownloadKind()
    ctx = kind_context(root, tmp_path, token=lambda: token, python=sys.executable)
    record = _transfer_record("download")
    with pytest.raises(FileNotFoundError, match="file list"):
        kind.plan(ctx, record)
    (tmp_path / "t1").mkdir()
    (tmp_path / "t1" / "download.json").write_text("{}")
    plan = kind.plan(ctx, record)
    assert plan.env["JWST_LAB_MAST_TOKEN"] == token
    assert token not in " ".join(plan.argv)
    assert plan.argv[1:3] == ["-m", "jwst_lab.jobs.download_runner"]


def test_crds_fetch_finish_rerun_and_recovery(root, tmp_path):
    kind = CrdsFetchKind()
    ctx = kind_context(root, tmp_path)
    about = {
        "context": "jwst_0541.pmap",
        "context_reason": "operational",
        "files": 1,
        "fetched": [],
        "skipped": [],
        "failed": [],
        "resumes": 0,
    }
    record = _transfer_record("crds_fetch", crds_fetch=about, output_dir="")
    (tmp_path / "t1").mkdir()
    (tmp_path / "t1" / "result.json").write_text(
        json.dumps(
            {
                "crds_context_used": "jwst_0541.pmap",
                "fetched": ["/cache/a.fits"],
                "skipped": ["b.fits"],
                "failed": [{"reference": "c.fits", "error": "gone"}],
                "error": "1 of 2 references failed: gone",
            }
        )
    )
    ended = kind.finish(ctx, record, Ending(1, succeeded=False))
    assert ended.record.crds_fetch is not None
    assert ended.record.crds_fetch.fetched == ["/cache/a.fits"]
    assert ended.record.crds_fetch.failed[0].reference == "c.fits"
    assert ended.record.crds_context == "jwst_0541.pmap"
    assert ended.error == "1 of 2 references failed: gone"
    with pytest.raises(Conflict, match="not rerun"):
        kind.rerun(ctx, record)
    again = kind.requeue(ctx, record)
    assert again is not None
    assert again.crds_fetch is not None
    assert again.crds_fetch.resumes == 1
    spec = {"context": "jwst_0541.pmap", "environment": {"CRDS_PATH": "/mine"}}
    (tmp_path / "t1" / "crds_fetch.json").write_text(json.dumps(spec))
    plan = kind.plan(ctx, record)
    assert plan.env["CRDS_PATH"] == "/mine"
    assert plan.env["PATH"] == "/bin"
