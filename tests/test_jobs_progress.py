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
        "step_times": [{"name": "resample", "start": 0.0, "seconds": None, "skipped": False}],
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


def _at(clock: str, message: str) -> str:
    return f"2026-12-07 03:{clock} - stpipe.step - INFO - {message}"


def test_step_times_from_the_log_timestamps():
    """Each counted step: start after the pipeline's own line, duration from its end line."""
    progress = _feed(
        [
            _at("17:48,021", "Step Image3Pipeline running with args ('asn.json',)."),
            _at("17:49,031", "Step tweakreg running with args (<ModelLibrary>,)."),
            _at("17:52,286", "Step tweakreg done"),
            _at("17:52,799", "Step skymatch running with args (<ModelLibrary>,)."),
            _at("17:52,800", "Step skipped."),
            _at("18:03,279", "Step resample running with args (<ModelLibrary>,)."),
        ]
    )
    times = [entry.as_dict() for entry in progress.times]
    assert times == [
        {"name": "tweakreg", "start": 1.01, "seconds": 3.255, "skipped": False},
        {"name": "skymatch", "start": 4.778, "seconds": 0.001, "skipped": True},
        {"name": "resample", "start": 15.258, "seconds": None, "skipped": False},
    ]
    progress = advance(progress, _at("18:08,119", "Step resample done"), STEPS)
    assert progress.times[-1].as_dict()["seconds"] == 4.84
    # A repeated ``done`` (a nested step of the same name) changes nothing.
    assert advance(progress, _at("18:09,000", "Step resample done"), STEPS) is progress


def test_step_times_without_timestamps_are_not_invented():
    progress = _feed(["Step tweakreg running with args (x,).", "Step tweakreg done"])
    assert progress.done == 1
    assert progress.times == ()
