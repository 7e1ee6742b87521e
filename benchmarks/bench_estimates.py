"""Memory estimates against measured peaks, for each demo pipeline.

Runs the real ``calwebb_detector1`` (one uncal), ``calwebb_image2`` (one
rate) and ``calwebb_image3`` (the Level 3 association of 4 cal files) on the
demo workspace through a real ``jupyter server`` with jwst-lab (jobs forked
from the warm runner, one at a time), twice each:

- first pass: the physical model's estimate (a fresh server, nothing
  measured yet) against the job's measured ``resources.peak_rss_bytes``.
- second pass: the estimate calibrated by the first pass's peak against the
  second job's measured peak.

Target: every estimate within +-30 % of its measured peak. Set
``JWST_LAB_BENCH_WORKSPACE`` to reuse a demo workspace. Prints one line per
figure and exits 1 when a target is missed.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lab_server import LabServer, build_demo, wait_warm

from jwst_lab.demo.crds_context import SERVERLESS_URL

TOLERANCE = 0.30
MB = 1_000_000


def demo_workspace(scratch: Path) -> Path:
    """The demo workspace to run on (built once unless ``JWST_LAB_BENCH_WORKSPACE`` is set)."""
    given = os.environ.get("JWST_LAB_BENCH_WORKSPACE")
    workspace = Path(given) if given else scratch / "demo-workspace"
    if not (workspace / "jwst_lab_demo.json").is_file():
        build_demo(workspace)
    return workspace


def run_job(server: LabServer, pipeline: str, source: str) -> dict[str, Any]:
    """Run one job to its end; its final record."""
    job = server.request("POST", "/jwst-lab/jobs", {"pipeline": pipeline, "input": source})
    ended = server.wait_job(job["id"])
    if ended["status"] != "succeeded":
        raise RuntimeError(f"{pipeline} on {source} ended {ended['status']}: {ended['error']}")
    return ended


def main() -> int:
    """Two passes over the three demo pipelines; one line per job; 1 if a target is missed."""
    scratch = Path(tempfile.mkdtemp(prefix="jwst-lab-bench-estimates-"))
    missed = 0
    try:
        workspace = demo_workspace(scratch)
        manifest = json.loads((workspace / "jwst_lab_demo.json").read_text())
        jobs = [
            ("calwebb_detector1", manifest["files"]["uncal"][0]),
            ("calwebb_image2", manifest["files"]["rate"][0]),
            ("calwebb_image3", manifest["associations"]["image3"][0]),
        ]
        state = scratch / "state"
        with LabServer(
            workspace,
            state,
            options=[
                f"--JwstLabApp.crds_path={workspace / 'crds_cache'}",
                f"--JwstLabApp.crds_server_url={SERVERLESS_URL}",
                "--JwstLabApp.max_concurrent_jobs=1",
            ],
            env={k: v for k, v in os.environ.items() if not k.startswith("CRDS_")},
            log=state / "server.log",
        ) as server:
            wait_warm(state)
            for label in ("physical model", "calibrated"):
                for pipeline, source in jobs:
                    record = run_job(server, pipeline, source)
                    estimate = record["memory_estimate_bytes"]
                    peak = record["resources"]["peak_rss_bytes"]
                    error = estimate / peak - 1
                    ok = abs(error) <= TOLERANCE
                    missed += not ok
                    print(
                        f"{pipeline:<18} {label:<15} estimate {estimate / MB:7.0f} MB, "
                        f"measured peak {peak / MB:7.0f} MB: {error:+6.1%} "
                        f"(target +-{TOLERANCE:.0%}) {'ok' if ok else 'MISSED'}; "
                        f"cpu {record['resources']['cpu_seconds']:.1f} s, "
                        f"wall {record['resources']['wall_seconds']:.1f} s, "
                        f"written {record['resources']['bytes_written'] / MB:.1f} MB"
                    )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
