"""``python -m jwst_lab.jobs.crds_fetch_runner <crds_fetch.json>``: run one ``crds_fetch`` job.

Runs in its own process, with the CRDS environment of the server's CRDS
service (``CRDS_PATH``, ``CRDS_SERVER_URL``, ``CRDS_MODE``; never
``CRDS_CONTEXT``: the context is named explicitly). For every file of the
spec (one FITS/ASDF file, or every member of an association) it asks the
real ``crds`` client for the best references at the context, then has crds's
own sync machinery (``crds.client.api.dump_references``, which checks each
download's size and sha1 against the server's catalogue) fetch the ones not
yet in the cache, one file at a time. References already cached are skipped.

It prints ``JWST-LAB-EVENT`` ``progress`` lines (files and bytes done/total)
that the manager parses like a download's, writes ``result.json`` and records
its pid and exit status like the other runners. Exit codes: 0 every reference
is in the cache, 1 some failed, 143 cancelled.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from . import runfiles
from .progress import format_runner_event

CRDS_FETCH_SPEC_NAME = "crds_fetch.json"


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _emit(event: str, **payload: Any) -> None:
    _say(format_runner_event(event, **payload))


def needed_references(files: list[str], context: str) -> tuple[list[str], str]:
    """The references the ``files`` need at ``context`` (sorted, unique) and crds's mode."""
    from ..core import crds_worker

    names: set[str] = set()
    mode = "local"
    for path in files:
        try:
            answer = crds_worker.op_bestrefs({"context": context, "path": path, "connected": False})
        except crds_worker.WorkerError as error:
            raise RuntimeError(f"{Path(path).name}: {error.message}") from None
        mode = str(answer.get("mode") or mode)
        found = [str(t["reference"]) for t in answer["types"] if t.get("reference")]
        _say(
            f"{Path(path).name}: {len(found)} references at {context} "
            f"({answer['instrument'].upper()}, {mode} mode)"
        )
        names.update(found)
    return sorted(names), mode


def remove_dead_partials(reference: Path) -> list[Path]:
    """Delete what killed downloads of ``reference`` left behind; the paths removed.

    crds downloads into ``.tmp_<name>_<pid>`` beside the reference and renames
    it when complete, so a SIGKILL leaves only that temporary file. One whose
    process is gone is garbage; a live process's is left alone.
    """
    removed = []
    for partial in reference.parent.glob(f".tmp_{reference.name}_*"):
        pid_text = partial.name.rsplit("_", 1)[-1]
        if not pid_text.isdigit():
            continue
        state = runfiles.process_state(int(pid_text))
        if state is not None and state[0] != "Z":
            continue  # still downloading
        partial.unlink(missing_ok=True)
        removed.append(partial)
    return removed


def run(spec: dict[str, Any]) -> int:
    """Fetch the references of the spec's files; the exit code."""
    from crds.client import api
    from crds.core import config

    context = str(spec["context"])
    files = [str(f) for f in spec["files"]]
    result_path = Path(spec["result_file"])
    outcome: dict[str, Any] = {
        "exit_code": None,
        "error": None,
        "crds_context_used": context,
        "fetched": [],
        "skipped": [],
        "failed": [],
    }
    _emit("started", pid=os.getpid(), files_total=0, bytes_total=0)
    _say(f"CRDS cache {os.environ.get('CRDS_PATH')}, server {os.environ.get('CRDS_SERVER_URL')}")
    started = time.monotonic()
    try:
        names, _mode = needed_references(files, context)
        cached = [n for n in names if Path(config.locate_file(n, "jwst")).exists()]
        missing = [n for n in names if n not in cached]
        sizes: dict[str, int] = {}
        if missing:
            metadata = api.get_download_metadata()
            for name in missing:
                about = metadata.get(name)
                sizes[name] = int(about.get("size", 0)) if isinstance(about, dict) else 0
    except (SystemExit, KeyboardInterrupt):
        raise
    except Exception as error:
        outcome.update(exit_code=1, error=f"cannot list the references: {error}")
        _say(f"ERROR {outcome['error']}")
        runfiles.write_result(result_path, outcome)
        return 1
    total = sum(sizes.values())
    outcome["skipped"] = cached
    for name in cached:
        _say(f"skipped {name}: already in the cache")
    _say(f"{len(cached)} already cached, {len(missing)} to fetch ({total} bytes)")
    done = bytes_done = 0
    _emit("progress", files_total=len(missing), bytes_total=total, files_done=0, bytes_done=0)

    def report(current_file: str | None = None) -> None:
        _emit(
            "progress",
            files_total=len(missing),
            bytes_total=total,
            files_done=done,
            bytes_done=bytes_done,
            files_failed=len(outcome["failed"]),
            current_file=current_file,
        )

    try:
        for name in missing:
            report(current_file=name)
            for partial in remove_dead_partials(Path(config.locate_file(name, "jwst"))):
                _say(f"removed {partial.name}, left by an interrupted fetch")
            try:
                api.dump_references(context, baserefs=[name])
                local = Path(config.locate_file(name, "jwst"))
                size = local.stat().st_size
            except (SystemExit, KeyboardInterrupt):
                raise
            except Exception as error:
                outcome["failed"].append({"reference": name, "error": str(error)})
                _say(f"ERROR {name}: {error}")
                continue
            done += 1
            bytes_done += size
            outcome["fetched"].append(str(local))
            _say(f"fetched {name} ({size} bytes) -> {local}")
        report()
    except (SystemExit, KeyboardInterrupt):
        outcome.update(exit_code=runfiles.EXIT_TERMINATED, error="cancelled by the user")
        _say("cancelled")
        runfiles.write_result(result_path, outcome)
        raise
    failed = outcome["failed"]
    code = 1 if failed else 0
    if failed:
        outcome["error"] = (
            f"{len(failed)} of {len(missing)} references failed: {failed[0]['error']}"
        )
    outcome.update(exit_code=code, bytes=bytes_done, seconds=round(time.monotonic() - started, 3))
    _say(f"done: {done} fetched, {len(cached)} already cached, {len(failed)} failed")
    runfiles.write_result(result_path, outcome)
    _emit("finished", exit_code=code, files_done=done, files_failed=len(failed))
    return code


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m jwst_lab.jobs.crds_fetch_runner <crds_fetch.json>``."""
    return runfiles.main(argv, "python -m jwst_lab.jobs.crds_fetch_runner <crds_fetch.json>", run)


if __name__ == "__main__":
    sys.exit(main())
