"""``GET /info``: versions and configuration, for the front end's handshake."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..core.info import server_info
from ..errors import NotFound
from ..models import InfoResponse
from .base import JwstLabHandler, answers


class InfoHandler(JwstLabHandler):
    """Versions (read from package metadata, never by importing jwst) and settings."""

    feature = "info"

    @web.authenticated
    @authorized
    @answers(InfoResponse)
    def get(self) -> None:
        """Answer ``InfoResponse`` (with the state of the job database)."""
        services = self.services
        self.write_model(server_info(services.settings, services.job_store.health))


class UnknownRouteHandler(JwstLabHandler):
    """Any other path under ``/jwst-lab``: a JSON 404, not an HTML page."""

    def _unknown(self) -> None:
        raise NotFound(f"no such jwst-lab route: {self.request.method} {self.request.path}")

    @web.authenticated
    @authorized
    def get(self, _path: str) -> None:
        """404."""
        self._unknown()

    @web.authenticated
    @authorized
    def post(self, _path: str) -> None:
        """404."""
        self._unknown()

    @web.authenticated
    @authorized
    def put(self, _path: str) -> None:
        """404."""
        self._unknown()

    @web.authenticated
    @authorized
    def patch(self, _path: str) -> None:
        """404."""
        self._unknown()

    @web.authenticated
    @authorized
    def delete(self, _path: str) -> None:
        """404."""
        self._unknown()
