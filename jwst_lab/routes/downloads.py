"""``POST /downloads``: start a download job for MAST or local-archive products."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..core.download_requests import check_selection, resolve_products
from ..core.paths import resolve_in_root
from ..models import DownloadCreate, DownloadCreated
from .base import JwstLabHandler, answers


class DownloadsHandler(JwstLabHandler):
    """``POST /downloads``."""

    feature = "downloads"
    needs_jobs = True

    @web.authenticated
    @authorized
    @answers(DownloadCreated)
    async def post(self) -> None:
        """Queue a download job → 201 with the job record and its ``python`` snippet.

        400 bad input (the field named), 403 ``token_required`` for exclusive-access
        products without a MAST token, 404 unknown products or observations, 409 another
        active download writes the same files, 413 ``insufficient_storage``, 502 MAST failed.
        """
        request = self.parse_body(DownloadCreate)
        selection = check_selection(request)
        services = self.services
        settings = services.settings
        dest = request.dest if request.dest is not None else settings.download_dir
        # Checked before the archive is asked, so a bad dest is a 400 whatever the products.
        resolve_in_root(settings.root_dir, dest, field="dest", must_exist=False)
        source, rows = await resolve_products(services.mast, selection, request.source)
        job = await services.jobs.submit(
            "download",
            {
                "source": source,
                "rows": rows,
                "dest": dest,
                "products": selection.products,
                "obsids": selection.obsids,
                "product_filters": selection.product_filters or None,
                "cloud": request.cloud,
            },
        )
        self.write_created(
            DownloadCreated.model_validate({**job, "python": job["commands"]["python"]})
        )
