"""``python -m jwst_lab.jobs.download_runner <download.json>``: run one download job.

Runs in its own process (started by the local executor, never on a remote
Dask worker). It reads the MAST token from the ``JWST_LAB_MAST_TOKEN``
environment variable (removing it from its own environment at once), never
from its arguments, and never prints it. It records its pid and exit status
in the job folder like the pipeline runner, prints ``JWST-LAB-EVENT`` lines
(``started``, ``progress``, ``file``, ``finished``) that the manager turns
into progress events, writes ``result.json`` and merges what it fetched into
the manifest in the destination folder.

A cancel (SIGTERM) stops every transfer and deletes the ``.part`` files; a
kill (or a crash) leaves them, so the job resumes where it stopped when it
runs again.

Nothing is written outside the server root (``spec["root"]``): the engine
opens every folder with a walk that follows symbolic links only while they
stay inside the root, and handles ``.part`` files by name with
``O_NOFOLLOW`` (see :mod:`jwst_lab.core.downloads`). A file that cannot be
written safely fails with a message naming the link; the others go on. The
job resumes only ``.part`` files listed in its own ledger
(``<job dir>/parts.jsonl``) or in the ledgers of the job folders
``spec["resume_ledgers"]`` names (the job it reruns); any other partial file
is removed and its file fetched from the start, with a line in the log.

A full disk fails the file being written with ``disk full: no space left in
<folder> (<n> MB free)``, and that text leads the job's error. The failed
file's ``.part`` is removed rather than kept for a resume: on a full disk
the user's first need is the space back, and a hidden partial file would
keep it from them after the job has failed (they may rerun the job once
they have made room; the file is then fetched from the start). Files that
start after that are refused at once if they do not fit in what is left
(a partial file an earlier run left for them is kept: this run did not
grow it).

The manifest is written under a lock taken on the destination folder
itself and through a temporary file removed on failure, so a failed
download leaves no ``.tmp`` or lock file in the destination.

With ``spec["cloud"]`` (``{provider, endpoint_url, bucket, mast_url}``)
the MAST products are first located in MAST's public bucket
(:func:`jwst_lab.core.cloud.locate`, astroquery's path lookup + a ``HEAD``
of each key) and fetched from it with parallel range requests; a product
that is not in the bucket (or all of them, when the bucket or the lookup
cannot be reached) is fetched from MAST over HTTPS. Each file's origin
(``s3``, ``https``, ``local``) goes into the manifest and ``result.json``.

Exit codes: 0 every file is in place, 1 some files failed, 143 cancelled.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core import cloud
from ..core.downloads import (
    MANIFEST_NAME,
    Cancelled,
    FileResult,
    PartLedger,
    Snapshot,
    Transfer,
    TransferEngine,
    remove_parts,
    write_manifest,
)
from . import runfiles
from .download_jobs import TOKEN_ENV
from .progress import format_runner_event

_EMIT_INTERVAL = 0.5


_OUTPUT = threading.Lock()


def _say(text: str) -> None:
    """One whole line on stdout (transfer threads print too: never interleave)."""
    with _OUTPUT:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def _emit(event: str, **payload: Any) -> None:
    _say(format_runner_event(event, **payload))


def _transfers(spec: dict[str, Any]) -> list[Transfer]:
    return [
        Transfer(
            uri=item["uri"],
            dest=Path(item["dest"]),
            url=item.get("url"),
            source_path=Path(item["source_path"]) if item.get("source_path") else None,
            size=item.get("size"),
            checksum=item.get("checksum"),
        )
        for item in spec["files"]
    ]


def _use_cloud(
    spec: dict[str, Any], transfers: list[Transfer], parallel: int
) -> tuple[list[Transfer], Any]:
    """The transfers with their objects in the bucket filled in, and the S3 client (or None)."""
    settings = spec.get("cloud") or {}
    if not settings.get("provider"):
        return transfers, None
    wanted = [i for i, t in enumerate(transfers) if t.url and t.source_path is None]
    if not wanted:
        return transfers, None
    bucket = str(settings.get("bucket") or cloud.PUBLIC_BUCKET)
    client = cloud.s3_client(
        settings.get("endpoint_url") or None,
        connections=parallel * cloud.RANGES_PER_FILE + parallel,
    )
    try:
        found = cloud.locate(
            [transfers[i].uri for i in wanted],
            mast_url=str(settings.get("mast_url") or ""),
            client=client,
            bucket=bucket,
            parallel=parallel,
        )
    except cloud.CloudError as error:
        _say(f"the cloud bucket cannot be used ({error}); every file comes from MAST over HTTPS")
        return transfers, None
    located = list(transfers)
    missing = []
    for index, obj in zip(wanted, found, strict=True):
        transfer = transfers[index]
        if obj is None:
            missing.append(transfer.dest.name)
            continue
        if transfer.size is not None and transfer.size != obj.size:
            _say(
                f"{transfer.dest.name}: the bucket's copy has {obj.size} bytes, MAST says "
                f"{transfer.size}; fetching it from MAST over HTTPS"
            )
            missing.append(transfer.dest.name)
            continue
        md5 = obj.single_part_md5
        located[index] = replace(
            transfer,
            s3_bucket=obj.bucket,
            s3_key=obj.key,
            etag=obj.etag,
            size=obj.size,
            checksum=transfer.checksum or (f"md5:{md5}" if md5 else None),
        )
    _say(
        f"{len(wanted) - len(missing)} of {len(wanted)} products found in s3://{bucket}"
        + (f"; from MAST over HTTPS: {', '.join(missing[:5])}" if missing else "")
        + (" ..." if len(missing) > 5 else "")
    )
    return located, client


def _relative(root: Path, path: str) -> str:
    for base in (root, root.resolve()):
        try:
            return Path(path).relative_to(base).as_posix()
        except ValueError:
            continue
    return path


def _write_manifest(spec: dict[str, Any], root: Path, results: list[FileResult]) -> str | None:
    """Merge ``results`` into the destination's manifest; what went wrong, or None."""
    dest = Path(spec["dest"])
    try:
        write_manifest(dest, results, root=root, job_id=spec.get("job_id"))
    except OSError as error:
        where = _relative(root, str(dest))
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            free = shutil.disk_usage(dest).free if dest.is_dir() else 0
            return (
                f"disk full: no space left in {where} ({free / 1e6:,.1f} MB free); "
                f"the manifest {MANIFEST_NAME} was not updated"
            )
        return f"the manifest {MANIFEST_NAME} in {where} could not be written: {error}"
    return None


def _job_error(
    results: list[FileResult], failed: list[FileResult], manifest_error: str | None
) -> str | None:
    """The job's error: a full disk first (it is what the user must act on), then the rest."""
    if not failed:
        return manifest_error
    counted = f"{len(failed)} of {len(results)} files failed"
    disk_full = [r for r in failed if r.reason == "disk_full"]
    if disk_full:
        text = f"{disk_full[0].error}; {counted}"
    else:
        text = f"{counted}: {failed[0].error or 'failed'}"
    if manifest_error:
        text += f"; {manifest_error}"
    return text


def run(spec: dict[str, Any], token: str | None) -> int:
    """Download every file of ``spec``; the exit code."""
    root = Path(spec["root"])
    # A spec written by hand (benchmarks/bench_downloads.py) may name a root not made yet.
    root.mkdir(parents=True, exist_ok=True)
    transfers = _transfers(spec)
    started = time.monotonic()
    parallel = int(spec.get("parallel") or 8)
    transfers, s3 = _use_cloud(spec, transfers, parallel)

    def on_progress(snapshot: Snapshot) -> None:
        current = snapshot.active[0]["name"] if snapshot.active else None
        _emit(
            "progress",
            bytes_done=snapshot.bytes_done,
            bytes_fetched=snapshot.bytes_fetched,
            bytes_total=snapshot.bytes_total,
            files_done=snapshot.files_done,
            files_total=snapshot.files_total,
            files_failed=snapshot.files_failed,
            current_file=current,
        )

    def on_file(result: FileResult) -> None:
        name = Path(result.dest).name
        if result.status == "failed":
            _say(f"Error: {result.error}")
        elif result.status != "cancelled":
            size = f"{(result.size or 0) / 1e6:.1f} MB"
            resumed = f", resumed at byte {result.resumed_from}" if result.resumed_from else ""
            _say(f"{result.status} {name} ({size}, {result.seconds:.1f} s{resumed})")
        _emit(
            "file",
            name=name,
            status=result.status,
            size=result.size,
            error=result.error,
            origin=result.origin,
        )

    engine = TransferEngine(
        parallel=parallel,
        token=token,
        token_host=spec.get("token_host") or None,
        on_progress=on_progress,
        on_file=on_file,
        progress_interval=_EMIT_INTERVAL,
        digest=spec.get("digest") or None,
        root=root,
        ledger=PartLedger.for_job(Path(spec["job_dir"]), spec.get("resume_ledgers") or ()),
        on_message=_say,
        s3_client=s3,
        ranges_per_file=cloud.RANGES_PER_FILE,
        range_size=cloud.RANGE_SIZE,
    )
    total = sum(int(t.size or 0) for t in transfers)
    _emit("started", pid=os.getpid(), files_total=len(transfers), bytes_total=total)
    _say(
        f"downloading {len(transfers)} files ({total / 1e6:.1f} MB) into {spec['dest']} "
        f"on {engine.parallel} connections"
    )
    outcome: dict[str, Any] = {"exit_code": None, "error": None, "files": [], "failed": []}
    result_path = Path(spec["result_file"])
    try:
        results = engine.run(transfers)
    except (Cancelled, SystemExit) as stop:
        removed = remove_parts(transfers, root=root)
        _say(f"cancelled; removed {removed} partial files")
        outcome.update(exit_code=runfiles.EXIT_TERMINATED, error="cancelled by the user")
        runfiles.write_result(result_path, outcome, measure=True)
        if isinstance(stop, SystemExit):
            raise
        return runfiles.EXIT_TERMINATED
    ok = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok]
    manifest_error = _write_manifest(spec, root, results)
    if manifest_error:
        _say(f"Error: {manifest_error}")
    seconds = time.monotonic() - started
    fetched = sum(r.size or 0 for r in results if r.status in ("downloaded", "copied"))
    rate = fetched / seconds / 1e6 if seconds > 0 else 0.0
    _say(
        f"done: {len(ok)} of {len(results)} files in place, {fetched / 1e6:.1f} MB fetched "
        f"in {seconds:.1f} s ({rate:.1f} MB/s)"
    )
    code = 1 if failed or manifest_error else 0
    outcome.update(
        exit_code=code,
        files=[_relative(root, r.dest) for r in ok],
        origins={_relative(root, r.dest): r.origin for r in ok if r.origin},
        origin_counts=cloud.fetched_origins(results),
        failed=[{"path": _relative(root, r.dest), "error": r.error} for r in failed],
        bytes=fetched,
        bytes_fetched=engine.snapshot().bytes_fetched,
        seconds=round(seconds, 3),
    )
    outcome["error"] = _job_error(results, failed, manifest_error)
    runfiles.write_result(result_path, outcome, measure=True)
    _emit("finished", exit_code=code, files_done=len(ok), files_failed=len(failed))
    return code


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m jwst_lab.jobs.download_runner <download.json>``."""
    token = os.environ.pop(TOKEN_ENV, None) or None
    return runfiles.main(
        argv,
        "python -m jwst_lab.jobs.download_runner <download.json>",
        lambda spec: run(spec, token),
    )


if __name__ == "__main__":
    sys.exit(main())
