"""LocalArchive: an SQLite index of JWST products on disk, searched like MAST.

``jwst-lab index DIR`` (and the server, for ``local_archive_dir``) indexes a
folder of JWST products; searches answer with the columns of MAST's
``Mast.Caom.*`` rows. The package is split by job:

- :mod:`.store`: the index file (schema, connections, shared keys);
- :mod:`.indexer`: reading headers and associations, incremental indexing;
- :mod:`.search`: observation searches and product lists.

:class:`LocalArchive` is the one object callers use. Everything here is
synchronous: callers run it in a thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..mast_vocabulary import JWST_COLLECTION
from . import indexer, search
from .indexer import IndexReport
from .search import Query
from .store import ArchiveError, ArchiveStore, default_index_path, stable_obsid, unit_vector

__all__ = [
    "ArchiveError",
    "IndexReport",
    "LocalArchive",
    "Query",
    "default_index_path",
    "stable_obsid",
    "unit_vector",
]


class LocalArchive:
    """An SQLite index of JWST products on disk, searched with MAST's row shapes."""

    def __init__(self, index_path: Path | str, *, readonly: bool = False) -> None:
        self.store = ArchiveStore(index_path, readonly=readonly)

    @property
    def index_path(self) -> Path:
        """The index file."""
        return self.store.index_path

    @property
    def readonly(self) -> bool:
        """True when opened read-only (searches only)."""
        return self.store.readonly

    def close(self) -> None:
        """Close this thread's connection."""
        self.store.close()

    def exists(self) -> bool:
        """True when the index file exists and has the observations table."""
        return self.store.exists()

    def count_observations(self) -> int:
        """How many observations the index holds."""
        return self.store.count_observations()

    def roots(self) -> list[str]:
        """The archive folders indexed into this file."""
        return self.store.roots()

    def index(self, root: Path | str, *, collection: str = JWST_COLLECTION) -> IndexReport:
        """Index ``root`` incrementally: read only new or changed files, drop removed ones."""
        return indexer.index_folder(self.store, root, collection=collection)

    def bulk_insert_observations(self, rows: Iterable[dict[str, Any]], batch: int = 20000) -> int:
        """Insert many observation rows at once (benchmarks and tests of large archives)."""
        return indexer.bulk_insert_observations(self.store, rows, batch)

    def search(self, query: Query) -> tuple[list[dict[str, Any]], int]:
        """Observations matching ``query``: (the requested page of rows, the total)."""
        return search.search(self.store, query)

    def observation(self, obsid: str) -> dict[str, Any] | None:
        """One observation by its ``obsid`` (or its ``obs_id``), or None."""
        return search.observation(self.store, obsid)

    def products(self, obsid: str) -> list[dict[str, Any]] | None:
        """Products of an observation (with its members' for level 3), or None if unknown."""
        return search.products(self.store, obsid)

    def products_for_uris(self, uris: Sequence[str]) -> list[dict[str, Any]]:
        """Products named by their ``dataURI`` (``mast:JWST/product/<file>``); unknown skipped."""
        return search.products_for_uris(self.store, uris)
