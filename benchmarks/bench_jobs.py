"""Pipeline jobs: start latency, cost over bare ``strun``, live log latency, concurrency.

Everything runs the real ``calwebb_image3`` on the demo workspace's Level 3
association (4 synthetic MIRI cal files), through a real ``jupyter server``
with jwst-lab on loopback; baselines are measured in the same run:

- submit -> first ``Step ... running`` line on the websocket (warm runner),
  beside a cold ``strun``'s process start -> first such line. Target: median
  <= 2 s (absolute, 2 cores).
- the job's wall time through the API vs bare ``strun`` on the same
  association. Target: ratio <= 1.10.
- a stpipe log line's own timestamp -> the line received on ``/events``.
  Target: p95 <= 250 ms.
- 4 jobs submitted at once with ``max_concurrent_jobs=2`` vs ``=1``, with the
  local executor and with the Dask executor (a LocalCluster of 2 workers vs
  1). Target: ratio <= 0.65.

Set ``JWST_LAB_BENCH_WORKSPACE`` to reuse a demo workspace; otherwise one is
built in a temporary folder. Prints one line per figure.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lab_server import LabServer, build_demo, wait_warm

from jwst_lab.demo.crds_context import SERVERLESS_URL, crds_environment

BIN = Path(sys.executable).parent
STEP_RUNNING = re.compile(r"Step \S+ running")
STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) - ")
STRUN_RUNS = 3
API_RUNS = 3
BATCH = 4


def demo_workspace(scratch: Path) -> Path:
    """The demo workspace to run on (built once unless ``JWST_LAB_BENCH_WORKSPACE`` is set)."""
    given = os.environ.get("JWST_LAB_BENCH_WORKSPACE")
    workspace = Path(given) if given else scratch / "demo-workspace"
    return build_demo(workspace)


def strun_once(workspace: Path, asn: str, output: Path) -> tuple[float, float]:
    """A cold ``strun calwebb_image3``: (seconds to the first step line, total seconds)."""
    output.mkdir(parents=True)
    started = time.perf_counter()
    first = None
    process = subprocess.Popen(
        [str(BIN / "strun"), "calwebb_image3", str(workspace / asn), f"--output_dir={output}"],
        cwd=workspace / Path(asn).parent,
        env=crds_environment(workspace / "crds_cache"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if first is None and STEP_RUNNING.search(line):
            first = time.perf_counter() - started
    code = process.wait()
    total = time.perf_counter() - started
    if code != 0 or first is None:
        raise RuntimeError(f"strun failed with exit status {code}")
    return first, total


def _epoch(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()


class EventWatcher:
    """Listens on ``/events``: when each job first logged a step, ended, and log line latencies."""

    def __init__(self) -> None:
        self.first_step: dict[str, float] = {}
        self.ended: dict[str, float] = {}
        self.status: dict[str, str] = {}
        self.latencies_ms: list[float] = []
        self._connection: Any = None
        self._task: asyncio.Task[None] | None = None

    async def connect(self, server: LabServer) -> None:
        from tornado.websocket import websocket_connect

        self._connection = await websocket_connect(server.websocket_request())
        await self._connection.read_message()  # hello
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        while True:
            message = await self._connection.read_message()
            if message is None:
                return
            received = time.time()
            event = json.loads(message)
            job_id = event.get("job_id")
            if event.get("type") == "job.log":
                for line in event["lines"]:
                    text = line["text"]
                    if job_id not in self.first_step and STEP_RUNNING.search(text):
                        self.first_step[job_id] = time.perf_counter()
                    stamp = STAMP.match(text)
                    if stamp:
                        self.latencies_ms.append((received - _epoch(stamp.group(1))) * 1000)
            elif event.get("type") == "job.updated":
                status = event["job"]["status"]
                self.status[job_id] = status
                if status not in ("queued", "running"):
                    self.ended.setdefault(job_id, time.perf_counter())

    async def wait_ended(self, job_ids: list[str], timeout: float = 900) -> None:
        """Until every job in ``job_ids`` ended."""
        deadline = time.monotonic() + timeout
        while not all(job_id in self.ended for job_id in job_ids):
            if time.monotonic() > deadline:
                raise RuntimeError("jobs did not end in time")
            await asyncio.sleep(0.05)
        failed = [j for j in job_ids if self.status[j] != "succeeded"]
        if failed:
            raise RuntimeError(f"jobs did not succeed: {failed}")

    def close(self) -> None:
        """Stop listening."""
        if self._connection is not None:
            self._connection.close()
        if self._task is not None:
            self._task.cancel()


def start_server(workspace: Path, state: Path, *options: str) -> LabServer:
    """A jupyter server on the demo workspace with the given ``--JwstLabApp`` options."""
    return LabServer(
        workspace,
        state,
        options=[
            f"--JwstLabApp.crds_path={workspace / 'crds_cache'}",
            f"--JwstLabApp.crds_server_url={SERVERLESS_URL}",
            *options,
        ],
        env={k: v for k, v in os.environ.items() if not k.startswith("CRDS_")},
        log=state / "server.log",
    )


async def submit(server: LabServer, asn: str) -> tuple[str, float]:
    """POST a job; (its id, when the request was sent)."""
    sent = time.perf_counter()
    body = {"pipeline": "calwebb_image3", "input": asn}
    job = await asyncio.to_thread(server.request, "POST", "/jwst-lab/jobs", body)
    return job["id"], sent


async def sequential_jobs(workspace: Path, state: Path, asn: str) -> dict[str, Any]:
    """API_RUNS jobs one after another on a warm server: start latency, wall, log latency."""
    with start_server(workspace, state, "--JwstLabApp.max_concurrent_jobs=1") as server:
        await asyncio.to_thread(wait_warm, state)
        watcher = EventWatcher()
        await watcher.connect(server)
        try:
            starts, walls = [], []
            for _ in range(API_RUNS):
                job_id, sent = await submit(server, asn)
                await watcher.wait_ended([job_id])
                starts.append(watcher.first_step[job_id] - sent)
                walls.append(watcher.ended[job_id] - sent)
        finally:
            watcher.close()
    return {"starts": starts, "walls": walls, "latencies_ms": watcher.latencies_ms}


async def batch_wall(workspace: Path, asn: str, state: Path, *options: str, warm: bool) -> float:
    """Seconds from submitting BATCH jobs at once until the last one ended."""
    with start_server(workspace, state, *options) as server:
        if warm:
            await asyncio.to_thread(wait_warm, state)
        watcher = EventWatcher()
        await watcher.connect(server)
        try:
            started = time.perf_counter()
            ids = [(await submit(server, asn))[0] for _ in range(BATCH)]
            await watcher.wait_ended(ids)
            return max(watcher.ended[j] for j in ids) - started
        finally:
            watcher.close()


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def run(scratch: Path) -> None:
    """Measure and print every figure."""
    workspace = demo_workspace(scratch)
    manifest = json.loads((workspace / "jwst_lab_demo.json").read_text())
    asn = manifest["associations"]["image3"][0]

    cold = [strun_once(workspace, asn, scratch / f"strun{i}") for i in range(STRUN_RUNS)]
    cold_first = statistics.median(first for first, _ in cold)
    strun_wall = statistics.median(total for _, total in cold)

    sequential = await sequential_jobs(workspace, scratch / "state-seq", asn)
    start = statistics.median(sequential["starts"])
    api_wall = statistics.median(sequential["walls"])
    print(
        f"submit -> first 'Step ... running' line: median {start:.2f} s with the warm runner "
        f"({API_RUNS} jobs); cold strun in this run: {cold_first:.2f} s (target <= 2 s)"
    )
    print(
        f"demo image3 wall time: jobs API {api_wall:.1f} s vs bare strun {strun_wall:.1f} s: "
        f"ratio {api_wall / strun_wall:.2f} (target <= 1.10)"
    )
    latencies = sequential["latencies_ms"]
    print(
        f"log line written -> received on /events: p50 {percentile(latencies, 0.5):.0f} ms, "
        f"p95 {percentile(latencies, 0.95):.0f} ms over {len(latencies)} lines "
        "(target p95 <= 250 ms)"
    )

    serial = await batch_wall(
        workspace, asn, scratch / "state-l1", "--JwstLabApp.max_concurrent_jobs=1", warm=True
    )
    parallel = await batch_wall(
        workspace, asn, scratch / "state-l2", "--JwstLabApp.max_concurrent_jobs=2", warm=True
    )
    print(
        f"{BATCH} image3 jobs, local executor: max_concurrent_jobs=2 {parallel:.1f} s vs =1 "
        f"{serial:.1f} s: ratio {parallel / serial:.2f} (target <= 0.65)"
    )
    dask = ("--JwstLabApp.executor_class=dask",)
    dask_serial = await batch_wall(
        workspace,
        asn,
        scratch / "state-d1",
        *dask,
        "--JwstLabApp.max_concurrent_jobs=1",
        warm=False,
    )
    dask_parallel = await batch_wall(
        workspace,
        asn,
        scratch / "state-d2",
        *dask,
        "--JwstLabApp.max_concurrent_jobs=2",
        warm=False,
    )
    print(
        f"{BATCH} image3 jobs, Dask LocalCluster: 2 workers {dask_parallel:.1f} s vs 1 worker "
        f"{dask_serial:.1f} s: ratio {dask_parallel / dask_serial:.2f}; vs local "
        f"max_concurrent_jobs=1: {dask_parallel / serial:.2f} (target <= 0.65)"
    )


def main() -> int:
    """Run in a scratch folder that is removed afterwards."""
    scratch = Path(tempfile.mkdtemp(prefix="jwst-lab-bench-jobs-"))
    try:
        asyncio.run(run(scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
