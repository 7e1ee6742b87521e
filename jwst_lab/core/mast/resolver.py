"""Target names to sky positions, through MAST's name resolver (the SANTA protocol).

The resolver's URL is a setting (``mast_resolver_url``), so tests and offline
sites can point it elsewhere. Answers, unknown names included, are kept for
the life of the server: a name's position does not change.
"""

from __future__ import annotations

import requests

from ...errors import NotFound, UpstreamError
from ..mast_vocabulary import finite_float
from .upstream import error_text


class NameResolver:
    """Resolves target names to (RA, Dec) in degrees, remembering every answer."""

    def __init__(self) -> None:
        self._resolved: dict[str, tuple[float, float] | None] = {}

    def resolve(self, url: str, target: str, timeout: float) -> tuple[float, float]:
        """RA, Dec (degrees) of ``target`` from the resolver at ``url``; 404 if unknown."""
        key = target.strip().lower()
        if key in self._resolved:
            cached = self._resolved[key]
            if cached is None:
                raise NotFound(
                    f"target {target!r} could not be resolved to a sky position", field="target"
                )
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
            raise UpstreamError(
                f"MAST's name resolver ({url}) failed for {target!r}: {error_text(error)}"
            ) from None
        entries = data.get("resolvedCoordinate") if isinstance(data, dict) else None
        entries = [e for e in entries or [] if isinstance(e, dict)]
        match = next((e for e in entries if str(e.get("searchString", "")).lower() == key), None)
        match = match or (entries[0] if entries else None)
        if not match or finite_float(match.get("ra")) is None:
            self._resolved[key] = None
            raise NotFound(
                f"target {target!r} could not be resolved to a sky position", field="target"
            )
        position = (float(match["ra"]), float(match["decl"]))
        self._resolved[key] = position
        return position
