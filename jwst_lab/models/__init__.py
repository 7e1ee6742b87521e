"""Request and response models of the REST API (pydantic v2), in one package.

``api/openapi.yaml`` describes the same shapes; tests check the two agree.
One module per group of routes; everything is importable from here.
"""

from __future__ import annotations

from .base import ApiModel, ErrorResponse, parse_request
from .crds import CrdsBestrefsRequest, CrdsFetchRequest
from .downloads import MAX_DOWNLOAD_ITEMS, DownloadCreate, DownloadCreated
from .info import CrdsInfo, InfoResponse, JobStoreInfo, JobStoreState
from .jobs import JobCommands, JobCreate, JobList, JobLog, JobProgress, JobRecord, JobStatus
from .mast import (
    MastColumn,
    MastProductsResponse,
    MastSearchResponse,
    MastSource,
    MastTokenSet,
    MastTokenState,
)

__all__ = [
    "MAX_DOWNLOAD_ITEMS",
    "ApiModel",
    "CrdsBestrefsRequest",
    "CrdsFetchRequest",
    "CrdsInfo",
    "DownloadCreate",
    "DownloadCreated",
    "ErrorResponse",
    "InfoResponse",
    "JobCommands",
    "JobCreate",
    "JobList",
    "JobLog",
    "JobProgress",
    "JobRecord",
    "JobStatus",
    "JobStoreInfo",
    "JobStoreState",
    "MastColumn",
    "MastProductsResponse",
    "MastSearchResponse",
    "MastSource",
    "MastTokenSet",
    "MastTokenState",
    "parse_request",
]
