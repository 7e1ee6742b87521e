"""The base handler's one error translator, exercised through a real server.

A handler class written here (a subclass of the real base handler) raises each
kind of error; the assertions are on what the HTTP client receives.
"""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from jupyter_server.auth.decorator import authorized
from pydantic import BeforeValidator, ConfigDict
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
from jwst_lab.models import ApiModel, JobLog, parse_query
from jwst_lab.models.base import integer_between
from jwst_lab.routes.base import (
    MAX_BODY_BYTES,
    MAX_QUERY_VALUE,
    JwstLabHandler,
    answers,
    parse_json_object,
)

from .conftest import REPO_ROOT, body_json

ERRORS: dict[str, JwstLabError] = {
    "bad": BadRequest("field 'radius' must be a number"),
    "forbidden": Forbidden("path is outside the server root"),
    "missing": NotFound("no job 42"),
    "conflict": Conflict("job 42 already finished"),
    "large": PayloadTooLarge("too many products"),
    "upstream": UpstreamError("MAST answered 503"),
    "dependency": DependencyMissing("dask is not installed"),
}


class Thing(ApiModel):
    thing: str


class QueryEcho(ApiModel):
    """The query arguments as the base handler reads them."""

    model_config = ConfigDict(extra="allow", frozen=True)


class BodyEcho(ApiModel):
    echo: dict[str, Any]


class SegmentHandler(JwstLabHandler):
    @web.authenticated
    @authorized
    @answers(Thing)
    def get(self, thing: str) -> None:
        if thing == "missing":
            raise NotFound("no such thing")
        if thing == "elsewhere":
            raise NotFound("no such file", field="path")
        if thing == "other-model":
            self.write_model(JobLog(text="", next_offset=0, done=True))
            return
        if thing == "invalid":
            self.write_model(Thing.model_construct(thing=42))  # type: ignore[arg-type]
            return
        self.write_model(Thing(thing=thing))


class RaisingHandler(JwstLabHandler):
    @web.authenticated
    @authorized
    @answers(QueryEcho)
    def get(self, kind: str) -> None:
        if kind == "bug":
            raise RuntimeError("secret internal detail")
        if kind == "query":
            self.write_model(QueryEcho.model_validate(self.query()))
            return
        raise ERRORS[kind]

    @web.authenticated
    @authorized
    @answers(BodyEcho)
    def post(self, kind: str) -> None:
        self.write_model(BodyEcho(echo=self.json_body()), status=201)

    @web.authenticated
    @authorized
    def put(self, kind: str) -> None:
        self.write_model(BodyEcho(echo={}))


@pytest.fixture
def raising_route(jp_serverapp, jp_base_url):
    jp_serverapp.web_app.add_handlers(
        ".*$",
        [
            (jp_base_url + r"jwst-lab-test/raise/(\w+)", RaisingHandler, {"name": "jwst_lab"}),
            (
                jp_base_url + r"jwst-lab-test/segment/(?P<thing>[^/]+)",
                SegmentHandler,
                {"name": "jwst_lab"},
            ),
        ],
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


# --- input the server cannot use is a 400 naming the field, never a 500 ---------------------


@pytest.mark.parametrize(
    ("raw", "field", "fragment"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "body", "deep"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "body", "deep"),
        (b'{"a": ' + b"[" * 70 + b"]" * 70 + b"}", "a" + ".0" * 63, "64 deep"),
        (b'{"page": ' + b"7" * 5000 + b"}", "page", "64 bits"),
        (b'{"page": -' + b"7" * 5000 + b"}", "page", "64 bits"),
        (b'{"page": 9223372036854775808}', "page", "64 bits"),
        (b'{"ra": NaN}', "ra", "NaN"),
        (b'{"ra": [1, Infinity]}', "ra.1", "Infinity"),
        (b'{"ra": -Infinity}', "ra", "Infinity"),
        (b'{"a": {"ra": 1e400}}', "a.ra", "beyond a double"),
        (b'{"a": {"ra": -1E+999}}', "a.ra", "beyond a double"),
        (b'{"input": "\\ud800"}', "input", "lone surrogate"),
        (b'{"steps": {"x": {"y": ["ok", "\\udfff"]}}}', "steps.x.y.1", "lone surrogate"),
        (b'{"steps": {"\\ud800": {}}}', "steps", "lone surrogate"),
        (b'{"input": "a\\u0000b"}', "input", "NUL"),
        (b'{"input": "' + b"x" * 70_000 + b'"}', "input", "longer than"),
        (b'"just a string"', "body", "JSON object"),
        (b"\xff\xfe{}", "body", "JSON"),
    ],
)
def test_unusable_json_bodies_are_400_naming_the_field(raw, field, fragment):
    with pytest.raises(BadRequest) as refused:
        parse_json_object(raw)
    assert refused.value.field == field
    assert fragment in refused.value.message


def test_usable_json_bodies_keep_their_values():
    body = parse_json_object(
        b'{"a": 1.5e308, "b": -9223372036854775807, "c": "\\u00e9\\ud83d\\ude00", "d": [[]]}'
    )
    assert body == {"a": 1.5e308, "b": -(2**63) + 1, "c": "\u00e9\U0001f600", "d": [[]]}


def test_a_body_over_the_limit_is_413_before_it_is_parsed():
    with pytest.raises(PayloadTooLarge) as refused:
        parse_json_object(b"{" + b" " * MAX_BODY_BYTES + b"}")
    assert refused.value.field == "body"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"x": NaN}', "x"),
        (b"[" * 100_000 + b"]" * 100_000, "body"),
        (b'{"x": ' + b"1" * 5000 + b"}", "x"),
        (b'{"x": "\\ud800"}', "x"),
    ],
)
async def test_the_base_handler_answers_400_with_the_field(raising_route, jp_fetch, raw, field):
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch("jwst-lab-test", "raise", "echo", method="POST", body=raw)
    assert raised.value.code == 400
    assert body_json(raised.value.response)["field"] == field


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=%00", "page"),
        ("path=a%00b", "path"),
        ("path=%ED%A0%80", "path"),
        ("path=%ff", "path"),
        ("path=" + "a" * (MAX_QUERY_VALUE + 1), "path"),
        ("page=1&page=2", "page"),
    ],
)
async def test_unusable_query_values_are_400_naming_the_parameter(
    raising_route, http_server_client, jp_base_url, jp_auth_header, query, field
):
    response = await http_server_client.fetch(
        f"{jp_base_url}jwst-lab-test/raise/query?{query}",
        headers=jp_auth_header,
        raise_error=False,
    )
    assert response.code == 400
    assert body_json(response)["field"] == field


@pytest.mark.parametrize(
    "segment",
    ["..%2F..%2Fetc%2Fpasswd", "a%2Fb", "a%5Cb", "%2e%2e", ".", "a%00b", "x" * 256, "%C3%A9" * 256],
)
async def test_unusable_path_parameters_are_400_naming_them(
    raising_route, http_server_client, jp_base_url, jp_auth_header, segment
):
    response = await http_server_client.fetch(
        f"{jp_base_url}jwst-lab-test/segment/{segment}", headers=jp_auth_header, raise_error=False
    )
    assert response.code == 400, response.body
    assert body_json(response)["field"] == "thing"


async def test_a_plain_path_parameter_reaches_the_handler(
    raising_route, http_server_client, jp_base_url, jp_auth_header
):
    response = await http_server_client.fetch(
        f"{jp_base_url}jwst-lab-test/segment/jwst_0541.pmap", headers=jp_auth_header
    )
    assert body_json(response) == {"thing": "jwst_0541.pmap"}


async def test_path_parameters_are_checked_only_after_authentication(
    raising_route, http_server_client, jp_base_url
):
    response = await http_server_client.fetch(
        f"{jp_base_url}jwst-lab-test/segment/a%2Fb", raise_error=False
    )
    assert response.code == 403


class CountQuery(ApiModel):
    n: Annotated[int, BeforeValidator(integer_between(3, 4096))] = 7


@pytest.mark.parametrize(
    ("text", "accepted"),
    [("", 7), ("12", 12), ("+3", 3), ("16", 16), ("4096", 4096)],
)
def test_query_integers_within_bounds(text, accepted):
    assert parse_query(CountQuery, {"n": text}).n == accepted


@pytest.mark.parametrize(
    "text", ["2", "4097", "-1", "1_0", "\u0661", "1.0", "nan", "9" * 30, "9" * 5000, "0x10"]
)
def test_query_integers_out_of_bounds_or_not_integers_are_400(text):
    with pytest.raises(BadRequest) as refused:
        parse_query(CountQuery, {"n": text})
    assert refused.value.field == "n"


# --- answers are the models their methods declare -------------------------------------------


async def test_an_answer_is_its_declared_model(raising_route, jp_fetch):
    response = await jp_fetch("jwst-lab-test", "segment", "jwst_0541.pmap")
    assert response.headers["Content-Type"] == "application/json"
    assert body_json(response) == {"thing": "jwst_0541.pmap"}


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
@pytest.mark.parametrize(
    ("method", "parts"),
    [
        ("GET", ("segment", "other-model")),  # a model the method does not declare
        ("GET", ("segment", "invalid")),  # the declared model, but a body it refuses
        ("PUT", ("raise", "echo")),  # a method that declares no JSON answer
    ],
)
async def test_an_answer_that_is_not_the_declared_model_is_a_500(
    raising_route, jp_fetch, method, parts
):
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch(
            "jwst-lab-test", *parts, method=method, body="{}" if method == "PUT" else None
        )
    assert raised.value.code == 500
    assert body_json(raised.value.response)["reason"] == "internal_error"


async def test_a_404_names_the_path_parameter_unless_it_names_its_own_field(
    raising_route, jp_fetch
):
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch("jwst-lab-test", "segment", "missing")
    assert body_json(raised.value.response) == {
        "message": "no such thing",
        "reason": "not_found",
        "field": "thing",
    }
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch("jwst-lab-test", "segment", "elsewhere")
    assert body_json(raised.value.response)["field"] == "path"
    # No path parameter: no field.
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch("jwst-lab-test", "raise", "missing")
    assert "field" not in body_json(raised.value.response)


def test_every_bad_request_in_the_code_names_its_field():
    """The front end places a 400 by its ``field``: every ``BadRequest(...)`` must give one."""
    import ast

    missing = []
    for path in sorted((REPO_ROOT / "jwst_lab").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name == "BadRequest" and not any(k.arg == "field" for k in node.keywords):
                missing.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert missing == []
