"""Helpers for job tests: settings, a manager on a temporary root, waiting for states."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from jwst_lab.config import Settings, resolve_crds
from jwst_lab.core.associations import AssociationReader
from jwst_lab.core.events import Event, EventBus
from jwst_lab.core.pipeline import PipelineCatalog
from jwst_lab.jobs.executors import Executor, LocalExecutor
from jwst_lab.jobs.kinds.base import JobKind, KindContext
from jwst_lab.jobs.manager import TERMINAL, JobManager
from jwst_lab.jobs.store import JobStore
from jwst_lab.models.jobs import OPEN_KINDS, JobRecord

from .conftest import ASN_SCHEMAS


def make_settings(root: Path, crds_cache: Path, **overrides: Any) -> Settings:
    """Settings for a test manager: the CRDS fixture cache, serverless, context jwst_0541."""
    values: dict[str, Any] = {
        "root_dir": root,
        "archive_backend": "local",
        "mast_url": "http://127.0.0.1:9",
        "mast_resolver_url": "http://127.0.0.1:9",
        "local_archive_dir": None,
        "local_archive_index": root / "index.sqlite",
        "download_dir": "downloads",
        "max_parallel_downloads": 1,
        "crds_fetch_concurrency": 8,
        "crds": resolve_crds(
            path=str(crds_cache), server_url="", context="jwst_0541.pmap", environ={}
        ),
        "db_url": f"sqlite:///{root.parent / 'state' / 'jobs.sqlite'}",
        "executor": "local",
        "max_concurrent_jobs": 2,
        "dask_scheduler_address": "",
        "job_timeout": 0.0,
        "prewarm_runner": False,
        "mast_timeout": 30.0,
        "memory_limit_bytes": 16 * 1024**3,
        "cloud": "",
        "cloud_endpoint_url": "",
        "cloud_lookup_url": "",
    }
    values.update(overrides)
    return Settings(**values)


def make_manager(
    settings: Settings,
    catalog_dir: Path,
    bus: EventBus | None = None,
    executor: Executor | None = None,
    *,
    token_provider: Callable[[], str | None] | None = None,
    crds_problem: Callable[[], str | None] | None = None,
    **kwargs: Any,
) -> JobManager:
    """A manager with the session's cached catalog and (by default) the LocalExecutor."""
    state = Path(settings.db_url.removeprefix("sqlite:///")).parent
    context = KindContext(
        root=settings.root_dir.resolve(),
        settings=settings,
        jobs_dir=state / "jobs",
        base_env=os.environ,
        catalog=PipelineCatalog(catalog_dir),
        associations=AssociationReader(settings.root_dir, schema_dir=ASN_SCHEMAS),
        token=token_provider or (lambda: None),
        crds_problem=crds_problem or (lambda: None),
    )
    return JobManager(
        context=context,
        store=JobStore(state / "jobs.sqlite"),
        executor=executor or LocalExecutor(),
        bus=bus or EventBus(),
        **kwargs,
    )


def manager_on_root(
    root: Path,
    settings: Settings,
    executor: Executor,
    kinds: Mapping[str, JobKind],
    bus: EventBus | None = None,
    **kwargs: Any,
) -> JobManager:
    """The real engine on ``root`` with ``kinds``, its state in ``state`` beside ``root``."""
    state = root.parent / "state"
    context = KindContext(
        root=root.resolve(),
        settings=settings,
        jobs_dir=state / "jobs",
        base_env=os.environ,
        catalog=PipelineCatalog(state / "catalog"),
        associations=AssociationReader(root),
    )
    return JobManager(
        context=context,
        store=JobStore(state / "jobs.sqlite"),
        executor=executor,
        bus=bus or EventBus(),
        kinds=kinds,
        **kwargs,
    )


def place_uncal(template: Path, root: Path, relative: str) -> Path:
    """Copy the tiny uncal file to ``root/relative``."""
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, target)
    return target


def job_record(job_id: str = "job0", **fields: Any) -> JobRecord:
    """A whole pipeline job record (``fields`` replace members), as the manager would store."""
    data: dict[str, Any] = {
        "id": job_id,
        "kind": "pipeline",
        "status": "queued",
        "created": "2026-01-01T00:00:00.000Z",
        "started": None,
        "finished": None,
        "updated": None,
        "input": "obs/a_uncal.fits",
        "pipeline": "calwebb_detector1",
        "steps": {},
        "params": None,
        "crds_context_requested": None,
        "crds_context_used": None,
        "crds_context": None,
        "output_dir": f"obs/out_{job_id}",
        "argv": ["strun", "calwebb_detector1", "obs/a_uncal.fits"],
        "commands": {"strun": "", "python": ""},
        "rerun_of": None,
        "versions": {},
        "progress": {"steps_total": 1, "steps_done": 0, "current_step": None, "skipped_steps": []},
        "outputs": [],
        "exit_code": None,
        "error": None,
        "executor": "local",
        **fields,
    }
    return JobRecord.model_validate(data, context=OPEN_KINDS)


async def wait_status(
    manager: JobManager,
    job_id: str,
    statuses: frozenset[str] | set[str] = TERMINAL,
    timeout: float = 90,
) -> dict[str, Any]:
    """Poll until the job reaches one of ``statuses``."""
    deadline = time.monotonic() + timeout
    while True:
        record = await manager.get(job_id)
        if record["status"] in statuses:
            return record
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {record['status']} after {timeout} s")
        await asyncio.sleep(0.05)


class Recorder:
    """Collects every event of a bus (for assertions on order and content)."""

    def __init__(self, bus: EventBus) -> None:
        self.events: list[Event] = []
        self._subscription = bus.subscribe()
        self._task = asyncio.ensure_future(self._drain())

    async def _drain(self) -> None:
        async for event in self._subscription:
            self.events.append(event)

    async def wait_for_status(self, job_id: str, status: str, timeout: float = 10) -> None:
        """Wait until a ``job.updated`` event says ``job_id`` has ``status``."""
        deadline = time.monotonic() + timeout
        while not any(
            e["type"] == "job.updated" and e["job"]["status"] == status for e in self.of(job_id)
        ):
            if time.monotonic() > deadline:
                raise AssertionError(f"no job.updated event with {status} for {job_id}")
            await asyncio.sleep(0.02)

    def of(self, job_id: str) -> list[Event]:
        """Events about ``job_id``."""
        return [e for e in self.events if e.get("job_id") == job_id]

    async def close(self) -> None:
        """Stop collecting."""
        self._subscription.close()
        await self._task
