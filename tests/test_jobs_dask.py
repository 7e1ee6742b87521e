"""``DaskExecutor`` on a real LocalCluster and on an external scheduler + worker.

The executor-level programs are ``python -c`` argument lists using the same
:func:`jwst_lab.jobs.runfiles.recording` as the runner; one job runs the
real runner (``group_scale``) through the manager on a 2-worker LocalCluster.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

from jwst_lab.core.events import EventBus
from jwst_lab.jobs import runfiles
from jwst_lab.jobs.executors import LaunchPlan
from jwst_lab.jobs.executors.dask import DaskExecutor

from .dask_cluster import CliCluster
from .jobs_helpers import make_manager, make_settings, place_uncal, wait_status

pytest.importorskip("distributed")

RECORDING = "import sys; from pathlib import Path; from jwst_lab.jobs import runfiles\n"


def _plan(tmp_path: Path, name: str, body: str) -> LaunchPlan:
    job_dir = tmp_path / name
    job_dir.mkdir()
    program = (
        RECORDING
        + f"with runfiles.recording(Path({str(job_dir)!r})):\n"
        + "".join(f"    {line}\n" for line in body.splitlines())
    )
    return LaunchPlan(
        job_id=name,
        argv=[sys.executable, "-c", program],
        cwd=tmp_path,
        job_dir=job_dir,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "CRDS_CONTEXT": f"{name}.pmap"},
    )


@pytest.fixture(scope="module")
def cluster_address():
    """A 2-worker LocalCluster shared by the tests that do not start their own."""
    from distributed import LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    yield cluster.scheduler_address
    cluster.close()


async def test_an_own_local_cluster_runs_jobs_in_parallel_with_their_own_env(tmp_path):
    executor = DaskExecutor("", n_workers=2, grace=2)
    body = (
        "import os, time\nprint('context', os.environ['CRDS_CONTEXT'], os.getcwd())\n"
        "time.sleep(1)\nsys.exit(4)"
    )
    plans = [_plan(tmp_path, f"job{i}", body) for i in range(2)]
    await executor.client()
    try:
        started = time.monotonic()
        handles = [await executor.start(plan) for plan in plans]
        codes = await asyncio.gather(*(asyncio.wait_for(h.wait(), 60) for h in handles))
    finally:
        await executor.close()
    assert codes == [4, 4]
    assert time.monotonic() - started < 10
    for plan in plans:
        assert f"context {plan.job_id}.pmap {tmp_path}" in plan.log_path.read_text()
        assert runfiles.read_exit_status(plan.job_dir) == 4
    assert handles[0].pid != handles[1].pid


async def test_cancel_on_a_cluster(tmp_path, cluster_address):
    executor = DaskExecutor(cluster_address, grace=2)
    plan = _plan(tmp_path, "slow", "import time\nprint('ready', flush=True)\ntime.sleep(60)")
    try:
        handle = await executor.start(plan)
        deadline = time.monotonic() + 30
        while "ready" not in (plan.log_path.read_text() if plan.log_path.exists() else ""):
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        await handle.cancel(grace=2)
        assert await asyncio.wait_for(handle.wait(), 20) == runfiles.EXIT_TERMINATED
    finally:
        await executor.close()


async def test_runners_on_a_worker_get_the_worker_thread_pool_sizes(tmp_path, cluster_address):
    executor = DaskExecutor(cluster_address, grace=2)
    body = "import os\nprint('threads', os.environ.get('{}'))"
    plans = [
        _plan(tmp_path, "worker_share", body.format("OPENBLAS_NUM_THREADS")),
        _plan(tmp_path, "job_choice", body.format("OMP_NUM_THREADS")),
    ]
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        plans[0].env.pop(name, None)
    plans[1].env["OMP_NUM_THREADS"] = "3"
    try:
        handles = [await executor.start(plan) for plan in plans]
        assert await asyncio.gather(*(asyncio.wait_for(h.wait(), 60) for h in handles)) == [0, 0]
    finally:
        await executor.close()
    # distributed's nanny gives each worker process one thread per pool
    assert "threads 1" in plans[0].log_path.read_text()
    assert "threads 3" in plans[1].log_path.read_text()


@pytest.fixture(scope="module")
def external_scheduler(tmp_path_factory):
    """``dask scheduler`` + one ``dask worker`` started from the command line."""
    with CliCluster(tmp_path_factory.mktemp("dask"), memory_limits=["2GiB"]) as cluster:
        yield cluster.address


async def test_external_scheduler_and_worker(tmp_path, external_scheduler):
    executor = DaskExecutor(external_scheduler, grace=2)
    try:
        plan = _plan(tmp_path, "ext", "print('hello from', sys.argv[0])")
        handle = await executor.start(plan)
        assert await asyncio.wait_for(handle.wait(), 60) == 0
        assert "hello from -c" in plan.log_path.read_text()
    finally:
        await executor.close()


async def test_a_real_runner_job_through_the_manager_on_dask(
    tmp_path, crds_cache, catalog_cache_dir, tiny_uncal_template, cluster_address
):
    root = tmp_path / "root"
    place_uncal(tiny_uncal_template, root, "obs/a_uncal.fits")
    manager = make_manager(
        make_settings(root, crds_cache, executor="dask"),
        catalog_cache_dir,
        EventBus(),
        executor=DaskExecutor(cluster_address, grace=2),
    )
    await manager.start()
    try:
        job = await manager.create({"pipeline": "group_scale", "input": "obs/a_uncal.fits"})
        done = await wait_status(manager, job["id"])
    finally:
        await manager.stop()
    assert done["status"] == "succeeded", done["error"]
    assert done["executor"] == "dask"
    assert done["crds_context_used"] == "jwst_0541.pmap"
    assert done["progress"]["steps_done"] == 1
    assert any(path.endswith("_groupscalestep.fits") for path in done["outputs"])
