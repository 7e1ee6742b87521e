"""What the run dialog asks the server: effective parameters, applicable pipelines,
parameter files in and out, and the ``strun`` command of its values.

Services without tornado; the routes in :mod:`jwst_lab.routes.pipeline` call
them from a worker thread (they block on files and on the CRDS worker).
"""

from __future__ import annotations

import io
from pathlib import Path, PurePosixPath
from typing import Any

from ..config import CrdsSettings
from ..errors import BadRequest, Conflict, NotFound
from .crds import CrdsService
from .exp_types import applicable_pipelines, header_exp_type, installed_table
from .paths import relative_to_root, resolve_in_root
from .pipeline import (
    PIPELINE_INPUTS,
    PipelineCatalog,
    crds_assignments,
    effective_parameters,
    format_value,
    parameter_file_tree,
    parameter_file_values,
    strun_command,
)
from .safe_fs import SafeRoot

#: Parameter files larger than this are not read (stpipe's are a few kB).
MAX_PARAMETER_FILE = 4 * 1024 * 1024


def parameters_for(
    catalog: PipelineCatalog,
    crds: CrdsService,
    root: Path,
    alias: str,
    input_rel: str,
    context: str | None,
) -> dict[str, Any]:
    """The values a job of ``alias`` on ``input_rel`` would run with, and their sources."""
    spec = catalog.spec(alias)
    if spec is None:
        raise NotFound(f"no pipeline or step {alias!r} is installed", field="alias")
    path = resolve_in_root(root, input_rel, field="input")
    if not path.is_file():
        raise BadRequest(f"input {input_rel!r} is not a file", field="input")
    pars = crds.step_parameters(
        path=path,
        class_name=spec["class_name"],
        context=context,
        display_path=relative_to_root(root, path),
    )
    return effective_parameters(spec, pars)


def applicable_for(catalog: PipelineCatalog, root: Path, input_rel: str) -> dict[str, Any]:
    """The installed calwebb pipelines that take the exposure ``input_rel`` (name and EXP_TYPE)."""
    path = resolve_in_root(root, input_rel, field="input")
    if not path.is_file():
        raise BadRequest(f"input {input_rel!r} is not a file", field="input")
    name = path.name.lower()
    by_suffix = [
        entry["alias"]
        for entry in catalog.summaries()
        if entry["is_pipeline"] and entry["suffixes"] and name.endswith(tuple(entry["suffixes"]))
    ]
    exp_type = header_exp_type(path)
    table = installed_table()
    kept, reason = applicable_pipelines(exp_type, by_suffix, table)
    return {
        "input": relative_to_root(root, path),
        "exp_type": exp_type,
        "pipelines": kept,
        "reason": reason,
        "table": table.source if table else None,
    }


def _asdf_path(root: Path, user_path: str, *, must_exist: bool) -> Path:
    if not PurePosixPath(user_path.strip()).name.lower().endswith(".asdf"):
        raise BadRequest("a parameter file is an .asdf file", field="path")
    return resolve_in_root(root, user_path, field="path", must_exist=must_exist)


def read_parameter_file_at(catalog: PipelineCatalog, root: Path, user_path: str) -> dict[str, Any]:
    """A parameter file under the root (``strun --save-parameters``, ``*_params.asdf``) read."""
    from ..jobs.runner import read_parameter_file

    path = _asdf_path(root, user_path, must_exist=True)
    if not path.is_file():
        raise BadRequest(f"path {user_path!r} is not a file", field="path")
    if path.stat().st_size > MAX_PARAMETER_FILE:
        raise BadRequest(f"path {user_path!r} is too large for a parameter file", field="path")
    try:
        contents = read_parameter_file(path)
    except Exception as error:  # asdf raises many kinds for a file that is not one
        raise BadRequest(
            f"{path.name} is not an ASDF parameter file: {type(error).__name__}", field="path"
        ) from None
    if not contents.get("class"):
        raise BadRequest(f"{path.name} names no step class: not a parameter file", field="path")
    alias, values, ignored = parameter_file_values(catalog, contents)
    return {
        "path": relative_to_root(root, path),
        "class_name": contents["class"],
        "alias": alias,
        "steps": values,
        "ignored": ignored,
    }


def write_parameter_file_at(
    catalog: PipelineCatalog,
    root: Path,
    user_path: str,
    pipeline: str,
    steps: dict[str, dict[str, Any]],
    *,
    overwrite: bool,
) -> dict[str, Any]:
    """Write ``steps`` (checked against the spec) as stpipe's ASDF parameter file; read it back."""
    import asdf

    checked = catalog.validate_steps(pipeline, steps)
    path = _asdf_path(root, user_path, must_exist=False)
    if path.exists() and not overwrite:
        raise Conflict(f"{user_path!r} exists; ask to overwrite it", field="path")
    if path.exists() and not path.is_file():
        raise BadRequest(f"path {user_path!r} is not a file", field="path")
    buffer = io.BytesIO()
    asdf.AsdfFile(parameter_file_tree(catalog, pipeline, checked)).write_to(buffer)
    with SafeRoot(root).open_folder(path.parent, create=True) as folder:
        folder.write_atomic(path.name, buffer.getvalue(), temporary=f".{path.name}.tmp")
    return read_parameter_file_at(catalog, root, relative_to_root(root, path))


def strun_for(
    catalog: PipelineCatalog,
    crds: CrdsService,
    root: Path,
    alias: str,
    request: dict[str, Any],
) -> dict[str, Any]:
    """A ``strun`` line for the dialog's values that runs from any folder."""
    catalog.require(alias)
    input_path = resolve_in_root(root, request["input"], field="input")
    steps = catalog.validate_steps(alias, request.get("steps") or {})
    output: Path | None = None
    if request.get("output_dir"):
        output = resolve_in_root(root, request["output_dir"], field="output_dir", must_exist=False)
    folders = [input_path.parent, output or input_path.parent]
    placed = catalog.launch_steps(alias, steps, root=root, folders=folders)
    argv = ["strun", alias, str(input_path)]
    if output is not None:
        argv.append(f"--output_dir={output}")
    argv += [
        f"--steps.{step}.{name}={format_value(value)}"
        for step, params in placed.items()
        for name, value in params.items()
    ]
    context = request.get("crds_context")
    if context is None:
        context, _why, _operational = crds.effective_context()
    settings: CrdsSettings = crds.settings
    mode = "local" if settings.serverless else settings.mode
    assignments = crds_assignments(settings.path, settings.server_url, mode, context)
    cwd = input_path.parent if _level2_association(alias, input_path) else None
    return {
        "command": strun_command(argv, assignments, cwd),
        "argv": argv,
        "env": dict(assignments),
        "cwd": str(cwd) if cwd is not None else None,
    }


def _level2_association(alias: str, path: Path) -> bool:
    """Level 2 associations name members relative to their folder: stpipe must run there."""
    accepts = PIPELINE_INPUTS.get(alias)
    return path.name.endswith(".json") and accepts is not None and accepts.level == 2
