"""The base of every jwst-lab handler: one error translator, one way to read input.

Handlers stay thin: parse and validate input, call one service, write the
result. Every HTTP method of every subclass is decorated with
``@web.authenticated`` and ``@authorized``; ``auth_resource`` names the
permission resource so a deployment's Authorizer can grant or deny jwst-lab.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from pydantic import BaseModel
from tornado import web

from ..config import Settings
from ..core.events import EventBus
from ..errors import BadRequest, JwstLabError

if TYPE_CHECKING:
    from ..app import JwstLabApp

AUTH_RESOURCE = "jwst_lab"


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
    """Base of the REST handlers; errors always answer ``{"message", "reason"}``."""

    auth_resource = AUTH_RESOURCE

    # --- input ---------------------------------------------------------------

    def json_body(self) -> dict[str, Any]:
        """The request body as a JSON object, or a 400 that says what is wrong."""
        if not self.request.body:
            raise BadRequest("the request body is empty; a JSON object is expected")
        try:
            body = json.loads(self.request.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise BadRequest(f"the request body is not valid JSON: {error}") from None
        if not isinstance(body, dict):
            raise BadRequest("the request body must be a JSON object")
        return body

    def query(self) -> dict[str, str]:
        """Query arguments as single strings; a repeated argument is a 400."""
        arguments: dict[str, str] = {}
        for name, values in self.request.query_arguments.items():
            if len(values) != 1:
                raise BadRequest(f"query parameter {name!r} is given {len(values)} times")
            try:
                arguments[name] = values[0].decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest(f"query parameter {name!r} is not valid UTF-8") from None
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
        self.set_header("Content-Type", "application/json")
        exc_info = kwargs.get("exc_info")
        error = exc_info[1] if exc_info else None
        if isinstance(error, JwstLabError):
            body = error.to_json()
        elif isinstance(error, web.HTTPError):
            body = {
                "message": error.log_message or self._reason,
                "reason": error.reason or _reason_code(status_code),
            }
        elif status_code >= 500:
            body = {
                "message": "internal server error; the server log has the details",
                "reason": "internal_error",
            }
        else:
            body = {"message": self._reason, "reason": _reason_code(status_code)}
        self.finish(json.dumps(body))


def _reason_code(status_code: int) -> str:
    return {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "payload_too_large",
    }.get(status_code, "error")
