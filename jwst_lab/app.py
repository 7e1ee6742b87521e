"""The jwst-lab server extension: configuration and wiring."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from jupyter_core.paths import jupyter_data_dir
from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, CaselessStrEnum, Float, Int, TraitError, Unicode, Union, validate

from . import __version__
from .config import ArchiveBackend, ExecutorName, Settings, resolve_crds
from .core.associations import AssociationReader
from .core.cloud import check_provider
from .core.crds import CrdsService
from .core.events import EventBus
from .core.mast import MastService
from .core.pipeline import PipelineCatalog
from .core.token import TOKEN_STORE
from .errors import JwstLabError
from .jobs.environment import with_thread_limits
from .jobs.executors import Executor, LocalExecutor
from .jobs.executors.dask import DaskExecutor
from .jobs.executors.warm_pool import WarmRunner
from .jobs.kinds import KINDS
from .jobs.kinds.base import KindContext
from .jobs.manager import JobManager
from .jobs.resources import DEFAULT_MEMORY_LIMIT, memory_available, parse_memory_limit
from .jobs.runs import RunService
from .jobs.store import JobStore, StoreError, note_root, root_state_dir, sqlite_path
from .routes import route_table
from .services import SERVICES_KEY, Services

DEFAULT_MAST_URL = "https://mast.stsci.edu"
DEFAULT_MAST_RESOLVER_URL = "http://mastresolver.stsci.edu/Santa-war/query"
EXECUTORS = ("local", "dask")


class JwstLabApp(ExtensionApp):
    """JupyterLab for JWST: MAST search and download, CRDS browser, pipeline jobs.

    Every setting has a default that works with no network.
    """

    name = "jwst_lab"
    description = __doc__ or ""
    load_other_extensions = True

    archive_backend = CaselessStrEnum(
        ["auto", "mast", "local"],
        default_value="auto",
        config=True,
        help="Where MAST searches go: 'mast' (astroquery against mast_url), 'local' (the "
        "indexed local archive), or 'auto' (MAST when it answers, else the local archive).",
    )
    mast_url = Unicode(
        DEFAULT_MAST_URL,
        config=True,
        help="Base URL of the MAST portal API used by astroquery.",
    )
    mast_resolver_url = Unicode(
        DEFAULT_MAST_RESOLVER_URL,
        config=True,
        help="URL of MAST's name resolver (SANTA) used to turn target names into coordinates.",
    )
    local_archive_dir = Unicode(
        "",
        config=True,
        help="Folder holding JWST products laid out as MAST does (collection/obs_id/files). "
        "Empty: no local archive.",
    )
    local_archive_index = Unicode(
        "",
        config=True,
        help="SQLite index of the local archive. Empty: "
        "<jupyter data dir>/jwst_lab/archive_index.sqlite (so read-only archives can be indexed).",
    )
    download_dir = Unicode(
        "mast_downloads",
        config=True,
        help="Default download folder, relative to the server root.",
    )
    max_parallel_downloads = Int(
        8,
        config=True,
        help="Number of parallel connections (files fetched at once) a download job uses.",
    )
    crds_fetch_concurrency = Int(
        8,
        config=True,
        help="Number of parallel connections (references fetched at once) a CRDS fetch job "
        "(POST /crds/fetch) uses; crds's own client fetches one file at a time.",
    )
    crds_path = Unicode(
        "",
        config=True,
        help="CRDS cache folder. Empty: the CRDS_PATH environment variable.",
    )
    crds_server_url = Unicode(
        "",
        config=True,
        help="CRDS server URL. Empty: the CRDS_SERVER_URL environment variable; when that is "
        "unset too, CRDS runs serverless (cache only).",
    )
    crds_context = Unicode(
        "",
        config=True,
        help="CRDS context to pin (e.g. 'jwst_1322.pmap'). Empty: the CRDS_CONTEXT environment "
        "variable, else the operational context.",
    )
    db_url = Unicode(
        "",
        config=True,
        help="SQLite database of jobs ('sqlite:////absolute/path/jobs.sqlite'); job folders "
        "(logs, journals) go in a 'jobs' folder beside it. Empty: one database per server "
        "root, <jupyter data dir>/jwst_lab/roots/<hash of the root>/jobs.sqlite (root.txt there "
        "names the root). Every job records its server root, so servers with different roots "
        "sharing one file each list only their own jobs.",
    )
    executor_class = Unicode(
        "local",
        config=True,
        help="Where pipeline and download jobs run: 'local' (a subprocess per job) or 'dask' "
        "(a Dask distributed cluster, see dask_scheduler_address).",
    )
    max_concurrent_jobs = Int(
        2,
        config=True,
        help=(
            "How many jobs run at once; the others wait in a FIFO queue. Local jobs' "
            "BLAS/OpenMP pools get cores // max_concurrent_jobs threads each unless "
            "OMP_NUM_THREADS etc. are set."
        ),
    )
    dask_scheduler_address = Unicode(
        "",
        config=True,
        help="Address of a Dask scheduler (e.g. 'tcp://127.0.0.1:8786'). Empty: a LocalCluster "
        "started on first use.",
    )
    job_timeout = Float(
        0.0,
        config=True,
        help="Seconds after which a running job is cancelled. 0: no limit.",
    )
    mast_timeout = Float(
        30.0,
        config=True,
        help="Seconds a MAST request (astroquery or the name resolver) may take before the "
        "search answers 502.",
    )
    prewarm_runner = Bool(
        True,
        config=True,
        help="Keep one process with jwst imported (~300 MB) and fork each local pipeline job "
        "from it, so its first step starts in about a second instead of ~10 s. Every job still "
        "runs in a process of its own, with its own environment and CRDS settings.",
    )

    memory_limit = Union(
        [Int(), Unicode()],
        default_value=DEFAULT_MEMORY_LIMIT,
        config=True,
        help="Memory the running jobs' estimates may add up to: bytes (8000000000), a size "
        "('12G', '800MB') or a percentage of the memory this server may use (its cgroup's "
        "limit, else physical memory). A queued job starts only when its estimate fits beside "
        "the running jobs'; a job whose estimate alone is larger is refused (409 "
        "insufficient_memory) unless forced.",
    )

    cloud = Unicode(
        "",
        config=True,
        help="Fetch MAST products from MAST's public bucket in the cloud first: '' (off: MAST "
        "over HTTPS only) or 'aws' (s3://stpubdata, read anonymously; products not in the "
        "bucket come from MAST over HTTPS). A download request may ask for it with 'cloud'.",
    )
    cloud_endpoint_url = Unicode(
        "",
        config=True,
        help="S3 endpoint of the public bucket. Empty: AWS itself; set it for an S3-compatible "
        "mirror (or a test server).",
    )
    cloud_lookup_url = Unicode(
        "",
        config=True,
        help="Base URL of MAST's path-lookup service (/api/v0.1/path_lookup/, dataURI → key in "
        "the bucket) for cloud downloads and peeks. Empty: mast_url (MAST itself).",
    )

    @validate("cloud")
    def _validate_cloud(self, proposal: dict[str, Any]) -> str:
        try:
            return check_provider(str(proposal["value"]))
        except ValueError as error:
            raise TraitError(str(error)) from None

    @validate("memory_limit")
    def _validate_memory_limit(self, proposal: dict[str, Any]) -> int | str:
        value = proposal["value"]
        try:
            parse_memory_limit(value, memory_available())
        except ValueError as error:
            raise TraitError(str(error)) from None
        return cast("int | str", value)

    @validate("executor_class")
    def _validate_executor(self, proposal: dict[str, Any]) -> str:
        value = str(proposal["value"]).strip().lower()
        if value not in EXECUTORS:
            raise TraitError(f"executor_class must be one of {EXECUTORS}, not {value!r}")
        return value

    @validate("max_parallel_downloads", "max_concurrent_jobs", "crds_fetch_concurrency")
    def _validate_positive(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if value < 1:
            raise TraitError(f"{proposal['trait'].name} must be at least 1, not {value}")
        return value

    @validate("job_timeout")
    def _validate_timeout(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        if value < 0:
            raise TraitError(f"job_timeout must be >= 0, not {value}")
        return value

    def resolved_settings(self) -> Settings:
        """Resolve the traits (and CRDS_* variables) into the services' settings."""
        data_dir = Path(jupyter_data_dir()) / "jwst_lab"
        root_dir = Path(self.serverapp.root_dir if self.serverapp else Path.cwd()).resolve()
        return Settings(
            root_dir=root_dir,
            archive_backend=cast(ArchiveBackend, self.archive_backend),
            mast_url=self.mast_url.rstrip("/"),
            mast_resolver_url=self.mast_resolver_url,
            local_archive_dir=Path(self.local_archive_dir).expanduser()
            if self.local_archive_dir
            else None,
            local_archive_index=Path(self.local_archive_index).expanduser()
            if self.local_archive_index
            else data_dir / "archive_index.sqlite",
            download_dir=self.download_dir,
            max_parallel_downloads=self.max_parallel_downloads,
            crds_fetch_concurrency=self.crds_fetch_concurrency,
            crds=resolve_crds(
                path=self.crds_path,
                server_url=self.crds_server_url,
                context=self.crds_context,
                environ=os.environ,
            ),
            db_url=self.db_url or f"sqlite:///{root_state_dir(data_dir, root_dir) / 'jobs.sqlite'}",
            executor=cast(ExecutorName, self.executor_class),
            max_concurrent_jobs=self.max_concurrent_jobs,
            dask_scheduler_address=self.dask_scheduler_address,
            job_timeout=self.job_timeout,
            prewarm_runner=self.prewarm_runner,
            mast_timeout=self.mast_timeout,
            memory_limit_bytes=parse_memory_limit(self.memory_limit, memory_available()),
            cloud=self.cloud,
            cloud_endpoint_url=self.cloud_endpoint_url.rstrip("/"),
            cloud_lookup_url=self.cloud_lookup_url.rstrip("/"),
        )

    def _make_executor(
        self, settings: Settings, state_dir: Path, runner_env: Mapping[str, str]
    ) -> Executor:
        if settings.executor == "dask":
            return DaskExecutor(
                settings.dask_scheduler_address, n_workers=settings.max_concurrent_jobs
            )
        if not settings.prewarm_runner:
            return LocalExecutor()
        warm = WarmRunner(sys.executable, runner_env, state_dir / "warm_runner.log")
        return LocalExecutor(warm=warm)

    #: The services, once ``initialize_settings`` has built them.
    _services: Services | None = None

    @property
    def services(self) -> Services:
        """The server's services (handlers reach them through the tornado settings)."""
        if self._services is None:
            raise RuntimeError("jwst-lab's services are built in initialize_settings")
        return self._services

    def initialize_settings(self) -> None:
        """Resolve settings once; build the services every handler uses."""
        settings = self.resolved_settings()
        data_dir = Path(jupyter_data_dir()) / "jwst_lab"
        events = EventBus()
        catalog = PipelineCatalog(data_dir / "catalog")
        associations = AssociationReader(settings.root_dir)
        crds = CrdsService(settings.crds, root_dir=settings.root_dir, base_env=os.environ)
        store, state_dir = self._open_job_store(settings, data_dir)
        # Local runners share this machine's cores; Dask workers size their own pools.
        runner_env = (
            with_thread_limits(os.environ, settings.max_concurrent_jobs)
            if settings.executor == "local"
            else dict(os.environ)
        )
        jobs = JobManager(
            context=KindContext(
                root=settings.root_dir.resolve(),
                settings=settings,
                jobs_dir=state_dir / "jobs",
                base_env=runner_env,
                catalog=catalog,
                associations=associations,
                # Read when a job needs it, from the token store the services hold now.
                token=lambda: self.services.mast_token(),
                crds_problem=crds.cache_problem,
            ),
            store=store,
            executor=self._make_executor(settings, state_dir, runner_env),
            bus=events,
        )
        self._services = Services(
            settings=settings,
            events=events,
            pipelines=catalog,
            associations=associations,
            mast=MastService(settings, tokens=TOKEN_STORE),
            tokens=TOKEN_STORE,
            crds=crds,
            job_store=store,
            jobs=jobs,
            runs=RunService(
                settings=settings,
                jobs=jobs,
                store=store,
                bus=events,
                catalog=catalog,
                current_context=lambda: crds.effective_context()[0],
            ),
        )
        self.settings[SERVICES_KEY] = self._services
        self.log.info(
            "jwst-lab %s: archive=%s executor=%s crds=%s",
            __version__,
            settings.archive_backend,
            settings.executor,
            settings.crds.mode,
        )

    def _open_job_store(self, settings: Settings, data_dir: Path) -> tuple[JobStore, Path]:
        """The job store of this server's root, and its state folder (job folders: ``jobs/``).

        Never raises, so the server always starts: ``JobStore.health`` says
        what is wrong (``GET /info`` reports it, job routes answer 503).
        """
        root = settings.root_dir
        default_dir = root_state_dir(data_dir, root)
        if not self.db_url:
            note_root(default_dir, root)
            legacy = data_dir / "jobs.sqlite"
            if legacy.is_file() and not (default_dir / "jobs.sqlite").exists():
                self.log.warning(
                    "jwst-lab: jobs of every root used to share %s; this server keeps its own "
                    "in %s. To list the older jobs, set c.JwstLabApp.db_url = 'sqlite:///%s' "
                    "(the first server to open that file adopts its jobs).",
                    legacy,
                    default_dir / "jobs.sqlite",
                    legacy,
                )
        try:
            db_path = sqlite_path(settings.db_url)
        except StoreError as error:
            state_dir = default_dir
            store = JobStore.refused(
                settings.db_url,
                f"c.JwstLabApp.db_url = {settings.db_url!r} cannot be used: {error}. Jobs are "
                "unavailable. Set it to 'sqlite:////absolute/path/jobs.sqlite', or leave it "
                "empty for the default, then restart JupyterLab.",
                jobs_dir=state_dir / "jobs",
            )
        else:
            state_dir = db_path.parent
            store = JobStore(db_path, root=root, jobs_dir=state_dir / "jobs", kinds=KINDS)
        health = store.health
        if health.state == "ok":
            self.log.info("jwst-lab: job database %s", health.path)
        else:
            self.log.warning("jwst-lab: job database %s: %s", health.state, health.message)
        return store, state_dir

    def initialize_handlers(self) -> None:
        """Register every jwst-lab route under ``/jwst-lab``."""
        self.handlers.extend(route_table())

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        """Once the event loop runs: recover jobs left by a previous server, start the queue.

        Requests that need the jobs and come earlier wait for this start
        (``needs_jobs`` handlers); when the job database is unusable they answer 503.
        """
        del serverapp
        try:
            await self.services.start()
        except JwstLabError as error:
            self.log.warning("jwst-lab: jobs cannot start: %s", error.message)

    async def stop_extension(self) -> None:
        """Stop following jobs (runners keep running) and close event subscriptions."""
        if self._services is not None:
            await self._services.close()
