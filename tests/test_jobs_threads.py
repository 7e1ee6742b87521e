"""Jobs running side by side share the cores: BLAS/OpenMP pools sized per job."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from jwst_lab.jobs.environment import THREAD_VARIABLES, usable_cpus, with_thread_limits


def test_each_concurrent_job_gets_its_share_of_the_cpus():
    env = with_thread_limits({"HOME": "/h"}, concurrent_jobs=2, cpus=8)
    assert {name: env[name] for name in THREAD_VARIABLES} == dict.fromkeys(THREAD_VARIABLES, "4")
    assert env["HOME"] == "/h"
    assert with_thread_limits({}, concurrent_jobs=1, cpus=2)["OMP_NUM_THREADS"] == "2"


def test_more_jobs_than_cpus_still_get_one_thread_each():
    env = with_thread_limits({}, concurrent_jobs=4, cpus=2)
    assert env["OPENBLAS_NUM_THREADS"] == "1"


def test_a_setting_the_user_made_is_kept():
    base = {"OMP_NUM_THREADS": "3"}
    env = with_thread_limits(base, concurrent_jobs=2, cpus=2)
    assert env["OMP_NUM_THREADS"] == "3"
    assert env["MKL_NUM_THREADS"] == "1"
    assert base == {"OMP_NUM_THREADS": "3"}  # the caller's mapping is untouched


@pytest.fixture
def jwst_lab_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    # The server reads these when it starts: a user's own setting would win.
    for name in THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return {
        "crds_path": str(tmp_path / "crds_cache"),
        "prewarm_runner": True,
        "max_concurrent_jobs": 2,
        "executor_class": "local",
    }


def _environ_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    pairs = (item.decode(errors="replace").partition("=") for item in raw if item)
    return {name: value for name, _, value in pairs}


async def test_the_warm_runner_gets_the_per_job_share(jp_serverapp):
    # numpy sizes its pools when the warm runner imports it, before any job is forked.
    (app,) = jp_serverapp.extension_manager.extension_apps["jwst_lab"]
    manager = app.services.jobs
    await manager.start()
    warm = manager.executor.warm
    deadline = time.monotonic() + 30
    while warm.pid is None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert warm.pid is not None
    share = str(max(1, usable_cpus() // 2))
    seen = _environ_of(warm.pid)
    assert {name: seen.get(name) for name in THREAD_VARIABLES} == dict.fromkeys(
        THREAD_VARIABLES, share
    )
