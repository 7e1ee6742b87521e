"""The environment of a job's runner process: the server's plus the job's CRDS settings.

Built as a new dict and passed to the subprocess with ``env=``; the server's
own ``os.environ`` is only ever read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ..config import CrdsSettings

#: The thread-pool sizes numpy's BLAS and OpenMP code read when they are loaded.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def with_thread_limits(
    base: Mapping[str, str], concurrent_jobs: int, cpus: int | None = None
) -> dict[str, str]:
    """A copy of ``base`` in which each of ``concurrent_jobs`` runners gets its share of the CPUs.

    BLAS and OpenMP start one thread per CPU in every process; jobs running
    side by side would then fight over the cores (and OpenBLAS's waiting
    threads spin). Each pool is sized ``cpus // concurrent_jobs`` (at least
    one), as Dask does for its workers. A variable already set in ``base``
    is the user's choice and is kept.
    """
    share = str(max(1, (cpus or usable_cpus()) // max(1, concurrent_jobs)))
    env = dict(base)
    for name in THREAD_VARIABLES:
        env.setdefault(name, share)
    return env


def job_environment(
    base: Mapping[str, str], crds: CrdsSettings, context: str | None
) -> dict[str, str]:
    """A copy of ``base`` with ``CRDS_PATH``, ``CRDS_SERVER_URL``, ``CRDS_MODE``, ``CRDS_CONTEXT``.

    ``context`` (the job's) wins over the server's pinned context; with
    neither, ``CRDS_CONTEXT`` is removed so CRDS uses the operational one.
    """
    env = dict(base)
    if crds.path is not None:
        env["CRDS_PATH"] = str(crds.path)
    if crds.server_url:
        env["CRDS_SERVER_URL"] = crds.server_url
    env["CRDS_MODE"] = "local" if crds.serverless else crds.mode
    chosen = context or crds.context
    if chosen:
        env["CRDS_CONTEXT"] = chosen
    else:
        env.pop("CRDS_CONTEXT", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env
