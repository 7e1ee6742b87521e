"""The base of every jwst-lab handler: one error translator, one way to read input and answer.

Handlers stay thin: parse a model (:meth:`JwstLabHandler.parse_body`,
:meth:`JwstLabHandler.parse_query`), call one service from ``self.services``,
write a model (:meth:`JwstLabHandler.write_model`). Each handler declares the
model each of its methods answers with (``@answers(Model)``), which is the one
``api/openapi.yaml`` names; ``write_model`` refuses any other, and any body
that does not validate against it. Errors are :class:`JwstLabError` exceptions,
translated here into :class:`~jwst_lab.models.ErrorResponse` bodies.

Every HTTP method of every subclass is decorated with ``@web.authenticated``
and ``@authorized``; ``auth_resource`` names the permission resource so a
deployment's Authorizer can grant or deny jwst-lab.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from jupyter_server.utils import url_escape, url_path_join
from tornado import web

from ..errors import BadRequest, JwstLabError, NotFound, PayloadTooLarge
from ..models import ApiModel, ErrorResponse, Feature, JobRecord, parse_query, parse_request
from ..services import SERVICES_KEY, Services

M = TypeVar("M", bound=ApiModel)

#: URL prefix of every jwst-lab route (below the server's base_url).
PREFIX = "/jwst-lab"
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


def path_segment_problem(value: str) -> str | None:
    """Why a path parameter (one URL segment, as tornado decoded it) cannot name anything."""
    if len(value) > MAX_PATH_SEGMENT:
        return f"is longer than {MAX_PATH_SEGMENT} characters"
    if "/" in value or "\\" in value:
        return "contains a path separator (an encoded '/' or '\\')"
    if value in (".", ".."):
        return f"is {value!r}"
    return text_problem(value, MAX_PATH_SEGMENT)


F = TypeVar("F", bound=Callable[..., Any])
_ANSWER = "_jwst_lab_answer"
_ALSO = "_jwst_lab_also_answers"


def answers(model: type[ApiModel], *others: type[ApiModel]) -> Callable[[F], F]:
    """Declare the model an HTTP method of a handler answers with (what the spec names).

    ``others``: models it answers with in other cases, each under its own
    status (``POST /runs``: 201 a run, or 200 a plan when it is a dry run).
    ``@web.authenticated`` and ``@authorized`` keep the mark (``functools.wraps``).
    """

    def mark(method: F) -> F:
        setattr(method, _ANSWER, model)
        setattr(method, _ALSO, others)
        return method

    return mark


def answer_models(handler: type[web.RequestHandler], method: str) -> tuple[type[ApiModel], ...]:
    """Every model ``handler`` declares for the HTTP ``method`` (empty: no JSON body)."""
    first = answer_model(handler, method)
    if first is None:
        return ()
    return (first, *getattr(getattr(handler, method.lower(), None), _ALSO, ()))


def answer_model(handler: type[web.RequestHandler], method: str) -> type[ApiModel] | None:
    """The model ``handler`` declares for the HTTP ``method`` (None: no JSON body)."""
    model = getattr(getattr(handler, method.lower(), None), _ANSWER, None)
    return model if isinstance(model, type) and issubclass(model, ApiModel) else None


class AnswerMismatch(TypeError):
    """A handler wrote a model its method does not declare: a bug, answered as a 500."""


class ServicesMixin(ExtensionHandlerMixin):
    """The server's :class:`~jwst_lab.services.Services`, for REST and websocket handlers."""

    #: The route group (``GET /info`` ``features``) this handler belongs to.
    feature: ClassVar[Feature]

    @property
    def services(self) -> Services:
        """The services ``JwstLabApp`` built at start-up."""
        services = self.settings.get(SERVICES_KEY)
        if not isinstance(services, Services):
            raise RuntimeError("jwst-lab's services are missing: the extension did not load")
        return services


class JwstLabHandler(ServicesMixin, APIHandler):
    """Base of the REST handlers; errors always answer ``{"message", "reason"}`` (+ ``field``)."""

    auth_resource = AUTH_RESOURCE
    #: True for handlers that use the job manager: their requests wait until it has started.
    needs_jobs: ClassVar[bool] = False

    # --- input ---------------------------------------------------------------

    async def prepare(self) -> None:  # type: ignore[override]
        """After authentication: refuse unusable path parameters; wait for the jobs if needed."""
        await super().prepare()
        if not self.current_user:
            return  # @web.authenticated answers 403 before any input is looked at
        for name, value in self.path_kwargs.items():
            problem = path_segment_problem(value)
            if problem:
                raise BadRequest(f"{name} {problem}", field=name)
        if self.needs_jobs:
            # The manager starts with the server; a request that comes first waits here.
            await self.services.jobs_ready()

    def json_body(self) -> dict[str, Any]:
        """The request body as a JSON object, or a 400 that says what is wrong and where."""
        return parse_json_object(self.request.body)

    def parse_body(self, model: type[M]) -> M:
        """The request body validated into ``model``, or a 400 naming the field at fault."""
        return parse_request(model, self.json_body())

    def parse_query(self, model: type[M]) -> M:
        """The query string validated into ``model``, or a 400 naming the parameter at fault."""
        return parse_query(model, self.query())

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

    def write_model(self, model: ApiModel, status: int = 200) -> None:
        """Answer ``model`` as JSON: the model this method declares, and valid against it.

        Anything else (another model, or a body that would not validate, e.g.
        from ``model_construct``) is a bug: an :class:`AnswerMismatch` or a
        ``ValidationError``, answered as a 500 and logged with its traceback.
        """
        declared = answer_models(type(self), self.request.method or "")
        if type(model) not in declared:
            names = " or ".join(d.__name__ for d in declared) or "no JSON body"
            raise AnswerMismatch(
                f"{type(self).__name__}.{(self.request.method or '').lower()} answers "
                f"{names}, not {type(model).__name__}"
            )
        body = model.model_dump_json()
        type(model).model_validate_json(body)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(body)

    def write_created(self, job: JobRecord) -> None:
        """Answer 201 with a new job's record, its URL in ``Location``."""
        self.set_header(
            "Location", url_path_join(self.base_url, PREFIX, "jobs", url_escape(job.id))
        )
        self.write_model(job, status=201)

    def write_png(self, png: bytes) -> None:
        """Answer ``image/png``, never cached (the file may be rewritten by a job)."""
        self.set_header("Cache-Control", "no-store")
        self.finish(png, set_content_type="image/png")

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
        """Every error is an :class:`ErrorResponse`; tracebacks never reach the client."""
        exc_info = kwargs.get("exc_info")
        error = exc_info[1] if exc_info else None
        # tornado sets path_kwargs once the method is known (not for a 405, a bad body).
        path_parameters: Mapping[str, str] = getattr(self, "path_kwargs", None) or {}
        write_error_body(self, error_body(status_code, error, self._reason, path_parameters))


def write_error_body(handler: web.RequestHandler, body: ErrorResponse) -> None:
    """Finish ``handler``'s answer (its status already set) with ``body``."""
    handler.set_header("Content-Type", "application/json")
    handler.finish(body.model_dump_json())


def error_body(
    status_code: int,
    error: BaseException | None,
    phrase: str,
    path_parameters: Mapping[str, str] | None = None,
) -> ErrorResponse:
    """The body of an error answer: ``{"message", "reason"}``, and ``field`` when one is at fault.

    ``phrase`` is the HTTP reason phrase, the message when nothing better is known.
    A 404 that names no field, on a route with one path parameter (``/jobs/{job_id}``),
    is about that parameter. An unexpected exception says only that the server log has
    the details.
    """
    if isinstance(error, JwstLabError):
        field = error.field
        if field is None and isinstance(error, NotFound) and len(path_parameters or {}) == 1:
            (field,) = path_parameters or {}
        detail = getattr(error, "detail", None)
        return ErrorResponse(
            message=error.message,
            reason=error.reason,
            field=field,
            detail=detail if isinstance(detail, str) else None,
        )
    if isinstance(error, web.HTTPError):
        return ErrorResponse(
            message=error.log_message or phrase,
            reason=error.reason or _reason_code(status_code),
        )
    if status_code >= 500:
        return ErrorResponse(
            message="internal server error; the server log has the details",
            reason="internal_error",
        )
    return ErrorResponse(message=phrase, reason=_reason_code(status_code))


def _reason_code(status_code: int) -> str:
    return {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "payload_too_large",
    }.get(status_code, "error")
