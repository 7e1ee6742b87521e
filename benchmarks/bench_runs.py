"""Runs: a 16-exposure program reduced from ``uncal/`` to Level 3 through ``POST /runs``.

A demo workspace of 16 exposures (``jwst-lab demo --exposures 16``) is reduced
by a real ``jupyter server`` with jwst-lab on loopback: detector1 x 16, image2
x 16, image3 x 1, the real pipeline in the warm runner. Each measurement runs on
its own hard-linked copy of the workspace, so no run can reuse another's
outputs. Figures, all from the same invocation:

- the run's wall time with ``max_concurrent_jobs=2`` vs ``=1``. Target: ratio
  <= 0.60.
- scheduling overhead per child job: from the job records' timestamps, the
  time from the moment a job could start (its last dependency finished and a
  slot was free) to its ``started``. Target: <= 50 ms (median and p95 shown).
- each pipeline's ``memory_estimate_bytes`` against the ``peak_rss_bytes`` its
  jobs measured. Target: within +-30 %.
- the image3 catalog against the demo's truth catalog. Target: >= 90 % of the
  stars above the completeness limit within 0.05".

Set ``JWST_LAB_BENCH_RUNS_WORKSPACE`` to reuse a 16-exposure workspace (it is
built there when missing); otherwise one is built in a temporary folder.
``JWST_LAB_BENCH_RUNS_EXPOSURES`` changes the program size (the targets are
for 16); ``JWST_LAB_BENCH_RUNS_SAVE=FILE`` keeps the run and job records as JSON. A run
of 16 exposures takes minutes: this is for ``make bench``, not for tests.
Prints one line per figure.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.error
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lab_server import LabServer, build_demo, wait_warm

from jwst_lab.demo.crds_context import SERVERLESS_URL
from jwst_lab.demo.truth import match_catalog, truth_catalog_for

#: The benchmark size; ``JWST_LAB_BENCH_RUNS_EXPOSURES`` overrides it for a quick look.
EXPOSURES = int(os.environ.get("JWST_LAB_BENCH_RUNS_EXPOSURES", "16"))
RATIO_TARGET = 0.60
OVERHEAD_TARGET_MS = 50.0
MEMORY_TOLERANCE = 0.30
RECOVERY_TARGET = 0.90
RUN_TIMEOUT_S = 3600.0
ENDED = {"succeeded", "failed", "cancelled"}


class RunsUnavailable(RuntimeError):
    """The server has no ``/jwst-lab/runs`` route (the runs engine is not installed)."""


def demo_workspace(scratch: Path) -> Path:
    """The 16-exposure demo workspace (built unless a current one is there)."""
    given = os.environ.get("JWST_LAB_BENCH_RUNS_WORKSPACE")
    workspace = Path(given) if given else scratch / f"demo-workspace-{EXPOSURES}"
    return build_demo(workspace, "--exposures", str(EXPOSURES))


def linked_copy(workspace: Path, target: Path) -> Path:
    """A copy of ``workspace`` whose files are hard links (runs only add files)."""
    shutil.copytree(workspace, target, copy_function=os.link, symlinks=True)
    return target


def epoch(stamp: str | None) -> float | None:
    """Seconds since the epoch of a record's ISO timestamp (``...Z``, milliseconds)."""
    if not stamp:
        return None
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def start_server(root: Path, state: Path, slots: int) -> LabServer:
    """A jupyter server on ``root`` running ``slots`` jobs at once."""
    return LabServer(
        root,
        state,
        options=[
            f"--JwstLabApp.crds_path={root / 'crds_cache'}",
            f"--JwstLabApp.crds_server_url={SERVERLESS_URL}",
            f"--JwstLabApp.max_concurrent_jobs={slots}",
        ],
        env={k: v for k, v in os.environ.items() if not k.startswith("CRDS_")},
        log=state / "server.log",
    )


def post_run(server: LabServer, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /jwst-lab/runs``; :class:`RunsUnavailable` when the route does not exist."""
    try:
        answer: dict[str, Any] = server.request("POST", "/jwst-lab/runs", body)
    except urllib.error.HTTPError as error:
        if error.code in (404, 405):
            raise RunsUnavailable("this server has no POST /jwst-lab/runs route") from error
        detail = error.read().decode(errors="replace")[:2000]
        raise RuntimeError(f"POST /jwst-lab/runs answered {error.code}: {detail}") from error
    return answer


def wait_run(server: LabServer, run_id: str, timeout: float = RUN_TIMEOUT_S) -> dict[str, Any]:
    """Poll ``GET /runs/{id}`` until the run ends; its record."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run: dict[str, Any] = server.request("GET", f"/jwst-lab/runs/{run_id}")
        if run["status"] in ENDED:
            return run
        time.sleep(0.5)
    raise RuntimeError(f"run {run_id} did not end within {timeout:.0f} s")


def reduce_program(workspace: Path, scratch: Path, slots: int) -> dict[str, Any]:
    """Reduce ``uncal/`` to Level 3 on a fresh copy; the run, its jobs and wall times."""
    root = linked_copy(workspace, scratch / f"root-{slots}")
    state = scratch / f"state-{slots}"
    with start_server(root, state, slots) as server:
        wait_warm(state)
        plan = post_run(server, {"inputs": ["uncal"], "target_level": 3, "dry_run": True})
        sent = time.perf_counter()
        run = post_run(server, {"inputs": ["uncal"], "target_level": 3})
        run = wait_run(server, run["id"])
        client_wall = time.perf_counter() - sent
        jobs = [server.request("GET", f"/jwst-lab/jobs/{job['id']}") for job in run["jobs"]]
    if run["status"] != "succeeded":
        failed = [
            f"{j['id']} {j['pipeline']}: {j.get('error')}"
            for j in jobs
            if j["status"] != "succeeded"
        ]
        raise RuntimeError(f"run {run['id']} ended {run['status']}: {run.get('error')}; {failed}")
    created, finished = epoch(run["created"]), epoch(run["finished"])
    if created is None or finished is None:
        raise RuntimeError(f"run {run['id']} has no created/finished timestamps")
    return {
        "root": root,
        "plan": plan,
        "run": run,
        "jobs": jobs,
        "wall": finished - created,
        "client_wall": client_wall,
        "slots": slots,
    }


def scheduling_overheads(jobs: list[dict[str, Any]]) -> tuple[list[float], list[float]]:
    """Per started child: its ``started`` minus the event that let it start, in seconds.

    The scheduler starts a job when something changes: the run was created, a
    job it depends on finished, or another job finished and freed a slot (or
    memory). The event that let a job start is the latest of those at or before
    its ``started``. Returns (every started job, the jobs a dependency's finish
    let start), the second being the figure the issue names.
    """
    finished = {job["id"]: epoch(job["finished"]) for job in jobs if job.get("finished")}
    every: list[float] = []
    by_dependency: list[float] = []
    for job in jobs:
        started = epoch(job.get("started"))
        if started is None or job.get("reused"):
            continue
        created = epoch(job["created"]) or started
        events = [created, *(t for i, t in finished.items() if i != job["id"] and t is not None)]
        trigger = max((t for t in events if t <= started), default=created)
        every.append(started - trigger)
        dependencies = [t for t in (finished.get(d) for d in job["depends_on"]) if t is not None]
        if (
            dependencies
            and len(dependencies) == len(job["depends_on"])
            and max(dependencies) == trigger
        ):
            by_dependency.append(started - trigger)
    return every, by_dependency


def memory_by_pipeline(jobs: list[dict[str, Any]]) -> dict[str, list[tuple[int, int]]]:
    """Pipeline -> [(memory_estimate_bytes, peak_rss_bytes)] of the jobs that report both."""
    pairs: dict[str, list[tuple[int, int]]] = {}
    for job in jobs:
        estimate = job.get("memory_estimate_bytes")
        peak = (job.get("resources") or {}).get("peak_rss_bytes")
        if estimate and peak:
            pairs.setdefault(job["pipeline"], []).append((int(estimate), int(peak)))
    return pairs


def job_time(jobs: list[dict[str, Any]]) -> tuple[float, float]:
    """(Sum of the jobs' wall seconds, sum of their measured CPU seconds)."""
    wall = sum(
        (epoch(job["finished"]) or 0.0) - (epoch(job["started"]) or 0.0)
        for job in jobs
        if job.get("started") and job.get("finished")
    )
    cpu = sum(float((job.get("resources") or {}).get("cpu_seconds") or 0.0) for job in jobs)
    return wall, cpu


def best_parallel_wall(serial: dict[str, Any], slots: int) -> tuple[float, float]:
    """(The shortest wall ``slots`` could reach with the serial run's job times, the tail).

    Jobs of the levels before the last split over ``slots`` at best; the last
    level's jobs (image3: one job that waits for every other) run after them.
    The serial run's time outside its jobs (planning, starts) is kept as it is.
    """
    walls = {
        job["id"]: (epoch(job["finished"]) or 0.0) - (epoch(job["started"]) or 0.0)
        for job in serial["jobs"]
        if job.get("started") and job.get("finished")
    }
    last = max(job["level"] for job in serial["run"]["jobs"])
    tail = sum(walls.get(job["id"], 0.0) for job in serial["run"]["jobs"] if job["level"] == last)
    spread = sum(walls.values()) - tail
    outside = serial["wall"] - sum(walls.values())
    return outside + spread / slots + tail, tail


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def report(serial: dict[str, Any], parallel: dict[str, Any], workspace: Path) -> None:
    """Print every figure with its context and target."""
    counts = {stage["pipeline"]: stage["jobs"] for stage in parallel["plan"]["stages"]}
    shape = ", ".join(f"{pipeline} x {n}" for pipeline, n in counts.items())
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    manifest = json.loads((workspace / "jwst_lab_demo.json").read_text())
    print(
        f"runs: {manifest.get('n_exposures', 4)}-exposure demo program, uncal -> Level 3: "
        f"{shape}; {cores} cores"
    )
    ratio = parallel["wall"] / serial["wall"]
    verdict = "ok" if ratio <= RATIO_TARGET else "OVER TARGET"
    print(
        f"run wall time: max_concurrent_jobs=2 {parallel['wall']:.1f} s vs =1 "
        f"{serial['wall']:.1f} s (run created -> finished; client saw "
        f"{parallel['client_wall']:.1f} / {serial['client_wall']:.1f} s): ratio {ratio:.2f} "
        f"(target <= {RATIO_TARGET:.2f}: {verdict})"
    )
    best, tail = best_parallel_wall(serial, parallel["slots"])
    busy = [job_time(result["jobs"]) for result in (serial, parallel)]
    print(
        f"  context: jobs' wall / CPU seconds: =1 {busy[0][0]:.0f} / {busy[0][1]:.0f} s, =2 "
        f"{busy[1][0]:.0f} / {busy[1][1]:.0f} s; the last stage runs alone ({tail:.1f} s in =1), "
        f"so with =1's job times 2 slots need >= {best:.1f} s (ratio {best / serial['wall']:.2f}); "
        f"a lower ratio means the machine's load changed between the runs (load average "
        f"{os.getloadavg()[0]:.1f} on {cores} cores at the end)"
    )
    for result in (serial, parallel):
        every, after_dependency = scheduling_overheads(result["jobs"])
        if not every:
            print(f"scheduling overhead, {result['slots']} slot(s): no started jobs to measure")
            continue
        figures = []
        for label, samples in (("after a dependency", after_dependency), ("any child", every)):
            if samples:
                ms = [1000 * v for v in samples]
                figures.append(
                    f"{label}: median {statistics.median(ms):.0f} ms, p95 "
                    f"{percentile(ms, 0.95):.0f} ms, max {max(ms):.0f} ms over {len(ms)} jobs"
                )
        headline = statistics.median(after_dependency or every) * 1000
        verdict = "ok" if headline <= OVERHEAD_TARGET_MS else "OVER TARGET"
        print(
            f"scheduling overhead per child, max_concurrent_jobs={result['slots']} (event that "
            f"let it start -> job started): {'; '.join(figures)} "
            f"(target <= {OVERHEAD_TARGET_MS:.0f} ms: {verdict})"
        )
    pairs = memory_by_pipeline(serial["jobs"] + parallel["jobs"])
    if not pairs:
        print("memory estimate vs peak: no job reported both (estimates or resources missing)")
    for pipeline, values in sorted(pairs.items()):
        errors = [estimate / peak - 1.0 for estimate, peak in values]
        worst = max(errors, key=abs)
        estimate = statistics.median(e for e, _ in values) / 2**20
        peak = statistics.median(p for _, p in values) / 2**20
        verdict = "ok" if abs(worst) <= MEMORY_TOLERANCE else "OUTSIDE TARGET"
        print(
            f"memory {pipeline}: estimate median {estimate:.0f} MB vs measured peak RSS median "
            f"{peak:.0f} MB over {len(values)} jobs: median error "
            f"{100 * statistics.median(errors):+.0f} %, worst {100 * worst:+.0f} % "
            f"(target within +-{100 * MEMORY_TOLERANCE:.0f} %: {verdict})"
        )
    for result in (serial, parallel):
        catalogs = sorted((result["root"] / result["run"]["output_dir"]).glob("stage3/*_cat.ecsv"))
        if not catalogs:
            print(f"truth recovery, {result['slots']} slot(s): the run wrote no image3 catalog")
            continue
        for catalog in catalogs:
            match = match_catalog(catalog, truth_catalog_for(workspace, catalog))
            verdict = "ok" if match.passes(RECOVERY_TARGET) else "UNDER TARGET"
            print(
                f"truth recovery, {catalog.name} (max_concurrent_jobs={result['slots']}): "
                f"{match.summary()} (target >= {100 * RECOVERY_TARGET:.0f} %: {verdict})"
            )


def main() -> int:
    """Build or reuse the workspace, reduce it with 1 then 2 slots, print the figures."""
    scratch = Path(tempfile.mkdtemp(prefix="jwst-lab-bench-runs-"))
    try:
        workspace = demo_workspace(scratch)
        serial = reduce_program(workspace, scratch, slots=1)
        parallel = reduce_program(workspace, scratch, slots=2)
        report(serial, parallel, workspace)
        saved = os.environ.get("JWST_LAB_BENCH_RUNS_SAVE")
        if saved:
            records = {
                str(r["slots"]): {"run": r["run"], "jobs": r["jobs"], "plan": r["plan"]}
                for r in (serial, parallel)
            }
            Path(saved).write_text(json.dumps(records, indent=1))
    except RunsUnavailable as error:
        print(f"runs benchmark not run: {error}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
