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

Exit codes: 0 every file is in place, 1 some files failed, 143 cancelled.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from ..core.downloads import (
    Cancelled,
    FileResult,
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


def _relative(root: Path, path: str) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path


def _write_result(path: Path, result: dict[str, Any]) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(result), encoding="utf-8")
    temporary.replace(path)


def run(spec: dict[str, Any], token: str | None) -> int:
    """Download every file of ``spec``; the exit code."""
    root = Path(spec["root"])
    transfers = _transfers(spec)
    started = time.monotonic()

    def on_progress(snapshot: Snapshot) -> None:
        current = snapshot.active[0]["name"] if snapshot.active else None
        _emit(
            "progress",
            bytes_done=snapshot.bytes_done,
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
        _emit("file", name=name, status=result.status, size=result.size, error=result.error)

    engine = TransferEngine(
        parallel=int(spec.get("parallel") or 8),
        token=token,
        token_host=spec.get("token_host") or None,
        on_progress=on_progress,
        on_file=on_file,
        progress_interval=_EMIT_INTERVAL,
        digest=spec.get("digest") or None,
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
        removed = remove_parts(transfers)
        _say(f"cancelled; removed {removed} partial files")
        outcome.update(exit_code=runfiles.EXIT_TERMINATED, error="cancelled by the user")
        _write_result(result_path, outcome)
        if isinstance(stop, SystemExit):
            raise
        return runfiles.EXIT_TERMINATED
    ok = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok]
    write_manifest(
        Path(spec["dest"]),
        results,
        job_id=spec.get("job_id"),
    )
    seconds = time.monotonic() - started
    fetched = sum(r.size or 0 for r in results if r.status in ("downloaded", "copied"))
    rate = fetched / seconds / 1e6 if seconds > 0 else 0.0
    _say(
        f"done: {len(ok)} of {len(results)} files in place, {fetched / 1e6:.1f} MB fetched "
        f"in {seconds:.1f} s ({rate:.1f} MB/s)"
    )
    code = 1 if failed else 0
    outcome.update(
        exit_code=code,
        files=[_relative(root, r.dest) for r in ok],
        failed=[{"path": _relative(root, r.dest), "error": r.error} for r in failed],
        bytes=fetched,
        seconds=round(seconds, 3),
    )
    if failed:
        first = failed[0].error or "failed"
        outcome["error"] = f"{len(failed)} of {len(results)} files failed: {first}"
    _write_result(result_path, outcome)
    _emit("finished", exit_code=code, files_done=len(ok), files_failed=len(failed))
    return code


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m jwst_lab.jobs.download_runner <download.json>``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m jwst_lab.jobs.download_runner <download.json>", file=sys.stderr)
        return 2
    token = os.environ.pop(TOKEN_ENV, None) or None
    spec = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    job_dir = Path(spec["job_dir"])
    with runfiles.recording(job_dir):
        code = run(spec, token)
        if code:
            raise SystemExit(code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
