"""``WS /events``: job state changes, progress and log lines as they happen.

On connect the server sends ``{"type": "hello", "version": ...}``; every event
published on the :class:`~jwst_lab.core.events.EventBus` follows, in order.
The socket is authenticated (``@ws_authenticated``, which answers 403 instead
of redirecting to a login page) and authorized like every REST route.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from jupyter_server.auth.decorator import authorized, ws_authenticated
from jupyter_server.base.handlers import JupyterHandler
from tornado import web, websocket

from .. import __version__
from ..core.events import Subscription
from ..errors import BadRequest
from .base import AUTH_RESOURCE, ServicesMixin, error_body, write_error_body


class EventsHandler(ServicesMixin, JupyterHandler, websocket.WebSocketHandler):
    """Streams the event bus to one browser tab."""

    auth_resource = AUTH_RESOURCE
    feature = "events"
    _subscription: Subscription | None = None
    _pump: asyncio.Task[None] | None = None

    def get_login_url(self) -> str:
        """A websocket cannot follow a login redirect: refuse instead."""
        raise web.HTTPError(403)

    @ws_authenticated
    @authorized
    async def get(self, *args: Any, **kwargs: Any) -> None:
        """Upgrade to a websocket; a request that is not an upgrade is a JSON 400."""
        upgrade = self.request.headers.get("Upgrade", "").lower()
        connection = {
            p.strip() for p in self.request.headers.get("Connection", "").lower().split(",")
        }
        if upgrade != "websocket" or "upgrade" not in connection:
            # tornado would answer a plain-text 400; every jwst-lab error is JSON.
            error = BadRequest(
                "GET /events is a websocket: send Upgrade: websocket and Connection: Upgrade",
                field="Upgrade",
            )
            self.set_status(error.status)
            write_error_body(self, error_body(error.status, error, self._reason))
            return
        await super().get(*args, **kwargs)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Errors before the upgrade (403, ...) are JSON like every route's, not an HTML page."""
        exc_info = kwargs.get("exc_info")
        write_error_body(
            self, error_body(status_code, exc_info[1] if exc_info else None, self._reason)
        )

    def open(self, *args: Any, **kwargs: Any) -> None:
        """Subscribe to the bus and start forwarding events."""
        self._subscription = self.services.events.subscribe()
        self._pump = asyncio.create_task(self._forward(self._subscription))
        self.write_message(json.dumps({"type": "hello", "version": __version__}))

    async def _forward(self, subscription: Subscription) -> None:
        try:
            async for event in subscription:
                await self.write_message(json.dumps(event, allow_nan=False))
        except websocket.WebSocketClosedError:
            pass
        finally:
            subscription.close()

    def on_message(self, message: str | bytes) -> None:
        """Clients only listen; a ping text keeps proxies from closing an idle socket."""
        if message == "ping":
            self.write_message(json.dumps({"type": "pong"}))

    def on_close(self) -> None:
        """Unsubscribe."""
        if self._subscription is not None:
            self._subscription.close()
