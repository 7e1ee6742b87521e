"""A damaged or unusable job database never stops the server; jobs belong to a root.

Damaged files are moved aside (never overwritten) and a new database is
filled from the rows still readable and from the jobs' journals; paths that
cannot be used at all are left alone and every job operation answers 503.
Unit tests of ``JobStore`` first, then the same cases against real server
processes (``GET /info`` reports the database, ``GET /jobs`` is 200 or a JSON
503, never a 500 or HTML), then servers of two roots side by side.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from jwst_lab.errors import ServiceUnavailable
from jwst_lab.jobs import store as store_module
from jwst_lab.jobs.store import JOURNAL_NAME, JobStore, root_state_dir
from jwst_lab.models import JobRecord

from .jobs_helpers import job_record, place_uncal
from .server_process import TOKEN, ServerProcess, server_environment

ROOT = "/srv/project"


def job(job_id: str, index: int = 0, status: str = "succeeded") -> JobRecord:
    """A job record like the manager's, about 1.5 kB of JSON."""
    return job_record(
        job_id,
        status=status,
        created=f"2026-01-01T00:{index // 60:02d}:{index % 60:02d}.000Z",
        updated=f"2026-01-01T01:{index // 60:02d}:{index % 60:02d}.000Z",
        input=f"obs/jw01234001001_{index:05d}_nrca1_uncal.fits",
        output_dir=f"obs/detector1_{job_id}",
        argv=["strun", "calwebb_detector1", "obs/x_uncal.fits"],
        params={f"step{k}": {"skip": False, "threshold": k * 0.5} for k in range(20)},
    )


def seed(folder: Path, count: int, *, root: str = ROOT) -> tuple[Path, list[str]]:
    """A closed database of ``count`` jobs with journals in ``folder/jobs``; its path and ids."""
    path = folder / "jobs.sqlite"
    store = JobStore(path, root=root, jobs_dir=folder / "jobs")
    ids = [f"job{index:05d}" for index in range(count)]
    for index, job_id in enumerate(ids):
        store.insert(job(job_id, index))
    store.close()
    return path, ids


def open_store(folder: Path, *, root: str = ROOT) -> JobStore:
    return JobStore(folder / "jobs.sqlite", root=root, jobs_dir=folder / "jobs")


def listed(store: JobStore) -> list[str]:
    rows, total = store.query(limit=500)
    assert total == len(rows)
    return sorted(r.id for r in rows)


def damaged_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if ".damaged-" in p.name)


def jobs_leaf_page(path: Path) -> int:
    """The number (1-based) of a leaf page of the jobs table, from the middle of the file."""
    with sqlite3.connect(path) as db:
        try:
            pages = [
                n
                for (n,) in db.execute(
                    "SELECT pageno FROM dbstat WHERE name = 'jobs' AND pagetype = 'leaf' "
                    "ORDER BY pageno"
                )
            ]
        except sqlite3.OperationalError:  # no dbstat in this SQLite build
            pages = list(range(2, path.stat().st_size // 4096))
    return pages[len(pages) // 2]


def overwrite_page(path: Path, page: int, size: int = 4096) -> bytes:
    """Garbage over one page; the file's new bytes."""
    data = bytearray(path.read_bytes())
    data[(page - 1) * size : page * size] = bytes(range(256)) * (size // 256)
    path.write_bytes(bytes(data))
    return bytes(data)


# --- damaged files: moved aside, rebuilt ------------------------------------------------


def test_a_garbage_header_is_moved_aside_and_journaled_jobs_come_back(tmp_path):
    path, ids = seed(tmp_path, 5)
    garbage = b"this is not an SQLite database" + path.read_bytes()[30:]
    path.write_bytes(garbage)

    store = open_store(tmp_path)
    health = store.health
    assert health.state == "repaired"
    assert health.restored == 5
    (moved,) = [p for p in damaged_files(tmp_path) if not p.name.endswith(("-wal", "-shm"))]
    assert health.moved_to == str(moved)
    assert moved.read_bytes() == garbage
    assert str(path) in health.message
    assert str(moved) in health.message
    assert listed(store) == ids
    assert store.get(ids[0]).params["step3"]["threshold"] == 1.5
    assert store.schema_version() == store_module.SCHEMA_VERSION


def test_a_damaged_page_is_rebuilt_from_readable_rows_and_journals(tmp_path):
    path, ids = seed(tmp_path, 120)
    # Half the jobs lost their journal: those come back only if their row is readable.
    unjournaled = set(ids[::2])
    for job_id in unjournaled:
        (tmp_path / "jobs" / job_id / JOURNAL_NAME).unlink()
    damaged = overwrite_page(path, jobs_leaf_page(path))

    store = open_store(tmp_path)
    assert store.health.state == "repaired"
    assert Path(store.health.moved_to).read_bytes() == damaged
    back = set(listed(store))
    assert set(ids) - unjournaled <= back
    # The rows of one page (a few jobs) are the most a damaged page costs.
    assert len(unjournaled - back) <= 4
    assert len(back & unjournaled) >= len(unjournaled) - 4
    assert store.health.restored == len(back)
    # Salvaged jobs are journaled again, so a second loss costs nothing.
    assert all((tmp_path / "jobs" / job_id / JOURNAL_NAME).is_file() for job_id in back)


def run_document(run_id: str, job_ids: list[str]) -> dict[str, Any]:
    return {"id": run_id, "status": "succeeded", "jobs": [{"id": j} for j in job_ids]}


def seed_runs(path: Path, folder: Path, job_ids: list[str], count: int = 3) -> list[str]:
    """``count`` runs over ``job_ids`` stored in the (closed) database at ``path``."""
    store = JobStore(path, root=ROOT, jobs_dir=folder / "jobs")
    run_ids = [f"run{index:03d}" for index in range(count)]
    for index, run_id in enumerate(run_ids):
        created = f"2026-01-02T00:00:{index:02d}.000Z"
        store.put_run(run_id, "succeeded", created, run_document(run_id, job_ids))
    store.close()
    return run_ids


def listed_runs(store: JobStore) -> list[str]:
    return sorted(document["id"] for document in store.runs()[0])


@pytest.mark.parametrize("damage", ["garbage_header", "missing", "zero_bytes"])
def test_runs_come_back_with_their_jobs_when_the_database_is_rebuilt(tmp_path, damage):
    path, ids = seed(tmp_path, 6)
    run_ids = seed_runs(path, tmp_path, ids[:4])
    if damage == "garbage_header":
        path.write_bytes(b"this is not an SQLite database" + path.read_bytes()[30:])
    elif damage == "zero_bytes":
        path.write_bytes(b"")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    store = open_store(tmp_path)
    assert store.health.state == "repaired"
    assert "3 runs were restored" in store.health.message
    assert listed_runs(store) == run_ids
    assert store.get_run(run_ids[1]) == run_document(run_ids[1], ids[:4])
    assert listed(store) == ids


def test_a_run_without_a_journal_is_salvaged_from_its_row_and_journaled_again(tmp_path):
    path, ids = seed(tmp_path, 3)
    run_ids = seed_runs(path, tmp_path, ids)
    lost = tmp_path / "runs" / f"{run_ids[0]}.json"
    lost.unlink()
    # Reopening a healthy database journals the runs that have none.
    open_store(tmp_path).close()
    assert lost.is_file()
    lost.unlink()
    # Damage that leaves the rows readable.
    _sql("UPDATE schema_version SET version = 'two'")(path)

    store = open_store(tmp_path)
    assert store.health.state == "repaired"
    assert listed_runs(store) == run_ids
    assert lost.is_file()


def test_a_deleted_run_stays_deleted_after_a_rebuild(tmp_path):
    path, ids = seed(tmp_path, 2)
    run_ids = seed_runs(path, tmp_path, ids)
    store = open_store(tmp_path)
    assert store.delete_run(run_ids[0])
    store.close()
    path.write_bytes(b"")
    assert listed_runs(open_store(tmp_path)) == run_ids[1:]


def test_runs_of_another_root_are_not_restored_into_this_one(tmp_path):
    path, ids = seed(tmp_path, 2)
    seed_runs(path, tmp_path, ids, count=2)
    path.write_bytes(b"")
    assert listed_runs(open_store(tmp_path, root="/srv/other")) == []


def _cut_in_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garbage_schema_page(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[100:4096] = bytes(range(256)) * 15 + bytes(range(36))
    path.write_bytes(bytes(data))


def _header_fields(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[16:24] = b"\xff" * 8  # page size, format versions, reserved space
    path.write_bytes(bytes(data))


def _sql(statement: str):
    def run(path: Path) -> None:
        with sqlite3.connect(path) as db:
            db.execute(statement)

    return run


@pytest.mark.parametrize(
    "damage",
    [
        _cut_in_half,
        _garbage_schema_page,
        _header_fields,
        _sql("DROP TABLE jobs"),
        _sql("UPDATE schema_version SET version = 'two'"),
    ],
    ids=["cut_in_half", "schema_page", "header_fields", "no_jobs_table", "version_not_a_number"],
)
def test_other_damage_is_repaired_the_same_way(tmp_path, damage):
    path, ids = seed(tmp_path, 30)
    damage(path)
    damaged = path.read_bytes()
    store = open_store(tmp_path)
    assert store.health.state == "repaired"
    assert Path(store.health.moved_to).read_bytes() == damaged
    assert listed(store) == ids


def test_garbage_wal_and_shm_files_are_not_damage(tmp_path):
    path, ids = seed(tmp_path, 5)
    Path(f"{path}-wal").write_bytes(b"\x13" * 50000)
    Path(f"{path}-shm").write_bytes(b"\x37" * 32768)
    store = open_store(tmp_path)
    assert store.health.state == "ok"
    assert listed(store) == ids


def test_a_file_truncated_to_0_bytes_is_moved_aside_and_refilled(tmp_path):
    path, ids = seed(tmp_path, 3)
    path.write_bytes(b"")
    store = open_store(tmp_path)
    assert store.health.state == "repaired"
    assert "0 bytes" in store.health.message
    assert "3 jobs were restored" in store.health.message
    assert Path(store.health.moved_to).stat().st_size == 0
    assert listed(store) == ids


def test_0_bytes_and_no_journals_still_says_so(tmp_path):
    (tmp_path / "jobs.sqlite").write_bytes(b"")
    store = open_store(tmp_path)
    assert store.health.state == "repaired"
    assert store.health.restored == 0
    assert "0 jobs were restored" in store.health.message
    assert len(damaged_files(tmp_path)) == 1
    assert listed(store) == []


def test_a_missing_database_is_refilled_from_the_journals(tmp_path):
    path, ids = seed(tmp_path, 4)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = open_store(tmp_path)
    assert store.health.state == "repaired"
    assert store.health.restored == 4
    assert "missing or empty" in store.health.message
    assert listed(store) == ids
    assert damaged_files(tmp_path) == []


def test_a_new_database_without_journals_is_simply_ok(tmp_path):
    store = open_store(tmp_path)
    assert store.health.state == "ok"
    assert store.health.message is None
    assert listed(store) == []


def test_a_later_repair_never_overwrites_an_earlier_damaged_file(tmp_path, monkeypatch):
    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Frozen:
            return cls(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

    monkeypatch.setattr(store_module, "datetime", Frozen)
    path, _ = seed(tmp_path, 2)
    path.write_bytes(b"first damage" * 100)
    open_store(tmp_path).close()
    path.write_bytes(b"second damage" * 100)
    open_store(tmp_path).close()
    names = {
        p.name: p.read_bytes()
        for p in damaged_files(tmp_path)
        if not p.name.endswith(("-wal", "-shm"))
    }
    assert names == {
        "jobs.sqlite.damaged-20260102T030405Z": b"first damage" * 100,
        "jobs.sqlite.damaged-20260102T030405Z-2": b"second damage" * 100,
    }


def test_damage_found_while_in_use_is_repaired_on_the_spot(tmp_path):
    path, ids = seed(tmp_path, 60)
    store = open_store(tmp_path)
    assert store.health.state == "ok"
    assert store.query(limit=500)[1] == 60
    # Another program scribbles over the file while the server runs, then a write by
    # another connection makes this one drop its page cache.
    with path.open("r+b") as file:
        file.seek((jobs_leaf_page(path) - 1) * 4096)
        file.write(b"\xff" * 4096)
    with sqlite3.connect(path) as other:
        other.execute("PRAGMA user_version = 7")
    rows, _ = store.query(limit=500)
    assert store.health.state == "repaired"
    assert sorted(r.id for r in rows) == ids
    store.insert(job("after", 99))
    assert store.get("after") is not None


# --- unreadable records ---------------------------------------------------------------


def test_unreadable_records_are_set_aside_or_restored_and_never_break_reads(tmp_path):
    path, ids = seed(tmp_path, 3)
    broken = {
        "notjson": "{this is not json",
        "nofields": json.dumps({"id": "nofields", "kind": "pipeline"}),
        "activenodir": json.dumps(
            {
                k: v
                for k, v in job("activenodir", 7, "running").model_dump().items()
                if k != "output_dir"
            }
        ),
    }
    with sqlite3.connect(path) as db:
        for job_id, text in broken.items():
            db.execute(
                "INSERT INTO jobs (id, kind, status, created, record, root) "
                "VALUES (?, 'pipeline', 'running', '2026', ?, ?)",
                (job_id, text, ROOT),
            )
        db.execute("UPDATE jobs SET record = '[1' WHERE id = ?", (ids[0],))

    store = open_store(tmp_path)
    health = store.health
    assert health.state == "repaired"
    assert health.skipped == 3
    assert health.restored == 1  # ids[0] had a journal
    assert "could not be read" in health.message
    assert listed(store) == ids
    assert store.with_status(["queued", "running"]) == []
    with sqlite3.connect(path) as db:
        kept = {row[0]: row[1] for row in db.execute("SELECT id, record FROM damaged_jobs")}
    assert kept == {**broken, ids[0]: "[1"}


def test_a_record_that_is_not_utf8_is_skipped_and_counted(tmp_path):
    path, ids = seed(tmp_path, 2)
    store = open_store(tmp_path)
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO jobs (id, kind, status, created, record, root) "
            "VALUES ('bytes', 'pipeline', 'succeeded', '2027', CAST(? AS TEXT), ?)",
            (b'{"id": "bytes", "x": "\xff\xfe"}', ROOT),
        )
    rows, total = store.query()
    assert sorted(r.id for r in rows) == ids
    assert total == 2
    assert store.get("bytes") is None
    assert store.health.skipped == 1


def test_an_unreadable_journal_is_counted(tmp_path):
    path, ids = seed(tmp_path, 2)
    (tmp_path / "jobs" / ids[0] / JOURNAL_NAME).write_text("{broken")
    path.write_bytes(b"x" * 8192)
    store = open_store(tmp_path)
    assert listed(store) == ids[1:]
    assert store.health.skipped == 1
    assert store.health.restored == 1


# --- unusable paths: left alone, 503 --------------------------------------------------


def assert_unusable(store: JobStore, *words: str) -> None:
    assert store.health.state == "unusable"
    for word in words:
        assert word in store.health.message
    assert store.with_status(["queued", "running"]) == []
    for operation in (
        lambda: store.query(),
        lambda: store.get("x"),
        lambda: store.insert(job("x")),
        lambda: store.delete("x"),
    ):
        with pytest.raises(ServiceUnavailable) as raised:
            operation()
        assert raised.value.status == 503
        assert raised.value.reason == "job_store_unusable"
    store.close()


def test_a_folder_at_the_path_is_left_alone(tmp_path):
    (tmp_path / "jobs.sqlite").mkdir()
    (tmp_path / "jobs.sqlite" / "keep.txt").write_text("mine")
    store = open_store(tmp_path)
    assert_unusable(store, "is a folder", "c.JwstLabApp.db_url", "Move the folder")
    assert (tmp_path / "jobs.sqlite" / "keep.txt").read_text() == "mine"
    assert damaged_files(tmp_path) == []


def test_another_programs_database_is_left_alone(tmp_path):
    path = tmp_path / "jobs.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE invoices (n INTEGER)")
    before = path.read_bytes()
    assert_unusable(open_store(tmp_path), "not a jwst-lab job database", "invoices")
    assert path.read_bytes() == before


def test_a_path_under_a_file_is_refused(tmp_path):
    (tmp_path / "afile").write_text("not a folder")
    store = JobStore(tmp_path / "afile" / "jobs.sqlite", root=ROOT)
    assert_unusable(store, "cannot be created", "c.JwstLabApp.db_url")
    assert (tmp_path / "afile").read_text() == "not a folder"


def test_a_refused_url_refuses_every_operation(tmp_path):
    store = JobStore.refused("postgres://db", "db_url is not SQLite", jobs_dir=tmp_path)
    assert store.health.path == "postgres://db"
    assert_unusable(store, "not SQLite")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may read and write any file")
def test_a_file_without_permission_is_left_alone(tmp_path):
    path, _ = seed(tmp_path, 1)
    path.chmod(0)
    try:
        assert_unusable(open_store(tmp_path), "permission")
        assert damaged_files(tmp_path) == []
    finally:
        path.chmod(0o600)


def test_the_folder_check_names_what_to_fix(tmp_path, monkeypatch):
    path, _ = seed(tmp_path, 1)
    real_access = os.access
    monkeypatch.setattr(
        store_module.os,
        "access",
        lambda where, mode: False if Path(where) == path else real_access(where, mode),
    )
    assert_unusable(open_store(tmp_path), "permission", str(path))


# --- real servers ----------------------------------------------------------------------

SERVER_OPTIONS = ("--JwstLabApp.prewarm_runner=False",)
DAMAGE_CASES = ("garbage_header", "folder", "damaged_page", "truncated")


def default_db(folder: Path, root: Path) -> Path:
    """The job database a server on ``root`` with Jupyter's folders in ``folder`` uses."""
    return root_state_dir(folder / "data" / "jwst_lab", root) / "jobs.sqlite"


def prepare_damage(case: str, folder: Path) -> dict[str, Any]:
    """A root whose default job database (holding journaled jobs) is damaged as ``case`` says."""
    root = folder / "root"
    root.mkdir()
    db = default_db(folder, root)
    if case == "folder":
        db.mkdir(parents=True)
        (db / "keep.txt").write_text("mine")
        return {"folder": folder, "root": root, "db": db, "ids": []}
    _, ids = seed(db.parent, 40, root=str(root))
    if case == "garbage_header":
        db.write_bytes(os.urandom(100) + db.read_bytes()[100:])
    elif case == "damaged_page":
        overwrite_page(db, jobs_leaf_page(db))
    else:
        db.write_bytes(b"")
    return {"folder": folder, "root": root, "db": db, "ids": ids, "bytes": db.read_bytes()}


def start_servers(specs: list[tuple[Path, Path, dict[str, str] | None, tuple[str, ...]]]) -> list:
    """Servers ``(folder, root, env, options)`` started side by side (each takes seconds)."""
    with ThreadPoolExecutor(len(specs)) as pool:
        futures = [
            pool.submit(ServerProcess, folder, root, env=env, options=[*SERVER_OPTIONS, *options])
            for folder, root, env, options in specs
        ]
    servers, failure = [], None
    for future in futures:
        try:
            servers.append(future.result())
        except BaseException as error:  # pytest.fail is a BaseException
            failure = error
    if failure is not None:
        for server in servers:
            server.stop()
        raise failure
    return servers


async def call(server: ServerProcess, method: str, path: str, body: Any = None) -> tuple:
    """``(status, content type, JSON body)`` of a jwst-lab route, whatever the status."""
    response = await AsyncHTTPClient().fetch(
        HTTPRequest(
            f"{server.url}/jwst-lab{path}",
            method=method,
            headers={"Authorization": f"token {TOKEN}"},
            body=None if body is None else json.dumps(body),
        ),
        raise_error=False,
    )
    return response.code, response.headers.get("Content-Type", ""), json.loads(response.body)


@pytest.fixture(scope="module")
def damaged_servers(tmp_path_factory) -> Iterator[dict[str, tuple[dict, ServerProcess]]]:
    prepared = [prepare_damage(case, tmp_path_factory.mktemp(case)) for case in DAMAGE_CASES]
    servers = start_servers([(p["folder"], p["root"], None, ()) for p in prepared])
    yield dict(zip(DAMAGE_CASES, zip(prepared, servers, strict=True), strict=True))
    for server in servers:
        server.stop()


@pytest.mark.parametrize("case", DAMAGE_CASES)
async def test_a_server_starts_on_a_damaged_job_database_and_says_so(damaged_servers, case):
    prepared, server = damaged_servers[case]
    db = prepared["db"]
    code, content_type, info = await call(server, "GET", "/info")
    assert (code, content_type) == (200, "application/json")
    store = info["job_store"]
    assert store["path"] == str(db)
    code, content_type, jobs = await call(server, "GET", "/jobs")
    assert content_type == "application/json"

    if case == "folder":
        assert store["state"] == "unusable"
        assert store["moved_to"] is None
        assert "is a folder" in store["message"]
        assert "c.JwstLabApp.db_url" in store["message"]
        assert code == 503
        assert jobs["reason"] == "job_store_unusable"
        assert str(db) in jobs["message"]
        code, content_type, one = await call(server, "GET", "/jobs/job00001")
        assert (code, one["reason"]) == (503, "job_store_unusable")
        assert (db / "keep.txt").read_text() == "mine"
        return

    assert store["state"] == "repaired"
    assert code == 200
    assert sorted(j["id"] for j in jobs["jobs"]) == prepared["ids"]
    assert store["restored"] == len(prepared["ids"])
    moved = Path(store["moved_to"])
    assert moved.parent == db.parent
    assert moved.name.startswith("jobs.sqlite.damaged-")
    assert moved.read_bytes() == prepared["bytes"]
    assert db.is_file()
    log = server.log_path.read_text()
    assert any(str(db) in line and str(moved) in line for line in log.splitlines())


def shared_data_env(own: Path, shared: Path) -> dict[str, str]:
    """A server environment with its own Jupyter folders but the data folder ``shared``."""
    env = server_environment(own)
    env["JUPYTER_DATA_DIR"] = str(shared)
    return env


async def one_cancelled_job(server: ServerProcess) -> str:
    """Create a pipeline job, cancel it and wait until it has ended; its id."""
    created = await server.request(
        "POST", "/jobs", {"pipeline": "group_scale", "input": "obs/a_uncal.fits"}
    )
    code, _, _ = await call(server, "POST", f"/jobs/{created['id']}/cancel", {})
    assert code in (202, 409)
    await server.wait_job(created["id"], {"cancelled", "failed", "succeeded"}, timeout=60)
    return str(created["id"])


async def two_roots(
    tmp_path: Path, crds: Path, catalog: Path, uncal: Path, db_url: str | None
) -> tuple[list[ServerProcess], list[Path], list[str]]:
    """Two servers on two roots sharing a Jupyter data folder; one job made in each."""
    shared = tmp_path / "data"
    shutil.copytree(catalog, shared / "jwst_lab" / "catalog")
    options = [f"--JwstLabApp.crds_path={crds}", "--JwstLabApp.crds_context=jwst_0541.pmap"]
    if db_url:
        options.append(f"--JwstLabApp.db_url={db_url}")
    folders = [tmp_path / "a", tmp_path / "b"]
    roots = []
    for folder in folders:
        roots.append(folder / "root")
        place_uncal(uncal, roots[-1], "obs/a_uncal.fits")
    servers = start_servers(
        [
            (f, r, shared_data_env(f, shared), tuple(options))
            for f, r in zip(folders, roots, strict=True)
        ]
    )
    try:
        ids = list(await asyncio.gather(*(one_cancelled_job(s) for s in servers)))
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers, roots, ids


async def listed_ids(server: ServerProcess) -> list[str]:
    return [job["id"] for job in (await server.request("GET", "/jobs"))["jobs"]]


async def test_servers_of_two_roots_keep_their_jobs_apart_by_default(
    tmp_path, crds_cache, catalog_cache_dir, tiny_uncal_template
):
    servers, roots, ids = await two_roots(
        tmp_path, crds_cache, catalog_cache_dir, tiny_uncal_template, None
    )
    try:
        seen = [await listed_ids(server) for server in servers]
        infos = [(await server.request("GET", "/info"))["job_store"] for server in servers]
        missing = await call(servers[0], "GET", f"/jobs/{ids[1]}")
    finally:
        for server in servers:
            server.stop()
    assert seen == [[ids[0]], [ids[1]]]
    assert missing[0] == 404
    for folder_root, info in zip(roots, infos, strict=True):
        db = Path(info["path"])
        assert db == root_state_dir(tmp_path / "data" / "jwst_lab", folder_root) / "jobs.sqlite"
        assert (db.parent / "root.txt").read_text() == f"{folder_root.resolve()}\n"
        assert info["state"] == "ok"


async def test_servers_of_two_roots_sharing_one_db_url_list_only_their_own_jobs(
    tmp_path, crds_cache, catalog_cache_dir, tiny_uncal_template
):
    shared_db = tmp_path / "shared" / "jobs.sqlite"
    servers, roots, ids = await two_roots(
        tmp_path, crds_cache, catalog_cache_dir, tiny_uncal_template, f"sqlite:///{shared_db}"
    )
    try:
        seen = [await listed_ids(server) for server in servers]
        deleted = await call(servers[0], "DELETE", f"/jobs/{ids[1]}")
        still = await listed_ids(servers[1])
    finally:
        for server in servers:
            server.stop()
    assert seen == [[ids[0]], [ids[1]]]
    assert deleted[0] == 404
    assert still == [ids[1]]
    with sqlite3.connect(shared_db) as db:
        rows = dict(db.execute("SELECT id, root FROM jobs"))
    assert rows == {ids[0]: str(roots[0].resolve()), ids[1]: str(roots[1].resolve())}
