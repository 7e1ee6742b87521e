"""``python -m tests.json_child``: a child for ``tests/test_json_worker.py``.

Answers ``echo`` (after printing to stdout, which must not reach the channel),
``sleep`` and ``die`` (writes to stderr, then exits at once). With
``JSON_CHILD_FAIL`` set it writes to stderr and exits before its ready line.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from jwst_lab.core.json_worker import run_child


def handle(request: dict[str, Any]) -> dict[str, Any]:
    """Answer one request of the test protocol."""
    op, args = request.get("op"), dict(request.get("args") or {})
    if op == "echo":
        print("noise on stdout")
        return {"id": request.get("id"), "ok": True, "result": {"echo": args, "pid": os.getpid()}}
    if op == "sleep":
        time.sleep(float(args["seconds"]))
        return {"id": request.get("id"), "ok": True, "result": {}}
    if op == "die":
        sys.stderr.write("child gives up\n")
        sys.stderr.flush()
        os._exit(3)
    return {"id": request.get("id"), "ok": False, "error": {"kind": "bad_input"}}


def _fail_early() -> None:
    if os.environ.get("JSON_CHILD_FAIL"):
        sys.stderr.write("cannot start: no such thing\n")
        sys.stderr.flush()
        os._exit(2)


if __name__ == "__main__":
    run_child(handle, warm_up=_fail_early)
