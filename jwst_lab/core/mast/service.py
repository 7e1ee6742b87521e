"""MastService: MAST searches and product lists from MAST or the local archive, one interface.

Two backends answer the same questions with the same row shapes (MAST's CAOM
column names): ``mast`` (:mod:`.astroquery_backend`, a client this service
owns, pointed at ``settings.mast_url``) and ``local``
(:mod:`.local_backend`). The service chooses between them: the request's
``source``, else ``archive_backend``; ``auto`` asks MAST and falls back to
the local archive when MAST does not answer (and, for a minute after a
failure, goes straight to the local archive). It runs every call in a worker
thread with a time limit, holds the astroquery client while a call uses it
and puts the user's MAST token on its session. Target names are resolved by
:mod:`.resolver` through ``settings.mast_resolver_url``. Every answer carries
a ``python`` field (:mod:`.snippets`). JSON is always valid: masked values
and NaN become ``null``.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from ... import metrics
from ...config import Settings
from ...errors import BadRequest, JwstLabError, UpstreamError
from ...models.mast import MastProductsQuery, MastSearchQuery, MastSource
from ..downloads import mast_download_url
from ..mast_vocabulary import DATA_URI, PRODUCT_FIELDS
from ..token import TokenStore
from . import astroquery_backend
from .json_rows import columns_of
from .local_backend import LocalBackend
from .products import ProductFilters, filter_product_rows, product_filters_from, row_from_uri
from .resolver import NameResolver
from .snippets import products_snippet, search_snippet
from .upstream import upstream_error

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How long a MAST failure sends ``auto`` searches straight to the local archive.
MAST_DOWN_SECONDS = 60.0
#: MAST obsids are numbers; local obs_ids are ASCII names (jw01234-o001_t001_nircam_clear-f150w).
_OBSID = re.compile(r"[A-Za-z0-9_.\-]{1,80}")

#: rows, total, columns, and the cone searched ({ra, dec, radius} in degrees) when there was one.
SearchAnswer = tuple[list[dict[str, Any]], int, list[dict[str, str]], dict[str, float] | None]


class MastService:
    """MAST searches and product lists, from MAST (astroquery) or the local archive."""

    def __init__(
        self,
        settings: Settings,
        *,
        tokens: TokenStore | None = None,
        timeout: float | None = None,
    ) -> None:
        from ..token import TOKEN_STORE

        self.settings = settings
        self.tokens = tokens or TOKEN_STORE
        self.timeout = float(timeout or settings.mast_timeout)
        self.local = LocalBackend(Path(settings.local_archive_index), settings.local_archive_dir)
        self.resolver = NameResolver()
        self._observations: Any = None
        self._mast_lock = threading.Lock()
        self._mast_down_until = 0.0

    # --- backend choice ------------------------------------------------------------

    @property
    def backend(self) -> str:
        """The configured backend: ``auto``, ``mast`` or ``local``."""
        return self.settings.archive_backend

    def local_available(self) -> bool:
        """True when a local archive index exists or can be built from local_archive_dir."""
        return self.local.available()

    def _sources(self, requested: MastSource | None) -> list[MastSource]:
        if requested:
            return [requested]
        if self.backend == "mast":
            return ["mast"]
        if self.backend == "local":
            return ["local"]
        if time.monotonic() < self._mast_down_until and self.local_available():
            return ["local"]
        return ["mast", "local"]

    async def _run(
        self,
        requested: MastSource | None,
        work: Callable[[MastSource], T],
        *,
        operation: str = "request",
    ) -> tuple[T, MastSource, str | None]:
        """Run ``work`` on the first source that answers; ``auto`` falls back to local.

        Each attempt is timed and its failure counted as ``operation`` (``/metrics``).
        """
        sources = self._sources(requested)
        failure: str | None = None
        for index, source in enumerate(sources):
            try:
                with metrics.mast_request(operation, source):
                    result = await self._in_thread(functools.partial(work, source), source)
            except UpstreamError as error:
                if index + 1 < len(sources) and self.local_available():
                    self._mast_down_until = time.monotonic() + MAST_DOWN_SECONDS
                    failure = error.message
                    log.warning("MAST did not answer; using the local archive: %s", error.message)
                    continue
                raise
            return result, source, failure
        raise UpstreamError("no archive backend answered")  # pragma: no cover - loop returns

    async def _in_thread(self, work: Callable[[], T], source: MastSource) -> T:
        limit = self.timeout * 2 + 5 if source == "mast" else 120.0
        try:
            with anyio.fail_after(limit):
                return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
        except TimeoutError:
            raise UpstreamError(
                f"MAST ({self.settings.mast_url}) did not answer within {limit:.0f} s"
                if source == "mast"
                else f"the local archive did not answer within {limit:.0f} s"
            ) from None

    # --- MAST through astroquery, with the user's token ------------------------------

    def observations_client(self) -> Any:
        """The astroquery ``ObservationsClass`` this service owns, pointed at ``mast_url``."""
        if self._observations is None:
            self._observations = astroquery_backend.new_client(self.settings.mast_url, self.timeout)
        return self._observations

    def _with_client(self, work: Callable[[Any], T]) -> T:
        """Run ``work(client)`` holding the client (astroquery keeps per-call state on it)."""
        if not self._mast_lock.acquire(timeout=self.timeout):
            raise UpstreamError(f"MAST ({self.settings.mast_url}) is busy; try again")
        try:
            client = self.observations_client()
            token = self.tokens.get()
            if token:
                client._session.cookies.set("mast_token", token)
            else:
                client._session.cookies.pop("mast_token", None)
            try:
                return work(client)
            except JwstLabError:
                raise
            except Exception as error:
                raise upstream_error(self.settings.mast_url, error) from None
        finally:
            self._mast_lock.release()

    def resolve(self, target: str, *, timeout: float | None = None) -> tuple[float, float]:
        """RA, Dec (degrees) of a target name from MAST's name resolver; 404 if unknown."""
        with metrics.mast_request("resolve", "mast"):
            return self.resolver.resolve(
                self.settings.mast_resolver_url, target, timeout or self.timeout
            )

    # --- searching --------------------------------------------------------------------

    async def search(self, query: MastSearchQuery) -> dict[str, Any]:
        """``GET /mast/observations``: rows, total, page, page_size, columns, source, python."""
        (rows, total, columns, cone), source, fallback = await self._run(
            query.source, functools.partial(self._search_sync, query), operation="search"
        )
        answer: dict[str, Any] = {
            "rows": rows,
            "total": total,
            "page": query.page,
            "page_size": query.page_size,
            "columns": columns,
            "source": source,
            "python": search_snippet(query),
            "cone": cone,
        }
        if fallback:
            answer["notice"] = (
                f"MAST did not answer ({fallback}); these rows are from the local archive"
            )
        return answer

    def _search_sync(self, query: MastSearchQuery, source: MastSource) -> SearchAnswer:
        if source == "local":
            resolve = functools.partial(self.resolve, timeout=min(self.timeout, 5.0))
            return self.local.search(query, resolve)
        position = self.resolve(query.target) if query.target else None
        criteria = astroquery_backend.search_criteria(query, position)
        rows, total, columns = self._with_client(
            lambda client: astroquery_backend.search(
                client, criteria, query, self.settings.mast_url
            )
        )
        if position is None and query.ra is not None and query.dec is not None:
            position = (query.ra, query.dec)
        cone = None
        if position is not None and query.radius is not None:
            cone = {"ra": position[0], "dec": position[1], "radius": query.radius}
        return rows, total, columns, cone

    # --- products ---------------------------------------------------------------------

    async def products(self, obsid: str, query: MastProductsQuery) -> dict[str, Any]:
        """``GET /mast/observations/{obsid}/products``: rows, total, python, download_url, ..."""
        source = query.source
        if source is None and not obsid.isdigit() and self.backend != "mast":
            source = "local"  # MAST's obsids are numbers; a name is a local obs_id
        filters = ProductFilters.from_query(query)
        rows, used, fallback = await self._run(
            source, functools.partial(self._products_sync, obsid, filters), operation="products"
        )
        fields = list(PRODUCT_FIELDS)
        if used == "local":
            fields.append(("local_path", "string"))
        answer: dict[str, Any] = {
            "obsid": obsid,
            "rows": rows,
            "total": len(rows),
            "columns": columns_of(fields),
            "source": used,
            "python": products_snippet(obsid, filters),
            "download_url": mast_download_url(self.settings.mast_url, ""),
        }
        if fallback:
            answer["notice"] = (
                f"MAST did not answer ({fallback}); these rows are from the local archive"
            )
        return answer

    async def list_products(
        self, source: str, obsid: str, filters: Mapping[str, Any] | None
    ) -> list[dict[str, Any]]:
        """Product rows of one observation (for downloads): dataURI, productFilename, size, ...

        Local rows also carry ``local_path`` (absolute). ``filters`` takes the keys of
        :class:`~jwst_lab.core.mast.products.ProductFilters`.
        """
        chosen = _checked_source(source)
        rows, _, _ = await self._run(
            chosen,
            functools.partial(
                self._products_sync,
                str(obsid),
                product_filters_from(filters, prefix="product_filters."),
                field="obsids",
            ),
            operation="list_products",
        )
        return rows

    async def products_for_uris(self, source: str, uris: Sequence[str]) -> list[dict[str, Any]]:
        """Product rows for ``dataURI`` values (``mast:JWST/product/<file>``); unknown ones skipped.

        For MAST, rows are built from the URI (size unknown: ``None``) since MAST has no
        look-up by URI in the portal API; for the local archive they come from the index.
        """
        chosen = _checked_source(source)
        for uri in uris:
            if not isinstance(uri, str) or not DATA_URI.fullmatch(uri):
                raise BadRequest(
                    "products must be MAST data URIs like mast:JWST/product/x.fits, "
                    f"not {str(uri)[:80]!r}",
                    field="products",
                )
        if chosen == "local":
            rows, _, _ = await self._run(
                "local",
                lambda _source: self.local.products_for_uris(uris),
                operation="products_for_uris",
            )
            return rows
        return [row_from_uri(uri) for uri in uris]

    def _products_sync(
        self, obsid: str, filters: ProductFilters, source: MastSource, *, field: str = "obsid"
    ) -> list[dict[str, Any]]:
        if not _OBSID.fullmatch(obsid):
            raise BadRequest(f"obsid {obsid[:80]!r} is not an observation id", field=field)
        if source == "mast" and not obsid.isdigit():
            raise BadRequest(
                f"obsid {obsid!r} is not a MAST obsid (a number like 87602012)", field=field
            )
        if source == "local":
            rows = self.local.products(obsid)
        else:
            rows = self._with_client(
                lambda client: astroquery_backend.products(client, obsid, self.settings.mast_url)
            )
        return filter_product_rows(rows, filters)


def _checked_source(source: str) -> MastSource:
    if source not in ("mast", "local"):
        raise BadRequest(f"source must be 'mast' or 'local', not {source!r}", field="source")
    return "mast" if source == "mast" else "local"
