"""Request and response models of the REST API (pydantic v2), in one place.

``api/openapi.yaml`` describes the same shapes; tests check the two agree.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .config import ArchiveBackend, ContextSource, CrdsMode, ExecutorName
from .errors import BadRequest

M = TypeVar("M", bound=BaseModel)


class ApiModel(BaseModel):
    """Base of every model: unknown fields in requests are an error, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CrdsInfo(ApiModel):
    """CRDS configuration as the server resolved it."""

    mode: CrdsMode
    path: str | None
    server_url: str | None
    context: str | None
    context_source: ContextSource


JobStoreState = Literal["ok", "repaired", "unusable"]


class JobStoreInfo(ApiModel):
    """The job database: usable (``ok``), rebuilt at start-up (``repaired``), or ``unusable``."""

    #: The database file (or the ``db_url`` that names none).
    path: str
    state: JobStoreState
    #: What happened and what to do, for people; null when the state is ``ok``.
    message: str | None
    #: Where a damaged file was moved (it is never deleted nor overwritten).
    moved_to: str | None
    #: Jobs put back into a new database, from the damaged file and the jobs' journals.
    restored: int
    #: Job records that could not be read (set aside, not listed).
    skipped: int


class InfoResponse(ApiModel):
    """``GET /info``: what this server is and how it is configured."""

    version: str
    versions: dict[str, str | None]
    archive_backend: ArchiveBackend
    executor: ExecutorName
    max_concurrent_jobs: int
    crds: CrdsInfo
    features: list[str]
    #: The job database's state; null only when the server has no job store.
    job_store: JobStoreInfo | None = None


class ErrorResponse(ApiModel):
    """The body of every 4xx/5xx answer."""

    message: str
    reason: str | None
    #: The request field at fault as a dotted path (``steps.resample.pixfrac``), when one is.
    field: str | None = None


# --- pipeline jobs -----------------------------------------------------------------

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled", "interrupted"]


class JobCreate(ApiModel):
    """``POST /jobs``: run one pipeline (or step) on one input under the server root."""

    kind: Literal["pipeline"] = "pipeline"
    pipeline: str
    input: str
    steps: dict[str, dict[str, Any]] = Field(default_factory=dict)
    crds_context: str | None = None
    output_dir: str | None = None


class JobProgress(ApiModel):
    """Steps done out of the total, and the step running now."""

    steps_total: int
    steps_done: int
    current_step: str | None
    skipped_steps: list[str]
    # Download jobs also count bytes and files (steps_* then count files).
    bytes_done: int | None = None
    bytes_total: int | None = None
    files_done: int | None = None
    files_total: int | None = None
    files_failed: int | None = None
    current_file: str | None = None


class JobCommands(ApiModel):
    """The equivalent command line and notebook code of a job."""

    strun: str
    python: str


class JobRecord(ApiModel):
    """A job: what was asked, what ran, with which CRDS context, and how it ended."""

    id: str
    kind: Literal["pipeline", "download", "crds_fetch"]
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
    #: Download jobs: source, dest, files_total, bytes_total, products, obsids, manifest, resumes.
    download: dict[str, Any] | None = None
    #: CRDS fetch jobs: context, context_reason, files, fetched, skipped, failed.
    crds_fetch: dict[str, Any] | None = None


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


# --- CRDS browser ------------------------------------------------------------------


class CrdsBestrefsRequest(ApiModel):
    """``POST /crds/bestrefs``: a file under the server root or a header, at a context."""

    path: str | None = None
    header: dict[str, Any] | None = None
    context: str | None = None


class CrdsFetchRequest(ApiModel):
    """``POST /crds/fetch``: sync the references a file or association needs into the cache."""

    path: str
    context: str | None = None


# --- downloads -----------------------------------------------------------------------

MAX_DOWNLOAD_ITEMS = 20000


class DownloadCreate(ApiModel):
    """``POST /downloads``: products (dataURIs) or observations (+ filters) into a folder."""

    source: Literal["mast", "local"] | None = None
    products: list[str] | None = Field(default=None, max_length=MAX_DOWNLOAD_ITEMS)
    obsids: list[str] | None = Field(default=None, max_length=1000)
    product_filters: dict[str, Any] = Field(default_factory=dict)
    dest: str | None = None


class DownloadCreated(JobRecord):
    """The new download job, with the equivalent astroquery code."""

    python: str


# --- MAST search -------------------------------------------------------------------

MastSource = Literal["mast", "local"]


class MastColumn(ApiModel):
    """A column of a MAST table and its type (``string``, ``int``, ``float``, ``boolean``)."""

    name: str
    type: str


class MastSearchResponse(ApiModel):
    """``GET /mast/observations``: one page of observations with MAST's column names."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    page_size: int
    columns: list[MastColumn]
    source: MastSource
    python: str
    notice: str | None = None


class MastProductsResponse(ApiModel):
    """``GET /mast/observations/{obsid}/products``: the products of one observation."""

    obsid: str
    rows: list[dict[str, Any]]
    total: int
    columns: list[MastColumn]
    source: MastSource
    python: str
    notice: str | None = None


class MastTokenSet(ApiModel):
    """``PUT /mast/token``: the token to keep server-side."""

    token: str


class MastTokenState(ApiModel):
    """``GET /mast/token``: only whether a token is set (never the token)."""

    set: bool
    storage: Literal["memory", "keyring"]
    expires: str | None = None


def parse_request(model: type[M], body: dict[str, Any]) -> M:
    """Validate a request body; every problem becomes one 400 naming the field."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        problems = []
        fields = []
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"]) or "body"
            fields.append(where)
            problems.append(f"{where}: {item['msg']}")
        raise BadRequest("; ".join(problems), field=fields[0] if fields else None) from None
