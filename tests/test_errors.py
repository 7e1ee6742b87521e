"""The base handler's one error translator, exercised through a real server.

A handler class written here (a subclass of the real base handler) raises each
kind of error; the assertions are on what the HTTP client receives.
"""

from __future__ import annotations

import pytest
from jupyter_server.auth.decorator import authorized
from tornado import web
from tornado.httpclient import HTTPClientError

from jwst_lab.errors import (
    BadRequest,
    Conflict,
    DependencyMissing,
    Forbidden,
    JwstLabError,
    NotFound,
    PayloadTooLarge,
    UpstreamError,
)
from jwst_lab.routes.base import JwstLabHandler

from .conftest import body_json

ERRORS: dict[str, JwstLabError] = {
    "bad": BadRequest("field 'radius' must be a number"),
    "forbidden": Forbidden("path is outside the server root"),
    "missing": NotFound("no job 42"),
    "conflict": Conflict("job 42 already finished"),
    "large": PayloadTooLarge("too many products"),
    "upstream": UpstreamError("MAST answered 503"),
    "dependency": DependencyMissing("dask is not installed"),
}


class RaisingHandler(JwstLabHandler):
    @web.authenticated
    @authorized
    def get(self, kind: str) -> None:
        if kind == "bug":
            raise RuntimeError("secret internal detail")
        if kind == "query":
            self.write_json(self.query())
            return
        raise ERRORS[kind]

    @web.authenticated
    @authorized
    def post(self, kind: str) -> None:
        self.write_json({"echo": self.json_body()}, status=201)


@pytest.fixture
def raising_route(jp_serverapp, jp_base_url):
    jp_serverapp.web_app.add_handlers(
        ".*$", [(jp_base_url + r"jwst-lab-test/raise/(\w+)", RaisingHandler, {"name": "jwst_lab"})]
    )


@pytest.mark.parametrize("kind", sorted(ERRORS))
async def test_each_error_class_answers_its_status_and_json(raising_route, jp_fetch, kind):
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch("jwst-lab-test", "raise", kind)
    error = ERRORS[kind]
    assert raised.value.code == error.status
    assert raised.value.response.headers["Content-Type"] == "application/json"
    assert body_json(raised.value.response) == {"message": error.message, "reason": error.reason}


async def test_an_unexpected_exception_is_a_500_without_internals(raising_route, jp_fetch):
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch("jwst-lab-test", "raise", "bug")
    assert raised.value.code == 500
    body = body_json(raised.value.response)
    assert body["reason"] == "internal_error"
    assert "secret" not in raised.value.response.body.decode()
    assert "Traceback" not in raised.value.response.body.decode()


@pytest.mark.parametrize(
    ("body", "fragment"),
    [("", "empty"), ("{not json", "not valid JSON"), ("[1, 2]", "JSON object"), (b"\xff", "JSON")],
)
async def test_bad_json_bodies_are_400_saying_why(raising_route, jp_fetch, body, fragment):
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch("jwst-lab-test", "raise", "echo", method="POST", body=body)
    assert raised.value.code == 400
    assert fragment in body_json(raised.value.response)["message"]


async def test_a_json_object_body_is_accepted(raising_route, jp_fetch):
    response = await jp_fetch(
        "jwst-lab-test", "raise", "echo", method="POST", body='{"a": [1, null]}'
    )
    assert response.code == 201
    assert body_json(response) == {"echo": {"a": [1, None]}}


async def test_a_repeated_query_parameter_is_a_400(raising_route, jp_fetch):
    response = await jp_fetch("jwst-lab-test", "raise", "query", params={"page": "2"})
    assert body_json(response) == {"page": "2"}
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch("jwst-lab-test", "raise", "query", params=[("page", "1"), ("page", "2")])
    assert raised.value.code == 400
    assert "'page'" in body_json(raised.value.response)["message"]
