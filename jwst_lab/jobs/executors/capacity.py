"""Memory an executor can give jobs, worker by worker: what admission checks on a cluster.

The local executor has none of its own (the server's ``memory_limit`` is the
limit). A Dask executor reports one :class:`WorkerMemory` per worker that has
a memory limit, with the estimates of the jobs this server placed on it, so a
job is admitted only when one worker has room for it: a cluster of two 8 GB
workers cannot run a 12 GB job, although it has 16 GB in total. A worker
also runs only as many jobs at once as it has threads: a job placed on a busy
worker would wait in Dask's queue while it looks ``running`` here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WorkerMemory:
    """One worker's memory limit and what jobs placed on it are estimated to use."""

    address: str
    name: str
    limit_bytes: int
    reserved_bytes: int = 0
    #: How many tasks (jobs) the worker runs at once.
    threads: int = 1
    #: How many jobs this server placed on it that have not ended.
    jobs: int = 0

    @property
    def room_bytes(self) -> int:
        """Bytes not yet promised to a job on this worker."""
        return max(0, self.limit_bytes - self.reserved_bytes)

    def holds(self, estimate_bytes: int) -> bool:
        """True when a job of ``estimate_bytes`` can start here now (memory and a thread)."""
        return self.jobs < self.threads and self.room_bytes >= estimate_bytes


@dataclass(frozen=True)
class MemoryCapacity:
    """The workers jobs may be placed on, and how much of each is promised."""

    workers: tuple[WorkerMemory, ...]

    @property
    def total_bytes(self) -> int:
        """The sum of the workers' limits."""
        return sum(worker.limit_bytes for worker in self.workers)

    @property
    def largest_worker_bytes(self) -> int:
        """The largest worker's limit: no job estimated above it can ever run."""
        return max((worker.limit_bytes for worker in self.workers), default=0)

    @property
    def reserved_bytes(self) -> int:
        """The estimates of the jobs placed on the workers, added up."""
        return sum(worker.reserved_bytes for worker in self.workers)

    def worker_for(self, estimate_bytes: int) -> WorkerMemory | None:
        """The worker a job of ``estimate_bytes`` goes to, or None when none has room.

        Best fit: the worker with the least room that still holds the job, so
        that a roomier worker stays free for a larger job.
        """
        fitting = [w for w in self.workers if w.holds(estimate_bytes)]
        return min(fitting, key=lambda w: (w.room_bytes, w.name, w.address), default=None)

    def fits(self, estimate_bytes: int) -> bool:
        """True when some worker has room (and a free thread) for a job of ``estimate_bytes``."""
        return self.worker_for(estimate_bytes) is not None
