"""``LocalExecutor`` with real subprocesses: log, cwd, env, process group, cancel, re-attach.

The programs are ``python -c`` argument lists that use the same
:func:`jwst_lab.jobs.runfiles.recording` the runner uses for its pid and
exit-status files.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

import pytest

from jwst_lab.config import resolve_crds
from jwst_lab.jobs import runfiles
from jwst_lab.jobs.environment import job_environment
from jwst_lab.jobs.executors import LaunchPlan, LocalExecutor

RECORDING = "import sys; from pathlib import Path; from jwst_lab.jobs import runfiles\n"


def _plan(tmp_path: Path, body: str, env: dict[str, str] | None = None) -> LaunchPlan:
    job_dir = tmp_path / "job"
    job_dir.mkdir(exist_ok=True)
    program = (
        RECORDING
        + f"with runfiles.recording(Path({str(job_dir)!r})):\n"
        + "".join(f"    {line}\n" for line in body.splitlines())
    )
    return LaunchPlan(
        job_id="t1",
        argv=[sys.executable, "-c", program],
        cwd=tmp_path,
        job_dir=job_dir,
        env=env if env is not None else {**os.environ, "PYTHONUNBUFFERED": "1"},
    )


async def test_output_goes_to_the_log_with_cwd_and_exit_code(tmp_path):
    plan = _plan(
        tmp_path,
        "import os\nprint('out', os.getcwd())\nprint('err', file=sys.stderr)\nsys.exit(3)",
    )
    handle = await LocalExecutor().start(plan)
    assert await asyncio.wait_for(handle.wait(), 30) == 3
    text = plan.log_path.read_text()
    assert f"out {tmp_path}" in text
    assert "err" in text
    assert runfiles.read_exit_status(plan.job_dir) == 3
    assert runfiles.read_pid(plan.job_dir).pid == handle.pid


async def test_the_job_environment_reaches_the_process_and_not_the_server(tmp_path):
    before = dict(os.environ)
    crds = resolve_crds(
        path=str(tmp_path / "cache"), server_url="", context="jwst_0541.pmap", environ={}
    )
    env = job_environment(os.environ, crds, "jwst_0600.pmap")
    plan = _plan(
        tmp_path,
        "import json, os\nprint(json.dumps({k: v for k, v in os.environ.items() "
        "if k.startswith('CRDS_')}))",
        env=env,
    )
    handle = await LocalExecutor().start(plan)
    assert await asyncio.wait_for(handle.wait(), 30) == 0
    seen = json.loads(plan.log_path.read_text().strip().splitlines()[-1])
    assert seen["CRDS_PATH"] == str(tmp_path / "cache")
    assert seen["CRDS_CONTEXT"] == "jwst_0600.pmap"
    assert seen["CRDS_MODE"] == "local"
    assert dict(os.environ) == before


def test_job_environment_without_a_context_drops_the_variable():
    crds = resolve_crds(path="", server_url="https://crds.example", context="", environ={})
    env = job_environment({"CRDS_CONTEXT": "old.pmap", "HOME": "/h"}, crds, None)
    assert "CRDS_CONTEXT" not in env
    assert env["CRDS_SERVER_URL"] == "https://crds.example"
    assert env["CRDS_MODE"] == "auto"
    assert env["HOME"] == "/h"


async def test_cancel_terminates_the_whole_process_group(tmp_path):
    plan = _plan(
        tmp_path,
        "import subprocess, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "print('child', child.pid, flush=True)\n"
        "time.sleep(60)",
    )
    handle = await LocalExecutor().start(plan)
    deadline = time.monotonic() + 20
    while "child" not in plan.log_path.read_text() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    child_pid = int(plan.log_path.read_text().split()[1])
    await handle.cancel(grace=5)
    assert await asyncio.wait_for(handle.wait(), 10) == runfiles.EXIT_TERMINATED
    assert runfiles.read_exit_status(plan.job_dir) == runfiles.EXIT_TERMINATED
    for _ in range(50):
        state = runfiles.process_state(child_pid)
        if state is None or state[0] == "Z":
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the runner's child survived the cancel")


async def test_cancel_kills_after_the_grace_period(tmp_path):
    plan = _plan(
        tmp_path,
        "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('ready', flush=True)\ntime.sleep(60)",
    )
    handle = await LocalExecutor().start(plan)
    while "ready" not in plan.log_path.read_text():
        await asyncio.sleep(0.05)
    started = time.monotonic()
    await handle.cancel(grace=0.5)
    assert await asyncio.wait_for(handle.wait(), 10) == 128 + 9
    assert time.monotonic() - started < 5
    assert runfiles.read_exit_status(plan.job_dir) is None


async def test_a_new_executor_reattaches_to_a_running_runner(tmp_path):
    plan = _plan(tmp_path, "import time\nprint('ready', flush=True)\ntime.sleep(1.5)\nsys.exit(7)")
    first = await LocalExecutor().start(plan)
    while "ready" not in plan.log_path.read_text():
        await asyncio.sleep(0.05)
    attached = await LocalExecutor().attach(plan.job_dir)
    assert attached is not None
    assert attached.pid == first.pid
    assert await asyncio.wait_for(attached.wait(), 30) == 7
    await first.wait()
    assert await LocalExecutor().attach(plan.job_dir) is None


async def test_reattached_runner_can_be_cancelled(tmp_path):
    plan = _plan(tmp_path, "import time\nprint('ready', flush=True)\ntime.sleep(60)")
    first = await LocalExecutor().start(plan)
    while "ready" not in plan.log_path.read_text():
        await asyncio.sleep(0.05)
    attached = await LocalExecutor().attach(plan.job_dir)
    assert attached is not None
    await attached.cancel(grace=5)
    assert await asyncio.wait_for(first.wait(), 10) == runfiles.EXIT_TERMINATED
    assert await asyncio.wait_for(attached.wait(), 10) == runfiles.EXIT_TERMINATED


def test_a_recycled_pid_is_not_mistaken_for_the_runner(tmp_path):
    job_dir = tmp_path / "job"
    job_dir.mkdir()
    record = runfiles.write_pid(job_dir, os.getpid())
    assert runfiles.is_running(record)
    forged = runfiles.PidRecord(record.pid, (record.start_ticks or 0) + 12345)
    assert not runfiles.is_running(forged)
    assert runfiles.read_pid(tmp_path) is None
