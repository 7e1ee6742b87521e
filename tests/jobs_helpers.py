"""Helpers for job tests: settings, a manager on a temporary root, waiting for states."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path
from typing import Any

from jwst_lab.config import Settings, resolve_crds
from jwst_lab.core.associations import AssociationReader
from jwst_lab.core.events import Event, EventBus
from jwst_lab.core.pipeline import PipelineCatalog
from jwst_lab.jobs.executors import Executor, LocalExecutor
from jwst_lab.jobs.manager import TERMINAL, JobManager
from jwst_lab.jobs.store import JobStore

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
        "crds": resolve_crds(
            path=str(crds_cache), server_url="", context="jwst_0541.pmap", environ={}
        ),
        "db_url": f"sqlite:///{root.parent / 'state' / 'jobs.sqlite'}",
        "executor": "local",
        "max_concurrent_jobs": 2,
        "dask_scheduler_address": "",
        "job_timeout": 0.0,
    }
    values.update(overrides)
    return Settings(**values)


def make_manager(
    settings: Settings,
    catalog_dir: Path,
    bus: EventBus | None = None,
    executor: Executor | None = None,
    **kwargs: Any,
) -> JobManager:
    """A manager with the session's cached catalog and (by default) the LocalExecutor."""
    state = Path(settings.db_url.removeprefix("sqlite:///")).parent
    return JobManager(
        settings=settings,
        store=JobStore(state / "jobs.sqlite"),
        executor=executor or LocalExecutor(),
        catalog=PipelineCatalog(catalog_dir),
        bus=bus or EventBus(),
        jobs_dir=state / "jobs",
        base_env=os.environ,
        associations=AssociationReader(settings.root_dir, schema_dir=ASN_SCHEMAS),
        **kwargs,
    )


def place_uncal(template: Path, root: Path, relative: str) -> Path:
    """Copy the tiny uncal file to ``root/relative``."""
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, target)
    return target


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
