"""A Dask worker plugin: every worker declares its memory limit as a resource.

Jobs placed by :class:`~.dask.DaskExecutor` ask for their memory estimate of
the :data:`MEMORY_RESOURCE` resource, so Dask itself never runs more on a
worker than its memory limit holds, whichever client placed the tasks. The
plugin is registered by the executor when it connects; the scheduler hands it
to every worker, including the ones that join later. A worker started with
``--resources jwst_lab_memory=<bytes>`` keeps what its administrator declared;
a worker without a memory limit declares nothing and gets no estimated job.

Imported only where ``distributed`` is installed (the executor imports it
when it connects).
"""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from .dask import MEMORY_RESOURCE


class MemoryResource(WorkerPlugin):
    """Declares ``MEMORY_RESOURCE = memory_limit`` on each worker that has a limit."""

    name = "jwst-lab-memory"
    idempotent = True

    async def setup(self, worker: Any) -> None:
        """Declare the resource, unless the worker already has it or has no memory limit."""
        limit = worker.memory_manager.memory_limit
        if limit and MEMORY_RESOURCE not in worker.state.total_resources:
            await worker.set_resources(**{MEMORY_RESOURCE: float(limit)})
