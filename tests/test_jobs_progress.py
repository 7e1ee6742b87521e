"""Progress parsing: stpipe's lines and the runner's machine-readable events."""

from __future__ import annotations

from jwst_lab.jobs.progress import (
    Progress,
    advance,
    format_runner_event,
    log_level,
    runner_event,
)

STEPS = ("assign_mtwcs", "tweakreg", "skymatch", "resample", "source_catalog")
PREFIX = "2026-11-25 20:52:09,219 - stpipe.step - INFO - "


def _feed(lines: list[str], steps: tuple[str, ...] = STEPS) -> Progress:
    progress = Progress(total=len(steps) or 1)
    for line in lines:
        progress = advance(progress, line, steps)
    return progress


def test_running_sets_the_current_step_and_done_counts_it():
    progress = _feed([PREFIX + "Step tweakreg running with args (<ModelLibrary>,)."])
    assert (progress.current, progress.done) == ("tweakreg", 0)
    progress = advance(progress, PREFIX + "Step tweakreg done", STEPS)
    assert (progress.current, progress.done) == (None, 1)
    assert progress.finished_steps == ("tweakreg",)


def test_skipped_step_counts_as_done_and_is_listed():
    progress = _feed(
        [
            PREFIX + "Step assign_mtwcs running with args ('asn.json',).",
            PREFIX + "Step skipped.",
            PREFIX + "Step tweakreg running with args (<ModelLibrary>,).",
        ]
    )
    assert progress.done == 1
    assert progress.skipped_steps == ("assign_mtwcs",)
    assert progress.current == "tweakreg"


def test_the_pipeline_own_lines_do_not_count():
    progress = _feed(
        [
            PREFIX + "Step calwebb_image3 running with args ('asn.json',).",
            PREFIX + "Step resample running with args (x,).",
            PREFIX + "Step resample done",
            PREFIX + "Step calwebb_image3 done",
        ]
    )
    assert progress.done == 1
    assert progress.current is None


def test_a_step_done_twice_counts_once_and_never_exceeds_the_total():
    lines = [PREFIX + "Step resample running with args (x,).", PREFIX + "Step resample done"] * 3
    assert _feed(lines).done == 1
    single = _feed(
        [
            PREFIX + "Step GroupScaleStep running with args ('f',).",
            PREFIX + "Step GroupScaleStep done",
        ],
        steps=(),
    )
    assert (single.total, single.done) == (1, 1)


def test_other_lines_change_nothing():
    progress = Progress(total=5)
    for line in ["", "random text", "Steps are done", PREFIX + "Step will be skipped"]:
        assert advance(progress, line, STEPS) == progress


def test_completed_and_as_dict():
    progress = _feed([PREFIX + "Step resample running with args (x,)."]).completed()
    assert progress.as_dict() == {
        "steps_total": 5,
        "steps_done": 5,
        "current_step": None,
        "skipped_steps": [],
    }


def test_runner_events_round_trip_and_garbage_is_ignored():
    line = format_runner_event("finished", exit_code=0, crds_context_used="jwst_0541.pmap")
    assert runner_event(line) == {
        "event": "finished",
        "exit_code": 0,
        "crds_context_used": "jwst_0541.pmap",
    }
    assert runner_event("JWST-LAB-EVENT {not json") is None
    assert runner_event("JWST-LAB-EVENT [1, 2]") is None
    assert runner_event("plain line") is None


def test_log_level():
    assert log_level(PREFIX + "x") == "INFO"
    assert log_level("2026 - CRDS - ERROR -  Error determining best reference") == "ERROR"
    assert log_level("Traceback (most recent call last):") is None
