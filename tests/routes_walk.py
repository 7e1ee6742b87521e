"""Enumerate the routes and methods jwst-lab registers, for tests that walk them all."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tornado import web, websocket

from jwst_lab.routes import PREFIX, ROUTES, route_table

_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)|\([^)]*\)")


@dataclass(frozen=True)
class Endpoint:
    """One (URL, method) a jwst-lab handler implements."""

    pattern: str
    url: str
    method: str
    handler: type[Any]

    @property
    def is_websocket(self) -> bool:
        """True for a websocket upgrade route."""
        return issubclass(self.handler, websocket.WebSocketHandler)


def implemented_methods(handler: type[Any]) -> list[str]:
    """HTTP methods whose implementation comes from jwst-lab code (not tornado/jupyter_server)."""
    methods = []
    for name in handler.SUPPORTED_METHODS:
        attribute = name.lower()
        owner = next(cls for cls in handler.__mro__ if attribute in vars(cls))
        if owner.__module__.startswith("jwst_lab") and getattr(handler, attribute) is not (
            web.RequestHandler._unimplemented_method
        ):
            methods.append(name)
    return methods


def concrete_url(pattern: str) -> str:
    """A URL matching ``pattern``: each capture group becomes a sample segment."""
    return _GROUP.sub(lambda m: m.group("name") or "sample-segment", pattern)


def endpoints() -> list[Endpoint]:
    """Every (URL, method) of every handler in the route table, the catch-all included."""
    return [
        Endpoint(pattern, concrete_url(pattern), method, handler)
        for pattern, handler in route_table()
        for method in implemented_methods(handler)
    ]


def openapi_path(route: str) -> str:
    """A route regex in OpenAPI path-template form: ``(?P<job_id>[^/]+)`` → ``{job_id}``."""
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)


def documented_routes() -> dict[str, list[str]]:
    """The explicit routes (no catch-all) as ``{openapi path: [methods]}``."""
    return {
        openapi_path(path): sorted(m.lower() for m in implemented_methods(handler))
        for path, handler in ROUTES
    }


__all__ = ["PREFIX", "Endpoint", "concrete_url", "documented_routes", "endpoints"]
