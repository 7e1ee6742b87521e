"""What a download request asks for: checked dataURIs or observations, resolved to product rows.

The route parses the body into :class:`~jwst_lab.models.DownloadCreate`;
:func:`check_selection` turns it into a :class:`Selection` (or a 400 naming
the field) and :func:`resolve_products` finds the product rows in the
archive the request names, the configured one, or, for ``auto``, the local
archive when it holds everything asked for and MAST otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import BadRequest, NotFound
from ..models import DownloadCreate
from .mast_vocabulary import DATA_URI

MAX_TEXT = 512
_FILTER_VALUE = (str, int, float, bool)


class ProductSource(Protocol):
    """What resolving needs of :class:`~jwst_lab.core.mast.MastService`."""

    @property
    def backend(self) -> str: ...

    def local_available(self) -> bool: ...

    async def products_for_uris(self, source: str, uris: list[str]) -> list[dict[str, Any]]: ...

    async def list_products(
        self, source: str, obsid: str, filters: dict[str, Any] | None
    ) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Selection:
    """Either ``products`` (dataURIs) or ``obsids`` with ``product_filters``, de-duplicated."""

    products: list[str] | None
    obsids: list[str] | None
    product_filters: dict[str, Any] = field(default_factory=dict)


def _texts(values: list[str], name: str) -> list[str]:
    cleaned: list[str] = []
    for index, value in enumerate(values):
        text = value.strip()
        if not text or len(text) > MAX_TEXT or "\x00" in text:
            raise BadRequest(
                f"{name}[{index}] must be a non-empty string of at most {MAX_TEXT} chars",
                field=f"{name}.{index}",
            )
        if name == "products" and not DATA_URI.fullmatch(text):
            raise BadRequest(
                f"products[{index}] must be a dataURI like 'mast:JWST/product/<file>', "
                f"not {text[:80]!r}",
                field=f"products.{index}",
            )
        cleaned.append(text)
    return list(dict.fromkeys(cleaned))


def check_selection(request: DownloadCreate) -> Selection:
    """The products or observations of a valid request; a 400 naming the field otherwise."""
    if request.products and request.obsids:
        raise BadRequest("give either products (dataURIs) or obsids, not both", field="obsids")
    if request.products:
        products = _texts(request.products, "products")
        if request.product_filters:
            raise BadRequest(
                "product_filters apply to obsids; with products, list the products",
                field="product_filters",
            )
        return Selection(products=products, obsids=None)
    if request.obsids:
        obsids = _texts(request.obsids, "obsids")
        for key, value in request.product_filters.items():
            values = value if isinstance(value, list) else [value]
            if not values or not all(isinstance(v, _FILTER_VALUE) for v in values):
                raise BadRequest(
                    f"product_filters.{key} must be a string, a number or a list of them",
                    field=f"product_filters.{key}",
                )
        return Selection(products=None, obsids=obsids, product_filters=request.product_filters)
    raise BadRequest("products (a list of dataURIs) or obsids is required", field="products")


async def _rows_from(
    archive: ProductSource, source: str, selection: Selection
) -> list[dict[str, Any]]:
    """The product rows of ``selection`` in one archive; 404 naming what it does not know."""
    if selection.products:
        rows = list(await archive.products_for_uris(source, selection.products))
        found = {str(row.get("dataURI")) for row in rows}
        missing = [uri for uri in selection.products if uri not in found]
        if missing:
            raise NotFound(
                f"{len(missing)} products are unknown to the {source} archive: "
                + ", ".join(missing[:3])
                + (", ..." if len(missing) > 3 else "")
            )
        return rows
    rows = []
    for obsid in selection.obsids or []:
        rows.extend(await archive.list_products(source, obsid, selection.product_filters))
    if not rows:
        raise BadRequest(
            "no products of these observations match product_filters", field="product_filters"
        )
    return rows


async def resolve_products(
    archive: ProductSource, selection: Selection, source: str | None
) -> tuple[str, list[dict[str, Any]]]:
    """``(source, product rows)`` of ``selection``.

    ``source`` as requested; else the configured backend; for ``auto``, the
    local archive when it holds everything asked for, else MAST.
    """
    if source:
        return source, await _rows_from(archive, source, selection)
    if archive.backend in ("mast", "local"):
        return archive.backend, await _rows_from(archive, archive.backend, selection)
    if archive.local_available():
        try:
            return "local", await _rows_from(archive, "local", selection)
        except NotFound:
            pass
    return "mast", await _rows_from(archive, "mast", selection)
