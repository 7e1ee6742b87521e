"""Requests of the CRDS browser routes."""

from __future__ import annotations

from typing import Any

from .base import ApiModel


class CrdsBestrefsRequest(ApiModel):
    """``POST /crds/bestrefs``: a file under the server root or a header, at a context."""

    path: str | None = None
    header: dict[str, Any] | None = None
    context: str | None = None


class CrdsFetchRequest(ApiModel):
    """``POST /crds/fetch``: sync the references a file or association needs into the cache."""

    path: str
    context: str | None = None
