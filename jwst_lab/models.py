"""Request and response models of the REST API (pydantic v2), in one place.

``api/openapi.yaml`` describes the same shapes; tests check the two agree.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .config import ArchiveBackend, ContextSource, CrdsMode, ExecutorName


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


class InfoResponse(ApiModel):
    """``GET /info``: what this server is and how it is configured."""

    version: str
    versions: dict[str, str | None]
    archive_backend: ArchiveBackend
    executor: ExecutorName
    max_concurrent_jobs: int
    crds: CrdsInfo
    features: list[str]


class ErrorResponse(ApiModel):
    """The body of every 4xx/5xx answer."""

    message: str
    reason: str | None
