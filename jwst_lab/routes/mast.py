"""``/mast/observations``, ``/mast/observations/{obsid}/products`` and ``/mast/token``."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..core.mast import MastService, parse_product_filters, parse_search
from ..errors import BadRequest
from ..models import MastProductsResponse, MastSearchResponse, MastTokenState
from .base import JwstLabHandler


class _MastBase(JwstLabHandler):
    @property
    def mast(self) -> MastService:
        """The server's MAST service."""
        return self.lab_app.mast_service


class MastObservationsHandler(_MastBase):
    """``GET /mast/observations``: search MAST (or the local archive) for observations."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer ``{rows, total, page, page_size, columns, source, python}``."""
        params = parse_search(self.query())
        answer = await self.mast.search(params)
        self.write_json(MastSearchResponse.model_validate(answer))


class MastProductsHandler(_MastBase):
    """``GET /mast/observations/{obsid}/products``: the products of one observation."""

    @web.authenticated
    @authorized
    async def get(self, obsid: str) -> None:
        """Answer ``{obsid, rows, total, columns, source, python}``; 404 for an unknown obsid."""
        source, filters = parse_product_filters(self.query())
        answer = await self.mast.products(obsid, source, filters)
        self.write_json(MastProductsResponse.model_validate(answer))


class MastTokenHandler(_MastBase):
    """``PUT``/``GET``/``DELETE /mast/token``: the MAST token, kept server-side only."""

    def _state(self) -> MastTokenState:
        return MastTokenState(**self.mast.tokens.status())

    @web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer only whether a token is set: ``{set, storage, expires}``."""
        self.write_json(self._state())

    @web.authenticated
    @authorized
    async def put(self) -> None:
        """Keep ``{"token": "..."}``; answer the state (never the token)."""
        body = self.json_body()
        unknown = sorted(set(body) - {"token"})
        if unknown:
            raise BadRequest(
                f"unknown field {unknown[0][:40]!r}; PUT /mast/token takes only token",
                field=unknown[0],
            )
        if "token" not in body:
            raise BadRequest("token is required", field="token")
        token = self.mast.tokens.validate(body["token"])
        self.mast.tokens.set(token)
        self.log.info("MAST token set (kept in %s)", self.mast.tokens.storage)
        self.write_json(self._state())

    @web.authenticated
    @authorized
    async def delete(self) -> None:
        """Forget the token → 204."""
        self.mast.tokens.clear()
        self.set_status(204)
        self.finish()
