"""``download`` jobs: MAST (or local archive) products into a folder under the root.

The file list lives in the runner's spec (``<job dir>/download.json``, see
:mod:`jwst_lab.jobs.download_jobs`), not in the record. The MAST token goes
into the runner's environment only, so these jobs run on this host only.
A runner that died with the server is queued again and resumes its ``.part``
files; a rerun may resume the partial files of the job it repeats.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ... import __version__, metrics
from ...core.downloads import MANIFEST_NAME
from ...core.paths import relative_to_root
from ...errors import BadRequest, Conflict
from ...models.jobs import JobRecord
from .. import download_jobs as layout
from ..progress import TransferProgress
from .base import Claim, Ending, Finished, KindContext, LaunchPlan, NewJob, read_result
from .transfer import TransferKind


class DownloadKind(TransferKind):
    """Products fetched (or copied) by ``python -m jwst_lab.jobs.download_runner``."""

    name = "download"
    runner_module = "jwst_lab.jobs.download_runner"
    noun = "the download"

    def validate(self, ctx: KindContext, request: Mapping[str, Any], job: NewJob) -> JobRecord:
        """Lay the files out, check the destination, rights, sizes and disk; write the spec.

        ``request``: ``source``, ``rows`` (product rows), ``dest`` (under the
        root), ``products`` / ``obsids`` / ``product_filters`` (what was asked,
        for the record and the snippet). A rerun's request (:meth:`rerun`)
        gives ``folder``, ``files`` and ``resume_from`` instead of ``rows``.
        """
        dest = request.get("dest")
        if not isinstance(dest, str):
            raise BadRequest("dest must be a folder under the server root", field="dest")
        if "files" in request:
            folder = Path(request["folder"])
            files = list(request["files"])
            layout.check_targets(ctx.root, dest, files)
            layout.check_disk(folder, files, dest)
            python = str(request["python"])
        else:
            rows = list(request.get("rows") or [])
            folder, files, _ = layout.plan_files(
                root=ctx.root,
                dest=dest,
                rows=rows,
                source=str(request.get("source") or "mast"),
                mast_url=ctx.settings.mast_url,
                token=ctx.token(),
                parallel=ctx.settings.max_parallel_downloads,
            )
            python = layout.snippet(
                products=request.get("products"),
                obsids=request.get("obsids"),
                product_filters=request.get("product_filters"),
                dest=dest,
                mast_url=ctx.settings.mast_url,
                files=files,
                folder=folder,
                cloud=self._provider(ctx, request, source=str(request.get("source") or "mast")),
                protected=any(
                    str(row.get("dataRights") or "").upper() in layout.PROTECTED_RIGHTS
                    for row in rows
                ),
            )
        spec_path = layout.write_spec(
            ctx.job_dir(job.id),
            job_id=job.id,
            root=ctx.root,
            folder=folder,
            files=files,
            parallel=ctx.settings.max_parallel_downloads,
            mast_url=ctx.settings.mast_url,
            resume_from=[Path(p) for p in request.get("resume_from") or ()],
            cloud=layout.cloud_spec(
                self._provider(ctx, request, source=str(request.get("source") or "mast")),
                endpoint_url=ctx.settings.cloud_endpoint_url,
                mast_url=ctx.settings.path_lookup_url,
            ),
        )
        bytes_total = sum(int(f["size"] or 0) for f in files)
        shown = relative_to_root(ctx.root, folder) if folder != ctx.root else "."
        products: Sequence[str] = request.get("products") or ()
        obsids: Sequence[str] = request.get("obsids") or ()
        return self.new_record(
            ctx,
            job,
            input=layout.input_label(products, obsids),
            output_dir=shown,
            argv=self.runner_argv(Path(ctx.python).name, spec_path),
            commands={"strun": "", "python": python},
            versions={"jwst-lab": __version__},
            progress=TransferProgress(len(files), bytes_total).as_dict(),
            download={
                "source": str(request.get("source") or "mast"),
                "dest": shown,
                "files_total": len(files),
                "bytes_total": bytes_total,
                "products": list(products)[:1000],
                "obsids": list(obsids),
                "product_filters": dict(request.get("product_filters") or {}),
                "manifest": f"{shown}/{MANIFEST_NAME}" if shown != "." else MANIFEST_NAME,
                "resumes": 0,
                "cloud": self._provider(ctx, request, source=str(request.get("source") or "mast")),
            },
        )

    @staticmethod
    def _provider(ctx: KindContext, request: Mapping[str, Any], *, source: str) -> str:
        """The cloud provider MAST products come from first ("" for none; never for local)."""
        if source == "local":
            return ""
        asked = request.get("cloud")
        return str(asked if asked is not None else ctx.settings.cloud or "")

    def claims(self, ctx: KindContext, record: JobRecord) -> list[Claim]:
        """Every file it writes: two active downloads never write the same file."""
        spec = layout.read_spec(ctx.job_dir(record.id))
        claims = []
        for entry in spec.get("files", []):
            target = Path(entry["dest"])
            try:
                shown = target.relative_to(ctx.root).as_posix()
            except ValueError:
                shown = target.name
            claims.append(Claim(f"file:{target}", f"the file {shown!r}"))
        return claims

    def plan(self, ctx: KindContext, record: JobRecord) -> LaunchPlan:
        """The runner on the spec; the token goes into its environment (never its argv)."""
        spec_path = ctx.job_dir(record.id) / layout.DOWNLOAD_SPEC_NAME
        if not spec_path.is_file():
            raise FileNotFoundError(f"the file list of job {record.id} is missing")
        return self.launch(ctx, record, spec_path, layout.runner_env(ctx.base_env, ctx.token()))

    def finish(self, ctx: KindContext, record: JobRecord, ending: Ending) -> Finished:
        """The files in place are the outputs; the runner's result says what failed."""
        result = read_result(ctx.job_dir(record.id))
        metrics.transfer_finished(self.name, result, meter=self.meter(record))
        changes: dict[str, Any] = {}
        origins = result.get("origin_counts")
        if record.download is not None and isinstance(origins, dict):
            changes["download"] = record.download.model_copy(
                update={"origins": {str(k): int(v) for k, v in origins.items()}}
            )
        finished = self.updated(
            record,
            outputs=[str(p) for p in result.get("files") or []],
            resources=self.measured(ctx, record, result),
            **changes,
        )
        return Finished(finished, self.runner_error(result, ending))

    def rerun(self, ctx: KindContext, record: JobRecord) -> Mapping[str, Any]:
        """The same files into the same folder; the new job may resume this one's parts."""
        job_dir = ctx.job_dir(record.id)
        try:
            spec = layout.read_spec(job_dir)
            folder, files = str(spec["dest"]), list(spec["files"])
        except (OSError, ValueError, KeyError, TypeError):
            raise Conflict(f"job {record.id}'s file list is gone; it cannot be rerun") from None
        about = record.download
        return {
            "source": about.source if about else "mast",
            "dest": record.output_dir,
            "folder": folder,
            "files": files,
            "products": (about.products if about else None) or None,
            "obsids": (about.obsids if about else None) or None,
            "product_filters": (about.product_filters if about else None) or None,
            "python": record.commands.python,
            "resume_from": [str(job_dir)],
            "cloud": str((spec.get("cloud") or {}).get("provider") or ""),
        }
