"""Download throughput: jwst-lab's download runner vs astroquery, from a throttled loopback server.

16 files x 32 MB served by ``tests/download_server.py`` in its own process,
every connection capped at 20 MB/s and every request delayed by 50 ms (a
stand-in for a distant archive). Measured in the same run, on the same files:

* jwst-lab: the download job's runner process (``python -m
  jwst_lab.jobs.download_runner``, ``max_parallel_downloads`` connections),
  wall time from process start to exit, files verified byte for byte;
* astroquery: ``Observations.download_products`` on the same product table,
  its download URL pointed at the loopback server (serial, one connection);
* the aggregate cap: 20 MB/s x ``max_parallel_downloads``.

Targets: jwst-lab >= 4x astroquery's throughput and >= 80 % of the cap.
``--files``, ``--size-mb``, ``--parallel`` change the workload.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from download_bench import (
    OBS_ID,
    download_with_astroquery,
    make_files,
    product_uri,
    verify,
    workload_parser,
)

REPO = Path(__file__).resolve().parents[1]
RATE = 20e6
LATENCY = 0.05


def start_server(folder: Path) -> tuple[subprocess.Popen[str], str]:
    """The throttled loopback server in its own process; its base URL."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.download_server",
            str(folder),
            "--rate",
            str(RATE),
            "--latency",
            str(LATENCY),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("PORT "):
        process.kill()
        raise SystemExit(f"the download server did not start: {line!r}")
    return process, f"http://127.0.0.1:{int(line.split()[1])}"


def run_jwst_lab(
    files: list[Path], base: str, dest: Path, parallel: int, state: Path
) -> tuple[float, float]:
    """Seconds the download runner process takes for every file (wall, and its own
    transfer time without the interpreter start-up)."""
    from jwst_lab.core.downloads import mast_download_url

    entries = []
    for path in files:
        uri = product_uri(path)
        entries.append(
            {
                "uri": uri,
                "url": mast_download_url(base, uri),
                "dest": str(dest / "JWST" / OBS_ID / path.name),
                "size": path.stat().st_size,
                "checksum": None,
            }
        )
    state.mkdir(parents=True)
    spec = {
        "job_id": "bench",
        "job_dir": str(state),
        "root": str(dest),
        "dest": str(dest),
        "parallel": parallel,
        "token_host": None,
        "result_file": str(state / "result.json"),
        "files": entries,
    }
    spec_path = state / "download.json"
    spec_path.write_text(json.dumps(spec))
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "jwst_lab.jobs.download_runner", str(spec_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"jwst-lab download failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    match = re.search(r"^done: .* in ([0-9.]+) s", done.stdout, re.MULTILINE)
    return seconds, float(match.group(1)) if match else seconds


def run_astroquery(files: list[Path], base: str, dest: Path) -> float:
    """Seconds ``Observations.download_products`` takes for the same files."""
    from astroquery.mast import Observations

    Observations._portal_api_connection.MAST_DOWNLOAD_URL = f"{base}/api/v0.1/Download/file"
    return download_with_astroquery(files, dest)


def main(argv: list[str] | None = None) -> int:
    """Run both downloads and print the figures with their ratios."""
    args = workload_parser(__doc__.splitlines()[0]).parse_args(argv)
    total = args.files * args.size_mb * (1 << 20)
    with tempfile.TemporaryDirectory(prefix="bench_downloads_") as tmp:
        work = Path(tmp)
        files = make_files(work / "served", args.files, args.size_mb << 20)
        server, base = start_server(work / "served")
        try:
            lab_s, transfer_s = run_jwst_lab(
                files, base, work / "lab", args.parallel, work / "state"
            )
            verify(files, work / "lab" / "JWST" / OBS_ID)
            astro_s = run_astroquery(files, base, work / "astroquery")
            verify(files, work / "astroquery" / "mastDownload" / "JWST" / OBS_ID)
        finally:
            server.terminate()
            server.wait(timeout=10)
    lab_rate = total / lab_s / 1e6
    astro_rate = total / astro_s / 1e6
    cap = RATE * args.parallel / 1e6
    print(
        f"download {args.files} x {args.size_mb} MB (20 MB/s per connection, 50 ms per request): "
        f"jwst-lab {lab_s:.2f} s = {lab_rate:.1f} MB/s on {args.parallel} connections "
        f"({transfer_s:.2f} s after its process started); "
        f"astroquery download_products {astro_s:.2f} s = {astro_rate:.1f} MB/s"
    )
    load = os.getloadavg()[0]
    print(
        f"download speed-up over astroquery: {astro_s / lab_s:.2f}x (target >= 4x); "
        f"share of the aggregate cap {cap:.0f} MB/s: {lab_rate / cap:.0%} (target >= 80%); "
        f"load average {load:.1f} on {os.cpu_count()} CPUs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
