"""What ``jwst-lab demo`` costs: generation wall time, disk size, reuse check.

Builds a fresh workspace in a temporary folder with the real command
(``jwst-lab demo --no-launch``), then runs it again to time the reuse check.
Targets (absolute, 2 cores): generation < 90 s, workspace < 400 MB on disk.
Then the benchmark size of a run, ``--exposures 16``: generation < 120 s,
workspace < 800 MB. Prints one line per figure.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

JWST_LAB = Path(sys.executable).parent / "jwst-lab"
GENERATION_TARGET_S = 90.0
SIZE_TARGET_MB = 400.0
BIG_EXPOSURES = 16
BIG_GENERATION_TARGET_S = 120.0
BIG_SIZE_TARGET_MB = 800.0


def _run(workspace: Path, *options: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(JWST_LAB), "demo", "--no-launch", "--workspace", str(workspace), *options],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def _sizes(workspace: Path) -> tuple[float, float, int]:
    files = [p for p in workspace.rglob("*") if p.is_file()]
    apparent = sum(p.stat().st_size for p in files)
    allocated = sum(p.stat().st_blocks * 512 for p in files)
    return apparent / 2**20, allocated / 2**20, len(files)


def main() -> int:
    """Build, measure, reuse, measure; print the figures with their targets."""
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        workspace = Path(tmp) / "demo-workspace"
        generation = _run(workspace)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        apparent, allocated, count = _sizes(workspace)
        reuse = _run(workspace)
        big = Path(tmp) / "demo-workspace-16"
        big_generation = _run(big, "--exposures", str(BIG_EXPOSURES))
        big_apparent, big_allocated, big_count = _sizes(big)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    verdict = "ok" if generation < GENERATION_TARGET_S else "OVER TARGET"
    print(
        f"demo generation: {generation:.1f} s wall for a fresh workspace on {cores} cores, "
        f"peak RSS {peak_mb:.0f} MB (target < {GENERATION_TARGET_S:.0f} s: {verdict})"
    )
    verdict = "ok" if allocated < SIZE_TARGET_MB else "OVER TARGET"
    print(
        f"demo workspace size: {allocated:.1f} MB on disk ({apparent:.1f} MB in {count} files) "
        f"(target < {SIZE_TARGET_MB:.0f} MB: {verdict})"
    )
    print(f"demo reuse check: {reuse:.2f} s wall to verify and reuse a complete workspace")
    verdict = (
        "ok"
        if big_generation < BIG_GENERATION_TARGET_S and big_allocated < BIG_SIZE_TARGET_MB
        else "OVER TARGET"
    )
    print(
        f"demo --exposures {BIG_EXPOSURES}: {big_generation:.1f} s wall, {big_allocated:.1f} MB "
        f"on disk ({big_apparent:.1f} MB in {big_count} files) (target < "
        f"{BIG_GENERATION_TARGET_S:.0f} s and < {BIG_SIZE_TARGET_MB:.0f} MB: {verdict})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
