"""``PipelineCatalog``: the stpipe pipelines and steps installed, and their parameters.

The catalog is computed by :mod:`jwst_lab.core.catalog_probe` in a
subprocess (importing jwst takes seconds and hundreds of MB, and must never
happen in the server process), once per jwst/stpipe version, and cached as
JSON on disk. This module also validates the ``steps`` a user asks for
against the parameter specs, and builds the equivalent ``strun`` argument
list and Python snippet of a job.
"""

from __future__ import annotations

import json
import math
import os
import shlex
import subprocess
import sys
import threading
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..errors import BadRequest, DependencyMissing, JwstLabError
from .step_paths import (
    check_no_control,
    check_shape,
    machine_memory,
    param_role,
    place_string,
)

#: Bump when the probe's output format changes, so old caches are not reused.
CATALOG_FORMAT = 1
PROBE_TIMEOUT = 300.0

#: Parameters every stpipe step has; the UI shows them apart from the step's own.
COMMON_PARAMS = frozenset(
    {
        "pre_hooks",
        "post_hooks",
        "output_file",
        "output_dir",
        "output_ext",
        "output_use_model",
        "output_use_index",
        "save_results",
        "skip",
        "suffix",
        "search_output_file",
        "input_dir",
    }
)
#: Parameters jwst-lab sets itself (each job writes into its own output folder).
MANAGED_PARAMS = frozenset({"output_dir", "output_file", "input_dir"})


@dataclass(frozen=True)
class Accepts:
    """The pipeline stage and the inputs a calwebb pipeline takes."""

    level: int
    asn_types: tuple[str, ...]
    suffixes: tuple[str, ...]


#: Stage and accepted inputs of jwst's calwebb pipelines (JWST DMS conventions).
PIPELINE_INPUTS: dict[str, Accepts] = {
    "calwebb_detector1": Accepts(1, (), ("_uncal.fits",)),
    "calwebb_dark": Accepts(1, (), ("_uncal.fits",)),
    "calwebb_guider": Accepts(1, (), ("_uncal.fits",)),
    "calwebb_image2": Accepts(
        2, ("image2", "tso-image2", "wfs-image2"), ("_rate.fits", "_rateints.fits")
    ),
    "calwebb_spec2": Accepts(
        2, ("spec2", "tso-spec2", "nrslamp-spec2"), ("_rate.fits", "_rateints.fits")
    ),
    "calwebb_image3": Accepts(3, ("image3",), ("_cal.fits",)),
    "calwebb_spec3": Accepts(3, ("spec3",), ("_cal.fits", "_s2d.fits")),
    "calwebb_coron3": Accepts(3, ("coron3",), ("_calints.fits",)),
    "calwebb_ami3": Accepts(3, ("ami3",), ("_calints.fits",)),
    "calwebb_tso3": Accepts(3, ("tso3",), ("_calints.fits",)),
    "calwebb_wfs-image3": Accepts(3, ("wfs-image3",), ("_cal.fits",)),
}


def _distribution_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


class PipelineCatalog:
    """Pipelines, steps and parameter specs of the installed jwst, cached on disk."""

    def __init__(self, cache_dir: Path, python: str = sys.executable) -> None:
        self.cache_dir = cache_dir
        self.python = python
        self._data: dict[str, Any] | None = None
        self._lock = threading.Lock()

    # --- loading (blocking: call from a worker thread) -------------------------

    def cache_path(self) -> Path:
        """The cache file for the installed jwst and stpipe versions."""
        jwst_version = _distribution_version("jwst")
        stpipe_version = _distribution_version("stpipe")
        if jwst_version is None or stpipe_version is None:
            raise DependencyMissing("jwst is not installed: pipelines cannot be run here")
        name = (
            f"pipeline_catalog-jwst-{jwst_version}-stpipe-{stpipe_version}-v{CATALOG_FORMAT}.json"
        )
        return self.cache_dir / name

    def load(self) -> dict[str, Any]:
        """The catalog: read from the cache, or computed in a subprocess and cached."""
        with self._lock:
            if self._data is None:
                path = self.cache_path()
                data = _read_cache(path)
                if data is None:
                    data = self._probe()
                    path.parent.mkdir(parents=True, exist_ok=True)
                    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                    temporary.write_text(json.dumps(data), encoding="utf-8")
                    temporary.replace(path)
                self._data = data
            return self._data

    def _probe(self) -> dict[str, Any]:
        argv = [self.python, "-m", "jwst_lab.core.catalog_probe"]
        try:
            completed = subprocess.run(  # noqa: S603 (fixed argument list)
                argv,
                capture_output=True,
                timeout=PROBE_TIMEOUT,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise JwstLabError(
                f"describing the installed pipelines took longer than {PROBE_TIMEOUT:.0f} s"
            ) from None
        if completed.returncode != 0:
            tail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
            raise JwstLabError("describing the installed pipelines failed: " + " | ".join(tail))
        data: dict[str, Any] = json.loads(completed.stdout)
        return data

    # --- queries (need load() to have run) -----------------------------------

    def _entries(self) -> dict[str, dict[str, Any]]:
        return {entry["alias"]: entry for entry in self.load()["entries"]}

    def versions(self) -> dict[str, str]:
        """jwst, stpipe and crds versions the catalog describes."""
        return dict(self.load()["versions"])

    def entry(self, alias: str) -> dict[str, Any] | None:
        """The raw description of ``alias`` (a pipeline or a step), or None."""
        return self._entries().get(alias)

    def require(self, alias: str) -> dict[str, Any]:
        """The description of ``alias``; :class:`BadRequest` naming the choices if unknown."""
        entry = self.entry(alias)
        if entry is None:
            pipelines = sorted(a for a, e in self._entries().items() if e["is_pipeline"])
            raise BadRequest(
                f"unknown pipeline {alias!r}; pipelines: {', '.join(pipelines)} "
                "(single steps are accepted by their alias too)",
                field="pipeline",
            )
        return entry

    def summaries(self) -> list[dict[str, Any]]:
        """``GET /pipelines``: every pipeline and step with level and accepted inputs."""
        return [summary(entry) for entry in self.load()["entries"]]

    def spec(self, alias: str) -> dict[str, Any] | None:
        """``GET /pipelines/{alias}/spec``: parameters of the pipeline and of each step."""
        entry = self.entry(alias)
        if entry is None:
            return None
        steps = [
            {**step, "params": _mark_common(entry["step_params"][step["alias"]])}
            for step in entry["steps"]
        ]
        return {**summary(entry), "params": _mark_common(entry["params"]), "step_specs": steps}

    def step_names(self, alias: str) -> tuple[str, ...]:
        """The steps of a pipeline in order (empty for a single step)."""
        return tuple(step["alias"] for step in self.require(alias)["steps"])

    def step_specs(self, alias: str) -> dict[str, dict[str, Any]]:
        """Parameter specs by step (a single step's own under its alias)."""
        return self._step_specs(alias)

    def _step_specs(self, alias: str) -> dict[str, dict[str, Any]]:
        entry = self.require(alias)
        if entry["steps"]:
            specs: dict[str, dict[str, Any]] = entry["step_params"]
            return specs
        return {alias: entry["params"]}

    def validate_steps(self, alias: str, steps: Any) -> dict[str, dict[str, Any]]:
        """Check a requested ``steps`` dict against the specs; a 400 names what is wrong.

        Hooks (``pre_hooks``/``post_hooks``: commands or code stpipe runs) and
        the parameters jwst-lab sets itself are refused; an output ``*_shape``
        that could never fit in memory is refused before the job starts.
        """
        specs = self._step_specs(alias)
        if steps is None:
            return {}
        if not isinstance(steps, dict):
            raise BadRequest("steps must be an object {step: {parameter: value}}", field="steps")
        checked: dict[str, dict[str, Any]] = {}
        memory = machine_memory()
        for step, params in steps.items():
            if step not in specs:
                raise BadRequest(
                    f"unknown step {step!r} in {alias}; its steps are: {', '.join(specs)}",
                    field=f"steps.{step}",
                )
            if not isinstance(params, dict):
                raise BadRequest(
                    f"steps.{step} must be an object {{parameter: value}}", field=f"steps.{step}"
                )
            checked[step] = {}
            for name, value in params.items():
                where = f"steps.{step}.{name}"
                spec = specs[step].get(name)
                if spec is None:
                    raise BadRequest(
                        f"unknown parameter {where}: {step} has no parameter {name!r}", field=where
                    )
                if name in MANAGED_PARAMS:
                    raise BadRequest(
                        f"{where} is set by jwst-lab (use the job's output_dir instead)",
                        field=where,
                    )
                if param_role(name, spec) == "hook":
                    raise BadRequest(
                        f"{where}: jwst-lab does not run step hooks (they run commands or code "
                        "outside the pipeline); run the steps you need as their own jobs",
                        field=where,
                    )
                checked[step][name] = check_value(where, spec, value)
                check_shape(where, name, checked[step][name], memory)
                scale = checked[step][name]
                if name.startswith("pixel_scale") and isinstance(scale, int | float) and scale <= 0:
                    raise BadRequest(f"{where} must be greater than 0", field=where)
        return checked

    def launch_steps(
        self,
        alias: str,
        steps: dict[str, dict[str, Any]],
        *,
        root: Path,
        folders: list[Path],
    ) -> dict[str, dict[str, Any]]:
        """``steps`` as stpipe gets them: every file-like value checked and made absolute.

        ``root`` is the server root, ``folders`` the job's input and output
        folders (stpipe opens bare names there). A 400 names the step and
        parameter whose value would read or write outside the root.
        """
        specs = self._step_specs(alias)
        real_root = root.resolve()
        placed: dict[str, dict[str, Any]] = {}
        for step, params in steps.items():
            placed[step] = {}
            for name, value in params.items():
                where = f"steps.{step}.{name}"
                spec = specs.get(step, {}).get(name, {})
                role = param_role(name, spec)
                if isinstance(value, str):
                    value = place_string(where, value, root=real_root, folders=folders, role=role)
                elif isinstance(value, list):
                    value = [
                        _place_item(f"{where}[{index}]", item, real_root, folders, role)
                        for index, item in enumerate(value)
                    ]
                placed[step][name] = value
        return placed


def _place_item(where: str, item: Any, root: Path, folders: list[Path], role: Any) -> Any:
    """One list item: strings are placed like a single value; commas would split them."""
    if not isinstance(item, str):
        return item
    if "," in item:
        raise BadRequest(
            f"{where} may not contain ',' (stpipe splits lists on commas)", field=where
        )
    return place_string(where, item, root=root, folders=folders, role=role)


def _read_cache(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) and "entries" in data else None


def _mark_common(params: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {
            **spec,
            "common": name in COMMON_PARAMS,
            "managed": name in MANAGED_PARAMS or param_role(name, spec) == "hook",
            "path": _path_kind(param_role(name, spec)),
        }
        for name, spec in params.items()
    }


def _path_kind(role: str | None) -> str | None:
    """``read``/``write`` for a file parameter (hooks are managed, not paths)."""
    return role if role in ("read", "write") else None


def summary(entry: dict[str, Any]) -> dict[str, Any]:
    """Alias, class, level, accepted inputs and step aliases of one catalog entry."""
    accepts = PIPELINE_INPUTS.get(entry["alias"])
    return {
        "alias": entry["alias"],
        "class_name": entry["class_name"],
        "is_pipeline": entry["is_pipeline"],
        "level": accepts.level if accepts else None,
        "asn_types": list(accepts.asn_types) if accepts else [],
        "suffixes": list(accepts.suffixes) if accepts else [],
        "steps": [step["alias"] for step in entry["steps"]],
        "doc": entry.get("doc", ""),
    }


def pipelines_for_asn_type(asn_type: str) -> list[str]:
    """The calwebb pipelines that run an association of ``asn_type``."""
    return [alias for alias, accepts in PIPELINE_INPUTS.items() if asn_type in accepts.asn_types]


# --- parameter values ---------------------------------------------------------

_LIST_ITEM = {"int_list": "integer", "float_list": "float", "string_list": "string"}
_LIST_TYPES = {"list", "force_list", "tuple", "mixed_list", "bool_list", *_LIST_ITEM}


def check_value(where: str, spec: dict[str, Any], value: Any) -> Any:
    """``value`` if it fits the configobj ``spec`` of one parameter, else a 400 naming it."""
    kind = spec.get("type", "string")
    if value is None:
        if spec.get("default_repr") in (None, "None") or spec.get("default") is None:
            return None
        raise BadRequest(f"{where} may not be null", field=where)
    if kind in _LIST_TYPES:
        if isinstance(value, str):
            raise BadRequest(f"{where} must be a list, not a string", field=where)
        if not isinstance(value, list):
            raise BadRequest(f"{where} must be a list", field=where)
        # configobj's min/max of a list type bound its length, not its items.
        minimum, maximum = spec.get("min"), spec.get("max")
        if minimum is not None and len(value) < minimum:
            raise BadRequest(
                f"{where} needs at least {minimum} values, not {len(value)}", field=where
            )
        if maximum is not None and len(value) > maximum:
            raise BadRequest(
                f"{where} takes at most {maximum} values, not {len(value)}", field=where
            )
        item_kind = _LIST_ITEM.get(kind, "bool" if kind == "bool_list" else None)
        if item_kind is not None:
            item_spec = {
                "type": "boolean" if item_kind == "bool" else item_kind,
                "default": spec.get("default"),
            }
            return [check_value(f"{where}[{i}]", item_spec, item) for i, item in enumerate(value)]
        for index, item in enumerate(value):
            if not isinstance(item, str | int | float | bool):
                raise BadRequest(
                    f"{where}[{index}] must be a string, number or boolean",
                    field=f"{where}[{index}]",
                )
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise BadRequest(f"{where} must be true or false, not {value!r}", field=where)
        return value
    if kind in ("integer", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadRequest(f"{where} must be a number ({kind}), not {value!r}", field=where)
        if kind == "integer" and not (isinstance(value, int) or float(value).is_integer()):
            raise BadRequest(f"{where} must be an integer, not {value!r}", field=where)
        if not math.isfinite(value):
            raise BadRequest(f"{where} must be finite", field=where)
        minimum, maximum = spec.get("min"), spec.get("max")
        if minimum is not None and value < minimum:
            raise BadRequest(f"{where} = {value} is below its minimum {minimum}", field=where)
        if maximum is not None and value > maximum:
            raise BadRequest(f"{where} = {value} is above its maximum {maximum}", field=where)
        return int(value) if kind == "integer" else value
    if kind == "option":
        choices = spec.get("choices") or []
        if value not in choices:
            raise BadRequest(
                f"{where} must be one of {', '.join(map(str, choices))}; not {value!r}",
                field=where,
            )
        return value
    if kind in ("string", "input_file", "output_file", "is_string_or_datamodel"):
        if not isinstance(value, str):
            raise BadRequest(f"{where} must be a string, not {value!r}", field=where)
        check_no_control(where, value)
        return value
    # Other configobj types (e.g. ``pass``, ``mixed``): any JSON scalar.
    if not isinstance(value, str | int | float | bool):
        raise BadRequest(f"{where} must be a string, number or boolean", field=where)
    return value


def format_value(value: Any) -> str:
    """A parameter value as stpipe's command line reads it."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, list | tuple):
        return ",".join(format_value(item) for item in value)
    return str(value)


def strun_arguments(
    pipeline: str, input_path: str, output_dir: str, steps: dict[str, dict[str, Any]]
) -> list[str]:
    """``strun``'s arguments (without ``strun``) for a pipeline, input, output and steps."""
    argv = [pipeline, input_path, f"--output_dir={output_dir}"]
    for step, params in steps.items():
        for name, value in params.items():
            argv.append(f"--steps.{step}.{name}={format_value(value)}")
    return argv


def copy_as_strun(arguments: list[str], crds_context: str | None) -> str:
    """A shell command equivalent to a job (for a terminal in the server root)."""
    prefix = f"CRDS_CONTEXT={shlex.quote(crds_context)} " if crds_context else ""
    return prefix + shlex.join(["strun", *arguments])


def copy_as_python(
    class_name: str,
    input_path: str,
    output_dir: str,
    steps: dict[str, dict[str, Any]],
    crds_context: str | None,
) -> str:
    """A Python snippet equivalent to a job (for a notebook in the server root)."""
    module, _, name = class_name.rpartition(".")
    lines = []
    if crds_context:
        lines += ["import os", "", f"os.environ['CRDS_CONTEXT'] = {crds_context!r}"]
    lines += [f"from {module} import {name}", "", f"result = {name}.call("]
    lines += [f"    {input_path!r},", f"    output_dir={output_dir!r},", "    save_results=True,"]
    if steps:
        lines.append(f"    steps={steps!r},")
    lines.append(")")
    return "\n".join(lines) + "\n"


# --- effective parameters, parameter files, strun commands --------------------


def _shown_steps(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps the run dialog shows: a pipeline's steps, or the single step itself."""
    if spec["step_specs"]:
        return list(spec["step_specs"])
    return [{"alias": spec["alias"], "class_name": spec["class_name"], "params": spec["params"]}]


def effective_parameters(spec: dict[str, Any], pars: dict[str, Any]) -> dict[str, Any]:
    """Each shown parameter's value as a job would get it, and where the value comes from.

    ``spec`` is :meth:`PipelineCatalog.spec`, ``pars`` the CRDS worker's
    ``step_pars`` answer. Like stpipe: the code default, then the step's
    ``pars-*`` reference, then the ``steps`` section of the pipeline's own
    ``pars-*`` reference (for a single step, its reference is the "pipeline" one).
    """
    pipeline_ref = pars.get("pipeline") or {}
    is_pipeline = bool(spec["step_specs"])
    steps: dict[str, Any] = {}
    for step in _shown_steps(spec):
        alias = step["alias"]
        own = (pars.get("steps") or {}).get(alias) if is_pipeline else pipeline_ref
        own = own or {}
        layers = [(own.get("reference"), own.get("parameters") or {})]
        if is_pipeline:
            overrides = (pipeline_ref.get("steps") or {}).get(alias) or {}
            layers.append((pipeline_ref.get("reference"), overrides))
        values: dict[str, Any] = {}
        for name, param in step["params"].items():
            value: dict[str, Any] = {
                "value": param.get("default"),
                "source": "default",
                "reference": None,
            }
            for reference, given in layers:
                if name in given:
                    value = {"value": given[name], "source": "crds", "reference": reference}
            values[name] = value
        steps[alias] = {
            "reftype": own.get("reftype"),
            "reference": own.get("reference"),
            "values": values,
        }
    return {
        "alias": spec["alias"],
        "input": pars.get("input", ""),
        "context": pars.get("context"),
        "context_reason": pars.get("context_reason", ""),
        "disabled": bool(pars.get("disabled")),
        "exp_type": pars.get("exp_type"),
        "pipeline_reference": pipeline_ref.get("reference") if is_pipeline else None,
        "steps": steps,
    }


def parameter_file_values(
    catalog: PipelineCatalog, contents: dict[str, Any]
) -> tuple[str | None, dict[str, dict[str, Any]], list[str]]:
    """A parameter file's ``{"class", "pipeline", "steps"}`` as the dialog's values.

    Answers the alias of its class (None when not installed), the values of
    the parameters the dialog shows, by step, and the names it left out
    (unknown to the installed version, or set by jwst-lab itself).
    """
    class_name = str(contents.get("class") or "")
    entries = catalog.load()["entries"]
    alias = next((e["alias"] for e in entries if e["class_name"] == class_name), None)
    if alias is None:
        # stpipe saves the defining module (jwst.pipeline.calwebb_image3.Image3Pipeline),
        # the catalog the exported name (jwst.pipeline.Image3Pipeline).
        short = class_name.rsplit(".", 1)[-1]
        same = [e["alias"] for e in entries if e["class_name"].rsplit(".", 1)[-1] == short]
        alias = same[0] if len(same) == 1 else None
    if alias is None:
        return None, {}, []
    entry = catalog.require(alias)
    if entry["steps"]:
        given = {str(step): dict(values) for step, values in (contents.get("steps") or {}).items()}
    else:
        given = {alias: dict(contents.get("pipeline") or {})}
    specs = catalog.step_specs(alias)
    values: dict[str, dict[str, Any]] = {}
    ignored: list[str] = []
    for step, params in given.items():
        if step not in specs:
            ignored.append(step)
            continue
        values[step] = {}
        for name, value in params.items():
            spec = specs[step].get(name)
            if spec is None:
                if name not in ("class", "name"):
                    ignored.append(f"{step}.{name}")
            elif name == "skip" or not (
                name in COMMON_PARAMS or name in MANAGED_PARAMS or param_role(name, spec) == "hook"
            ):
                values[step][name] = value
    return alias, values, ignored


def parameter_file_tree(
    catalog: PipelineCatalog, alias: str, steps: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The ASDF tree of a parameter file (stpipe's ``StepConfig`` layout) for checked ``steps``."""
    entry = catalog.require(alias)
    if not entry["steps"]:
        return {
            "class": entry["class_name"],
            "name": alias,
            "parameters": dict(steps.get(alias, {})),
        }
    return {
        "class": entry["class_name"],
        "name": entry["class_name"].rsplit(".", 1)[-1],
        "parameters": {},
        "steps": [
            {"class": step["class_name"], "name": step["alias"], "parameters": steps[step["alias"]]}
            for step in entry["steps"]
            if steps.get(step["alias"])
        ],
    }


def crds_assignments(
    path: Path | None, server_url: str, mode: str, context: str | None
) -> list[tuple[str, str]]:
    """The CRDS environment a shell needs to run a job as the server would."""
    assignments: list[tuple[str, str]] = []
    if path is not None:
        assignments.append(("CRDS_PATH", str(path)))
    if server_url:
        assignments.append(("CRDS_SERVER_URL", server_url))
    assignments.append(("CRDS_MODE", mode))
    if context:
        assignments.append(("CRDS_CONTEXT", context))
    return assignments


def strun_command(
    argv: list[str], assignments: list[tuple[str, str]], cwd: Path | None = None
) -> str:
    """``argv`` as one shell line with its environment assignments (and a ``cd`` when needed)."""
    env = " ".join(f"{name}={shlex.quote(value)}" for name, value in assignments)
    line = f"{env} {shlex.join(argv)}" if env else shlex.join(argv)
    return f"cd {shlex.quote(str(cwd))} && {line}" if cwd is not None else line
