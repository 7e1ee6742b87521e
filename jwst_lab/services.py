"""The server's services, built once and handed to every handler as ``self.services``.

:class:`~jwst_lab.app.JwstLabApp` builds one :class:`Services` in
``initialize_settings`` and puts it in the tornado settings under
:data:`SERVICES_KEY`; REST and websocket handlers read it from there (see
``routes/base.py``), so nothing under ``routes/`` imports the app. The job
manager is started once, when the server starts; a request that needs it and
arrives earlier waits for that start (:meth:`Services.jobs_ready`).
"""

from __future__ import annotations

from dataclasses import dataclass

import anyio.to_thread

from .config import Settings
from .core.associations import AssociationReader
from .core.crds import CrdsService
from .core.events import EventBus
from .core.mast import MastService
from .core.pipeline import PipelineCatalog
from .core.token import TokenStore
from .core.wcs_client import WCS
from .jobs.manager import JobManager
from .jobs.runs import RunService
from .jobs.store import JobStore

#: The key of the :class:`Services` in the tornado application's settings.
SERVICES_KEY = "jwst_lab_services"


@dataclass(eq=False)
class Services:
    """Every service a route calls, and the settings they were built from.

    Server code never replaces a member after start-up; tests may swap one for
    a fake (the members are read at each request).
    """

    #: The resolved configuration.
    settings: Settings
    #: Job and download events, for the ``/events`` websockets.
    events: EventBus
    #: The installed pipelines and steps and their parameter specs.
    pipelines: PipelineCatalog
    #: Reads and validates association files under the root.
    associations: AssociationReader
    #: MAST searches and product lists (astroquery or the local archive).
    mast: MastService
    #: The MAST token set with ``PUT /mast/token``.
    tokens: TokenStore
    #: The CRDS browser's answers.
    crds: CrdsService
    #: The job database (its health is in ``GET /info``).
    job_store: JobStore
    #: The job engine.
    jobs: JobManager
    #: Runs: programs reduced as graphs of pipeline jobs (``/runs``).
    runs: RunService

    def mast_token(self) -> str | None:
        """The MAST token now (download jobs hand it to their process through the environment)."""
        return self.tokens.current_token()

    async def start(self) -> None:
        """At server start: recover jobs a previous server left, start the queue (once)."""
        await self.jobs.start()
        await self.runs.start()

    async def jobs_ready(self) -> JobManager:
        """The job manager, once started: a request that comes before the start waits for it.

        Starting is idempotent (one lock), so this costs nothing after the first time; a
        job store that cannot be used makes it a 503 naming the problem each time.
        """
        await self.jobs.start()
        await self.runs.start()
        return self.jobs

    async def close(self) -> None:
        """At server stop: the CRDS and WCS workers, the jobs (runners keep running), events."""
        # Each worker's close waits a few seconds for its child: not on the event loop.
        await anyio.to_thread.run_sync(self.crds.close)
        await anyio.to_thread.run_sync(WCS.close)
        await self.runs.stop()
        await self.jobs.stop()
        self.events.close()
