"""The local backend: the local archive answering MAST's questions offline.

The archive is opened on first use. When ``local_archive_dir`` is set, that
folder is indexed then, incrementally (only new or changed files are read):
in the background when the index already has observations, so searches
answer from it meanwhile. A search by target name matches the names the
archive recorded and, when the name resolver answers, a cone around the
resolved position as well; a resolver that failed recently is not asked
again for a while when the recorded names already match.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ...errors import BadRequest, NotFound, UpstreamError
from ...models.mast import MastSearchQuery
from ..archive import ArchiveError, LocalArchive, Query
from ..mast_vocabulary import OBS_FIELDS
from .json_rows import columns_of
from .resolver import UnknownTarget

log = logging.getLogger(__name__)

#: How long a failed name resolver is skipped when recorded target names already match.
RESOLVER_DOWN_SECONDS = 60.0


class LocalBackend:
    """The local archive at ``index`` (built from ``folder`` when one is set)."""

    def __init__(self, index: Path, folder: Path | None) -> None:
        self.index_path = Path(index)
        self.folder = folder
        self._archive: LocalArchive | None = None
        self._lock = threading.Lock()
        self._refreshed = False
        self._resolver_down_until = 0.0

    def available(self) -> bool:
        """True when the index exists or can be built from the archive folder."""
        return self.index_path.is_file() or bool(self.folder and Path(self.folder).is_dir())

    def archive(self) -> LocalArchive:
        """The local archive (indexing the folder once, incrementally, on first use)."""
        with self._lock:
            if self._archive is None:
                folder = self.folder
                if folder is None and not self.index_path.is_file():
                    raise NotFound(
                        "there is no local archive: set c.JwstLabApp.local_archive_dir or index "
                        f"a folder with `jwst-lab index DIR --index {self.index_path}`"
                    )
                try:
                    writable = folder is not None
                    archive = LocalArchive(self.index_path, readonly=not writable)
                    if folder is not None and not self._refreshed:
                        self._refreshed = True
                        if archive.count_observations():
                            # Searches answer from the existing index while it is refreshed.
                            threading.Thread(
                                target=_refresh, args=(archive, folder), daemon=True
                            ).start()
                        else:
                            _refresh(archive, folder)
                    self._archive = archive
                except (ArchiveError, OSError) as error:
                    self._archive = None
                    raise NotFound(f"the local archive cannot be used: {error}") from None
            return self._archive

    def search(
        self, query: MastSearchQuery, resolve: Callable[[str], tuple[float, float]]
    ) -> tuple[list[dict[str, Any]], int, list[dict[str, str]], dict[str, float] | None]:
        """One page of observations: rows, total, columns, the cone searched (or None).

        ``resolve`` resolves a target; a target matched by name only has no cone.
        """
        archive = self.archive()
        wanted = Query(
            ra=query.ra,
            dec=query.dec,
            radius=query.radius if query.ra is not None else None,
            collection=query.collection,
            instrument=query.instrument,
            filters=query.filters,
            proposal_id=query.proposal_id,
            calib_level=query.calib_level,
            data_rights=query.data_rights,
            t_min=query.t_min_mjd,
            t_max=query.t_max_mjd,
            include_guidestar=query.include_guidestar,
            sort=query.sort_column,
            descending=query.descending,
            offset=(query.page - 1) * query.page_size,
            limit=query.page_size,
        )
        if query.target:
            wanted = self._by_target(archive, wanted, query, resolve)
        try:
            rows, total = archive.search(wanted)
        except ValueError as error:
            raise BadRequest(str(error), field="sort") from None
        cone = None
        if wanted.ra is not None and wanted.dec is not None and wanted.radius is not None:
            cone = {"ra": wanted.ra, "dec": wanted.dec, "radius": wanted.radius}
        return rows, total, columns_of(OBS_FIELDS), cone

    def _by_target(
        self,
        archive: LocalArchive,
        wanted: Query,
        query: MastSearchQuery,
        resolve: Callable[[str], tuple[float, float]],
    ) -> Query:
        """``wanted`` narrowed to the target: its recorded name, or a cone when it resolves."""
        target = query.target or ""
        _, by_name = archive.search(replace(wanted, target_name=target, offset=0, limit=1))
        position = None
        try:
            if by_name and time.monotonic() < self._resolver_down_until:
                raise UpstreamError("the name resolver did not answer a moment ago")
            position = resolve(target)
        except NotFound:
            if not by_name:
                raise
        except UpstreamError as error:
            self._resolver_down_until = time.monotonic() + RESOLVER_DOWN_SECONDS
            if not by_name:
                raise UnknownTarget(
                    f"No observation in the local archive is named {target!r}, and MAST's "
                    "name resolver could not be reached to look it up",
                    detail=getattr(error, "detail", None) or error.message,
                ) from None
        if position is not None:
            return replace(
                wanted, ra=position[0], dec=position[1], radius=query.radius, target_name=target
            )
        return replace(wanted, target_name=target)

    def products(self, obsid: str) -> list[dict[str, Any]]:
        """Every product of the observation ``obsid`` (or obs_id); 404 when unknown."""
        rows = self.archive().products(obsid)
        if rows is None:
            raise NotFound(f"observation {obsid!r} is not in the local archive")
        return rows

    def products_for_uris(self, uris: Sequence[str]) -> list[dict[str, Any]]:
        """Product rows for ``dataURI`` values; unknown ones skipped."""
        return self.archive().products_for_uris(list(uris))


def _refresh(archive: LocalArchive, folder: Path) -> None:
    """Index ``folder`` incrementally (only new or changed files are read)."""
    try:
        report = archive.index(folder)
    except (ArchiveError, OSError) as error:
        log.warning("indexing the local archive %s failed: %s", folder, error)
        return
    log.info(
        "local archive %s: %d observations (%d files read, %d removed)",
        folder,
        report.observations,
        report.read,
        report.removed,
    )
