"""The interface every job kind implements, and the narrow context the engine hands it.

The :class:`~jwst_lab.jobs.manager.JobManager` is the engine: it queues,
starts, follows, cancels and records jobs, and it alone writes job state.
What differs between kinds of job (a pipeline run, a download, a CRDS
reference fetch) lives in one :class:`JobKind` each, which the engine calls
only through the methods below. A kind never imports the manager: it gets a
:class:`KindContext` (the server root, the settings, the job folders, the
clock, the runner's Python and environment, and the few services a kind
needs) and answers with values: a new :class:`JobRecord`, a
:class:`LaunchPlan`, a progress state, a :class:`Finished` outcome.

Methods documented as *blocking* may touch the disk, the network or the
pipeline catalog; the engine calls them from a worker thread. ``advance`` is
called for every log line of every running job (with the log's reading, on a
worker thread): keep it cheap and free of side effects.
"""

from __future__ import annotations

import json
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol, Self

from ...clock import now_iso
from ...config import Settings
from ...core.associations import AssociationReader
from ...core.pipeline import PipelineCatalog
from ...errors import Conflict
from ...models.jobs import OPEN_KINDS, JobRecord
from ..claims import Claim
from ..executors.base import LaunchPlan
from ..runner import RESULT_NAME

__all__ = [
    "Claim",
    "Ending",
    "Finished",
    "JobKind",
    "KindContext",
    "LaunchPlan",
    "NewJob",
    "ProgressState",
    "read_result",
]


@dataclass(frozen=True)
class KindContext:
    """What the engine gives a kind: where things are, how to run, which services to ask."""

    #: The server root (resolved); every path a job reads or writes is inside it.
    root: Path
    settings: Settings
    #: The folder of the job folders (spec, log, pid, exit status and result of each job).
    jobs_dir: Path
    #: The environment runners start from (the server's, with per-job CPU limits).
    base_env: Mapping[str, str] = field(repr=False)
    catalog: PipelineCatalog
    associations: AssociationReader
    #: The Python interpreter that runs the runner modules.
    python: str = sys.executable
    #: The name of the executor this kind's jobs run on (the engine sets it per kind).
    executor: str = ""
    #: The MAST token set now, or None; it may go into a runner's environment only.
    token: Callable[[], str | None] = field(repr=False, default=lambda: None)
    #: Why the CRDS cache is unusable now (None: it is fine, or nobody checks).
    crds_problem: Callable[[], str | None] = lambda: None
    #: The clock of every job timestamp (the engine's and the kinds').
    clock: Callable[[], str] = now_iso
    #: The largest estimate a job may have now (the engine sets it per kind: on a Dask
    #: cluster, the largest worker's memory limit); None: ``settings.memory_limit_bytes``.
    memory_limit: Callable[[], int] | None = field(repr=False, default=None)
    #: What that limit is called in messages (``memory_limit`` or the largest Dask worker's).
    memory_limit_name: Callable[[], str] = field(repr=False, default=lambda: "memory_limit")

    def job_dir(self, job_id: str) -> Path:
        """The folder of one job."""
        return self.jobs_dir / job_id

    def memory_limit_bytes(self) -> int:
        """The most memory one job may be estimated to need and still run."""
        if self.memory_limit is not None:
            return self.memory_limit()
        return self.settings.memory_limit_bytes


@dataclass(frozen=True)
class NewJob:
    """What the engine has decided about a job before its kind builds the record."""

    id: str
    created: str
    #: The job this one repeats (``POST /jobs/{id}/rerun``).
    rerun_of: str | None = None


@dataclass(frozen=True)
class Ending:
    """How a runner ended, as the engine saw it."""

    #: The runner's exit code; None when it ended without recording one.
    exit_code: int | None
    #: Exit code 0, and the job was neither cancelled nor timed out.
    succeeded: bool
    #: The engine stopped it (a cancel or ``job_timeout``): a SIGKILL was asked for, not the
    #: kernel's out-of-memory killer.
    stopped: bool = False


@dataclass(frozen=True)
class Finished:
    """A kind's account of a finished job."""

    #: The record with outputs, partial outputs, warnings and what the runner reported.
    record: JobRecord
    #: Why the job failed, for a non-zero exit code (the engine words the other endings).
    error: str | None = None


class ProgressState(Protocol):
    """A running job's progress: immutable; equal states publish nothing."""

    def as_dict(self) -> dict[str, Any]:
        """The ``progress`` member of the job record."""
        ...

    def completed(self) -> Self:
        """The progress of a job that succeeded."""
        ...


class JobKind(ABC):
    """One kind of job: how it is requested, launched, followed, finished and rerun."""

    #: The ``kind`` of its records.
    name: ClassVar[str]
    #: True when its runners may only start on this host (never on a remote worker).
    local_only: ClassVar[bool] = False
    #: True when ``POST /jobs`` (:meth:`JobManager.create`) creates it; other kinds
    #: have their own routes that call :meth:`JobManager.submit`.
    requestable: ClassVar[bool] = False

    @abstractmethod
    def validate(self, ctx: KindContext, request: Mapping[str, Any], job: NewJob) -> JobRecord:
        """Blocking: check ``request`` and prepare the job; its ``queued`` record.

        Raises a :class:`~jwst_lab.errors.JwstLabError` (a 400 names its
        ``field``) for a request that would fail. May write files into
        ``ctx.job_dir(job.id)`` (the engine removes the folder when the job
        is refused after all). Build the record with :meth:`new_record`.
        """

    def claims(self, ctx: KindContext, record: JobRecord) -> list[Claim]:
        """Blocking: what the job writes that no other active job may (none by default)."""
        del ctx, record
        return []

    @abstractmethod
    def plan(self, ctx: KindContext, record: JobRecord) -> LaunchPlan:
        """Blocking: write the runner's spec, make the folders; how to start the runner."""

    @abstractmethod
    def progress(self, ctx: KindContext, record: JobRecord) -> ProgressState:
        """Blocking: the progress following a job starts from (its log is then replayed)."""

    @abstractmethod
    def advance(
        self, progress: ProgressState, line: str, event: dict[str, Any] | None
    ) -> ProgressState:
        """The progress after one log line (``event``: the line's runner event, if any).

        Called for every line: keep it cheap, and return ``progress`` itself
        when the line changes nothing.
        """

    @abstractmethod
    def finish(self, ctx: KindContext, record: JobRecord, ending: Ending) -> Finished:
        """Blocking: what the runner left (outputs, result file, log); the job's final record."""

    def rerun(self, ctx: KindContext, record: JobRecord) -> Mapping[str, Any]:
        """Blocking: the request that repeats ``record``; :class:`Conflict` when it cannot be."""
        del ctx
        raise Conflict(f"a {record.kind} job cannot be rerun")

    def requeue(self, ctx: KindContext, record: JobRecord) -> JobRecord | None:
        """Recovery: a job whose runner is gone without an exit status.

        The record to queue again (the job resumes), or None: it ends
        ``interrupted`` with its log kept (the default).
        """
        del ctx, record
        return None

    # --- helpers for kinds ------------------------------------------------------------

    def new_record(self, ctx: KindContext, job: NewJob, **fields: Any) -> JobRecord:
        """A validated ``queued`` record of this kind: the engine's members, then ``fields``."""
        data: dict[str, Any] = {
            "id": job.id,
            "kind": self.name,
            "status": "queued",
            "created": job.created,
            "started": None,
            "finished": None,
            "updated": None,
            "pipeline": None,
            "steps": {},
            "params": None,
            "crds_context_requested": None,
            "crds_context_used": None,
            "crds_context": None,
            "rerun_of": job.rerun_of,
            "outputs": [],
            "exit_code": None,
            "error": None,
            "executor": ctx.executor,
            **fields,
        }
        return JobRecord.model_validate(data, context=OPEN_KINDS)

    @staticmethod
    def updated(record: JobRecord, **changes: Any) -> JobRecord:
        """``record`` with ``changes``, validated (for values read from a runner's files)."""
        data = {**record.model_dump(), **changes}
        return JobRecord.model_validate(data, context=OPEN_KINDS)


def read_result(job_dir: Path) -> dict[str, Any]:
    """Blocking: the runner's ``result.json`` (``{}`` when it wrote none or an unreadable one)."""
    try:
        data = json.loads((job_dir / RESULT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
