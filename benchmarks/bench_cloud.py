"""Cloud download throughput: jwst-lab vs astroquery's own cloud download, same bucket, same run.

16 objects x 32 MB in moto's S3 server on loopback, behind a TCP proxy that
caps every connection at 2 MB/s (real S3 limits each connection, not the
client: throughput comes from connections in parallel). Measured on the
same objects, through the same proxy:

* jwst-lab: the download job's runner process (``python -m
  jwst_lab.jobs.download_runner``) with cloud access on: products located
  by the path lookup + ``HEAD``, fetched with ``max_parallel_downloads``
  files at once and 4 range requests per file; wall time from process start
  to exit, files verified byte for byte;
* astroquery: ``Observations.enable_cloud_dataset(provider='AWS')`` then
  ``Observations.download_products(table, cloud_only=True)``, its boto3
  pointed at the same endpoint with ``AWS_ENDPOINT_URL_S3`` (astroquery
  takes no endpoint) and its path lookup (hard-coded to mast.stsci.edu)
  answered by the same stand-in MAST as jwst-lab's.

Target: jwst-lab >= 4x astroquery. ``--files``, ``--size-mb``, ``--rate-mb``,
``--parallel`` change the workload.
"""

from __future__ import annotations

import json
import os
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
sys.path.insert(0, str(REPO))

from tests.s3_helpers import (  # noqa: E402 (after the path)
    BUCKET,
    LookupMast,
    ThrottlingProxy,
    bucket_path,
    make_public_bucket,
    moto_s3,
    s3_admin,
)


def run_jwst_lab(
    files: list[Path], mast: str, endpoint: str, dest: Path, parallel: int, state: Path
) -> float:
    """Seconds the download runner takes to fetch ``files`` from the bucket."""
    from jwst_lab.core.downloads import mast_download_url
    from jwst_lab.jobs.download_jobs import cloud_spec, write_spec

    entries = [
        {
            "uri": product_uri(p),
            "dest": str(dest / "JWST" / OBS_ID / p.name),
            "url": mast_download_url(mast, product_uri(p)),
            "size": p.stat().st_size,
            "checksum": None,
        }
        for p in files
    ]
    spec_path = write_spec(
        state / "job",
        job_id="bench",
        root=dest,
        folder=dest,
        files=entries,
        parallel=parallel,
        mast_url=mast,
        cloud=cloud_spec("aws", endpoint_url=endpoint, mast_url=mast),
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "jwst_lab.jobs.download_runner", str(spec_path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    seconds = time.perf_counter() - started
    result = json.loads((state / "job" / "result.json").read_text())
    if done.returncode != 0 or result.get("origin_counts") != {"s3": len(files)}:
        raise SystemExit(f"jwst-lab download failed: {result}\n{done.stdout[-2000:]}")
    return seconds


def run_astroquery(files: list[Path], mast: str, endpoint: str, dest: Path) -> float:
    """Seconds astroquery's cloud download (``download_products``, cloud only) takes."""
    os.environ["AWS_ENDPOINT_URL_S3"] = endpoint
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from astroquery.mast import Observations, utils

    from jwst_lab.core.cloud import relative_paths

    def lookup(uris: object, *, verbose: bool = True) -> object:
        single = isinstance(uris, str)
        found = relative_paths([uris] if single else list(uris), mast)  # type: ignore[arg-type]
        return found[0] if single else found

    utils.mast_relative_path = lookup
    Observations.enable_cloud_dataset(provider="AWS", verbose=False)
    return download_with_astroquery(files, dest, cloud_only=True)


def main(argv: list[str] | None = None) -> int:
    """Run both downloads and print the figures with their ratio and the load average."""
    parser = workload_parser(__doc__.splitlines()[0])
    parser.add_argument("--rate-mb", type=float, default=2.0)
    args = parser.parse_args(argv)
    total = args.files * args.size_mb * (1 << 20)
    with tempfile.TemporaryDirectory(prefix="bench_cloud_") as tmp, moto_s3() as endpoint:
        work = Path(tmp)
        files = make_files(work / "objects", args.files, args.size_mb << 20)
        make_public_bucket(endpoint)
        admin = s3_admin(endpoint)
        for path in files:
            key = bucket_path(product_uri(path)).lstrip("/")
            admin.upload_file(str(path), BUCKET, key)
        with (
            ThrottlingProxy(endpoint, rate=args.rate_mb * 1e6) as proxy,
            LookupMast({}) as mast,
        ):
            lab_s = run_jwst_lab(
                files, mast.url, proxy.url, work / "lab", args.parallel, work / "state"
            )
            verify(files, work / "lab" / "JWST" / OBS_ID)
            astro_s = run_astroquery(files, mast.url, proxy.url, work / "astroquery")
            verify(files, work / "astroquery" / "mastDownload" / "JWST" / OBS_ID)
    load = os.getloadavg()
    print(
        f"cloud download {args.files} x {args.size_mb} MB from S3 (moto on loopback, "
        f"{args.rate_mb:g} MB/s per connection): jwst-lab {lab_s:.2f} s = "
        f"{total / lab_s / 1e6:.1f} MB/s ({args.parallel} files x 4 ranges); astroquery "
        f"download_products(cloud_only=True) {astro_s:.2f} s = {total / astro_s / 1e6:.1f} MB/s"
    )
    print(
        f"cloud download speed-up over astroquery: {astro_s / lab_s:.2f}x (target >= 4x); "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
