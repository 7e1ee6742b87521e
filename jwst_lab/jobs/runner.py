"""``python -m jwst_lab.jobs.runner <job-spec.json>``: run one pipeline job.

Runs in a fresh process per job (CRDS state is per process, and stpipe may
raise ``SystemExit``). It records its pid and exit status in the job folder
(:mod:`.runfiles`), runs the pipeline exactly as ``strun`` would
(``Step.from_cmdline`` with the job's arguments), saves the fully merged
parameters as an ASDF parameter file beside the outputs, and writes a
``result.json`` with the versions, the CRDS context used, the merged
parameters, the error, if any, and what the process used (``resources``).
Machine-readable ``JWST-LAB-EVENT`` lines on stdout mark its phases;
stpipe's own log goes to stderr. Both end up in the job's log file.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..core.step_paths import check_launch_arguments
from ..errors import JwstLabError
from . import runfiles
from .progress import format_runner_event

RESULT_NAME = "result.json"
SPEC_NAME = "job.json"
PARAMS_SUFFIX = "_params.asdf"


def _emit(event: str, **payload: Any) -> None:
    print(format_runner_event(event, **payload), flush=True)


def _log_line(level: str, message: str) -> None:
    """A line in stpipe's log format (the log viewer reads its level from it)."""
    now = datetime.now()
    stamp = f"{now:%Y-%m-%d %H:%M:%S},{now.microsecond // 1000:03d}"
    print(f"{stamp} - jwst_lab.runner - {level} - {message}", file=sys.stderr, flush=True)


def _versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in ("jwst", "stpipe", "crds"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    return str(value)


def read_parameter_file(path: Path) -> dict[str, Any]:
    """The merged parameters in an ASDF parameter file as ``{"pipeline", "steps"}``."""
    import asdf

    with asdf.open(path, lazy_load=False, memmap=False) as handle:
        tree = handle.tree
        steps = {
            str(step.get("name")): _jsonable(dict(step.get("parameters", {})))
            for step in tree.get("steps", [])
        }
        return {
            "class": str(tree.get("class", "")),
            "pipeline": _jsonable(dict(tree.get("parameters", {}))),
            "steps": steps,
        }


def _context_used() -> str | None:
    try:
        from stpipe import crds_client

        context = crds_client.get_context_used("jwst")
    except (Exception, SystemExit):  # CRDS reports a broken cache with SystemExit
        return None
    return str(context) if context else None


def refuse_hooks() -> None:
    """Make stpipe refuse step hooks, wherever they come from.

    Hooks run commands (through a shell) or arbitrary code around a step.
    The server refuses them in requests; this also stops any set by a
    parameter file or a CRDS parameter reference, before the step exists.
    """
    from stpipe import _hooks

    def refuse(step: Any, hooktype: str, hooks: Any) -> list[Any]:
        raise RuntimeError(
            f"jwst-lab does not run step hooks: {step.name}.{hooktype}_hooks = {list(hooks)!r} "
            "(set by a parameter file or CRDS parameter reference)"
        )

    _hooks.get_hook_objects = refuse


def run(spec: dict[str, Any]) -> int:
    """Run the job described by ``spec``; returns the exit code (0 = success)."""
    from stpipe import Step

    param_file = Path(spec["param_file"])
    arguments = [*spec["arguments"], f"--save-parameters={param_file}"]
    _emit("started", pid=os.getpid(), versions=_versions(), arguments=arguments)
    started = time.monotonic()
    result: dict[str, Any] = {"versions": _versions(), "exit_code": None, "error": None}
    code = 0
    try:
        if spec.get("root"):
            # Paths were checked when the job was queued; a link may have appeared since.
            check_launch_arguments(Path(spec["root"]), spec["arguments"])
        refuse_hooks()
        Step.from_cmdline(arguments)
    except runfiles.Terminated:
        # A cancel: one line in the log, not the stack of wherever the signal landed.
        code = runfiles.EXIT_TERMINATED
        result["error"] = "cancelled by the user"
        _log_line("INFO", f"Cancelled by the user after {time.monotonic() - started:.1f} s.")
    except SystemExit as stop:
        if stop.code in (0, None):
            code = 0
        elif isinstance(stop.code, int):
            code = stop.code & 0xFF or 1
        else:
            code = 1
        if code:
            result["error"] = f"the pipeline exited with status {stop.code}"
            traceback.print_exc()
    except JwstLabError as error:
        code = 1
        result["error"] = error.message
        print(f"Error: {error.message}", file=sys.stderr)
    except Exception as error:
        code = 1
        result["error"] = f"{type(error).__name__}: {error}"
        traceback.print_exc()
    result["exit_code"] = code
    result["crds_context_used"] = _context_used()
    result["seconds"] = round(time.monotonic() - started, 3)
    if param_file.exists():
        try:
            result["params"] = read_parameter_file(param_file)
        except Exception as error:
            result["params"] = None
            print(f"could not read back {param_file}: {error}", file=sys.stderr)
    # With what this process (and any child it started) used, for the job's ``resources``.
    runfiles.write_result(Path(spec["result_file"]), _jsonable(result), measure=True)
    _emit("finished", exit_code=code, crds_context_used=result["crds_context_used"])
    return code


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m jwst_lab.jobs.runner <job-spec.json>``."""
    return runfiles.main(argv, "python -m jwst_lab.jobs.runner <job-spec.json>", run)


if __name__ == "__main__":
    sys.exit(main())
