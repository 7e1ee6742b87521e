"""Jobs: the request that creates one, the record, pages of them, their logs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .base import ApiModel

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
