"""Jobs: the request that creates one, the record, pages of them, their logs.

:class:`JobRecord` is the one job record: the REST API answers it, the job
store keeps it, the job manager holds it and each job kind builds it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BeforeValidator,
    Field,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_serializer,
)

from ..jobs.states import MAX_PAGE, MAX_PAGE_SIZE
from .base import ApiModel, FieldError, LenientQuery, integer_between, quoted
from .crds import OptionalContextName

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled", "interrupted"]
#: The kinds of job the API serves (``GET /jobs?kind=`` takes one).
JobKind = Literal["pipeline", "download", "crds_fetch"]
#: Highest log offset: beyond any log, and below what file systems let a file seek to
#: (ext4 refuses offsets past 16 TiB with EINVAL).
MAX_LOG_OFFSET = 2**40
#: Validation context under which a record may have any kind name, not only the API's:
#: the job store and the job engine, which serve whatever kinds are registered.
OPEN_KINDS: dict[str, Any] = {"open_kinds": True}
_TRANSFER_FIELDS = (
    "bytes_done",
    "bytes_total",
    "files_done",
    "files_total",
    "files_failed",
    "current_file",
)


class JobCreate(ApiModel):
    """``POST /jobs``: run one pipeline (or step) on one input under the server root."""

    kind: Literal["pipeline"] = "pipeline"
    pipeline: str
    input: str
    steps: dict[str, dict[str, Any]] = Field(default_factory=dict)
    #: A CRDS context to pin; null (or blank) for the server's.
    crds_context: OptionalContextName = None
    output_dir: str | None = None
    #: Accept a job whose memory estimate alone exceeds ``memory_limit`` (it then runs alone).
    force: bool = False


class StepTiming(ApiModel):
    """When one pipeline step ran, from the timestamps of stpipe's log lines."""

    name: str
    #: Seconds after the pipeline started.
    start: float
    #: How long it took; None while it runs.
    seconds: float | None
    skipped: bool


class JobProgress(ApiModel):
    """Steps done out of the total, and the step running now."""

    steps_total: int
    steps_done: int
    current_step: str | None
    skipped_steps: list[str]
    #: Pipeline jobs: each step that started, with its start and duration (left out when none).
    step_times: list[StepTiming] = Field(default_factory=list, exclude_if=lambda value: not value)
    # Download jobs also count bytes and files (steps_* then count files).
    bytes_done: int | None = None
    bytes_total: int | None = None
    files_done: int | None = None
    files_total: int | None = None
    files_failed: int | None = None
    current_file: str | None = None

    @model_serializer(mode="wrap")
    def _only_what_counts(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A job that moves no bytes has no transfer members."""
        data: dict[str, Any] = handler(self)
        if self.bytes_done is None and self.files_done is None:
            for name in _TRANSFER_FIELDS:
                data.pop(name, None)
        return data


class JobResources(ApiModel):
    """What a finished job used, measured from its process tree."""

    #: Highest resident memory of the job's processes (the warm runner's fork included).
    peak_rss_bytes: int
    cpu_seconds: float
    wall_seconds: float
    #: Bytes the job's processes wrote to storage.
    bytes_written: int


class JobCommands(ApiModel):
    """The equivalent command line and notebook code of a job."""

    strun: str
    python: str


class DownloadInfo(ApiModel):
    """What a ``download`` job fetches and where (its file list is in its job folder)."""

    source: str
    #: The destination folder, relative to the root.
    dest: str
    files_total: int
    bytes_total: int
    #: The dataURIs asked for (the first 1000).
    products: list[str]
    obsids: list[str]
    product_filters: dict[str, Any]
    #: The manifest the runner writes, relative to the root.
    manifest: str
    #: Server restarts the job survived (each resumed its partial files).
    resumes: int
    #: The cloud the MAST products were looked for in first ("aws"), or "" (HTTPS only).
    cloud: str = ""
    #: Files put in place by where their bytes came from (``s3``, ``https``, ``local``), once
    #: the job ended; the manifest says it per file.
    origins: dict[str, int] = Field(default_factory=dict)


class CrdsFetchFailure(ApiModel):
    """A reference a ``crds_fetch`` job could not fetch, and why."""

    reference: str
    error: str


class CrdsFetchInfo(ApiModel):
    """What a ``crds_fetch`` job syncs into the CRDS cache, and what happened."""

    context: str
    #: Why this context (``requested``, ``operational``, ...).
    context_reason: str | None
    #: The data files whose references are fetched.
    files: int
    #: Cache paths of the references fetched.
    fetched: list[str]
    #: References already in the cache.
    skipped: list[str]
    failed: list[CrdsFetchFailure]
    #: Server restarts the job survived (each queued it again).
    resumes: int


class JobRecord(ApiModel):
    """A job: what was asked, what ran, with which CRDS context, and how it ended."""

    id: str
    kind: JobKind
    status: JobStatus
    created: str
    started: str | None
    finished: str | None
    updated: str | None
    input: str
    pipeline: str | None
    steps: dict[str, dict[str, Any]]
    params: dict[str, Any] | None
    crds_context_requested: str | None
    crds_context_used: str | None
    crds_context: str | None
    output_dir: str
    argv: list[str]
    commands: JobCommands
    rerun_of: str | None
    versions: dict[str, str | None]
    progress: JobProgress
    outputs: list[str]
    exit_code: int | None
    error: str | None
    executor: str
    #: Files a failed (or cancelled) job left in its output folder; they may be incomplete.
    partial_outputs: list[str] = Field(default_factory=list)
    #: What the output listing left out and why (symbolic links, unreadable folders...).
    warnings: list[str] = Field(default_factory=list)
    #: Download jobs only.
    download: DownloadInfo | None = Field(default=None, exclude_if=lambda value: value is None)
    #: CRDS fetch jobs only.
    crds_fetch: CrdsFetchInfo | None = Field(default=None, exclude_if=lambda value: value is None)
    #: The run this job belongs to (``/runs/{id}``), if any.
    run_id: str | None = None
    #: Jobs of the same run whose outputs this one reads; it starts when all have succeeded.
    depends_on: list[str] = Field(default_factory=list)
    #: Memory this job is expected to need at its peak (pipeline jobs), for admission.
    memory_estimate_bytes: int | None = None
    #: What the job used (filled when it ends).
    resources: JobResources | None = None
    #: A machine-readable cause of failure (``out_of_memory``, ``dependency_failed``...).
    reason: str | None = None

    @field_validator("kind", mode="wrap")
    @classmethod
    def _registered_kind(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        """The API's kinds; under :data:`OPEN_KINDS`, any name (the engine's registry decides)."""
        if info.context and info.context.get("open_kinds") and isinstance(value, str) and value:
            return value
        return handler(value)


class JobList(ApiModel):
    """``GET /jobs``: a page of jobs, newest first."""

    jobs: list[JobRecord]
    total: int
    page: int
    page_size: int


class JobLog(ApiModel):
    """``GET /jobs/{id}/log``: log text from an offset."""

    text: str
    next_offset: int
    done: bool


# --- query strings ----------------------------------------------------------------------------


def _statuses(value: Any) -> Any:
    """Statuses separated by commas, each once; blank is every status."""
    if not isinstance(value, str):
        return value
    statuses = tuple(dict.fromkeys(s.strip() for s in value.split(",") if s.strip()))
    known = get_args(JobStatus)
    unknown = [s for s in statuses if s not in known]
    if unknown:
        raise FieldError(f"unknown status {quoted(unknown[0][:40])}; statuses: {', '.join(known)}")
    return statuses


def _kind(value: Any) -> Any:
    """One job kind; blank is every kind."""
    if not isinstance(value, str):
        return value
    kind = value.strip()
    known = get_args(JobKind)
    if kind and kind not in known:
        raise FieldError(f"unknown kind {quoted(kind[:40])}; kinds: {', '.join(known)}")
    return kind or None


class JobListQuery(LenientQuery):
    """``GET /jobs?status=&kind=&page=&page_size=``: which jobs, which page (newest first)."""

    #: One status or several, comma-separated; none: every status.
    status: Annotated[tuple[JobStatus, ...], BeforeValidator(_statuses)] = ()
    kind: Annotated[JobKind | None, BeforeValidator(_kind)] = None
    page: Annotated[int, BeforeValidator(integer_between(1, MAX_PAGE))] = 1
    page_size: Annotated[int, BeforeValidator(integer_between(1, MAX_PAGE_SIZE))] = 100


class JobLogQuery(LenientQuery):
    """``GET /jobs/{id}/log?offset=``: where to continue reading."""

    #: A byte offset, from an earlier answer's ``next_offset`` (0: the start).
    offset: Annotated[int, BeforeValidator(integer_between(0, MAX_LOG_OFFSET))] = 0
