"""Every jwst-lab endpoint refuses anonymous and unauthorized requests with 403.

The server runs with ``allow_unauthenticated_access = True`` and XSRF checks off,
so jupyter_server's own defaults cannot do the refusing: only the handlers'
``@web.authenticated`` / ``@ws_authenticated`` and ``@authorized`` can.
"""

from __future__ import annotations

from typing import Any

import pytest
from jupyter_server.auth.authorizer import Authorizer
from tornado.httpclient import HTTPClientError
from traitlets.config import Config

from .routes_walk import Endpoint, endpoints

ENDPOINTS = endpoints()
IDS = [f"{e.method} {e.pattern}" for e in ENDPOINTS]


class DenyJwstLab(Authorizer):
    """Allows everything except the jwst_lab resource."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        return resource != "jwst_lab"


def _server_config(**server_app: Any) -> Config:
    return Config(
        {
            "ServerApp": {
                "jpserver_extensions": {"jwst_lab": True},
                "allow_unauthenticated_access": True,
                "disable_check_xsrf": True,
                **server_app,
            }
        }
    )


async def _status(jp_fetch: Any, jp_ws_fetch: Any, endpoint: Endpoint, headers: dict) -> int:
    parts = endpoint.url.strip("/").split("/")
    try:
        if endpoint.is_websocket:
            connection = await jp_ws_fetch(*parts, headers=headers)
            connection.close()
            return 101
        body = "{}" if endpoint.method in ("POST", "PUT", "PATCH") else None
        response = await jp_fetch(
            *parts, method=endpoint.method, body=body, headers=headers, follow_redirects=False
        )
        return int(response.code)
    except HTTPClientError as error:
        return int(error.code)


def test_the_walk_finds_every_kind_of_endpoint():
    assert any(e.is_websocket for e in ENDPOINTS)
    assert any(e.pattern.endswith("/info") for e in ENDPOINTS)
    assert {e.method for e in ENDPOINTS} >= {"GET", "POST", "PUT", "DELETE"}


class TestAnonymous:
    @pytest.fixture
    def jp_server_config(self) -> Config:
        return _server_config()

    @pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
    async def test_anonymous_request_is_refused(self, jp_fetch, jp_ws_fetch, endpoint):
        status = await _status(jp_fetch, jp_ws_fetch, endpoint, headers={"Authorization": ""})
        assert status == 403

    async def test_control_the_same_request_with_a_token_gets_through(self, jp_fetch):
        response = await jp_fetch("jwst-lab", "info")
        assert response.code == 200


class TestUnauthorized:
    @pytest.fixture
    def jp_server_config(self) -> Config:
        return _server_config(authorizer_class=DenyJwstLab)

    @pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
    async def test_authenticated_but_unauthorized_request_is_refused(
        self, jp_fetch, jp_ws_fetch, endpoint
    ):
        status = await _status(jp_fetch, jp_ws_fetch, endpoint, headers={})
        assert status == 403

    async def test_control_other_resources_stay_allowed(self, jp_fetch):
        response = await jp_fetch("api", "status")
        assert response.code == 200
