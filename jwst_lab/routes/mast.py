"""``/mast/observations``, ``/mast/observations/{obsid}/products``, ``/mast/peek``, ``/mast/token``.

``/mast/peek`` reads from the cloud bucket in a worker thread (boto3 and
astropy are imported there on first use), so the event loop never waits.
"""

from __future__ import annotations

import asyncio

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..core.cloud import peek_product
from ..errors import BadRequest
from ..models import (
    MastPeekQuery,
    MastPeekResponse,
    MastProductsQuery,
    MastProductsResponse,
    MastSearchQuery,
    MastSearchResponse,
    MastTokenSet,
    MastTokenState,
)
from .base import JwstLabHandler, answers


class MastObservationsHandler(JwstLabHandler):
    """``GET /mast/observations``: search MAST (or the local archive) for observations."""

    feature = "mast"

    @web.authenticated
    @authorized
    @answers(MastSearchResponse)
    async def get(self) -> None:
        """Answer ``{rows, total, page, page_size, columns, source, python}``."""
        query = self.parse_query(MastSearchQuery)
        answer = await self.services.mast.search(query)
        self.write_model(MastSearchResponse.model_validate(answer))


class MastProductsHandler(JwstLabHandler):
    """``GET /mast/observations/{obsid}/products``: the products of one observation."""

    feature = "mast"

    @web.authenticated
    @authorized
    @answers(MastProductsResponse)
    async def get(self, obsid: str) -> None:
        """Answer ``{obsid, rows, total, columns, source, python}``; 404 for an unknown obsid."""
        query = self.parse_query(MastProductsQuery)
        answer = await self.services.mast.products(obsid, query)
        self.write_model(MastProductsResponse.model_validate(answer))


class MastPeekHandler(JwstLabHandler):
    """``GET /mast/peek``: a product's headers and quick look, read from the cloud bucket."""

    feature = "mast"

    @web.authenticated
    @authorized
    @answers(MastPeekResponse)
    async def get(self) -> None:
        """Answer ``{uri, cloud_uri, size, bytes_read, requests, headers, science, shape,
        image_png}``; 400 when cloud access is off or ``uri`` is not a product's dataURI, 404
        when the product is not in the bucket, 502 when the bucket or MAST fails, 503 when the
        bucket answers a server error."""
        query = self.parse_query(MastPeekQuery)
        settings = self.services.settings
        if not (query.cloud or settings.cloud):
            raise BadRequest(
                "cloud access is off: set c.JwstLabApp.cloud = 'aws' or ask with cloud=aws",
                field="cloud",
            )
        answer = await asyncio.to_thread(
            peek_product,
            query.uri,
            mast_url=settings.path_lookup_url,
            endpoint_url=settings.cloud_endpoint_url,
            image=query.image,
        )
        self.write_model(MastPeekResponse.model_validate(answer))


class MastTokenHandler(JwstLabHandler):
    """``PUT``/``GET``/``DELETE /mast/token``: the MAST token, kept server-side only."""

    feature = "mast"

    def _state(self) -> MastTokenState:
        return MastTokenState.model_validate(self.services.tokens.status())

    @web.authenticated
    @authorized
    @answers(MastTokenState)
    async def get(self) -> None:
        """Answer only whether a token is set: ``{set, storage, expires}``."""
        self.write_model(self._state())

    @web.authenticated
    @authorized
    @answers(MastTokenState)
    async def put(self) -> None:
        """Keep ``{"token": "..."}``; answer the state (never the token)."""
        request = self.parse_body(MastTokenSet)
        tokens = self.services.tokens
        tokens.set(request.token.get_secret_value())
        self.log.info("MAST token set (kept in %s)", tokens.storage)
        self.write_model(self._state())

    @web.authenticated
    @authorized
    async def delete(self) -> None:
        """Forget the token → 204."""
        self.services.tokens.clear()
        self.set_status(204)
        self.finish()
