"""``crds_fetch`` jobs: sync the CRDS references some data files need into the cache.

The request is the plan :meth:`~jwst_lab.core.crds.CrdsService.fetch_plan`
made (which refuses serverless and read-only caches); the runner
(:mod:`jwst_lab.jobs.crds_fetch_runner`) runs with its CRDS environment and
fetches ``crds_fetch_concurrency`` references at once into crds's cache
layout. It runs on this host only: it writes the server's CRDS cache. A
runner that died with the server is queued again (what is cached is skipped).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ... import __version__, metrics
from ...core.paths import relative_to_root
from ...errors import BadRequest, Conflict
from ...models.jobs import JobRecord
from ..crds_fetch_runner import CRDS_FETCH_SPEC_NAME
from ..progress import TransferProgress
from ..runner import RESULT_NAME
from .base import Ending, Finished, KindContext, LaunchPlan, NewJob, read_result
from .transfer import TransferKind


class CrdsFetchKind(TransferKind):
    """References fetched by ``python -m jwst_lab.jobs.crds_fetch_runner``.

    A runner that died with the server is queued again: it skips what the
    dead runner already moved into the cache and clears its temporary files.
    """

    name = "crds_fetch"
    runner_module = "jwst_lab.jobs.crds_fetch_runner"
    noun = "the CRDS fetch"

    def validate(self, ctx: KindContext, request: Mapping[str, Any], job: NewJob) -> JobRecord:
        """Write the runner's spec. ``request``: ``input_label`` (what the user named), ``plan``."""
        plan = request.get("plan")
        label = request.get("input_label")
        if not isinstance(plan, Mapping) or not isinstance(label, str):
            raise BadRequest("a CRDS fetch needs a fetch plan and an input", field="path")
        context = str(plan["context"])
        files = [str(f) for f in plan["files"]]
        job_dir = ctx.job_dir(job.id)
        job_dir.mkdir(parents=True, exist_ok=True)
        spec = {
            "job_id": job.id,
            "job_dir": str(job_dir),
            "context": context,
            "files": files,
            "environment": dict(plan.get("environment") or {}),
            "concurrency": ctx.settings.crds_fetch_concurrency,
            "result_file": str(job_dir / RESULT_NAME),
            "input": label,
        }
        spec_path = job_dir / CRDS_FETCH_SPEC_NAME
        spec_path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
        return self.new_record(
            ctx,
            job,
            input=label,
            crds_context_requested=context,
            output_dir="",
            argv=self.runner_argv(Path(ctx.python).name, spec_path),
            commands={"strun": "", "python": snippet(ctx.root, spec)},
            versions={"jwst-lab": __version__},
            progress=TransferProgress(0, 0).as_dict(),
            crds_fetch={
                "context": context,
                "context_reason": plan.get("context_reason"),
                "files": len(files),
                "fetched": [],
                "skipped": [],
                "failed": [],
                "resumes": 0,
            },
        )

    def plan(self, ctx: KindContext, record: JobRecord) -> LaunchPlan:
        """The runner with the CRDS environment of the plan (none of the server's CRDS_*)."""
        spec_path = ctx.job_dir(record.id) / CRDS_FETCH_SPEC_NAME
        if not spec_path.is_file():
            raise FileNotFoundError(f"the spec of job {record.id} is missing")
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        env = {k: v for k, v in ctx.base_env.items() if not k.startswith("CRDS_")}
        env.update(spec.get("environment") or {})
        env["PYTHONUNBUFFERED"] = "1"
        return self.launch(ctx, record, spec_path, env)

    def finish(self, ctx: KindContext, record: JobRecord, ending: Ending) -> Finished:
        """What was fetched, skipped (already cached) and failed; the context used."""
        result = read_result(ctx.job_dir(record.id))
        metrics.transfer_finished(self.name, result, meter=self.meter(record))
        changes: dict[str, Any] = {"outputs": [], "resources": self.measured(ctx, record, result)}
        if record.crds_fetch is not None:
            reported = {k: list(result.get(k) or []) for k in ("fetched", "skipped", "failed")}
            changes["crds_fetch"] = record.crds_fetch.model_dump() | reported
        used = result.get("crds_context_used")
        if used:
            changes.update(crds_context_used=used, crds_context=used)
        return Finished(self.updated(record, **changes), self.runner_error(result, ending))

    def rerun(self, ctx: KindContext, record: JobRecord) -> Mapping[str, Any]:
        """Refused: the references to fetch depend on the cache now."""
        del ctx, record
        raise Conflict("a CRDS fetch is not rerun: start a new one from the best references")


def snippet(root: Path, spec: Mapping[str, Any]) -> str:
    """Notebook code doing what the job does (crds syncs what ``getreferences`` needs)."""
    env = spec.get("environment") or {}
    paths = [relative_to_root(root, Path(f)) for f in spec["files"]]
    return (
        "import os\n"
        f"os.environ['CRDS_PATH'] = {env.get('CRDS_PATH', '')!r}\n"
        f"os.environ['CRDS_SERVER_URL'] = {env.get('CRDS_SERVER_URL', '')!r}\n"
        "import crds  # after setting CRDS_* (crds reads them once)\n"
        "from crds import data_file\n\n"
        f"for path in {paths!r}:\n"
        "    header = data_file.get_header(path, observatory='jwst')\n"
        f"    crds.getreferences(header, observatory='jwst', context={spec['context']!r})\n"
    )
