"""The jwst-lab error hierarchy.

Services raise these; the base handler in ``routes/base.py`` is the one place
that turns them into HTTP responses ``{"message": ..., "reason": ...}``.
Nothing here imports tornado, so services stay framework-free.
"""

from __future__ import annotations


class JwstLabError(Exception):
    """Base of every error jwst-lab raises on purpose.

    ``status`` is the HTTP status the error maps to, ``reason`` a short
    machine-readable code the front end can switch on.
    """

    status: int = 500
    reason: str = "internal_error"

    def __init__(
        self, message: str, *, reason: str | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if reason is not None:
            self.reason = reason
        #: The request field at fault, as a dotted path (``steps.resample.pixfrac``), if one is.
        self.field = field

    def to_json(self) -> dict[str, str]:
        """The error as the JSON body the REST API answers with (``field`` when one is at fault)."""
        body = {"message": self.message, "reason": self.reason}
        if self.field:
            body["field"] = self.field
        return body


class BadRequest(JwstLabError):
    """The request is malformed: say which field and why."""

    status = 400
    reason = "bad_request"


class Forbidden(JwstLabError):
    """The request is understood but not allowed (e.g. a path outside the root)."""

    status = 403
    reason = "forbidden"


class NotFound(JwstLabError):
    """The thing asked for does not exist."""

    status = 404
    reason = "not_found"


class Conflict(JwstLabError):
    """The request conflicts with the current state (e.g. cancel a finished job)."""

    status = 409
    reason = "conflict"


class PayloadTooLarge(JwstLabError):
    """The request (or what it would produce) is larger than allowed."""

    status = 413
    reason = "payload_too_large"


class UpstreamError(JwstLabError):
    """A remote service (MAST, CRDS) failed; the message says which and what it said."""

    status = 502
    reason = "upstream_error"


class DependencyMissing(JwstLabError):
    """An optional dependency needed for this request is not installed."""

    status = 503
    reason = "dependency_missing"


class ServiceUnavailable(JwstLabError):
    """A part of the server cannot work right now (e.g. its job database is unusable)."""

    status = 503
    reason = "service_unavailable"
