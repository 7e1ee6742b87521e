"""``python -m jwst_lab.jobs.warm``: a runner with jwst already imported, forked once per job.

Importing jwst and its pipelines takes most of a cold ``strun``'s first
seconds. This process pays that once, then waits for requests on standard
input (one JSON object per line) and answers each on standard output:

    {"spec": "<job-spec.json>", "cwd": "...", "env": {...}, "log": "<job log>"}
    -> {"pid": 1234}            or  {"error": "..."}

For each request it forks. The child starts its own session (so a cancel
reaches its whole process group), sends its output to the job's log,
replaces its environment with the job's (CRDS settings included: crds reads
them when first used, and nothing here has used it), changes to the job's
working directory and runs :func:`jwst_lab.jobs.runner.main` exactly as a
cold runner process would. Every job therefore still gets a fresh process
of its own: CRDS state and a ``SystemExit`` inside stpipe stay in it.

The parent reaps its children and, when a child died without recording
how it ended (SIGKILL), records its exit status for it. It exits when its
standard input closes (the server went away); running jobs are unaffected.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import logging
import os
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from . import runfiles
from .resources import reset_peak_rss

#: Imported before the first request: the cost a cold runner pays per job.
PRELOAD = ("numpy", "astropy.io.fits", "asdf", "gwcs", "stpipe", "jwst", "jwst.pipeline")

#: Printed once the imports are done; the server waits for it.
READY = "ready"


def preload() -> dict[str, Any]:
    """Import the heavy modules and warm stpipe's step registry; what was loaded, and how long."""
    started = time.monotonic()
    loaded = []
    for name in PRELOAD:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except ImportError as error:
            print(f"jwst-lab warm runner: cannot import {name}: {error}", file=sys.stderr)
    for warm_up in (_warm_step_registry, _warm_asdf, _warm_datamodels, _warm_crds_keywords):
        try:
            warm_up()
        except Exception as error:
            print(f"jwst-lab warm runner: {warm_up.__name__}: {error}", file=sys.stderr)
    return {"loaded": loaded, "seconds": round(time.monotonic() - started, 3)}


# First-use costs a pipeline pays before its first step, none of which reads
# a CRDS setting: listing asdf's extensions (hundreds of YAML manifests),
# loading the datamodel schemas, reading a model's metadata, and crds's map of
# datamodel paths to FITS keywords.


def _warm_step_registry() -> None:
    from stpipe import entry_points

    entry_points.get_steps()


def _warm_asdf() -> None:
    import asdf

    config = asdf.get_config()
    _ = config.extensions, config.resource_manager


def _warm_datamodels() -> None:
    from stdatamodels.jwst import datamodels
    from stdatamodels.jwst.datamodels.util import read_metadata

    with tempfile.TemporaryDirectory(prefix="jwst-lab-warm-") as folder:
        path = Path(folder) / "warm_cal.fits"
        with datamodels.ImageModel((2, 2)) as model:
            model.meta.instrument.name = "MIRI"
            model.meta.exposure.type = "MIR_IMAGE"
            model.save(path)
        read_metadata(path)
        with datamodels.open(path) as opened:
            opened.validate()


def _warm_crds_keywords() -> None:
    from crds.jwst import locate

    locate.cached_dm_find_fits_keyword("META.INSTRUMENT.NAME")


def _child(request: dict[str, Any]) -> int:
    """In the forked child: become the job's runner process; returns its exit code."""
    from . import runner

    gc.enable()
    os.setsid()
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    log_fd = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    null_fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null_fd, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    os.close(null_fd)
    os.environ.clear()
    os.environ.update(request["env"])
    tempfile.tempdir = None  # follow the job's TMPDIR, not the parent's
    os.chdir(request["cwd"])
    sys.argv = ["jwst_lab.jobs.runner", request["spec"]]
    try:
        return runner.main([request["spec"]])
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        traceback.print_exc()
        return 1


def _spawn(request: dict[str, Any], protocol_fd: int) -> int:
    """Fork a child for ``request``; the child never returns from here."""
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()
    pid = os.fork()
    if pid:
        return pid
    # The child's high-water mark starts as the parent's: its peak is measured from here.
    reset_peak_rss()
    code = 1
    try:
        os.close(protocol_fd)
        code = _child(request)
    finally:
        with contextlib.suppress(Exception):
            logging.shutdown()
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code & 0xFF)


class Reaper:
    """Collects ended children and records the exit status of those that could not."""

    def __init__(self) -> None:
        self.job_dirs: dict[int, Path] = {}

    def reap(self, signum: int | None = None, frame: object = None) -> None:
        """Collect every ended child (a SIGCHLD handler)."""
        del signum, frame
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            job_dir = self.job_dirs.pop(pid, None)
            if job_dir is None or runfiles.read_exit_status(job_dir) is not None:
                continue
            code = 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            with contextlib.suppress(OSError):
                runfiles.write_exit_status(job_dir, code)


def _validate(request: Any) -> dict[str, Any]:
    if not isinstance(request, dict):
        raise ValueError("a request is a JSON object")
    for key in ("spec", "cwd", "log"):
        if not isinstance(request.get(key), str):
            raise ValueError(f"{key!r} must be a string")
    env = request.get("env")
    if not isinstance(env, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in env.items()
    ):
        raise ValueError("'env' must map strings to strings")
    return request


def serve(requests: Any, replies: Any) -> None:
    """Answer requests (JSON lines) from ``requests`` until it closes."""
    reaper = Reaper()
    signal.signal(signal.SIGCHLD, reaper.reap)
    for line in requests:
        if not line.strip():
            continue
        try:
            request = _validate(json.loads(line))
            spec = json.loads(Path(request["spec"]).read_text(encoding="utf-8"))
            job_dir = Path(spec["job_dir"])
            pid = _spawn(request, replies.fileno())
            reaper.job_dirs[pid] = job_dir
            reply: dict[str, Any] = {"pid": pid}
        except (OSError, ValueError, KeyError, TypeError) as error:
            reply = {"error": f"{type(error).__name__}: {error}"}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()
        reaper.reap()


def main() -> int:
    """Entry point: preload, say ready, serve until standard input closes."""
    # The protocol owns fd 1; stray prints of imported libraries go to stderr.
    replies = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    # Forked children share the imported modules' memory copy-on-write; a
    # collection in a child would write to every object's GC header and copy
    # it all. So the parent never collects, and freezes its objects before
    # each fork (the pattern gc.freeze() documents).
    gc.disable()
    info = preload()
    print(f"jwst-lab warm runner {os.getpid()} ready: imports took {info['seconds']} s", flush=True)
    replies.write(json.dumps({READY: True, "pid": os.getpid(), **info}) + "\n")
    replies.flush()
    serve(sys.stdin, replies)
    return 0


if __name__ == "__main__":
    sys.exit(main())
