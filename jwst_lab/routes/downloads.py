"""``POST /downloads``: start a download job for MAST or local-archive products."""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..core.download_requests import check_selection, resolve_products
from ..core.paths import resolve_in_root
from ..errors import DependencyMissing
from ..models import DownloadCreate, parse_request
from .base import JwstLabHandler


class DownloadsHandler(JwstLabHandler):
    """``POST /downloads``."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        """Queue a download job → 201 with the job record and its ``python`` snippet.

        400 bad input (the field named), 403 ``token_required`` for exclusive-access
        products without a MAST token, 404 unknown products or observations, 409 another
        active download writes the same files, 413 ``insufficient_storage``, 502 MAST failed.
        """
        request = parse_request(DownloadCreate, self.json_body())
        selection = check_selection(request)
        dest = request.dest if request.dest is not None else self.lab_settings.download_dir
        # Checked before the archive is asked, so a bad dest is a 400 whatever the products.
        resolve_in_root(self.lab_settings.root_dir, dest, field="dest", must_exist=False)
        mast: Any = getattr(self.lab_app, "mast_service", None)
        if mast is None:
            raise DependencyMissing("MAST products are not available on this server")
        source, rows = await resolve_products(mast, selection, request.source)
        manager = self.lab_app.job_manager
        await manager.start()
        job = await manager.create_download(
            source=source,
            rows=rows,
            dest=dest,
            products=selection.products,
            obsids=selection.obsids,
            product_filters=selection.product_filters or None,
        )
        self.set_header("Location", f"{self.base_url.rstrip('/')}/jwst-lab/jobs/{job['id']}")
        self.write_json({**job, "python": job["commands"]["python"]}, status=201)
