"""jwst-lab's Prometheus metrics, served by the Jupyter server's own ``/metrics``.

Jupyter Server already serves :data:`prometheus_client.REGISTRY` at
``/metrics`` (with its ``ServerApp.authenticate_prometheus`` setting), so
jwst-lab adds its families to that registry and no route of its own. Every
family is defined here, once per process (several servers in one process,
as in tests, share them); services call the small functions below and know
nothing of Prometheus:

* events are counted as they happen: job state changes
  (:meth:`JobBook.moved`), the bytes a download or CRDS fetch reports
  (:func:`transfer_progress`) and its end (:func:`transfer_finished`), MAST
  requests (:func:`mast_request`), CRDS worker requests (:func:`crds_request`);
* current values (jobs by kind and status, the queue, memory in use) are
  read when Prometheus scrapes, by one collector, from each job manager's
  :class:`JobBook` in memory: a scrape touches no database and costs the
  same with 10 jobs or 100 000.

Labels stay bounded: job kinds, statuses, pipeline aliases (anything that
does not look like one, or past :data:`MAX_PIPELINES` distinct names, is
``other``), MAST operations and backends, CRDS worker methods, error reasons
and the server's user. Never a job id, a path, a URL or a token.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import re
import threading
import time
import weakref
from collections import Counter as Tally
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from .clock import epoch_seconds

__all__ = [
    "JobBook",
    "JobState",
    "crds_request",
    "mast_error",
    "mast_request",
    "pipeline_label",
    "server_user",
    "transfer_finished",
    "transfer_progress",
]

#: Statuses a job ends in (as in :mod:`jwst_lab.jobs.states`, which imports the models).
_TERMINAL = frozenset({"succeeded", "failed", "cancelled", "interrupted"})
#: Distinct pipeline label values before the rest become ``other``.
MAX_PIPELINES = 64
_PIPELINE = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]{0,63}")
_LABEL = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]{0,39}")
GB = 1e9

_SECONDS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400)
_REQUEST_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
_BYTES = tuple(float(2**n) for n in range(24, 38))  # 16 MiB .. 128 GiB
_RATES = tuple(float(10**n * m) for n in range(4, 10) for m in (1, 3))  # 10 kB/s .. 3 GB/s

JOB_TRANSITIONS = Counter(
    "jwst_lab_job_transitions",
    "Jobs that entered a status (created jobs enter queued), by kind, pipeline and status.",
    ["kind", "pipeline", "status"],
)
JOB_WALL = Histogram(
    "jwst_lab_job_wall_seconds",
    "Wall time of jobs that ran, from start to end, by kind and pipeline.",
    ["kind", "pipeline"],
    buckets=_SECONDS,
)
JOB_PEAK = Histogram(
    "jwst_lab_job_peak_memory_bytes",
    "Peak resident memory of jobs that ran (the record's resources), by kind and pipeline.",
    ["kind", "pipeline"],
    buckets=_BYTES,
)
JOB_CPU = Counter(
    "jwst_lab_job_cpu_seconds",
    "CPU seconds used by ended jobs, by the server's user, kind and pipeline.",
    ["user", "kind", "pipeline"],
)
JOB_GB_SECONDS = Counter(
    "jwst_lab_job_memory_gb_seconds",
    "Memory held by ended jobs times their wall time (GB = 1e9 bytes; held: the larger of "
    "the job's reservation and its measured peak), by the server's user, kind and pipeline.",
    ["user", "kind", "pipeline"],
)
TRANSFER_BYTES = Counter(
    "jwst_lab_download_bytes",
    "Bytes fetched by download and CRDS fetch jobs (counted as they arrive), by kind.",
    ["kind"],
)
TRANSFER_RATE = Histogram(
    "jwst_lab_download_throughput_bytes_per_second",
    "Average throughput of each download or CRDS fetch run that fetched bytes, by kind.",
    ["kind"],
    buckets=_RATES,
)
MAST_SECONDS = Histogram(
    "jwst_lab_mast_request_seconds",
    "Time of MAST requests (search, products, name resolution...), by operation and backend.",
    ["operation", "backend"],
    buckets=_REQUEST_SECONDS,
)
MAST_ERRORS = Counter(
    "jwst_lab_mast_request_errors",
    "MAST requests that failed, by operation, backend and reason (upstream_error: MAST "
    "failed or timed out; not_found, bad_request: the request's own fault).",
    ["operation", "backend", "reason"],
)
CRDS_SECONDS = Histogram(
    "jwst_lab_crds_worker_request_seconds",
    "Time of requests to the CRDS worker processes (answers kept in memory excluded), by method.",
    ["method"],
    buckets=_REQUEST_SECONDS,
)
CRDS_ERRORS = Counter(
    "jwst_lab_crds_worker_request_errors",
    "CRDS worker requests that failed, by method and reason (not_found, bad_input, upstream, "
    "unavailable, internal; worker: the worker died or timed out).",
    ["method", "reason"],
)


def _bounded(value: Any, pattern: re.Pattern[str] = _LABEL) -> str:
    """``value`` as a label value when it looks like a code-defined name, else ``other``."""
    return value if isinstance(value, str) and pattern.fullmatch(value) else "other"


_pipelines: set[str] = set()
_pipelines_lock = threading.Lock()


def pipeline_label(pipeline: str | None) -> str:
    """The ``pipeline`` label of a job: its alias, ``""`` for none, ``other`` past the bound."""
    if not pipeline:
        return ""
    name = _bounded(pipeline, _PIPELINE)
    with _pipelines_lock:
        if name in _pipelines:
            return name
        if len(_pipelines) >= MAX_PIPELINES:
            return "other"
        _pipelines.add(name)
    return name


_user: str | None = None


def server_user() -> str:
    """The user this server runs for: JupyterHub's ``JUPYTERHUB_USER``, else the login name."""
    global _user
    if _user is None:
        name = os.environ.get("JUPYTERHUB_USER") or ""
        if not name:
            try:
                name = getpass.getuser()
            except (KeyError, OSError):
                name = f"uid{os.getuid()}"
        _user = name[:64]
    return _user


# --- jobs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobState:
    """What a scrape reads of one job manager beside the counts."""

    queue_length: int
    #: Sum of the memory estimates (reservations) of the jobs running now.
    memory_in_use_bytes: int
    #: What admission checks pipeline jobs against, in bytes: ``memory_limit`` (0: no
    #: limit), or on a Dask cluster the sum of its workers' memory limits.
    memory_limit_bytes: int


class JobBook:
    """One job manager's jobs counted by kind and status, and its events as metrics.

    The manager loads the stored counts once (:meth:`load`), then tells the
    book every change (:meth:`moved`, :meth:`deleted`); ``state`` is called at
    each scrape for the queue and memory.
    """

    def __init__(self, state: Callable[[], JobState]) -> None:
        self._state = state
        self._counts: Tally[tuple[str, str]] = Tally()
        self._lock = threading.Lock()

    def load(self, counts: Iterable[tuple[str, str, int]]) -> None:
        """Start from the stored jobs: ``(kind, status, count)`` rows."""
        with self._lock:
            self._counts = Tally({(kind, status): count for kind, status, count in counts})

    def counts(self) -> dict[tuple[str, str], int]:
        """Jobs by ``(kind, status)`` now."""
        with self._lock:
            return {key: count for key, count in self._counts.items() if count > 0}

    def state(self) -> JobState:
        """The manager's queue and memory now."""
        return self._state()

    def moved(self, old: str | None, record: Any) -> None:
        """``record`` (a saved :class:`~jwst_lab.models.jobs.JobRecord`) went from ``old``.

        ``old`` is None for a new job. A job that ends is also measured: wall
        time, peak memory, and its cost to the server's user.
        """
        kind, status = record.kind, record.status
        if old == status:
            return
        with self._lock:
            if old is not None:
                self._counts[(kind, old)] -= 1
            self._counts[(kind, status)] += 1
        pipeline = pipeline_label(record.pipeline)
        JOB_TRANSITIONS.labels(kind, pipeline, status).inc()
        if status in _TERMINAL:
            _measure_end(record, kind, pipeline)

    def deleted(self, record: Any) -> None:
        """A job's record was removed from the store."""
        with self._lock:
            self._counts[(record.kind, record.status)] -= 1


def _measure_end(record: Any, kind: str, pipeline: str) -> None:
    """Wall time, peak memory and cost of a job that ended (nothing if it never started)."""
    resources = record.resources
    wall: float | None = resources.wall_seconds if resources is not None else None
    if wall is None or wall <= 0:
        started, finished = epoch_seconds(record.started), epoch_seconds(record.finished)
        wall = finished - started if started is not None and finished is not None else None
    if wall is not None and wall >= 0:
        JOB_WALL.labels(kind, pipeline).observe(wall)
    peak = resources.peak_rss_bytes if resources is not None else 0
    if peak > 0:
        JOB_PEAK.labels(kind, pipeline).observe(peak)
    user = server_user()
    cpu = resources.cpu_seconds if resources is not None else 0.0
    if cpu > 0:
        JOB_CPU.labels(user, kind, pipeline).inc(cpu)
    held = max(peak, record.memory_estimate_bytes or 0)
    if wall and held > 0:
        JOB_GB_SECONDS.labels(user, kind, pipeline).inc(held / GB * wall)


class _JobsCollector(Collector):
    """Reads every live :class:`JobBook` at scrape time (no I/O: the books are in memory)."""

    def __init__(self) -> None:
        self._books: weakref.WeakSet[JobBook] = weakref.WeakSet()
        self._lock = threading.Lock()

    def watch(self, book: JobBook) -> None:
        """Read ``book`` at each scrape."""
        with self._lock:
            self._books.add(book)

    def unwatch(self, book: JobBook) -> None:
        """Stop reading ``book``."""
        with self._lock:
            self._books.discard(book)

    def describe(self) -> list[Metric]:
        """The families without samples (so registering does not collect)."""
        return list(self._families({}, JobState(0, 0, 0)))

    def collect(self) -> Iterator[Metric]:
        """The gauges now, summed over the watched books (one per job manager)."""
        with self._lock:
            books = list(self._books)
        counts: Tally[tuple[str, str]] = Tally()
        queue = in_use = limit = 0
        for book in books:
            counts.update(book.counts())
            state = book.state()
            queue += state.queue_length
            in_use += state.memory_in_use_bytes
            limit += state.memory_limit_bytes
        yield from self._families(counts, JobState(queue, in_use, limit))

    @staticmethod
    def _families(counts: Mapping[tuple[str, str], int], state: JobState) -> Iterator[Metric]:
        jobs = GaugeMetricFamily(
            "jwst_lab_jobs",
            "Jobs in the job store now, by kind and status.",
            labels=["kind", "status"],
        )
        for (kind, status), count in sorted(counts.items()):
            jobs.add_metric([kind, status], count)
        yield jobs
        yield GaugeMetricFamily(
            "jwst_lab_job_queue_length",
            "Jobs queued and waiting to start (for a slot, memory or their dependencies).",
            value=state.queue_length,
        )
        yield GaugeMetricFamily(
            "jwst_lab_memory_in_use_bytes",
            "Sum of the memory estimates (reservations) of the jobs running now.",
            value=state.memory_in_use_bytes,
        )
        yield GaugeMetricFamily(
            "jwst_lab_memory_limit_bytes",
            "What running pipeline jobs' estimates may add up to: memory_limit (0: no limit), "
            "or on a Dask cluster the sum of its workers' memory limits.",
            value=state.memory_limit_bytes,
        )


_COLLECTOR = _JobsCollector()
REGISTRY.register(_COLLECTOR)


def watch(book: JobBook) -> None:
    """Publish ``book``'s counts and state (a job manager that started)."""
    _COLLECTOR.watch(book)


def unwatch(book: JobBook) -> None:
    """Stop publishing ``book`` (its manager stopped)."""
    _COLLECTOR.unwatch(book)


# --- transfers, MAST, CRDS -----------------------------------------------------------------


_metered: dict[tuple[str, str], int] = {}
_metered_lock = threading.Lock()


def transfer_progress(kind: str, meter: str, before: int, after: int) -> None:
    """A transfer runner (one run, named ``meter``) reported ``after`` bytes fetched, up from
    ``before``: count the difference now, so a scrape during a long download sees it grow.

    ``after`` below ``before`` means another runner started counting from 0 (a replayed
    log of two runs): ``after`` is all new.
    """
    added = after - before if after >= before else after
    if added <= 0:
        return
    with _metered_lock:
        _metered[(kind, meter)] = _metered.get((kind, meter), 0) + added
    TRANSFER_BYTES.labels(kind).inc(added)


def transfer_finished(kind: str, result: Mapping[str, Any], meter: str = "") -> None:
    """A download or CRDS fetch runner ended; ``result``: its ``result.json``
    (``bytes_fetched``, else ``bytes``: what this run fetched; ``seconds``: how long it took).

    Bytes its progress reports did not show yet (``meter``: the run, as
    :func:`transfer_progress` was told) are counted now; the run's throughput is observed.
    """
    with _metered_lock:
        counted = _metered.pop((kind, meter), 0)
    try:
        fetched = int(result.get("bytes_fetched", result.get("bytes")) or 0)
        seconds = float(result.get("seconds") or 0.0)
    except (TypeError, ValueError):
        return
    if fetched > counted:
        TRANSFER_BYTES.labels(kind).inc(fetched - counted)
    if fetched > 0 and seconds > 0:
        TRANSFER_RATE.labels(kind).observe(fetched / seconds)


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None)
    return _bounded(reason) if isinstance(reason, str) else "failed"


def mast_error(operation: str, backend: str, reason: str) -> None:
    """Count a failed MAST request that raised nothing (a probe MAST did not answer)."""
    MAST_ERRORS.labels(_bounded(operation), _bounded(backend), _bounded(reason)).inc()


@contextlib.contextmanager
def mast_request(operation: str, backend: str) -> Iterator[None]:
    """Time one MAST request (or local-archive answer); count it as an error if it raises."""
    started = time.perf_counter()
    labels = (_bounded(operation), _bounded(backend))
    try:
        yield
    except Exception as error:
        MAST_ERRORS.labels(*labels, _reason(error)).inc()
        raise
    finally:
        MAST_SECONDS.labels(*labels).observe(time.perf_counter() - started)


@contextlib.contextmanager
def crds_request(method: str) -> Iterator[Callable[[str], None]]:
    """Time one CRDS worker request; it raising (or the caller calling ``failed(reason)``,
    for an answer that carries an error) counts an error."""
    started = time.perf_counter()
    label = _bounded(method)

    def failed(reason: str) -> None:
        CRDS_ERRORS.labels(label, _bounded(reason)).inc()

    try:
        yield failed
    except Exception:
        failed("worker")
        raise
    finally:
        CRDS_SECONDS.labels(label).observe(time.perf_counter() - started)
