"""``POST /downloads``: the request and the job it creates."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .base import ApiModel
from .jobs import JobRecord

MAX_DOWNLOAD_ITEMS = 20000


class DownloadCreate(ApiModel):
    """``POST /downloads``: products (dataURIs) or observations (+ filters) into a folder."""

    source: Literal["mast", "local"] | None = None
    products: list[str] | None = Field(default=None, max_length=MAX_DOWNLOAD_ITEMS)
    obsids: list[str] | None = Field(default=None, max_length=1000)
    product_filters: dict[str, Any] = Field(default_factory=dict)
    dest: str | None = None
    #: Fetch MAST products from the public bucket first ("aws"), or not (""); None: the setting.
    cloud: Literal["", "aws"] | None = None


class DownloadCreated(JobRecord):
    """The new download job, with the equivalent astroquery code."""

    python: str
