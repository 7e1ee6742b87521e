"""The server's side of :mod:`jwst_lab.core.wcs_worker`: one warm child, started on first use.

Requests are serialised (one at a time, from worker threads); a request that
outlives its timeout kills the child, and the next request starts a new one.
A child that dies is restarted once for the same request (every operation is
read-only). The child ends when its stdin closes, so it never outlives the
server.
"""

from __future__ import annotations

from typing import Any

from .json_worker import JsonLineWorker

#: Seconds the child has to start and answer its first line.
START_TIMEOUT = 60.0
#: Seconds a request may take (a first gwcs load takes about a second; imports a few).
REQUEST_TIMEOUT = 60.0


class WcsUnavailable(Exception):
    """The worker could not answer (did not start, died twice, timed out)."""


class WcsWorker(JsonLineWorker):
    """A ``python -m jwst_lab.core.wcs_worker`` child and its JSON-line channel."""

    def __init__(self) -> None:
        super().__init__("jwst_lab.core.wcs_worker", name="jwst-lab-wcs")

    def failure(self, message: str) -> Exception:
        """A :class:`WcsUnavailable`."""
        return WcsUnavailable(message)

    def died_message(self, op: str, tail: str) -> str:
        """Text of the failure when the worker died twice."""
        return f"the WCS worker died: {tail}"

    def timeout_message(self, op: str, timeout: float) -> str:
        """Text of the failure when a request outlived ``timeout`` seconds."""
        return f"the WCS worker did not answer within {timeout:g} s; it was restarted"

    def start_message(self, tail: str) -> str:
        """Text of the failure when the worker did not start."""
        return f"the WCS worker did not start: {tail}"

    def start_timeout(self) -> float:
        """:data:`START_TIMEOUT`, read when the child starts."""
        return START_TIMEOUT

    def sky(
        self, path: str, points: list[tuple[float, float]], timeout: float = REQUEST_TIMEOUT
    ) -> dict[str, Any]:
        """``{"wcs": kind | None, "sky": [[ra, dec] | None, ...] | None}`` for ``points``."""
        return self.result("sky", {"path": path, "points": points}, timeout)

    def wavelengths(self, args: dict[str, Any], timeout: float = REQUEST_TIMEOUT) -> dict[str, Any]:
        """``{"values": [λ | None, ...] | None, "unit": str | None}`` from a spectral gwcs."""
        return self.result("wavelengths", args, timeout)

    def result(self, op: str, args: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one request and wait (at most ``timeout`` s) for its result."""
        answer = self.call(op, args, timeout)
        if not answer.get("ok"):
            error = answer.get("error") or {}
            raise WcsUnavailable(str(error.get("message") or "the WCS worker failed"))
        return dict(answer.get("result") or {})


#: The server's WCS worker (one child per server process, started on first use).
WCS = WcsWorker()
