"""``GET /info``: what the server is and how it is configured."""

from __future__ import annotations

from typing import Literal

from ..config import ArchiveBackend, ContextSource, CrdsMode, ExecutorName
from .base import ApiModel


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


#: The route groups a server provides, as ``GET /info`` lists them. The front end enables a
#: control only when its group is listed, so a front end newer than its server degrades
#: clearly instead of failing on 404s:
#:
#: - ``info``: ``GET /info``; ``events``: the ``/events`` websocket;
#: - ``pipelines``: ``GET /pipelines``, ``/pipelines/{alias}/spec``, ``/associations``;
#: - ``jobs``: ``/jobs`` and below (pipeline jobs, every job's record and log);
#: - ``previews``: ``GET /previews`` (PNG quick looks of 2-D images);
#: - ``mast``: ``/mast/observations``, their products, ``/mast/token``;
#: - ``downloads``: ``POST /downloads`` (a job fetching products);
#: - ``crds``: the CRDS browser (``/crds/status``, contexts, mappings, bestrefs, diff);
#: - ``crds_fetch``: ``POST /crds/fetch`` (a job syncing references into the cache).
Feature = Literal[
    "info",
    "events",
    "pipelines",
    "jobs",
    "previews",
    "crds",
    "crds_fetch",
    "downloads",
    "mast",
]


class InfoResponse(ApiModel):
    """``GET /info``: what this server is and how it is configured."""

    version: str
    versions: dict[str, str | None]
    archive_backend: ArchiveBackend
    executor: ExecutorName
    max_concurrent_jobs: int
    crds: CrdsInfo
    #: Every route group this server provides (see :data:`Feature`).
    features: list[Feature]
    #: The job database's state.
    job_store: JobStoreInfo
    #: Where downloads fetch MAST products first (``aws``: MAST's public bucket, which
    #: ``GET /mast/peek`` reads), or ``""`` (HTTPS only).
    cloud: Literal["", "aws"]
