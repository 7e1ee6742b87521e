"""``POST /downloads``: start a download job for MAST or local-archive products."""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import BadRequest, DependencyMissing, NotFound
from ..models import DownloadCreate, parse_request
from .base import JwstLabHandler

_MAX_TEXT = 512
_FILTER_VALUE = (str, int, float, bool)


def _texts(values: list[str], field: str) -> list[str]:
    cleaned: list[str] = []
    for index, value in enumerate(values):
        text = value.strip()
        if not text or len(text) > _MAX_TEXT or "\x00" in text:
            raise BadRequest(f"{field}[{index}] must be a non-empty string of at most 512 chars")
        cleaned.append(text)
    return list(dict.fromkeys(cleaned))


def check_request(request: DownloadCreate) -> tuple[list[str] | None, list[str] | None]:
    """``(products, obsids)`` of a valid request; a 400 naming the field otherwise."""
    if request.products and request.obsids:
        raise BadRequest("give either products (dataURIs) or obsids, not both")
    if request.products:
        products = _texts(request.products, "products")
        for index, uri in enumerate(products):
            if not uri.startswith("mast:") or "/" not in uri:
                raise BadRequest(
                    f"products[{index}] must be a dataURI like 'mast:JWST/product/<file>', "
                    f"not {uri!r}"
                )
        if request.product_filters:
            raise BadRequest("product_filters apply to obsids; with products, list the products")
        return products, None
    if request.obsids:
        obsids = _texts(request.obsids, "obsids")
        for key, value in request.product_filters.items():
            values = value if isinstance(value, list) else [value]
            if not values or not all(isinstance(v, _FILTER_VALUE) for v in values):
                raise BadRequest(
                    f"product_filters.{key} must be a string, a number or a list of them"
                )
        return None, obsids
    raise BadRequest("products (a list of dataURIs) or obsids is required")


async def _fetch(
    mast: Any,
    source: str,
    request: DownloadCreate,
    products: list[str] | None,
    obsids: list[str] | None,
) -> list[dict[str, Any]]:
    """The product rows of a request from one source; 404 naming what is unknown."""
    rows: list[dict[str, Any]] = []
    if products:
        rows = list(await mast.products_for_uris(source, products))
        found = {str(row.get("dataURI")) for row in rows}
        missing = [uri for uri in products if uri not in found]
        if missing:
            raise NotFound(
                f"{len(missing)} products are unknown to the {source} archive: "
                + ", ".join(missing[:3])
                + (", ..." if len(missing) > 3 else "")
            )
        return rows
    for obsid in obsids or []:
        rows.extend(await mast.list_products(source, obsid, request.product_filters))
    if not rows:
        raise BadRequest("no products of these observations match product_filters")
    return rows


class DownloadsHandler(JwstLabHandler):
    """``POST /downloads``."""

    async def _rows(
        self,
        mast: Any,
        request: DownloadCreate,
        products: list[str] | None,
        obsids: list[str] | None,
    ) -> tuple[str, list[dict[str, Any]]]:
        """``(source, product rows)``. With no ``source``: the configured backend; for
        ``auto``, the local archive when it holds everything asked for, else MAST."""
        if request.source:
            return request.source, await _fetch(mast, request.source, request, products, obsids)
        backend = self.lab_settings.archive_backend
        if backend in ("mast", "local"):
            return backend, await _fetch(mast, backend, request, products, obsids)
        if mast.local_available():
            try:
                return "local", await _fetch(mast, "local", request, products, obsids)
            except NotFound:
                pass
        return "mast", await _fetch(mast, "mast", request, products, obsids)

    @web.authenticated
    @authorized
    async def post(self) -> None:
        """Queue a download job → 201 with the job record and its ``python`` snippet.

        400 bad input (the field named), 403 ``token_required`` for exclusive-access
        products without a MAST token, 404 unknown products or observations, 409 another
        active download writes the same files, 413 ``insufficient_storage``, 502 MAST failed.
        """
        request = parse_request(DownloadCreate, self.json_body())
        products, obsids = check_request(request)
        dest = request.dest if request.dest is not None else self.lab_settings.download_dir
        mast: Any = getattr(self.lab_app, "mast_service", None)
        if mast is None:
            raise DependencyMissing("MAST products are not available on this server")
        source, rows = await self._rows(mast, request, products, obsids)
        manager = self.lab_app.job_manager
        await manager.start()
        job = await manager.create_download(
            source=source,
            rows=rows,
            dest=dest,
            products=products,
            obsids=obsids,
            product_filters=request.product_filters or None,
        )
        self.set_header("Location", f"{self.base_url.rstrip('/')}/jwst-lab/jobs/{job['id']}")
        self.write_json({**job, "python": job["commands"]["python"]}, status=201)
