"""What this server is: component versions and configuration, for ``GET /info``.

Versions come from installed package metadata, so answering never imports
jwst (seconds of start-up and hundreds of MB) into the server process.
"""

from __future__ import annotations

import platform
from dataclasses import asdict
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Literal, cast, get_args

from .. import __version__
from ..config import Settings
from ..jobs.store import StoreHealth
from ..models import CrdsInfo, Feature, InfoResponse, JobStoreInfo

#: Distribution names reported by ``/info``, in the order the UI shows them.
COMPONENTS = ("jwst", "stpipe", "crds", "stdatamodels", "astroquery", "jupyter_server")

#: The route groups this server implements (:data:`~jwst_lab.models.info.Feature`: each
#: handler names its group, and a test checks every group has routes). The front end
#: enables a panel's server-backed controls only when its feature is listed, so a newer
#: front end talking to an older server degrades clearly instead of failing on 404s.
FEATURES: tuple[Feature, ...] = get_args(Feature)


@cache
def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution``, or None when it is not installed."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def component_versions() -> dict[str, str | None]:
    """jwst-lab and the versions of the libraries it drives, from package metadata."""
    versions: dict[str, str | None] = {"jwst-lab": __version__}
    versions.update({name: installed_version(name) for name in COMPONENTS})
    versions["python"] = platform.python_version()
    return versions


def job_store_info(health: StoreHealth) -> JobStoreInfo:
    """What ``/info`` says about the job database: the store's health, member for member."""
    return JobStoreInfo.model_validate(asdict(health))


def server_info(settings: Settings, job_store: StoreHealth) -> InfoResponse:
    """The body of ``GET /info`` (``job_store``: the health of the server's job store)."""
    crds = settings.crds
    return InfoResponse(
        version=__version__,
        versions=component_versions(),
        archive_backend=settings.archive_backend,
        cloud=cast(Literal["", "aws"], settings.cloud),
        executor=settings.executor,
        max_concurrent_jobs=settings.max_concurrent_jobs,
        crds=CrdsInfo(
            mode=crds.mode,
            path=str(crds.path) if crds.path else None,
            server_url=crds.server_url or None,
            context=crds.context,
            context_source=crds.context_source,
        ),
        features=list(FEATURES),
        job_store=job_store_info(job_store),
    )
