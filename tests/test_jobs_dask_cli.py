"""Jobs on a real Dask cluster started from the command line (``tests/dask_cluster.py``).

One ``dask scheduler`` and two ``dask worker`` processes (2 GiB and 3 GiB
memory limits, one thread each) share the test's folder with the server. The
executor reads the workers' limits (and follows workers that join and
leave), places each job on a worker with room for its estimate, and Dask
itself keeps a worker within its limit; the engine starts a job only when a
worker has room, and refuses at creation one larger than every worker.
Through the REST API of a real server: a demo pipeline job runs on the
cluster and survives a ``kill -9`` of the server (re-attached at the
restart), a job is cancelled on the cluster, and a run of the demo program
reaches Level 3. Orders are asserted from timestamps, never durations.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from jwst_lab.core.events import EventBus
from jwst_lab.errors import Conflict
from jwst_lab.jobs import runfiles
from jwst_lab.jobs.executors import LaunchPlan
from jwst_lab.jobs.executors.capacity import MemoryCapacity
from jwst_lab.jobs.executors.dask import MEMORY_RESOURCE, DaskExecutor
from jwst_lab.jobs.kinds import KINDS
from jwst_lab.jobs.store import root_state_dir
from tests.demo_fixtures import SERVERLESS_URL, demo_workspace, workspace

from .dask_cluster import CliCluster
from .jobs_helpers import make_manager, make_settings, manager_on_root, place_uncal, wait_status
from .server_process import ServerProcess
from .test_runs_engine import LinkedToy, interval

pytest.importorskip("distributed")

__all__ = ["demo_workspace", "workspace"]

GIB = 1024**3


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliCluster]:
    """``dask scheduler`` + workers ``w0`` (2 GiB) and ``w1`` (3 GiB), stopped at the end."""
    folder = tmp_path_factory.mktemp("dask-cli")
    with CliCluster(folder, memory_limits=["2GiB", "3GiB"]) as started:
        yield started
    for pid in started.pids():
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"


def worker_pid(runner_pid: int) -> int:
    """The ``dask worker`` command a runner runs under (runner → worker process → nanny)."""
    return psutil.Process(runner_pid).parent().parent().pid


def _plan(folder: Path, name: str, body: str) -> LaunchPlan:
    """A runner-like program that records its pid and exit status in its job folder."""
    job_dir = folder / name
    job_dir.mkdir()
    program = (
        "import sys, time; from pathlib import Path; from jwst_lab.jobs import runfiles\n"
        f"with runfiles.recording(Path({str(job_dir)!r})):\n"
        + "".join(f"    {line}\n" for line in body.splitlines())
    )
    return LaunchPlan(
        job_id=name,
        argv=[sys.executable, "-c", program],
        cwd=folder,
        job_dir=job_dir,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


async def test_the_workers_memory_limits_are_the_capacity(tmp_path, cluster):
    executor = DaskExecutor(cluster.address, grace=2)
    await executor.open()
    try:
        capacity = executor.memory_capacity()
        assert capacity is not None
        assert {(w.name, w.limit_bytes) for w in capacity.workers} == {
            ("w0", 2 * GIB),
            ("w1", 3 * GIB),
        }
        assert capacity.total_bytes == 5 * GIB
        assert capacity.largest_worker_bytes == 3 * GIB
        by_name = {w.name: w.address for w in capacity.workers}

        # 2.5 GiB fits only w1; then 1.5 GiB goes to w0; 1 GiB more fits nowhere.
        assert executor.reserve("big", int(2.5 * GIB))
        assert executor.placement("big") == by_name["w1"]
        assert executor.reserve("small", int(1.5 * GIB))
        assert executor.placement("small") == by_name["w0"]
        assert not executor.reserve("third", GIB)
        assert executor.placement("third") is None
        capacity = executor.memory_capacity()
        assert capacity is not None
        assert capacity.reserved_bytes == 4 * GIB
        assert [w.room_bytes for w in capacity.workers] == [GIB // 2, GIB // 2]
        assert not capacity.fits(GIB // 4)  # memory would do, but both workers run a job

        # A free thread counts too: w1 has 0.5 GiB left but runs "big"; w0 is free again.
        executor.release("small")
        assert executor.reserve("beside_big", GIB // 4)
        assert executor.placement("beside_big") == by_name["w0"]
        executor.release("beside_big")
        executor.release("big")
        capacity = executor.memory_capacity()
        assert capacity is not None
        assert capacity.reserved_bytes == 0

        # Larger than every worker (a job created with force): the largest worker, alone.
        assert executor.reserve("huge", 4 * GIB)
        assert executor.placement("huge") == by_name["w1"]
        assert executor.reserve("beside", int(1.5 * GIB))
        assert executor.placement("beside") == by_name["w0"]
        assert not executor.reserve("huge2", 4 * GIB)
        executor.release("huge")
        assert executor.reserve("huge2", 4 * GIB)
        assert executor.placement("huge2") == by_name["w1"]
    finally:
        await executor.close()


async def test_jobs_run_on_the_worker_they_were_placed_on(tmp_path, cluster):
    executor = DaskExecutor(cluster.address, grace=2)
    await executor.open()
    workers = {name: process.pid for name, process in cluster.workers.items()}
    body = "import os\nprint('ready', flush=True)\ntime.sleep(2)"
    try:
        assert executor.reserve("on_w1", int(2.5 * GIB))
        assert executor.reserve("on_w0", GIB)
        plans = [_plan(tmp_path, name, body) for name in ("on_w1", "on_w0")]
        handles = [await executor.start(plan) for plan in plans]
        ran_on = {}
        for plan in plans:
            deadline = time.monotonic() + 60
            while "ready" not in (plan.log_path.read_text() if plan.log_path.exists() else ""):
                assert time.monotonic() < deadline, plan.job_id
                await asyncio.sleep(0.05)
            record = runfiles.read_pid(plan.job_dir)
            assert record is not None
            ran_on[plan.job_id] = worker_pid(record.pid)
        codes = await asyncio.gather(*(asyncio.wait_for(h.wait(), 60) for h in handles))
    finally:
        await executor.close()
    assert codes == [0, 0]
    assert ran_on == {"on_w1": workers["w1"], "on_w0": workers["w0"]}


async def test_dask_keeps_a_worker_within_its_limit_whoever_places_the_jobs(tmp_path):
    # One worker with 4 GiB and two threads. Two servers sharing it know nothing of
    # each other's reservations: each places a 3 GiB job there. The threads would
    # run both at once; Dask's resource accounting runs them one after the other.
    body = "print('start', time.time(), flush=True)\ntime.sleep(2)\nprint('end', time.time())"
    with CliCluster(tmp_path / "dask", ["4GiB"], nthreads=2) as shared:
        first, second = DaskExecutor(shared.address), DaskExecutor(shared.address)
        try:
            for executor, name in ((first, "a"), (second, "b")):
                await executor.open()
                capacity = executor.memory_capacity()
                assert capacity is not None
                assert [w.threads for w in capacity.workers] == [2]
                assert executor.reserve(name, 3 * GIB)
            plans = [_plan(tmp_path, name, body) for name in ("a", "b")]
            handles = [await first.start(plans[0]), await second.start(plans[1])]
            codes = await asyncio.gather(*(asyncio.wait_for(h.wait(), 60) for h in handles))
        finally:
            await first.close()
            await second.close()
    assert codes == [0, 0]
    marks = [
        dict(line.split() for line in plan.log_path.read_text().splitlines()) for plan in plans
    ]
    (start_a, end_a), (start_b, end_b) = ((float(m["start"]), float(m["end"])) for m in marks)
    assert end_a <= start_b or end_b <= start_a, f"both ran at once on one worker: {marks}"


async def test_workers_that_come_and_go_change_the_capacity(cluster):
    executor = DaskExecutor(cluster.address, refresh_interval=0.2)
    await executor.open()

    async def names() -> set[str]:
        capacity = executor.memory_capacity()
        return {w.name for w in capacity.workers} if capacity else set()

    async def wait_names(expected: set[str]) -> None:
        deadline = time.monotonic() + 60
        while await names() != expected:
            assert time.monotonic() < deadline, f"{await names()} != {expected}"
            await asyncio.sleep(0.1)

    try:
        name = cluster.add_worker("1GiB")
        await wait_names({"w0", "w1", name})
        capacity = executor.memory_capacity()
        assert capacity is not None
        assert capacity.total_bytes == 6 * GIB
        cluster.stop_worker(name)
        await wait_names({"w0", "w1"})
    finally:
        await executor.close()


async def test_jobs_placed_on_a_worker_that_leaves_end_instead_of_waiting_forever(
    tmp_path, cluster
):
    # Two servers place a 1 GiB job each on a new 1 GiB worker (best fit): one
    # runs, the other waits there for memory. Then the worker goes away.
    executors = [DaskExecutor(cluster.address, grace=2, refresh_interval=0.2) for _ in "ab"]
    name = cluster.add_worker("1GiB")
    plans = [_plan(tmp_path, job, "print('ready', flush=True)\ntime.sleep(120)") for job in "ab"]
    try:
        deadline = time.monotonic() + 60
        for executor in executors:
            await executor.open()
            while name not in {w.name for w in (await executor.refresh() or _empty()).workers}:
                assert time.monotonic() < deadline, f"{name} did not register"
                await asyncio.sleep(0.1)
        handles = []
        for executor, plan in zip(executors, plans, strict=True):
            assert executor.reserve(plan.job_id, GIB)
            assert executor.placement(plan.job_id) == _address(executor, name)
            handles.append(await executor.start(plan))
        while not any(p.log_path.exists() and "ready" in p.log_path.read_text() for p in plans):
            assert time.monotonic() < deadline, "no job started"
            await asyncio.sleep(0.05)
        cluster.stop_worker(name)
        # The runner died with the worker (no exit status); the other job never started.
        codes = await asyncio.gather(*(asyncio.wait_for(h.wait(), 60) for h in handles))
    finally:
        for executor in executors:
            await executor.close()
    assert codes == [None, None]
    assert sum(runfiles.read_pid(plan.job_dir) is None for plan in plans) == 1
    assert all(
        executor.placement(plan.job_id) is None
        for executor, plan in zip(executors, plans, strict=True)
    )


def _empty() -> MemoryCapacity:
    return MemoryCapacity(())


def _address(executor: DaskExecutor, name: str) -> str:
    capacity = executor.memory_capacity()
    assert capacity is not None
    return next(w.address for w in capacity.workers if w.name == name)


async def test_a_reattached_job_keeps_the_memory_promised_on_its_worker(tmp_path, cluster):
    # A server places a 2.5 GiB job on w1 (3 GiB) and stops; the job runs on.
    first = DaskExecutor(cluster.address, grace=2)
    plan = _plan(tmp_path, "held", "print('ready', flush=True)\ntime.sleep(120)")
    await first.open()
    try:
        assert first.reserve(plan.job_id, int(2.5 * GIB))
        w1 = _address(first, "w1")
        assert first.placement(plan.job_id) == w1
        await first.start(plan)
        deadline = time.monotonic() + 60
        while not (plan.log_path.exists() and "ready" in plan.log_path.read_text()):
            assert time.monotonic() < deadline, "the job did not start"
            await asyncio.sleep(0.05)
    finally:
        await first.close()

    # The next server re-attaches it: w1 still holds its 2.5 GiB, so another
    # 2.5 GiB job is not placed there (nor anywhere: w0 has 2 GiB).
    second = DaskExecutor(cluster.address, grace=2)
    await second.open()
    try:
        handle = await second.attach(plan.job_dir)
        assert handle is not None
        assert second.placement(plan.job_id) == w1
        capacity = second.memory_capacity()
        assert capacity is not None
        assert capacity.reserved_bytes == int(2.5 * GIB)
        assert not second.reserve("another", int(2.5 * GIB))
        await handle.cancel(grace=2)
        await asyncio.wait_for(handle.wait(), 60)
        second.release(plan.job_id)
        assert second.reserve("another", int(2.5 * GIB))
        second.release("another")
    finally:
        await second.close()


async def test_the_engine_starts_a_job_when_one_worker_has_room_for_it(tmp_path, cluster):
    # The server's own memory_limit is generous: on Dask, the workers' limits decide.
    root = tmp_path / "root"
    root.mkdir()
    settings = make_settings(
        root,
        tmp_path / "no_crds",
        executor="dask",
        max_concurrent_jobs=3,
        memory_limit_bytes=64 * GIB,
    )
    manager = manager_on_root(
        root,
        settings,
        DaskExecutor(cluster.address, grace=2),
        {**KINDS, "toy": LinkedToy()},
        poll_interval=0.05,
    )
    await manager.start()
    try:
        # 2.5 GiB fits only w1 (3 GiB); 1.5 GiB fits w0 (2 GiB) beside it.
        requests = [("first", 2.5), ("second", 2.5), ("small", 1.5)]
        jobs = [
            await manager.submit(
                "toy",
                {
                    "steps": 3,
                    "pause": 0.3,
                    "memory_estimate_bytes": int(gib * GIB),
                    "output_dir": name,
                },
            )
            for name, gib in requests
        ]
        done = {
            name: await wait_status(manager, job["id"], timeout=120)
            for (name, _), job in zip(requests, jobs, strict=True)
        }
    finally:
        await manager.stop()
    assert {name: job["status"] for name, job in done.items()} == dict.fromkeys(done, "succeeded")
    assert {job["executor"] for job in done.values()} == {"dask"}
    first, second, small = (interval(done[name]) for name in ("first", "second", "small"))
    assert second[0] >= first[1], "two 2.5 GiB jobs ran at once; only one worker holds one"
    assert small[0] < first[1], "the 1.5 GiB job waited although w0 had room"


async def test_a_job_larger_than_every_worker_is_refused_at_creation(
    tmp_path, crds_cache, catalog_cache_dir, tiny_uncal_template
):
    # The server's own limit would hold the job; the only worker's budget does not.
    with CliCluster(
        tmp_path / "dask", ["1GiB"], worker_args=["--resources", f"{MEMORY_RESOURCE}=50e6"]
    ) as small:
        root = tmp_path / "root"
        place_uncal(tiny_uncal_template, root, "obs/a_uncal.fits")
        manager = make_manager(
            make_settings(root, crds_cache, executor="dask", memory_limit_bytes=64 * GIB),
            catalog_cache_dir,
            EventBus(),
            executor=DaskExecutor(small.address, grace=2),
        )
        await manager.start()
        try:
            assert manager.memory_limit_bytes() == 50_000_000
            assert manager.memory_total_bytes() == 50_000_000
            with pytest.raises(Conflict) as refused:
                await manager.create({"pipeline": "group_scale", "input": "obs/a_uncal.fits"})
            listed = await manager.list_jobs()
        finally:
            await manager.stop()
    assert refused.value.reason == "insufficient_memory"
    # The worker's budget, named as such, not the server's 64 GiB memory_limit.
    assert "more than the largest Dask worker's memory limit (50 MB)" in refused.value.message
    assert "--memory-limit" in refused.value.message
    assert "c.JwstLabApp.memory_limit" not in refused.value.message
    assert listed["total"] == 0


# --- through a real server -------------------------------------------------------------


def start_server(tmp_path: Path, workspace: Path, cluster: CliCluster) -> ServerProcess:
    """A server whose pipeline jobs run on ``cluster``, with the demo's CRDS cache."""
    return ServerProcess(
        tmp_path,
        workspace,
        options=[
            "--JwstLabApp.executor_class=dask",
            f"--JwstLabApp.dask_scheduler_address={cluster.address}",
            f"--JwstLabApp.crds_path={workspace / 'crds_cache'}",
            f"--JwstLabApp.crds_server_url={SERVERLESS_URL}",
        ],
    )


async def wait_runner(jobs_dir: Path, job_id: str, timeout: float = 60) -> int:
    """The pid of a job's runner, once it has recorded it."""
    deadline = time.monotonic() + timeout
    while (record := runfiles.read_pid(jobs_dir / job_id)) is None:
        assert time.monotonic() < deadline, f"job {job_id} recorded no runner"
        await asyncio.sleep(0.05)
    return record.pid


async def test_a_demo_job_on_the_cli_cluster_survives_a_server_restart_and_cancel_works(
    tmp_path, workspace, cluster, catalog_cache_dir
):
    shutil.copytree(catalog_cache_dir, tmp_path / "data" / "jwst_lab" / "catalog")
    manifest = json.loads((workspace / "jwst_lab_demo.json").read_text())
    uncal = manifest["files"]["uncal"]
    jobs_dir = root_state_dir(tmp_path / "data" / "jwst_lab", workspace) / "jobs"
    workers = {process.pid for process in cluster.workers.values()}

    server = start_server(tmp_path, workspace, cluster)
    try:
        doomed = await server.request(
            "POST", "/jobs", {"pipeline": "calwebb_detector1", "input": uncal[1]}
        )
        job = await server.request(
            "POST", "/jobs", {"pipeline": "calwebb_detector1", "input": uncal[0]}
        )
        doomed_pid = await wait_runner(jobs_dir, doomed["id"])
        assert worker_pid(doomed_pid) in workers
        await server.request("POST", f"/jobs/{doomed['id']}/cancel", {})
        cancelled = await server.wait_job(doomed["id"], {"cancelled", "failed", "succeeded"})

        runner_pid = await wait_runner(jobs_dir, job["id"])
        assert worker_pid(runner_pid) in workers
        running = await server.wait_job(job["id"], {"running"})
    finally:
        server.kill_9()
    assert cancelled["status"] == "cancelled", cancelled["error"]
    assert not psutil.pid_exists(doomed_pid) or psutil.Process(doomed_pid).status() == "zombie"
    assert running["executor"] == "dask"
    # The runner does not depend on the server: it still runs on its worker.
    assert psutil.pid_exists(runner_pid)

    server = start_server(tmp_path, workspace, cluster)
    try:
        done = await server.wait_job(job["id"], {"succeeded", "failed", "interrupted"}, timeout=240)
        log = await server.request("GET", f"/jobs/{job['id']}/log")
    finally:
        server.stop()
    assert done["status"] == "succeeded", done["error"]
    assert done["crds_context_used"] == manifest["operational_context"]
    assert any(path.endswith("_rate.fits") for path in done["outputs"])
    assert "Step Detector1Pipeline done" in log["text"]


async def test_a_run_of_the_demo_program_to_level_3_on_the_cli_cluster(
    tmp_path, workspace, cluster, catalog_cache_dir
):
    shutil.copytree(catalog_cache_dir, tmp_path / "data" / "jwst_lab" / "catalog")
    manifest = json.loads((workspace / "jwst_lab_demo.json").read_text())
    exposures = len(manifest["files"]["uncal"])
    server = start_server(tmp_path, workspace, cluster)
    try:
        run = await server.request("POST", "/runs", {"inputs": ["uncal"], "target_level": 3})
        deadline = time.monotonic() + 600
        while run["status"] not in ("succeeded", "failed", "cancelled"):
            assert time.monotonic() < deadline, f"run still {run['status']}: {run['progress']}"
            await asyncio.sleep(0.5)
            run = await server.request("GET", f"/runs/{run['id']}")
        children = [await server.request("GET", f"/jobs/{job['id']}") for job in run["jobs"]]
    finally:
        server.stop()
    failed = {child["id"]: child["error"] for child in children if child["status"] != "succeeded"}
    assert run["status"] == "succeeded", (run["error"], failed)
    pipelines = sorted(job["pipeline"] for job in run["jobs"])
    assert pipelines == sorted(
        ["calwebb_detector1"] * exposures + ["calwebb_image2"] * exposures + ["calwebb_image3"]
    )
    assert all(child["status"] == "succeeded" for child in children)
    assert {child["executor"] for child in children} == {"dask"}
    assert {child["run_id"] for child in children} == {run["id"]}
    products = [path for child in children for path in child["outputs"]]
    assert any(path.endswith("_i2d.fits") for path in products)
    # Both workers were used: the first two detector1 jobs ran side by side.
    detector1 = sorted(interval(c) for c in children if c["pipeline"] == "calwebb_detector1")
    assert detector1[1][0] < detector1[0][1], f"one job at a time on 2 workers: {detector1}"
