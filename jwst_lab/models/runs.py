"""Runs: a program reduced as one planned graph of pipeline jobs (``/runs``).

A run is created from inputs under the root (a folder, exposure files,
association files or a pool CSV) up to a target level. Its planner groups
the exposures with jwst's own association rules; each child is an ordinary
pipeline job (it shows in ``/jobs``) that carries ``run_id`` and
``depends_on``. A dry run answers the plan and creates nothing.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from ..jobs.states import MAX_PAGE, MAX_PAGE_SIZE
from .base import ApiModel, LenientQuery, integer_between
from .crds import OptionalContextName
from .jobs import JobStatus

RunStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
#: Highest number of inputs one request may name (a folder counts as one).
MAX_RUN_INPUTS = 10_000
#: A planned job's status before a run exists (dry runs), else its job's status.
RunJobStatus = Literal[
    "planned", "queued", "running", "succeeded", "failed", "cancelled", "interrupted"
]


class RunCreate(ApiModel):
    """``POST /runs``: reduce these inputs up to ``target_level``."""

    #: Paths relative to the root: folders (their exposure, association and pool
    #: files, not recursively), exposures (uncal, rate, rateints, cal, calints),
    #: association files (``*_asn.json``) or pool CSVs.
    inputs: list[str] = Field(min_length=1, max_length=MAX_RUN_INPUTS)
    target_level: Literal[1, 2, 3] = 3
    #: A pool CSV under the root to plan from instead of the inputs' headers.
    pool: str | None = None
    #: Step parameters per pipeline alias: ``{"calwebb_image3": {"resample": {"pixfrac": 0.8}}}``.
    steps: dict[str, dict[str, dict[str, Any]]] = Field(default_factory=dict)
    #: A CRDS context to pin for every job; null (or blank) for the server's.
    crds_context: OptionalContextName = None
    #: The run's folder, relative to the root (default: ``run_<id>`` next to the inputs).
    output_dir: str | None = None
    #: Answer the plan (200) and create nothing.
    dry_run: bool = False
    #: Accept jobs whose memory estimate alone exceeds ``memory_limit`` (they run alone).
    force: bool = False


class RunAssociation(ApiModel):
    """An association the run writes (or a given one it uses)."""

    #: Path relative to the root.
    path: str
    asn_type: str
    asn_rule: str
    product: str
    #: Member paths relative to the root (the files this run produces, where it does).
    members: list[str]
    #: True when it came with the inputs (from MAST, or the user's), not from the planner.
    given: bool = False


class RunJob(ApiModel):
    """One job of a run's graph."""

    #: The plan's key for it, stable across attempts (``<level>:<pipeline>:<product>``).
    key: str
    #: The child job's id (a reused job: the earlier job whose outputs it kept); in a dry
    #: run, the plan's key.
    id: str
    pipeline: str
    #: 1, 2 or 3: the level the job produces.
    level: int
    #: The job's input (an exposure or an association), relative to the root.
    input: str
    #: The jobs (ids, or keys in a dry run) whose outputs this job reads.
    depends_on: list[str]
    status: RunJobStatus
    #: True when outputs of an identical earlier job were kept instead of running it.
    reused: bool = False
    memory_estimate_bytes: int | None = None


class RunStage(ApiModel):
    """A column of the graph: the jobs of one pipeline."""

    level: int
    pipeline: str
    #: The folder its outputs go to, relative to the root.
    folder: str
    jobs: int


class RunProgress(ApiModel):
    """Jobs done (succeeded or reused) out of all, and the time still expected."""

    jobs_done: int
    jobs_total: int
    eta_seconds: float | None


class RunMemory(ApiModel):
    """The memory budget the run's jobs are admitted against."""

    limit_bytes: int
    #: The largest estimate of any one job of the run.
    peak_estimate_bytes: int
    #: Estimates of the run's jobs running now.
    in_use_bytes: int = 0


class RunRecord(ApiModel):
    """A run: what was asked, the plan, its jobs and how far it is."""

    id: str
    status: RunStatus
    created: str
    started: str | None
    finished: str | None
    updated: str | None
    inputs: list[str]
    target_level: int
    output_dir: str
    steps: dict[str, dict[str, dict[str, Any]]]
    crds_context_requested: str | None
    crds_context_used: str | None
    associations: list[RunAssociation]
    stages: list[RunStage]
    jobs: list[RunJob]
    progress: RunProgress
    memory: RunMemory
    #: The run's manifest (provenance), relative to the root.
    manifest: str
    error: str | None = None
    #: Notes for the user: inputs skipped and why, associations not used, ...
    warnings: list[str] = Field(default_factory=list)


class RunPlan(ApiModel):
    """``POST /runs`` with ``dry_run``: what would run, and nothing created."""

    inputs: list[str]
    target_level: int
    output_dir: str
    crds_context_requested: str | None
    associations: list[RunAssociation]
    stages: list[RunStage]
    jobs: list[RunJob]
    memory: RunMemory
    warnings: list[str] = Field(default_factory=list)


class RunList(ApiModel):
    """``GET /runs``: a page of runs, newest first."""

    runs: list[RunRecord]
    total: int
    page: int
    page_size: int


class RunListQuery(LenientQuery):
    """``GET /runs?page=&page_size=``."""

    page: Annotated[int, BeforeValidator(integer_between(1, MAX_PAGE))] = 1
    page_size: Annotated[int, BeforeValidator(integer_between(1, MAX_PAGE_SIZE))] = 100


__all__ = [
    "MAX_RUN_INPUTS",
    "JobStatus",
    "RunAssociation",
    "RunCreate",
    "RunJob",
    "RunJobStatus",
    "RunList",
    "RunListQuery",
    "RunMemory",
    "RunPlan",
    "RunProgress",
    "RunRecord",
    "RunStage",
    "RunStatus",
]
