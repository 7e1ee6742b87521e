"""What jwst-lab costs the Jupyter server: start-up time, memory, ``/info`` latency.

Baseline measured in the same run: the same ``jupyter server`` without jwst-lab.
Targets (absolute, 2 cores): the extension adds <= 30 MB RSS and <= 1.0 s to
start-up; ``GET /info`` p95 <= 20 ms on loopback. Prints one line per figure.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

TOKEN = "bench-token"  # noqa: S105 - a throwaway token for a loopback server
RUNS = 3
REQUESTS = 200


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        return bytes(response.read())


def _start(with_extension: bool, workdir: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    port = _free_port()
    extensions = {"jwst_lab": with_extension}
    argv = [
        sys.executable,
        "-m",
        "jupyter_server",
        f"--ServerApp.port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={workdir}",
        f"--IdentityProvider.token={TOKEN}",
        "--ServerApp.open_browser=False",
        "--ServerApp.allow_root=True",
        f"--ServerApp.jpserver_extensions={extensions!r}",
    ]
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(workdir / "config")}
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = started + 60
    while time.perf_counter() < deadline:
        try:
            _get(base + "/api/status")
            return process, base, time.perf_counter() - started
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("server did not start within 60 s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def measure(with_extension: bool) -> dict[str, float]:
    """Median start-up time and RSS over RUNS servers, and /info latency on the last."""
    startups, rss = [], []
    latencies: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(RUNS):
            process, base, startup = _start(with_extension, Path(tmp))
            try:
                startups.append(startup)
                rss.append(psutil.Process(process.pid).memory_info().rss / 2**20)
                if with_extension:
                    _get(base + "/jwst-lab/info")
                    latencies = []
                    for _ in range(REQUESTS):
                        t0 = time.perf_counter()
                        _get(base + "/jwst-lab/info")
                        latencies.append((time.perf_counter() - t0) * 1000)
            finally:
                _stop(process)
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
