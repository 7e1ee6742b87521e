"""The JSON-line worker shared by the CRDS and WCS clients: restarts, timeouts, errors."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest

from jwst_lab.core.json_worker import JsonLineWorker, dispatch, serve

REPO = Path(__file__).resolve().parents[1]


class ChildFailed(Exception):
    pass


class TestWorker(JsonLineWorker):
    __test__ = False

    def failure(self, message: str) -> Exception:
        return ChildFailed(message)


def make_worker(**extra: str) -> TestWorker:
    env = {**os.environ, "PYTHONPATH": str(REPO), **extra}
    return TestWorker("tests.json_child", name="test-json-child", env=env, start_timeout=60)


def test_answers_come_back_on_a_private_channel():
    worker = make_worker()
    try:
        answer = worker.call("echo", {"x": [1, 2]}, timeout=30)
        assert answer["ok"] is True
        assert answer["result"]["echo"] == {"x": [1, 2]}
        assert answer["result"]["pid"] == worker.pid
        assert worker.call("echo", {}, timeout=30)["result"]["pid"] == worker.pid
        assert worker.starts == 1
    finally:
        worker.close()
    assert worker.pid is None


def test_a_request_that_times_out_kills_the_child_and_the_next_starts_one():
    worker = make_worker()
    try:
        first = worker.call("echo", {}, timeout=30)["result"]["pid"]
        with pytest.raises(ChildFailed, match=re.escape("did not answer sleep within 0.5 s")):
            worker.call("sleep", {"seconds": 30}, timeout=0.5)
        assert worker.pid is None
        second = worker.call("echo", {}, timeout=30)["result"]["pid"]
        assert second != first
        assert worker.starts == 2
    finally:
        worker.close()


def test_a_child_that_dies_is_restarted_once_then_its_stderr_is_the_error():
    worker = make_worker()
    try:
        with pytest.raises(ChildFailed, match="died during die: child gives up"):
            worker.call("die", {}, timeout=30)
        assert worker.starts == 2
        assert worker.call("echo", {}, timeout=30)["ok"] is True
        assert worker.starts == 3
    finally:
        worker.close()


def test_a_child_that_cannot_start_says_why():
    worker = make_worker(JSON_CHILD_FAIL="1")
    try:
        with pytest.raises(ChildFailed, match="did not start: cannot start: no such thing"):
            worker.call("echo", {}, timeout=30)
        assert worker.pid is None
    finally:
        worker.close()


def test_serve_skips_blank_lines_and_hands_bad_json_on_as_an_unknown_op():
    seen: list[dict[str, object]] = []

    def handle(request: dict[str, object]) -> dict[str, object]:
        seen.append(request)
        return {"id": request.get("id"), "ok": True, "result": {"at": Path("/x")}}

    out = io.StringIO()
    serve(io.StringIO('\n{"id": 4, "op": "a"}\nnot json\n'), out, handle, default=str)
    assert seen == [{"id": 4, "op": "a"}, {"op": None}]
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines == [
        {"id": 4, "ok": True, "result": {"at": "/x"}},
        {"id": None, "ok": True, "result": {"at": "/x"}},
    ]


def test_dispatch_turns_every_failure_into_an_answer(capsys):
    def bad(args: dict[str, object]) -> dict[str, object]:
        raise ValueError("no such row")

    def broken(args: dict[str, object]) -> dict[str, object]:
        raise RuntimeError("oops")

    def leaving(args: dict[str, object]) -> dict[str, object]:
        raise SystemExit(2)

    operations = {"ok": lambda args: {"got": args}, "bad": bad, "broken": broken, "exit": leaving}

    def expected(error: BaseException) -> dict[str, str] | None:
        return (
            {"kind": "bad_input", "message": str(error)} if isinstance(error, ValueError) else None
        )

    assert dispatch({"id": 1, "op": "ok", "args": {"a": 1}}, operations, expected) == {
        "id": 1,
        "ok": True,
        "result": {"got": {"a": 1}},
    }
    assert dispatch({"id": 2, "op": "nope"}, operations, expected)["error"] == {
        "kind": "bad_input",
        "message": "unknown op",
    }
    assert dispatch({"id": 3, "op": "bad"}, operations, expected)["error"] == {
        "kind": "bad_input",
        "message": "no such row",
    }
    assert dispatch({"id": 4, "op": "broken"}, operations, expected)["error"] == {
        "kind": "internal",
        "message": "RuntimeError: oops",
    }
    assert "RuntimeError: oops" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        dispatch({"id": 5, "op": "exit"}, operations, expected)
