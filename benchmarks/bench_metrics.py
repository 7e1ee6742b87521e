"""What jwst-lab's Prometheus metrics cost: ``/metrics`` scrape time, and per job and request.

- ``GET /metrics`` on a real ``jupyter server`` over loopback whose job store
  holds 10 000 job records (pipeline, download and CRDS fetch jobs in every
  final status, 12 pipelines), beside the same server with an empty store
  and the server without jwst-lab (baselines, same run). The jobs gauge is
  kept in memory, so the 10 000 records should cost nothing per scrape.
  The three servers are scraped in turn, so they share the machine's load.
  Target: p50 and p95 <= 2 ms more than without jwst-lab (the absolute time
  is Jupyter's and the machine's; the load average is printed beside it).
- the counts read once at start-up (one ``GROUP BY`` over the 10 000 rows).
- per job: the metrics work of one job's life (created, running, succeeded:
  three transitions, its wall time, peak memory and cost), in process;
  per MAST and CRDS request: the timing context. Target: <= 1 ms per job
  (0.1 % of a one-second job); the collector's own share of a scrape <= 1 ms.

Prints one line per figure.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lab_server import TOKEN, LabServer

from jwst_lab import metrics
from jwst_lab.jobs.kinds import KINDS
from jwst_lab.jobs.store import JobStore
from tests.jobs_helpers import job_record

RECORDS = 10_000
SCRAPES = 300
JOB_LIVES = 20_000
PIPELINES = [f"calwebb_{name}" for name in ("detector1", "image2", "image3", "spec2", "spec3")]
PIPELINES += ["calwebb_coron3", "calwebb_ami3", "calwebb_tso3", "calwebb_wfs-image3"]
PIPELINES += ["calwebb_dark", "calwebb_guider", "calwebb_lvl2"]
STATUSES = ("succeeded", "failed", "cancelled", "interrupted")


def seed_store(db: Path, root: Path, count: int) -> float:
    """``count`` ended job records of ``root`` in ``db``; the seconds to read the counts."""
    store = JobStore(db, root=root, kinds=KINDS)
    kinds = ("pipeline", "pipeline", "download", "crds_fetch")
    for index in range(count):
        kind = kinds[index % len(kinds)]
        store.insert(
            job_record(
                f"bench{index:07d}",
                kind=kind,
                status=STATUSES[index % len(STATUSES)],
                pipeline=PIPELINES[index % len(PIPELINES)] if kind == "pipeline" else None,
                created=f"2026-01-01T00:{index // 6000 % 60:02d}:{index // 100 % 60:02d}.000Z",
                started="2026-01-01T00:00:00.000Z",
                finished="2026-01-01T00:01:00.000Z",
            )
        )
    started = time.perf_counter()
    counted = store.counts()
    seconds = time.perf_counter() - started
    assert sum(n for _, _, n in counted) == count, counted
    store.close()
    return seconds


def scrape(server: LabServer) -> tuple[float, int]:
    """One ``GET /metrics``: (milliseconds, bytes)."""
    request = urllib.request.Request(  # noqa: S310 - loopback
        server.base + "/metrics", headers={"Authorization": f"token {TOKEN}"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body = response.read()
    return (time.perf_counter() - started) * 1000, len(body)


def scrapes(servers: dict[str, LabServer]) -> dict[str, dict[str, float]]:
    """p50 and p95 of SCRAPES scrapes of each server, taken in turn (same load), and sizes."""
    for server in servers.values():
        for _ in range(20):  # warm up: the first scrapes create the request-duration children
            scrape(server)
    times: dict[str, list[float]] = {name: [] for name in servers}
    sizes: dict[str, int] = {}
    for _ in range(SCRAPES):
        for name, server in servers.items():
            elapsed, sizes[name] = scrape(server)
            times[name].append(elapsed)
    figures = {}
    for name, measured in times.items():
        measured.sort()
        figures[name] = {
            "p50": statistics.median(measured),
            "p95": measured[int(len(measured) * 0.95)],
            "kb": sizes[name] / 1024,
        }
    return figures


def collect_microseconds(db: Path, root: Path) -> float:
    """jwst-lab's own share of a scrape: its collector with the 10 000 records' counts."""
    book = metrics.JobBook(lambda: metrics.JobState(3, 2**30, 16 * 2**30))
    store = JobStore(db, root=root, kinds=KINDS)
    book.load(store.counts())
    store.close()
    metrics.watch(book)
    try:
        count = 2000
        started = time.perf_counter()
        for _ in range(count):
            for family in metrics._COLLECTOR.collect():
                len(family.samples)
        return (time.perf_counter() - started) / count * 1e6
    finally:
        metrics.unwatch(book)


class _Resources:
    peak_rss_bytes = 600 * 2**20
    cpu_seconds = 12.5
    wall_seconds = 20.0


class _Record:
    kind = "pipeline"
    pipeline = "calwebb_image3"
    memory_estimate_bytes = 800 * 2**20
    started = "2026-01-01T00:00:00.000Z"
    finished = "2026-01-01T00:00:20.000Z"

    def __init__(self, status: str, resources: Any = None) -> None:
        self.status = status
        self.resources = resources


def per_job_microseconds() -> float:
    """The metrics work of one job's whole life, in process (median of 5 rounds)."""
    book = metrics.JobBook(lambda: metrics.JobState(0, 0, 0))
    queued, running = _Record("queued"), _Record("running")
    succeeded = _Record("succeeded", _Resources())
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(JOB_LIVES):
            book.moved(None, queued)
            book.moved("queued", running)
            book.moved("running", succeeded)
        rounds.append((time.perf_counter() - started) / JOB_LIVES * 1e6)
    return statistics.median(rounds)


def per_request_microseconds() -> tuple[float, float]:
    """The MAST and CRDS timing contexts around an empty request, in process."""
    count = 50_000
    started = time.perf_counter()
    for _ in range(count):
        with metrics.mast_request("search", "mast"):
            pass
    mast = (time.perf_counter() - started) / count * 1e6
    started = time.perf_counter()
    for _ in range(count):
        with metrics.crds_request("tree"):
            pass
    crds = (time.perf_counter() - started) / count * 1e6
    return mast, crds


def main() -> int:
    """Print the figures with their baselines and targets."""
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        root = scratch / "root"
        root.mkdir()
        full_state = scratch / "full"
        full_state.mkdir()
        count_seconds = seed_store(full_state / "jobs.sqlite", root, RECORDS)
        collect = collect_microseconds(full_state / "jobs.sqlite", root)
        with (
            LabServer(root, full_state) as full_server,
            LabServer(root, scratch / "empty") as empty_server,
            LabServer(root, scratch / "bare", extension=False) as bare_server,
        ):
            figures = scrapes({"full": full_server, "empty": empty_server, "bare": bare_server})
    full, empty, bare = figures["full"], figures["empty"], figures["bare"]
    print(
        f"GET /metrics with {RECORDS} job records: p50 {full['p50']:.2f} ms, "
        f"p95 {full['p95']:.2f} ms, {full['kb']:.1f} KB; with an empty store "
        f"p50 {empty['p50']:.2f} ms, p95 {empty['p95']:.2f} ms; without jwst-lab "
        f"p50 {bare['p50']:.2f} ms, p95 {bare['p95']:.2f} ms, {bare['kb']:.1f} KB "
        f"({SCRAPES} scrapes of each, in turn, load average {os.getloadavg()[0]:.1f}; "
        "target p50 and p95 <= +2 ms over the bare server)"
    )
    print(
        f"jwst-lab's collector per scrape with {RECORDS} records' counts: {collect:.0f} µs "
        "(in process; target <= 1000 µs)"
    )
    print(f"job counts read at start-up from {RECORDS} records: {count_seconds * 1000:.2f} ms")
    print(
        f"metrics work per job (3 transitions, wall, peak, cost): {per_job_microseconds():.1f} µs "
        f"(target <= 1000 µs: 0.1 % of a one-second job)"
    )
    mast, crds = per_request_microseconds()
    print(f"metrics work per request: MAST {mast:.1f} µs, CRDS worker {crds:.1f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
