"""Resolved, immutable settings shared by the services.

``JwstLabApp`` owns the configurable traits; it resolves them once (including
the ``CRDS_*`` environment fallbacks a user already has) into a
:class:`Settings` that services receive. Services never read traitlets or
``os.environ`` themselves, and nothing here writes to ``os.environ``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

ArchiveBackend = Literal["auto", "mast", "local"]
ExecutorName = Literal["local", "dask"]
CrdsMode = Literal["serverless", "auto", "local", "remote"]
ContextSource = Literal["configured", "environment", "operational"]

SERVERLESS_MARKER = "serverless"
CRDS_MODES = ("auto", "local", "remote")


@dataclass(frozen=True)
class CrdsSettings:
    """Where CRDS reference data comes from."""

    path: Path | None
    server_url: str
    context: str | None
    context_source: ContextSource
    mode: CrdsMode

    @property
    def serverless(self) -> bool:
        """True when no CRDS server is configured at all (offline by design)."""
        return not self.server_url or SERVERLESS_MARKER in self.server_url


@dataclass(frozen=True)
class Settings:
    """Every setting a jwst-lab service may need, resolved once at start-up.

    No member has a default: every value comes from a ``JwstLabApp`` trait
    (whose default is the one documented), so there is never a second default.
    """

    root_dir: Path
    archive_backend: ArchiveBackend
    mast_url: str
    mast_resolver_url: str
    local_archive_dir: Path | None
    local_archive_index: Path
    download_dir: str
    max_parallel_downloads: int
    #: References a CRDS fetch job receives at once (parallel connections).
    crds_fetch_concurrency: int
    crds: CrdsSettings
    db_url: str
    executor: ExecutorName
    max_concurrent_jobs: int
    dask_scheduler_address: str
    job_timeout: float
    #: Fork local pipeline runners from a process that already has jwst imported.
    prewarm_runner: bool
    #: Seconds a MAST (astroquery) or name-resolver request may take before it is a 502.
    mast_timeout: float
    #: Memory the running jobs' estimates may add up to (``memory_limit`` resolved to bytes).
    memory_limit_bytes: int
    #: Where downloads look for MAST products first: "" (MAST over HTTPS only) or "aws".
    cloud: str
    #: The S3 endpoint of the bucket ("" for AWS itself).
    cloud_endpoint_url: str
    #: MAST's path-lookup service (dataURI → bucket key) base URL ("" for ``mast_url``).
    cloud_lookup_url: str

    @property
    def path_lookup_url(self) -> str:
        """Where products are located in the bucket: ``cloud_lookup_url``, else ``mast_url``."""
        return self.cloud_lookup_url or self.mast_url


def resolve_crds(
    *,
    path: str,
    server_url: str,
    context: str,
    environ: Mapping[str, str],
) -> CrdsSettings:
    """Resolve CRDS settings: explicit configuration wins, then ``CRDS_*`` variables.

    ``environ`` is read, never written: kernels and terminals inherit the
    server's environment, so the server must not change it.
    """
    resolved_path = path or environ.get("CRDS_PATH", "")
    resolved_url = server_url or environ.get("CRDS_SERVER_URL", "")
    source: ContextSource
    if context:
        resolved_context, source = context, "configured"
    elif environ.get("CRDS_CONTEXT"):
        resolved_context, source = environ["CRDS_CONTEXT"], "environment"
    else:
        resolved_context, source = None, "operational"
    env_mode = environ.get("CRDS_MODE", "auto").strip().lower()
    serverless = not resolved_url or SERVERLESS_MARKER in resolved_url
    mode: CrdsMode = (
        "serverless"
        if serverless
        else cast("CrdsMode", env_mode if env_mode in CRDS_MODES else "auto")
    )
    return CrdsSettings(
        path=Path(resolved_path).expanduser() if resolved_path else None,
        server_url=resolved_url,
        context=resolved_context,
        context_source=source,
        mode=mode,
    )
