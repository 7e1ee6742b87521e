"""jwst-lab's families on the Jupyter server's ``/metrics``, read with prometheus_client's parser.

A real server (pytest-jupyter) is scraped before and after real work: a
download job fetching from the loopback download server, MAST searches
through the real astroquery client against the MAST replay server (one
answered, one failing), and a CRDS tree from the real cache through the CRDS
worker. Every family must have moved by exactly what that work did. The
endpoint keeps Jupyter Server's ``authenticate_prometheus`` setting, and the
jobs gauge counts what the job store holds from the start.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from traitlets.config import Config

from jwst_lab.metrics import GB, pipeline_label, server_user

from .api_helpers import call_api
from .crds_helpers import copy_cache
from .download_server import DownloadServer
from .downloads_helpers import FakeMast, rows_for, served_files
from .jobs_helpers import job_record, make_manager, make_settings, wait_status
from .mast_replay import ReplayServer

FAMILIES = {
    "jwst_lab_jobs": "gauge",
    "jwst_lab_job_transitions": "counter",
    "jwst_lab_job_queue_length": "gauge",
    "jwst_lab_job_wall_seconds": "histogram",
    "jwst_lab_job_peak_memory_bytes": "histogram",
    "jwst_lab_memory_in_use_bytes": "gauge",
    "jwst_lab_memory_limit_bytes": "gauge",
    "jwst_lab_job_cpu_seconds": "counter",
    "jwst_lab_job_memory_gb_seconds": "counter",
    "jwst_lab_download_bytes": "counter",
    "jwst_lab_download_throughput_bytes_per_second": "histogram",
    "jwst_lab_mast_request_seconds": "histogram",
    "jwst_lab_mast_request_errors": "counter",
    "jwst_lab_crds_worker_request_seconds": "histogram",
    "jwst_lab_crds_worker_request_errors": "counter",
}
FILE_COUNT, FILE_SIZE = 4, 200_000


class Scrape:
    """One ``/metrics`` answer parsed by prometheus_client: family types and sample values."""

    def __init__(self, text: str) -> None:
        self.types: dict[str, str] = {}
        self.samples: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
        for family in text_string_to_metric_families(text):
            self.types[family.name] = family.type
            for sample in family.samples:
                self.samples[(sample.name, frozenset(sample.labels.items()))] = sample.value

    def value(self, name: str, **labels: str) -> float:
        """A sample's value; 0 for a labelled child not created yet."""
        return self.samples.get((name, frozenset(labels.items())), 0.0)

    def labelled(self, name: str) -> list[dict[str, str]]:
        """The label sets of a sample name."""
        return [dict(labels) for sample, labels in self.samples if sample == name]


async def scrape(jp_fetch: Any) -> Scrape:
    """``GET /metrics`` as the (authenticated) test client."""
    response = await jp_fetch("metrics", method="GET")
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    return Scrape(response.body.decode())


@pytest.fixture(scope="module")
def replay() -> Iterator[ReplayServer]:
    server = ReplayServer().start()
    yield server
    server.stop()


DAMAGED_RMAP = "jwst_miri_flat_9999.rmap"


@pytest.fixture(scope="module")
def crds_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the real cache, plus one damaged mapping crds cannot read."""
    cache = copy_cache(tmp_path_factory.mktemp("metrics_crds") / "cache")
    (cache / "mappings" / "jwst" / DAMAGED_RMAP).write_text("header = {\n")
    return cache


@pytest.fixture
def download_server() -> Iterator[DownloadServer]:
    with DownloadServer(served_files(FILE_COUNT, FILE_SIZE)) as running:
        yield running


@pytest.fixture
def jwst_lab_config(download_server, replay, crds_cache, tmp_path) -> dict[str, Any]:
    return {
        "crds_path": str(crds_cache),
        "crds_context": "jwst_0541.pmap",
        "archive_backend": "mast",
        # Downloads fetch from the download server; searches go to the replay (set below).
        "mast_url": download_server.url,
        "mast_resolver_url": replay.resolver_url,
        "mast_timeout": 5.0,
        "local_archive_index": str(tmp_path / "no_index.sqlite"),
        "max_parallel_downloads": 2,
        "download_dir": "mast_downloads",
    }


@pytest.fixture
def jp_server_config(request, jwst_lab_config) -> Config:
    """jwst-lab only; ``ServerApp.authenticate_prometheus`` from the test's parameter."""
    return Config(
        {
            "ServerApp": {
                "jpserver_extensions": {"jwst_lab": True},
                "authenticate_prometheus": getattr(request, "param", True),
            },
            "JwstLabApp": {"prewarm_runner": False, **jwst_lab_config},
        }
    )


def _services(serverapp: Any) -> Any:
    (app,) = serverapp.extension_manager.extension_apps["jwst_lab"]
    return app.services


async def _wait_ended(jp_fetch: Any, job_id: str, timeout: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        code, job = await call_api(jp_fetch, "GET", "jobs", job_id)
        assert code == 200
        if job["status"] in {"succeeded", "failed", "cancelled", "interrupted"}:
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['status']}"
        await asyncio.sleep(0.1)


async def test_every_family_moves_with_a_download_mast_and_crds(
    jp_fetch, jp_serverapp, replay, download_server
):
    services = _services(jp_serverapp)
    before = await scrape(jp_fetch)
    for name, kind in FAMILIES.items():
        assert before.types.get(name) == kind, name

    # MAST through astroquery: one search answered, one failing with HTTP 500.
    mast = services.mast
    mast.settings = dataclasses.replace(mast.settings, mast_url=replay.url)
    mast._observations = None
    code, found = await call_api(jp_fetch, "GET", "mast", "observations", instrument="NIRCAM")
    assert code == 200, found
    assert found["total"] == 60
    replay.mode = "http500"
    try:
        code, failed = await call_api(jp_fetch, "GET", "mast", "observations", instrument="MIRI")
    finally:
        replay.mode = "ok"
    assert code == 502, failed

    # A download job of four files from the loopback server.
    services.mast = FakeMast(rows_for(download_server))
    try:
        uris = [f"mast:JWST/product/{name}" for name in download_server.files]
        code, created = await call_api(jp_fetch, "POST", "downloads", body={"products": uris})
        assert code == 201, created
        job = await _wait_ended(jp_fetch, created["id"])
    finally:
        services.mast = mast
    assert job["status"] == "succeeded", job["error"]
    resources = job["resources"]
    assert resources is not None

    # A CRDS request answered by the browsing worker.
    code, tree = await call_api(jp_fetch, "GET", "crds", "contexts", "jwst_0541.pmap")
    assert code == 200
    assert tree["counts"]["rmaps"] == 117
    # And one the worker fails on: a mapping in the cache that crds cannot read.
    code, damaged = await call_api(jp_fetch, "GET", "crds", "mappings", DAMAGED_RMAP)
    assert (code, damaged["reason"]) == (503, "crds_worker_failed"), damaged

    after = await scrape(jp_fetch)

    def grew(name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    # Jobs: one more stored download that succeeded, none left queued or running.
    download = {"kind": "download"}
    assert grew("jwst_lab_jobs", **download, status="succeeded") == 1
    for status in ("queued", "running"):
        assert after.value("jwst_lab_jobs", **download, status=status) == 0
    for status in ("queued", "running", "succeeded"):
        assert grew("jwst_lab_job_transitions_total", **download, pipeline="", status=status) == 1
    for status in ("failed", "cancelled", "interrupted"):
        assert grew("jwst_lab_job_transitions_total", **download, pipeline="", status=status) == 0
    assert after.value("jwst_lab_job_queue_length") == 0
    assert after.value("jwst_lab_memory_in_use_bytes") == 0
    limit = services.settings.memory_limit_bytes
    assert after.value("jwst_lab_memory_limit_bytes") == limit > 0

    # Its wall time, peak memory and cost, from its record's resources.
    labels = {**download, "pipeline": ""}
    wall, peak = resources["wall_seconds"], resources["peak_rss_bytes"]
    assert grew("jwst_lab_job_wall_seconds_count", **labels) == 1
    assert grew("jwst_lab_job_wall_seconds_sum", **labels) == pytest.approx(wall)
    assert grew("jwst_lab_job_peak_memory_bytes_count", **labels) == 1
    assert grew("jwst_lab_job_peak_memory_bytes_sum", **labels) == pytest.approx(peak)
    buckets = [
        bucket
        for bucket in after.labelled("jwst_lab_job_peak_memory_bytes_bucket")
        if bucket["kind"] == "download" and bucket["pipeline"] == ""
    ]
    assert len(buckets) > 10
    for bucket in buckets:  # counted in every bucket at or above its peak, none below
        expected = 1 if peak <= float(bucket["le"]) else 0
        assert grew("jwst_lab_job_peak_memory_bytes_bucket", **bucket) == expected, bucket
    user = {"user": server_user(), **labels}
    assert grew("jwst_lab_job_cpu_seconds_total", **user) == pytest.approx(resources["cpu_seconds"])
    assert grew("jwst_lab_job_memory_gb_seconds_total", **user) == pytest.approx(peak / GB * wall)

    # The bytes it fetched and its throughput.
    served = sum(len(body) for body in download_server.files.values())
    assert served >= FILE_COUNT * FILE_SIZE
    assert grew("jwst_lab_download_bytes_total", kind="download") == served
    assert grew("jwst_lab_download_throughput_bytes_per_second_count", kind="download") == 1
    assert grew("jwst_lab_download_throughput_bytes_per_second_sum", kind="download") > 0

    # MAST: two searches timed, one failure counted with its reason; no other operation.
    search = {"operation": "search", "backend": "mast"}
    assert grew("jwst_lab_mast_request_seconds_count", **search) == 2
    assert grew("jwst_lab_mast_request_errors_total", **search, reason="upstream_error") == 1
    assert grew("jwst_lab_mast_request_seconds_count", operation="resolve", backend="mast") == 0

    # CRDS: one ``tree`` request to the worker, answered; one ``mapping`` request, failed.
    assert grew("jwst_lab_crds_worker_request_seconds_count", method="tree") == 1
    assert grew("jwst_lab_crds_worker_request_seconds_sum", method="tree") > 0
    assert grew("jwst_lab_crds_worker_request_seconds_count", method="mapping") == 1
    errors = {
        (labels["method"], labels["reason"]): grew(
            "jwst_lab_crds_worker_request_errors_total", **labels
        )
        for labels in after.labelled("jwst_lab_crds_worker_request_errors_total")
    }
    assert {key: n for key, n in errors.items() if n} == {("mapping", "internal"): 1}

    # No label carries a job id, a path or a URL.
    text = (await jp_fetch("metrics", method="GET")).body.decode()
    assert created["id"] not in text
    assert download_server.url not in text
    assert replay.url not in text
    assert str(jp_serverapp.root_dir) not in text


async def test_download_bytes_are_counted_as_they_arrive(jp_fetch, jp_serverapp, download_server):
    """A scrape during a throttled download sees the bytes fetched so far (never more than
    the server sent); at the end the counter has grown by exactly the bytes served (the
    live counts and the end's count together), and the throughput is this run's."""
    import json

    services = _services(jp_serverapp)
    download_server.rate = 100_000  # bytes/s per connection: 2 connections, ~4 s in all
    served_total = sum(len(body) for body in download_server.files.values())
    before = await scrape(jp_fetch)
    mast = services.mast
    services.mast = FakeMast(rows_for(download_server))
    try:
        uris = [f"mast:JWST/product/{name}" for name in download_server.files]
        code, created = await call_api(jp_fetch, "POST", "downloads", body={"products": uris})
        assert code == 201, created
    finally:
        services.mast = mast
    midway: list[tuple[float, int]] = []
    deadline = time.monotonic() + 90
    while True:
        sent = sum(download_server.bytes_sent.values())
        now = await scrape(jp_fetch)
        counted = now.value("jwst_lab_download_bytes_total", kind="download") - before.value(
            "jwst_lab_download_bytes_total", kind="download"
        )
        code, job = await call_api(jp_fetch, "GET", "jobs", created["id"])
        assert code == 200
        # Never more than the server had sent when the scrape was answered.
        assert counted <= sum(download_server.bytes_sent.values())
        if job["status"] == "running" and 0 < counted < served_total:
            midway.append((counted, sent))
        if job["status"] in {"succeeded", "failed", "cancelled", "interrupted"}:
            break
        assert time.monotonic() < deadline, "the download did not end"
        await asyncio.sleep(0.2)
    assert job["status"] == "succeeded", job["error"]
    assert midway, "no scrape saw the download part-way"
    assert len({counted for counted, _ in midway}) >= 2, midway  # it grew between scrapes

    after = await scrape(jp_fetch)

    def grew(name: str) -> float:
        return after.value(name, kind="download") - before.value(name, kind="download")

    assert grew("jwst_lab_download_bytes_total") == served_total
    assert grew("jwst_lab_download_throughput_bytes_per_second_count") == 1
    result = json.loads((services.jobs.job_dir(created["id"]) / "result.json").read_text())
    assert result["bytes_fetched"] == served_total
    assert grew("jwst_lab_download_throughput_bytes_per_second_sum") == pytest.approx(
        served_total / result["seconds"]
    )


def test_a_finished_run_adds_only_what_its_progress_did_not_show():
    """The end of a run counts the bytes its last progress reports missed, once; a second
    runner of the same log (counting from 0 again) is counted as new bytes."""
    from jwst_lab import metrics

    def total() -> float:
        return (
            REGISTRY.get_sample_value("jwst_lab_download_bytes_total", {"kind": "crds_fetch"}) or 0
        )

    start = total()
    metrics.transfer_progress("crds_fetch", "job-a@t0", 0, 1000)
    metrics.transfer_progress("crds_fetch", "job-a@t0", 1000, 2500)
    assert total() - start == 2500
    metrics.transfer_progress("crds_fetch", "job-a@t0", 2500, 400)  # another runner, from 0
    assert total() - start == 2900
    metrics.transfer_finished("crds_fetch", {"bytes": 3000, "seconds": 2.0}, meter="job-a@t0")
    assert total() - start == 3000  # 2900 seen live, 100 more at the end
    metrics.transfer_finished("crds_fetch", {"bytes": 3000, "seconds": 2.0}, meter="job-a@t0")
    assert total() - start == 6000  # the meter was forgotten: a new run's bytes are all new


async def test_metrics_refuse_an_unauthenticated_scrape_by_default(
    jp_serverapp, jp_base_url, http_server_client
):
    assert jp_serverapp.authenticate_prometheus is True
    response = await http_server_client.fetch(f"{jp_base_url}metrics", raise_error=False)
    assert response.code == 403
    assert b"jwst_lab_jobs" not in response.body


@pytest.mark.parametrize("jp_server_config", [False], indirect=True)
async def test_metrics_follow_authenticate_prometheus_false(
    jp_serverapp, jp_base_url, http_server_client
):
    assert jp_serverapp.authenticate_prometheus is False
    response = await http_server_client.fetch(f"{jp_base_url}metrics", raise_error=False)
    assert response.code == 200
    families = {f.name for f in text_string_to_metric_families(response.body.decode())}
    assert set(FAMILIES) <= families


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_the_jobs_gauge_counts_the_stored_jobs_and_follows_changes(tmp_path):
    """Counts start from the store; a queued job whose dependency failed is cancelled."""
    root = tmp_path / "root"
    root.mkdir()
    settings = make_settings(root, tmp_path / "no_cache", memory_limit_bytes=3 * 1024**3)
    manager = make_manager(settings, tmp_path / "catalog")
    ran = {"started": "2026-01-01T00:00:00.000Z", "finished": "2026-01-01T00:01:00.000Z"}
    stored = {
        "a": {"status": "succeeded", **ran},
        "b": {"status": "succeeded", **ran},
        "c": {"status": "failed", **ran},
        "d": {"status": "queued", "depends_on": ["c"], "pipeline": "calwebb_image3"},
    }
    for job_id, fields in stored.items():
        manager._store.insert(job_record(job_id, **fields))
    jobs = {
        status: _sample("jwst_lab_jobs", kind="pipeline", status=status)
        for status in ("succeeded", "failed", "queued", "cancelled")
    }
    image3 = {"kind": "pipeline", "pipeline": "calwebb_image3"}
    cancelled = _sample("jwst_lab_job_transitions_total", **image3, status="cancelled")
    walls = _sample("jwst_lab_job_wall_seconds_count", **image3)
    limit = _sample("jwst_lab_memory_limit_bytes")
    await manager.start()
    try:
        await wait_status(manager, "d", {"cancelled"})
        assert (await manager.get("d"))["reason"] == "dependency_failed"
        grown = {
            status: _sample("jwst_lab_jobs", kind="pipeline", status=status) - before
            for status, before in jobs.items()
        }
        assert grown == {"succeeded": 2, "failed": 1, "queued": 0, "cancelled": 1}
        assert _sample("jwst_lab_job_transitions_total", **image3, status="cancelled") == (
            cancelled + 1
        )
        # It never ran: no wall time observed.
        assert _sample("jwst_lab_job_wall_seconds_count", **image3) == walls
        assert _sample("jwst_lab_memory_limit_bytes") == limit + 3 * 1024**3
        await manager.delete("b")
        assert _sample("jwst_lab_jobs", kind="pipeline", status="succeeded") == (
            jobs["succeeded"] + 1
        )
    finally:
        await manager.stop()
    # A stopped manager is no longer published (several servers may share one process).
    for status, before in jobs.items():
        assert _sample("jwst_lab_jobs", kind="pipeline", status=status) == before
    assert _sample("jwst_lab_memory_limit_bytes") == limit


async def test_the_memory_limit_gauge_is_what_admission_uses_on_a_dask_cluster(tmp_path):
    """On Dask, pipeline jobs are admitted against the workers' limits, not ``memory_limit``:
    the gauge says so (a real scheduler with workers of 2 and 3 GiB)."""
    pytest.importorskip("distributed")
    from jwst_lab.jobs.executors.dask import DaskExecutor

    from .dask_cluster import CliCluster

    gib = 1024**3
    root = tmp_path / "root"
    root.mkdir()
    settings = make_settings(
        root, tmp_path / "no_cache", executor="dask", memory_limit_bytes=64 * gib
    )
    with CliCluster(tmp_path / "dask", memory_limits=["2GiB", "3GiB"]) as cluster:
        limit = _sample("jwst_lab_memory_limit_bytes")
        manager = make_manager(
            settings, tmp_path / "catalog", executor=DaskExecutor(cluster.address, grace=2)
        )
        await manager.start()
        try:
            assert manager.memory_total_bytes() == 5 * gib
            assert _sample("jwst_lab_memory_limit_bytes") == limit + 5 * gib
        finally:
            await manager.stop()
    assert _sample("jwst_lab_memory_limit_bytes") == limit


def test_pipeline_labels_stay_bounded():
    assert pipeline_label(None) == ""
    assert pipeline_label("calwebb_image3") == "calwebb_image3"
    assert pipeline_label("../../etc/passwd") == "other"
    assert pipeline_label("x" * 200) == "other"
