"""``GET /images/info``, ``/images/pixel`` and ``/catalogs``: the quick look's questions.

What an image is (shape, unit, WCS, its catalog), the pixel under the pointer
with its RA/Dec (the WCS evaluated here, without jwst), and a source catalog's
rows. The pictures themselves come from ``GET /previews``.
"""

from __future__ import annotations

import functools

import anyio.to_thread
from jupyter_server.auth.decorator import authorized
from tornado import web

from ..core.catalogs import catalog_page
from ..core.images import image_info, pixel_at
from ..core.paths import resolve_in_root
from ..models import CatalogQuery, CatalogTable, ImageInfo, ImagePixel, ImageQuery, PixelQuery
from .base import JwstLabHandler, answers


class ImageInfoHandler(JwstLabHandler):
    """A 2-D image's shape, unit, WCS source and the catalog beside it."""

    feature = "previews"

    @web.authenticated
    @authorized
    @answers(ImageInfo)
    async def get(self) -> None:
        """Answer the facts of ``?path=`` (relative to the server root)."""
        query = self.parse_query(ImageQuery)
        root = self.services.settings.root_dir
        path = resolve_in_root(root, query.path)
        read = functools.partial(image_info, path, query.path, root)
        self.write_model(ImageInfo.model_validate(await anyio.to_thread.run_sync(read)))


class ImagePixelHandler(JwstLabHandler):
    """The value, DQ and RA/Dec of the pixel at ``?x=&y=`` (0-based)."""

    feature = "previews"

    @web.authenticated
    @authorized
    @answers(ImagePixel)
    async def get(self) -> None:
        """Answer the pixel nearest to ``(x, y)`` of ``?path=``."""
        query = self.parse_query(PixelQuery)
        path = resolve_in_root(self.services.settings.root_dir, query.path)
        read = functools.partial(pixel_at, path, query.path, query.x, query.y)
        self.write_model(ImagePixel.model_validate(await anyio.to_thread.run_sync(read)))


class CatalogHandler(JwstLabHandler):
    """A page of an ECSV source catalog: columns with units, rows, total."""

    feature = "previews"

    @web.authenticated
    @authorized
    @answers(CatalogTable)
    async def get(self) -> None:
        """Answer ``?limit=`` rows of ``?path=`` from ``?offset=``."""
        query = self.parse_query(CatalogQuery)
        root = self.services.settings.root_dir
        path = resolve_in_root(root, query.path)
        read = functools.partial(
            catalog_page, path, query.path, root, offset=query.offset, limit=query.limit
        )
        self.write_model(CatalogTable.model_validate(await anyio.to_thread.run_sync(read)))
