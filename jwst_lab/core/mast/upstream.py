"""How a failure of MAST or of its name resolver is told: a 502 that says what happened."""

from __future__ import annotations

import requests

from ...errors import UpstreamError


def error_text(error: BaseException, limit: int = 300) -> str:
    """``Type: message`` of an exception, the message cut after ``limit`` characters."""
    text = str(error) or type(error).__name__
    shown = text if len(text) <= limit else text[:limit] + "..."
    return f"{type(error).__name__}: {shown}"


def upstream_error(url: str, error: BaseException) -> UpstreamError:
    """A 502 that says what MAST did (timeouts, refused connections, HTTP errors)."""
    if isinstance(error, (requests.Timeout, TimeoutError)):
        what = "timed out"
    elif isinstance(error, requests.ConnectionError):
        what = "could not be reached"
    elif isinstance(error, requests.HTTPError) and error.response is not None:
        what = f"answered HTTP {error.response.status_code}"
    else:
        what = "failed"
    return UpstreamError(f"MAST ({url}) {what}: {error_text(error)}")
