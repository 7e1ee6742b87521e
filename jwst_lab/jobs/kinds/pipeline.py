"""``pipeline`` jobs: one stpipe pipeline or step on one input under the server root.

The runner (:mod:`jwst_lab.jobs.runner`) runs it as ``strun`` would, in the
job's own output folder, with the job's CRDS context; progress counts the
pipeline's steps from stpipe's log lines.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ...clock import epoch_seconds
from ...core.associations import require_members
from ...core.crds import check_context_name
from ...core.paths import relative_to_root, resolve_in_root
from ...core.pipeline import PIPELINE_INPUTS, copy_as_python, copy_as_strun, strun_arguments
from ...errors import BadRequest, Conflict, JwstLabError
from ...models.jobs import JobCommands, JobRecord
from ..environment import job_environment
from ..logs import LOG_NAME, last_error_lines, tail_text
from ..outputs import format_size, free_space, list_outputs, remove_temporaries
from ..progress import Progress, advance
from ..resources import (
    PeakStore,
    check_fits_alone,
    estimate_job_memory,
    memory_available,
    merge_resources,
    out_of_memory,
    out_of_memory_advice,
    read_sampled,
    record_peak,
)
from ..runner import PARAMS_SUFFIX, RESULT_NAME, SPEC_NAME
from .base import Claim, Ending, Finished, JobKind, KindContext, LaunchPlan, NewJob, read_result

LOG = logging.getLogger(__name__)

#: Files a pipeline step can read: FITS and ASDF data files, JSON associations.
DATA_SUFFIXES = (".fits", ".asdf", ".json")
#: How Python and the C library say ENOSPC.
DISK_FULL = "No space left on device"


@dataclass(frozen=True)
class StepProgress:
    """A pipeline's progress and the step names it counts."""

    steps: tuple[str, ...]
    state: Progress

    def as_dict(self) -> dict[str, Any]:
        """The ``progress`` member of the record."""
        return self.state.as_dict()

    def completed(self) -> StepProgress:
        """Every step done."""
        return replace(self, state=self.state.completed())


class PipelineKind(JobKind):
    """A jwst pipeline or step; runs on the configured executor (local or Dask)."""

    name = "pipeline"
    requestable = True

    def validate(self, ctx: KindContext, request: Mapping[str, Any], job: NewJob) -> JobRecord:
        """Check the request against the catalog, the root, the association and CRDS."""
        kind = request.get("kind", self.name)
        if kind != self.name:
            raise BadRequest(f"kind must be {self.name!r}, not {kind!r}", field="kind")
        pipeline = request.get("pipeline")
        if not isinstance(pipeline, str) or not pipeline:
            raise BadRequest("pipeline is required, e.g. 'calwebb_image3'", field="pipeline")
        entry = ctx.catalog.require(pipeline)
        root = ctx.root
        # A run's child may read what the jobs it depends on produce: checked in full at launch.
        child = request.get("run_id") is not None
        input_path = resolve_in_root(
            root, request.get("input", ""), field="input", must_exist=not child
        )
        refuse_expansions("input", request.get("input", ""))
        check_pipeline_input(pipeline, entry, input_path, request["input"])
        if input_path.name.endswith(".json") and not child:
            check_association(ctx, pipeline, input_path)
        steps = ctx.catalog.validate_steps(pipeline, request.get("steps"))
        context = check_context(ctx, request.get("crds_context"))
        check_crds_usable(ctx)
        output = (
            run_child_output(ctx, request.get("output_dir"))
            if child
            else self._output(ctx, request.get("output_dir"), input_path, pipeline, job.id)
        )
        # Every file-like step parameter must stay in the root (checked again at launch).
        ctx.catalog.launch_steps(pipeline, steps, root=root, folders=[input_path.parent, output])
        input_rel = relative_to_root(root, input_path)
        output_rel = relative_to_root(root, output) if output != root else "."
        arguments = strun_arguments(pipeline, input_rel, output_rel, steps)
        run_fields = run_child_fields(request) if child else {}
        if child:  # the run estimated it from the planned exposures and checked the limit
            estimate = run_fields.pop("memory_estimate_bytes")
        else:
            estimate = estimate_job_memory(
                pipeline, input_path, store=PeakStore.beside_jobs(ctx.jobs_dir), root=root
            )
            check_fits_alone(
                estimate,
                ctx.memory_limit_bytes(),
                force=request.get("force") is True,
                what=f"this {pipeline} job",
                limit_name=ctx.memory_limit_name(),
            )
        return self.new_record(
            ctx,
            job,
            input=input_rel,
            pipeline=pipeline,
            steps=steps,
            crds_context_requested=context,
            output_dir=output_rel,
            argv=["strun", *arguments],
            commands={
                "strun": copy_as_strun(arguments, context),
                "python": copy_as_python(
                    entry["class_name"], input_rel, output_rel, steps, context
                ),
            },
            versions=ctx.catalog.versions(),
            progress=Progress(total=len(entry["steps"]) or 1).as_dict(),
            **run_fields,
            memory_estimate_bytes=estimate,
        )

    @staticmethod
    def _output(
        ctx: KindContext, requested: Any, input_path: Path, pipeline: str, job_id: str
    ) -> Path:
        """The job's output folder: the one asked for (new or empty), or a new one."""
        if not requested:
            return input_path.parent / f"{pipeline.removeprefix('calwebb_')}_{job_id}"
        if not isinstance(requested, str):
            raise BadRequest(
                "output_dir must be a path relative to the server root", field="output_dir"
            )
        refuse_expansions("output_dir", requested)
        output = resolve_in_root(ctx.root, requested, field="output_dir", must_exist=False)
        if output.exists() and (not output.is_dir() or any(output.iterdir())):
            raise Conflict(
                f"output_dir {requested!r} is not an empty folder; a job never overwrites "
                "other outputs"
            )
        return output

    def claims(self, ctx: KindContext, record: JobRecord) -> list[Claim]:
        """The output folder: one active job per folder; a run's child, its products in it."""
        if record.run_id is not None:  # the run owns the stage folder its children share
            return [
                Claim(f"file:{record.output_dir}/{prefix}*", f"{record.output_dir}/{prefix}*")
                for prefix in run_child_prefixes(ctx, record)[0]
            ]
        return [Claim(f"folder:{record.output_dir}", f"output_dir {record.output_dir!r}")]

    def plan(self, ctx: KindContext, record: JobRecord) -> LaunchPlan:
        """Write the runner's spec (absolute paths, file parameters placed in the root)."""
        assert record.pipeline is not None
        job_dir = ctx.job_dir(record.id)
        job_dir.mkdir(parents=True, exist_ok=True)
        child = record.run_id is not None
        input_path = resolve_in_root(ctx.root, record.input, field="input", must_exist=not child)
        params_name = f"{record.pipeline}{PARAMS_SUFFIX}"
        if child:
            check_run_child_input(ctx, record, input_path)
            params_name = f"{record.pipeline}_{record.id}{PARAMS_SUFFIX}"  # a shared folder
        output = resolve_in_root(ctx.root, record.output_dir, field="output_dir", must_exist=False)
        output.mkdir(parents=True, exist_ok=True)
        steps = ctx.catalog.launch_steps(
            record.pipeline, record.steps, root=ctx.root, folders=[input_path.parent, output]
        )
        spec = {
            "job_id": record.id,
            "job_dir": str(job_dir),
            "root": str(ctx.root),
            "arguments": strun_arguments(record.pipeline, str(input_path), str(output), steps),
            "param_file": str(output / params_name),
            "result_file": str(job_dir / RESULT_NAME),
        }
        spec_path = job_dir / SPEC_NAME
        spec_path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
        return LaunchPlan(
            job_id=record.id,
            argv=[ctx.python, "-m", "jwst_lab.jobs.runner", str(spec_path)],
            cwd=input_path.parent,
            job_dir=job_dir,
            env=job_environment(ctx.base_env, ctx.settings.crds, record.crds_context_requested),
            runner_spec=spec_path,
        )

    def progress(self, ctx: KindContext, record: JobRecord) -> StepProgress:
        """Nothing done yet, out of the pipeline's steps (the catalog may be loaded)."""
        steps: tuple[str, ...] = ()
        try:
            entry = ctx.catalog.entry(record.pipeline or "")
        except Exception:
            entry = None
        if entry:
            steps = tuple(step["alias"] for step in entry["steps"])
        return StepProgress(steps, Progress(total=len(steps) or 1))

    def advance(self, progress: Any, line: str, event: dict[str, Any] | None) -> StepProgress:
        """stpipe's ``Step <name> running/done`` and ``Step skipped.`` lines move it."""
        del event
        state = advance(progress.state, line, progress.steps)
        return progress if state is progress.state else StepProgress(progress.steps, state)

    def finish(self, ctx: KindContext, record: JobRecord, ending: Ending) -> Finished:
        """Provenance from the result file, outputs from the output folder, the error."""
        job_dir = ctx.job_dir(record.id)
        result = read_result(job_dir)
        changes: dict[str, Any] = {}
        if result.get("versions"):
            changes["versions"] = result["versions"]
        if result.get("params") is not None:
            changes["params"] = result["params"]
        used = result.get("crds_context_used")
        if used:
            changes.update(crds_context_used=used, crds_context=used)
            if not record.crds_context_requested:
                changes["commands"] = self._commands(ctx, record, used)
        listing = list_outputs(ctx.root, record.output_dir)
        if record.run_id is not None:  # a shared stage folder: only what this job wrote
            keep_run_child_outputs(ctx, record, listing)
        removed = 0 if ending.succeeded else remove_temporaries(listing)
        if removed:
            listing.warnings.append(f"removed {removed} temporary file(s) the failed job left")
        changes.update(
            outputs=listing.files if ending.succeeded else [],
            partial_outputs=[] if ending.succeeded else listing.files,
            warnings=listing.warnings,
        )
        error = None
        if ending.exit_code not in (0, None):
            error = self._error_text(ctx, record, result, ending.exit_code)
        sampled = read_sampled(job_dir)
        measured = result.get("resources")
        resources = merge_resources(measured if isinstance(measured, dict) else {}, sampled)
        changes["resources"] = resources
        peak = resources["peak_rss_bytes"] if resources else None
        runner_error = result.get("error")
        if not ending.succeeded and out_of_memory(
            ending.exit_code,
            stopped=ending.stopped,
            runner_error=runner_error if isinstance(runner_error, str) else None,
            sampled=sampled,
            available=memory_available(),
        ):
            changes["reason"] = "out_of_memory"
            advice = out_of_memory_advice(
                peak, record.memory_estimate_bytes, ctx.settings.memory_limit_bytes
            )
            error = advice if error is None else f"{advice}\n{error}"
        if ending.succeeded and peak:
            self._calibrate(ctx, record, peak)
        return Finished(self.updated(record, **changes), error)

    @staticmethod
    def _calibrate(ctx: KindContext, record: JobRecord, peak: int) -> None:
        """Store a succeeded job's measured peak: later estimates of its class follow it."""
        assert record.pipeline is not None
        try:
            input_path = resolve_in_root(ctx.root, record.input, field="input")
            record_peak(
                PeakStore.beside_jobs(ctx.jobs_dir),
                record.pipeline,
                input_path,
                peak,
                job_id=record.id,
                root=ctx.root,
            )
        except (OSError, ValueError, JwstLabError) as problem:
            LOG.warning("jwst-lab: could not store job %s's memory peak: %s", record.id, problem)

    @staticmethod
    def _commands(ctx: KindContext, record: JobRecord, context: str) -> JobCommands:
        """The job's "Copy as strun" and "Copy as Python", pinned to ``context``."""
        assert record.pipeline is not None
        entry = ctx.catalog.entry(record.pipeline)
        class_name = entry["class_name"] if entry else record.pipeline
        return JobCommands(
            strun=copy_as_strun(record.argv[1:], context),
            python=copy_as_python(
                class_name, record.input, record.output_dir, record.steps, context
            ),
        )

    @staticmethod
    def _error_text(
        ctx: KindContext, record: JobRecord, result: dict[str, Any], exit_code: int
    ) -> str:
        """The runner's error, what the log says, and what to do about a full disk."""
        lines = last_error_lines(tail_text(ctx.job_dir(record.id) / LOG_NAME))
        head = str(result.get("error") or f"the pipeline exited with status {exit_code}")
        if any(DISK_FULL in line for line in [head, *lines]):
            free = free_space(ctx.root / record.output_dir)
            shown = "unknown" if free is None else format_size(free)
            head = (
                f"disk full: no space left in {record.output_dir} ({shown} free); free some "
                f"space or choose another output folder, then rerun. ({head})"
            )
        return "\n".join([head, *[line for line in lines if line != head]])

    def rerun(self, ctx: KindContext, record: JobRecord) -> Mapping[str, Any]:
        """The same pipeline, input and steps, pinned to the CRDS context the job used."""
        del ctx
        return {
            "kind": self.name,
            "pipeline": record.pipeline,
            "input": record.input,
            "steps": record.steps,
            "crds_context": record.crds_context_used or record.crds_context_requested,
        }


def refuse_expansions(field: str, value: Any) -> None:
    """400 for ``$`` or a leading ``~``: stpipe and jwst expand them in paths they open."""
    if isinstance(value, str) and ("$" in value or value.startswith("~")):
        raise BadRequest(
            f"{field} {value!r} uses '$' or '~', which the pipeline would expand; "
            "give a plain path relative to the server root",
            field=field,
        )


def check_pipeline_input(
    pipeline: str, entry: Mapping[str, Any], input_path: Path, shown: str
) -> None:
    """400 when ``pipeline`` does not take ``input_path`` (checked by name, before any job)."""
    if input_path.is_dir():
        raise BadRequest(f"input {shown!r} is a folder, not a file", field="input")
    name = input_path.name.lower()
    accepts = PIPELINE_INPUTS.get(pipeline)
    if name.endswith(".json"):
        if accepts is not None and not accepts.asn_types:
            raise BadRequest(
                f"{pipeline} runs {' or '.join(accepts.suffixes)} files, not associations "
                f"({shown!r})",
                field="input",
            )
        return
    if accepts is not None:
        if not name.endswith(accepts.suffixes):
            takes = " or ".join(accepts.suffixes)
            if accepts.asn_types:
                takes = f"{'/'.join(accepts.asn_types)} associations (_asn.json) or {takes} files"
            raise BadRequest(f"{pipeline} takes {takes}, not {shown!r}", field="input")
        return
    if not name.endswith(DATA_SUFFIXES):
        what = "pipeline" if entry.get("is_pipeline") else "step"
        raise BadRequest(
            f"the {pipeline} {what} reads FITS or ASDF data files or associations (.json), "
            f"not {shown!r}",
            field="input",
        )


def check_association(ctx: KindContext, pipeline: str, path: Path) -> None:
    """400 unless the association is valid, complete, and of a type ``pipeline`` runs."""
    summary = ctx.associations.read(path, field="input")
    require_members(summary)
    accepts = PIPELINE_INPUTS.get(pipeline)
    asn_type = summary["asn_type"]
    if accepts and asn_type not in accepts.asn_types:
        runs = (
            f"it runs {', '.join(accepts.asn_types)} associations"
            if accepts.asn_types
            else f"it runs {' or '.join(accepts.suffixes)} files, not associations"
        )
        raise BadRequest(
            f"{pipeline} does not run {asn_type!r} associations ({runs})", field="input"
        )


def check_context(ctx: KindContext, context: Any) -> str | None:
    """The job's CRDS context: the one asked for (checked) or the server's pinned one."""
    if context in (None, ""):
        return ctx.settings.crds.context
    if not isinstance(context, str):
        raise BadRequest(
            f"crds_context must be a context name like 'jwst_1234.pmap', not {context!r}",
            field="crds_context",
        )
    check_context_name(context, "crds_context")
    crds = ctx.settings.crds
    cache = crds.path if crds.mode in ("serverless", "local") else None
    if cache is not None and not (cache / "mappings" / "jwst" / context).is_file():
        raise BadRequest(
            f"crds_context {context!r} is not in the CRDS cache {crds.path} "
            "(and CRDS runs without a server)",
            field="crds_context",
        )
    return context


def check_crds_usable(ctx: KindContext) -> None:
    """409 when the pipeline could not get its references: no server and no usable cache."""
    crds = ctx.settings.crds
    if not crds.serverless and crds.mode != "local":
        return  # crds fills the cache from its server as the pipeline asks
    problem = ctx.crds_problem()
    if problem:
        raise Conflict(
            f"the pipeline cannot run: CRDS has no server and its cache is unusable. {problem}",
            reason="crds_unusable",
        )


# --- children of a run (jobs/runs.py) ----------------------------------------------------

#: Seconds of file-time slack when telling a run child's own outputs from older files.
MTIME_SLACK = 2.0


def run_child_output(ctx: KindContext, requested: Any) -> Path:
    """A run child's stage folder: in the root; it may hold the outputs of its siblings."""
    if not isinstance(requested, str) or not requested:
        raise BadRequest(
            "output_dir must be a path relative to the server root", field="output_dir"
        )
    refuse_expansions("output_dir", requested)
    return resolve_in_root(ctx.root, requested, field="output_dir", must_exist=False)


def run_child_fields(request: Mapping[str, Any]) -> dict[str, Any]:
    """The record members a run gives its child: ``run_id``, ``depends_on``, the estimate."""
    run_id, depends_on = request.get("run_id"), request.get("depends_on", [])
    estimate = request.get("memory_estimate_bytes")
    if not isinstance(run_id, str) or not run_id:
        raise BadRequest("run_id must be a run's id", field="run_id")
    if not isinstance(depends_on, list) or not all(isinstance(d, str) for d in depends_on):
        raise BadRequest("depends_on must be a list of job ids", field="depends_on")
    if estimate is not None and (not isinstance(estimate, int) or estimate < 0):
        raise BadRequest(
            "memory_estimate_bytes must be a byte count", field="memory_estimate_bytes"
        )
    return {"run_id": run_id, "depends_on": list(depends_on), "memory_estimate_bytes": estimate}


def _stem(name: str) -> str:
    """An exposure file's name without its product suffix (``x_uncal.fits`` → ``x``)."""
    base = name.rsplit(".", 1)[0]
    head, _, suffix = base.rpartition("_")
    return head if head and suffix.isalpha() else base


def run_child_prefixes(ctx: KindContext, record: JobRecord) -> tuple[list[str], list[str]]:
    """Blocking: the name prefixes of a run child's outputs: (products, members).

    An exposure's job writes ``<stem>_<suffix>``; an association's job writes
    ``<product name>_<suffix>`` and per-member files (``<member stem>_..._crf``).
    The parameter file of a run child is ``<pipeline>_<job id>_params.asdf``.
    """
    name = record.input.rsplit("/", 1)[-1]
    products = [f"{record.pipeline}_{record.id}_"]
    members: list[str] = []
    if not name.endswith(".json"):
        return [f"{_stem(name)}_", *products], members
    try:
        content = json.loads((ctx.root / record.input).read_text(encoding="utf-8"))
        for product in content.get("products", []):
            if product.get("name"):
                products.insert(0, f"{product['name']}_")
            members += [
                f"{_stem(str(m.get('expname', '')).rsplit('/', 1)[-1])}_"
                for m in product.get("members", [])
                if m.get("expname")
            ]
    except (OSError, ValueError, AttributeError, TypeError):
        products.insert(0, f"{_stem(name)}_")
    return products, members


def check_run_child_input(ctx: KindContext, record: JobRecord, input_path: Path) -> None:
    """At launch: the input (and an association's members) the dependencies produced exist."""
    if not input_path.is_file():
        raise BadRequest(
            f"input {record.input!r} does not exist: the jobs this one depends on "
            f"({', '.join(record.depends_on) or 'none'}) did not produce it",
            field="input",
        )
    if input_path.name.endswith(".json"):
        assert record.pipeline is not None
        check_association(ctx, record.pipeline, input_path)


def keep_run_child_outputs(ctx: KindContext, record: JobRecord, listing: Any) -> None:
    """Keep in ``listing`` only the files this run child wrote (by name prefix and time)."""
    products, members = run_child_prefixes(ctx, record)
    folder = record.output_dir.rstrip("/") + "/"
    since = (epoch_seconds(record.started) or 0.0) - MTIME_SLACK

    def written(relative: str) -> bool:
        name = relative.removeprefix(folder)
        if "/" in name:
            return False
        if name.startswith(tuple(products)):
            return True
        if not members or not name.startswith(tuple(members)):
            return False
        try:
            return (ctx.root / relative).stat().st_mtime >= since
        except OSError:
            return False

    listing.files = [f for f in listing.files if written(f)]
    listing.temporaries = [p for p in listing.temporaries if p.name.startswith(tuple(products))]
