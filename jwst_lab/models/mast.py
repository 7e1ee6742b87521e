"""MAST search answers and the token routes."""

from __future__ import annotations

from typing import Any, Literal

from .base import ApiModel

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
