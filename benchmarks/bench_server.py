"""What jwst-lab costs the Jupyter server: start-up time, memory, ``/info`` latency.

Baseline measured in the same run: the same ``jupyter server`` without jwst-lab.
Targets (absolute, 2 cores): the extension adds <= 30 MB RSS and <= 1.0 s to
start-up; ``GET /info`` p95 <= 20 ms on loopback. Prints one line per figure.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lab_server import LabServer

RUNS = 3
REQUESTS = 200


def measure(with_extension: bool) -> dict[str, float]:
    """Median start-up time and RSS over RUNS servers, and /info latency on the last."""
    startups, rss = [], []
    latencies: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(RUNS):
            with LabServer(Path(tmp), Path(tmp) / "state", extension=with_extension) as server:
                startups.append(server.startup_seconds)
                rss.append(psutil.Process(server.process.pid).memory_info().rss / 2**20)
                if with_extension:
                    server.request("GET", "/jwst-lab/info")
                    latencies = []
                    for _ in range(REQUESTS):
                        t0 = time.perf_counter()
                        server.request("GET", "/jwst-lab/info")
                        latencies.append((time.perf_counter() - t0) * 1000)
    result = {"startup_s": statistics.median(startups), "rss_mb": statistics.median(rss)}
    if latencies:
        latencies.sort()
        result["info_p50_ms"] = latencies[len(latencies) // 2]
        result["info_p95_ms"] = latencies[int(len(latencies) * 0.95)]
    return result


def main() -> int:
    """Print the figures with their baseline and targets."""
    baseline = measure(with_extension=False)
    lab = measure(with_extension=True)
    rss_delta = lab["rss_mb"] - baseline["rss_mb"]
    startup_delta = lab["startup_s"] - baseline["startup_s"]
    print(
        f"server start-up: {lab['startup_s']:.2f} s with jwst-lab, "
        f"{baseline['startup_s']:.2f} s without (+{startup_delta:.2f} s; target <= +1.00 s)"
    )
    print(
        f"server RSS after start: {lab['rss_mb']:.1f} MB with jwst-lab, "
        f"{baseline['rss_mb']:.1f} MB without (+{rss_delta:.1f} MB; target <= +30 MB)"
    )
    print(
        f"GET /jwst-lab/info over loopback: p50 {lab['info_p50_ms']:.2f} ms, "
        f"p95 {lab['info_p95_ms']:.2f} ms ({REQUESTS} requests; target p95 <= 20 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
