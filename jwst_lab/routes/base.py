"""The base of every jwst-lab handler: one error translator, one way to read input.

Handlers stay thin: parse and validate input, call one service, write the
result. Every HTTP method of every subclass is decorated with
``@web.authenticated`` and ``@authorized``; ``auth_resource`` names the
permission resource so a deployment's Authorizer can grant or deny jwst-lab.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from pydantic import BaseModel
from tornado import web

from ..config import Settings
from ..core.events import EventBus
from ..errors import BadRequest, JwstLabError, PayloadTooLarge

if TYPE_CHECKING:
    from ..app import JwstLabApp

AUTH_RESOURCE = "jwst_lab"

#: Largest request body parsed as JSON (a download of 20,000 dataURIs is ~2 MB).
MAX_BODY_BYTES = 16 * 1024 * 1024
#: Deepest nesting of arrays and objects in a request body (json.loads recurses in C).
MAX_JSON_DEPTH = 64
#: Longest string in a request body.
MAX_JSON_STRING = 65536
#: Longest value of one query parameter: PATH_MAX, the longest path a user can mean.
MAX_QUERY_VALUE = 4096
#: Longest path parameter: NAME_MAX, the longest name of one file.
MAX_PATH_SEGMENT = 255
#: Integers in requests must fit in 64 bits (SQLite, file offsets, numpy).
INT64_MAX = 2**63 - 1
_INTEGER = re.compile(r"[+-]?[0-9]+")


class _Rejected:
    """A JSON number the API does not accept, kept until its place in the body is known."""

    def __init__(self, why: str) -> None:
        self.why = why


def _reject_constant(name: str) -> _Rejected:
    return _Rejected(f"is {name}, which is not a JSON number")


def _parse_float(text: str) -> float | _Rejected:
    value = float(text)
    return value if math.isfinite(value) else _Rejected(f"is {text[:40]}, beyond a double")


def _parse_int(text: str) -> int | _Rejected:
    # int() of more than 4300 digits raises ValueError; 20 are enough to exceed 64 bits.
    if len(text.lstrip("-")) > 20 or abs(int(text)) > INT64_MAX:
        return _Rejected(f"is {text[:40]}{'...' if len(text) > 40 else ''}, beyond 64 bits")
    return int(text)


def text_problem(text: str, limit: int) -> str | None:
    """Why ``text`` from a request cannot be used as given, or None.

    A lone surrogate (``"\\ud800"`` in JSON) cannot be encoded as UTF-8, so
    neither a file name nor SQLite can hold it; a NUL byte ends C strings
    (paths, argv, environment); anything longer than ``limit`` is refused.
    """
    if len(text) > limit:
        return f"is longer than {limit} characters"
    if "\x00" in text:
        return "contains a NUL character"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "contains a lone surrogate (not valid Unicode text)"
    return None


def _check_json(value: Any) -> None:
    """Raise a 400 naming the first value of a parsed body the API cannot take."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, where, depth = stack.pop()
        field = where or "body"
        if isinstance(item, _Rejected):
            raise BadRequest(f"{field} {item.why}", field=field)
        if isinstance(item, str):
            problem = text_problem(item, MAX_JSON_STRING)
            if problem:
                raise BadRequest(f"{field} {problem}", field=field)
        elif isinstance(item, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise BadRequest(
                    f"{field} nests arrays or objects more than {MAX_JSON_DEPTH} deep", field=field
                )
            if isinstance(item, dict):
                for key, child in item.items():
                    path = f"{where}.{key}" if where else key
                    problem = text_problem(key, MAX_JSON_STRING)
                    if problem:
                        raise BadRequest(f"the key of {path!r} {problem}", field=where or "body")
                    stack.append((child, path, depth + 1))
            else:
                for index, child in enumerate(item):
                    stack.append((child, f"{where}.{index}" if where else str(index), depth + 1))


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """A request body as a JSON object, or a 400 (413 when too large) naming the field at fault.

    NaN, Infinity, numbers beyond a double or 64-bit integers, lone
    surrogates, NUL characters, over-long strings and nesting deeper than
    ``MAX_JSON_DEPTH`` are refused: none of them has a meaning here, and each
    would fail later in a file name, SQLite or a subprocess.
    """
    if not raw:
        raise BadRequest("the request body is empty; a JSON object is expected", field="body")
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(
            f"the request body is {len(raw)} bytes; at most {MAX_BODY_BYTES} are accepted",
            field="body",
        )
    try:
        body = json.loads(
            raw,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
            parse_int=_parse_int,
        )
    except RecursionError:
        raise BadRequest(
            f"the request body nests arrays or objects more than {MAX_JSON_DEPTH} deep",
            field="body",
        ) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise BadRequest(f"the request body is not valid JSON: {error}", field="body") from None
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object", field="body")
    _check_json(body)
    return body


def query_int(
    arguments: Mapping[str, str], name: str, default: int, *, minimum: int, maximum: int
) -> int:
    """The integer query parameter ``name`` within ``[minimum, maximum]``, else a 400 naming it."""
    text = arguments.get(name, "").strip()
    if not text:
        return default
    if len(text) > 24 or not _INTEGER.fullmatch(text):
        raise BadRequest(
            f"{name} must be an integer between {minimum} and {maximum}, not {text[:40]!r}",
            field=name,
        )
    value = int(text)
    if not minimum <= value <= maximum:
        raise BadRequest(
            f"{name} must be an integer between {minimum} and {maximum}, not {value}", field=name
        )
    return value


def path_segment_problem(value: str) -> str | None:
    """Why a path parameter (one URL segment, as tornado decoded it) cannot name anything."""
    if len(value) > MAX_PATH_SEGMENT:
        return f"is longer than {MAX_PATH_SEGMENT} characters"
    if "/" in value or "\\" in value:
        return "contains a path separator (an encoded '/' or '\\')"
    if value in (".", ".."):
        return f"is {value!r}"
    return text_problem(value, MAX_PATH_SEGMENT)


class JwstLabAppMixin(ExtensionHandlerMixin):
    """Typed access to the extension app's shared objects, for REST and websocket handlers."""

    @property
    def lab_app(self) -> JwstLabApp:
        """The running :class:`~jwst_lab.app.JwstLabApp`."""
        return cast("JwstLabApp", self.extensionapp)

    @property
    def lab_settings(self) -> Settings:
        """The resolved jwst-lab settings."""
        return self.lab_app.jwst_lab_settings

    @property
    def event_bus(self) -> EventBus:
        """The bus that carries job and download events to websockets."""
        return self.lab_app.event_bus


class JwstLabHandler(JwstLabAppMixin, APIHandler):
    """Base of the REST handlers; errors always answer ``{"message", "reason"}`` (+ ``field``)."""

    auth_resource = AUTH_RESOURCE

    # --- input ---------------------------------------------------------------

    async def prepare(self) -> None:  # type: ignore[override]
        """Refuse path parameters that cannot name anything (after authentication)."""
        await super().prepare()
        if not self.current_user:
            return  # @web.authenticated answers 403 before any input is looked at
        for name, value in self.path_kwargs.items():
            problem = path_segment_problem(value)
            if problem:
                raise BadRequest(f"{name} {problem}", field=name)

    def json_body(self) -> dict[str, Any]:
        """The request body as a JSON object, or a 400 that says what is wrong and where."""
        return parse_json_object(self.request.body)

    def query(self) -> dict[str, str]:
        """Query arguments as single strings; a repeated, non-UTF-8 or unusable one is a 400."""
        arguments: dict[str, str] = {}
        for name, values in self.request.query_arguments.items():
            if len(values) != 1:
                raise BadRequest(
                    f"query parameter {name!r} is given {len(values)} times", field=name
                )
            try:
                value = values[0].decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest(
                    f"query parameter {name!r} is not valid UTF-8", field=name
                ) from None
            problem = text_problem(value, MAX_QUERY_VALUE)
            if problem:
                raise BadRequest(f"query parameter {name!r} {problem}", field=name)
            arguments[name] = value
        return arguments

    # --- output --------------------------------------------------------------

    def write_json(
        self, payload: BaseModel | Mapping[str, Any] | list[Any], status: int = 200
    ) -> None:
        """Answer with ``payload`` as JSON (pydantic models are dumped in JSON mode)."""
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        if isinstance(payload, BaseModel):
            self.finish(payload.model_dump_json())
        else:
            self.finish(json.dumps(payload, allow_nan=False))

    # --- the one error translator -------------------------------------------

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        """Give a :class:`JwstLabError` its own status instead of tornado's 500."""
        exc_info = kwargs.get("exc_info")
        if exc_info and isinstance(exc_info[1], JwstLabError):
            status_code = exc_info[1].status
        super().send_error(status_code, **kwargs)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        """Expected errors are logged in one line; only real bugs get a traceback."""
        if isinstance(value, JwstLabError) and value.status < 500:
            self.log.info(
                "%s %s -> %d %s",
                self.request.method,
                self.request.path,
                value.status,
                value.message,
            )
        elif isinstance(value, JwstLabError):
            self.log.warning(
                "%s %s -> %d %s",
                self.request.method,
                self.request.path,
                value.status,
                value.message,
            )
        else:
            super().log_exception(typ, value, tb)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Every error is ``{"message", "reason"}``; tracebacks never reach the client."""
        exc_info = kwargs.get("exc_info")
        self.set_header("Content-Type", "application/json")
        self.finish(
            json.dumps(error_body(status_code, exc_info[1] if exc_info else None, self._reason))
        )


def error_body(status_code: int, error: BaseException | None, phrase: str) -> dict[str, str]:
    """The JSON body of an error answer: ``{"message", "reason"}`` (and ``field`` for a 400).

    ``phrase`` is the HTTP reason phrase, the message when nothing better is known.
    An unexpected exception says only that the server log has the details.
    """
    if isinstance(error, JwstLabError):
        return error.to_json()
    if isinstance(error, web.HTTPError):
        return {
            "message": error.log_message or phrase,
            "reason": error.reason or _reason_code(status_code),
        }
    if status_code >= 500:
        return {
            "message": "internal server error; the server log has the details",
            "reason": "internal_error",
        }
    return {"message": phrase, "reason": _reason_code(status_code)}


def _reason_code(status_code: int) -> str:
    return {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "payload_too_large",
    }.get(status_code, "error")
