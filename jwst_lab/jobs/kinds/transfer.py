"""What the two transfer kinds (``download``, ``crds_fetch``) share.

Each runs a runner module of its own on a spec it wrote when the job was
queued, on this host only; the runner's ``progress`` events count files and
bytes; a runner that died with the server is queued again and counts one
more resume in the record's member named like the kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from ... import metrics
from ...models.jobs import JobRecord
from ..progress import TransferProgress, advance_transfer
from ..resources import merge_resources, read_sampled
from ..runfiles import STATUS_NAME
from ..runner import RESULT_NAME
from .base import Ending, JobKind, KindContext, LaunchPlan


class TransferKind(JobKind):
    """A kind whose runner (``python -m <runner_module> <spec>``) moves files."""

    local_only = True
    #: The module the runner process runs.
    runner_module: ClassVar[str]
    #: What the job is called in its error when the runner gives none ("the download").
    noun: ClassVar[str]

    def runner_argv(self, python: str, spec_path: Path) -> list[str]:
        """The runner's command line."""
        return [python, "-m", self.runner_module, str(spec_path)]

    def launch(
        self, ctx: KindContext, record: JobRecord, spec_path: Path, env: dict[str, str]
    ) -> LaunchPlan:
        """The runner on ``spec_path`` with ``env``, the last run's result and status removed."""
        job_dir = ctx.job_dir(record.id)
        for stale in (RESULT_NAME, STATUS_NAME):
            (job_dir / stale).unlink(missing_ok=True)
        return LaunchPlan(
            job_id=record.id,
            argv=self.runner_argv(ctx.python, spec_path),
            cwd=ctx.root,
            job_dir=job_dir,
            env=env,
        )

    def progress(self, ctx: KindContext, record: JobRecord) -> TransferProgress:
        """Where the record's progress left off (a resumed runner reports again)."""
        del ctx
        started = TransferProgress.from_dict(record.progress.model_dump())
        return replace(started, meter=self.meter(record))

    def advance(self, progress: Any, line: str, event: dict[str, Any] | None) -> TransferProgress:
        """The runner's ``progress`` events: files and bytes done; fetched bytes are counted
        in the metrics as they arrive."""
        del line
        moved = advance_transfer(progress, event)
        if moved is not progress and moved.meter:
            metrics.transfer_progress(
                self.name, moved.meter, progress.bytes_fetched, moved.bytes_fetched
            )
        return moved

    @staticmethod
    def meter(record: JobRecord) -> str:
        """What meters one run of ``record``'s runner (a resumed job's next run is another)."""
        return f"{record.id}@{record.started or ''}"

    @staticmethod
    def measured(ctx: KindContext, record: JobRecord, result: Mapping[str, Any]) -> Any:
        """The job's ``resources``: its runner's report completed by the executor's samples."""
        reported = result.get("resources")
        return merge_resources(
            reported if isinstance(reported, dict) else {}, read_sampled(ctx.job_dir(record.id))
        )

    def runner_error(self, result: Mapping[str, Any], ending: Ending) -> str | None:
        """The job's error: the runner's own, or its exit status; None when it succeeded."""
        if ending.exit_code in (0, None):
            return None
        return str(result.get("error") or f"{self.noun} exited with status {ending.exit_code}")

    def requeue(self, ctx: KindContext, record: JobRecord) -> JobRecord | None:
        """Queued again, one more resume counted (the new runner skips what is done)."""
        del ctx
        about = getattr(record, self.name)
        if about is None:
            return None
        return self.updated(
            record, **{self.name: about.model_copy(update={"resumes": about.resumes + 1})}
        )
