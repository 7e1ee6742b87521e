"""Target names to sky positions, through MAST's name resolver (the SANTA protocol).

The resolver's URL is a setting (``mast_resolver_url``), so tests and offline
sites can point it elsewhere. Answers, unknown names included, are kept for
the life of the server: a name's position does not change.

Its failures are told in one sentence a person can act on (``message``), with
what the resolver actually did in ``detail`` (shown behind a disclosure):
:class:`UnknownTarget` (404, reason ``unknown_target``) when it answered
without a position, :class:`ResolverUnavailable` (502, reason
``resolver_unavailable``) when it could not be asked.
"""

from __future__ import annotations

import requests

from ...errors import NotFound, UpstreamError
from ..mast_vocabulary import finite_float
from .upstream import error_text


class UnknownTarget(NotFound):
    """404 ``unknown_target`` (field ``target``): no position for this name."""

    reason = "unknown_target"

    def __init__(self, message: str, *, detail: str) -> None:
        super().__init__(message, field="target")
        #: What the resolver (or the local archive) answered, for a disclosure.
        self.detail = detail


class ResolverUnavailable(UpstreamError):
    """502 ``resolver_unavailable`` (field ``target``): the resolver could not be asked."""

    reason = "resolver_unavailable"

    def __init__(self, message: str, *, detail: str) -> None:
        super().__init__(message, field="target")
        #: The failure as the HTTP client told it (never a token: the resolver takes none).
        self.detail = detail


def unknown_target(target: str, url: str) -> UnknownTarget:
    """The error of a name the resolver at ``url`` answered without a position."""
    return UnknownTarget(
        f"MAST's name resolver does not know {target!r}",
        detail=(
            f"The name resolver ({url}) answered with no position for {target!r}. Check the "
            "spelling, try another designation (NGC 3132, M 57, 2MASS J...), or search by "
            "coordinates (RA Dec in degrees or sexagesimal)."
        ),
    )


class NameResolver:
    """Resolves target names to (RA, Dec) in degrees, remembering every answer."""

    def __init__(self) -> None:
        self._resolved: dict[str, tuple[float, float] | None] = {}

    def resolve(self, url: str, target: str, timeout: float) -> tuple[float, float]:
        """RA, Dec (degrees) of ``target`` from the resolver at ``url``.

        Raises :class:`UnknownTarget` when it has no position for the name and
        :class:`ResolverUnavailable` when it cannot be asked.
        """
        key = target.strip().lower()
        if key in self._resolved:
            cached = self._resolved[key]
            if cached is None:
                raise unknown_target(target, url)
            return cached
        try:
            response = requests.get(
                url,
                params={"name": target, "outputFormat": "json", "resolveAll": "false"},
                timeout=timeout,
                headers={"Accept": "application/json"},
            )
            response.raise_for_status()
            data = response.json()
        except Exception as error:
            raise ResolverUnavailable(
                f"MAST's name resolver could not be reached to look up {target!r}",
                detail=f"{url}: {error_text(error)}",
            ) from None
        entries = data.get("resolvedCoordinate") if isinstance(data, dict) else None
        entries = [e for e in entries or [] if isinstance(e, dict)]
        match = next((e for e in entries if str(e.get("searchString", "")).lower() == key), None)
        match = match or (entries[0] if entries else None)
        if not match or finite_float(match.get("ra")) is None:
            self._resolved[key] = None
            raise unknown_target(target, url)
        position = (float(match["ra"]), float(match["decl"]))
        self._resolved[key] = position
        return position
