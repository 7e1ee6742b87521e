"""The SQLite job store: schema version, WAL, CRUD, filters, paging, roots, journals."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from jwst_lab.errors import BadRequest, ServiceUnavailable
from jwst_lab.jobs.store import (
    JOURNAL_NAME,
    SCHEMA_VERSION,
    JobStore,
    StoreError,
    note_root,
    record_problem,
    root_state_dir,
    sqlite_path,
)
from jwst_lab.models import JobProgress, JobRecord

from .jobs_helpers import job_record


def _record(
    job_id: str, created: float, status: str = "queued", kind: str = "pipeline"
) -> JobRecord:
    return job_record(
        job_id,
        kind=kind,
        status=status,
        created=f"2026-01-01T00:00:{created:06.3f}Z",
        input="obs/é_uncal.fits",
    )


def test_sqlite_url_forms(tmp_path):
    assert sqlite_path(f"sqlite:///{tmp_path}/a.db") == tmp_path / "a.db"
    assert str(sqlite_path("sqlite:///rel/a.db")) == "rel/a.db"
    for bad in ("postgres://x", "sqlite:///", "sqlite:///:memory:", "a.db"):
        with pytest.raises(StoreError):
            sqlite_path(bad)


def test_schema_version_and_wal(tmp_path):
    store = JobStore(tmp_path / "sub" / "jobs.sqlite")
    assert store.schema_version() == SCHEMA_VERSION
    assert store.health.state == "ok"
    store.close()
    with sqlite3.connect(tmp_path / "sub" / "jobs.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    reopened = JobStore.from_url(f"sqlite:///{tmp_path}/sub/jobs.sqlite")
    assert reopened.schema_version() == SCHEMA_VERSION
    reopened.close()


def test_a_newer_schema_leaves_the_file_untouched_and_refuses_job_operations(tmp_path):
    path = tmp_path / "jobs.sqlite"
    JobStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION + 1,))
    before = path.read_bytes()
    store = JobStore(path)
    assert store.health.state == "unusable"
    assert "newer" in store.health.message
    assert "c.JwstLabApp.db_url" in store.health.message
    with pytest.raises(ServiceUnavailable) as raised:
        store.query()
    assert raised.value.status == 503
    assert raised.value.reason == "job_store_unusable"
    with pytest.raises(ServiceUnavailable):
        store.insert(_record("a", 1.0))
    assert store.with_status(["queued", "running"]) == []
    store.close()
    assert path.read_bytes() == before
    assert list(tmp_path.glob("*damaged*")) == []


def test_insert_get_update_delete(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite")
    store.insert(_record("a", 1.0))
    assert store.get("a") == _record("a", 1.0)
    store.update(_record("a", 1.0).model_copy(update={"status": "running"}))
    assert store.get("a").status == "running"
    with pytest.raises(sqlite3.IntegrityError):
        store.insert(_record("a", 2.0))
    assert store.delete("a") is True
    assert store.delete("a") is False
    assert store.get("a") is None


def test_update_of_a_missing_record_adds_it(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite")
    store.update(_record("gone", 1.0, "running"))
    assert store.get("gone").status == "running"


def test_a_value_json_cannot_hold_is_a_bad_request(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite")
    with pytest.raises(BadRequest, match="NaN"):
        store.insert(_record("n", 1.0).model_copy(update={"steps": {"s": {"x": float("nan")}}}))
    assert store.get("n") is None


def test_query_filters_pages_newest_first_and_with_status(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite")
    for index, status in enumerate(["queued", "running", "failed", "succeeded", "queued"]):
        store.insert(_record(f"j{index}", float(index), status))
    store.insert(_record("d0", 10.0, "succeeded", kind="download"))
    rows, total = store.query(limit=2)
    assert total == 6
    assert [r.id for r in rows] == ["d0", "j4"]
    rows, total = store.query(statuses=["queued", "running"], limit=10)
    assert (total, [r.id for r in rows]) == (3, ["j4", "j1", "j0"])
    rows, total = store.query(kind="download")
    assert [r.id for r in rows] == ["d0"]
    rows, _ = store.query(limit=2, offset=4)
    assert [r.id for r in rows] == ["j1", "j0"]
    assert [r.id for r in store.with_status(["queued", "running"])] == ["j0", "j1", "j4"]
    assert store.with_status([]) == []
    with pytest.raises(BadRequest):
        store.query(limit=0)


# --- roots --------------------------------------------------------------------------


def test_stores_of_two_roots_sharing_a_file_see_only_their_own_jobs(tmp_path):
    path = tmp_path / "shared.sqlite"
    mine = JobStore(path, root=tmp_path / "a")
    theirs = JobStore(path, root=tmp_path / "b")
    mine.insert(_record("m1", 1.0, "running"))
    theirs.insert(_record("t1", 2.0, "queued"))
    theirs.insert(_record("t2", 3.0, "succeeded"))

    assert [r.id for r in mine.query()[0]] == ["m1"]
    assert mine.query()[1] == 1
    assert [r.id for r in theirs.query()[0]] == ["t2", "t1"]
    assert mine.get("t1") is None
    assert mine.delete("t1") is False
    assert theirs.get("t1") is not None
    assert [r.id for r in mine.with_status(["queued", "running"])] == ["m1"]
    assert [r.id for r in theirs.with_status(["queued", "running"])] == ["t1"]
    with sqlite3.connect(path) as db:
        roots = dict(db.execute("SELECT id, root FROM jobs"))
    assert roots == {
        "m1": str((tmp_path / "a").resolve()),
        "t1": str((tmp_path / "b").resolve()),
        "t2": str((tmp_path / "b").resolve()),
    }
    unscoped = JobStore(path)
    assert unscoped.query()[1] == 3


def _v1_file(path: Path, records: list[JobRecord]) -> None:
    """A database as jwst-lab wrote it before roots (schema version 1)."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        db.execute(
            "CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, "
            "created REAL NOT NULL, record TEXT NOT NULL)"
        )
        db.execute("CREATE INDEX jobs_status ON jobs (status)")
        db.execute("CREATE INDEX jobs_created ON jobs (created)")
        db.execute("INSERT INTO schema_version (version) VALUES (1)")
        for record in records:
            db.execute(
                "INSERT INTO jobs VALUES (?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.kind,
                    record.status,
                    record.created,
                    record.model_dump_json(),
                ),
            )


def test_upgrading_a_version_1_file_adopts_its_jobs_and_journals_them(tmp_path):
    path = tmp_path / "jobs.sqlite"
    _v1_file(path, [_record("old1", 1.0, "succeeded"), _record("old2", 2.0, "queued")])
    upgrader = JobStore(path, root=tmp_path / "first", jobs_dir=tmp_path / "jobs")
    assert upgrader.schema_version() == SCHEMA_VERSION == 3
    assert upgrader.health.state == "ok"
    assert [r.id for r in upgrader.query()[0]] == ["old2", "old1"]
    assert [r.id for r in upgrader.with_status(["queued"])] == ["old2"]
    journal = json.loads((tmp_path / "jobs" / "old1" / JOURNAL_NAME).read_text())
    assert journal["root"] == str((tmp_path / "first").resolve())
    assert journal["record"]["id"] == "old1"
    upgrader.close()

    later = JobStore(path, root=tmp_path / "second")
    assert later.query() == ([], 0)
    with sqlite3.connect(path) as db:
        assert [v for (v,) in db.execute("SELECT version FROM schema_version")] == [1, 2, 3]


# --- journals -----------------------------------------------------------------------


def test_journals_follow_creation_and_status_changes_not_progress(tmp_path):
    jobs = tmp_path / "jobs"
    store = JobStore(tmp_path / "jobs.sqlite", root=tmp_path / "root", jobs_dir=jobs)
    store.insert(_record("j1", 1.0))
    journal = jobs / "j1" / JOURNAL_NAME
    entry = json.loads(journal.read_text())
    assert entry == {
        "format": 1,
        "root": str((tmp_path / "root").resolve()),
        "record": _record("j1", 1.0).model_dump(),
    }

    def progressed(status: str, done: int) -> JobRecord:
        progress = JobProgress(steps_total=9, steps_done=done, current_step=None, skipped_steps=[])
        return _record("j1", 1.0).model_copy(update={"status": status, "progress": progress})

    store.update(_record("j1", 1.0).model_copy(update={"status": "running"}))
    assert json.loads(journal.read_text())["record"]["status"] == "running"
    store.update(progressed("running", 3))
    assert json.loads(journal.read_text())["record"]["progress"]["steps_done"] == 0
    assert store.get("j1").progress.steps_done == 3
    store.update(progressed("succeeded", 9))
    assert json.loads(journal.read_text())["record"]["progress"]["steps_done"] == 9
    assert [p.name for p in journal.parent.iterdir()] == [JOURNAL_NAME]

    assert store.delete("j1") is True
    assert not journal.exists()


def test_without_a_jobs_dir_nothing_is_journaled(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite")
    store.insert(_record("j1", 1.0))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "jobs.sqlite",
        "jobs.sqlite-shm",
        "jobs.sqlite-wal",
    ]


def test_record_problem_names_what_the_server_cannot_do_without():
    whole = _record("a", 1.0).model_dump()
    assert record_problem(whole, "a") is None
    assert record_problem(["a"], "a") == "is not a JSON object"
    assert record_problem({"id": "a", "kind": "pipeline", "status": "queued"}, "a") == (
        "lacks created"
    )
    assert "id" in record_problem(_record("b", 1.0).model_dump(), "a")
    assert "unknown status" in record_problem({**whole, "status": "lost"}, "a")
    assert "creation time" in record_problem({**whole, "created": True}, "a")
    queued = {k: v for k, v in whole.items() if k != "output_dir"}
    assert "output_dir" in record_problem(queued, "a")
    # Every record is a whole JobRecord, finished or not: the API answers each one.
    assert "output_dir" in record_problem({**queued, "status": "succeeded"}, "a")
    assert "progress.steps_total" in record_problem({**whole, "progress": {}}, "a")
    # Any kind name: the job engine's registry decides which kinds it runs.
    assert record_problem({**whole, "kind": "toy"}, "a") is None


def test_root_state_dirs_are_per_resolved_root_and_named(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "a")
    data = tmp_path / "data"
    first = root_state_dir(data, tmp_path / "a")
    assert first == root_state_dir(data, tmp_path / "link")
    assert first != root_state_dir(data, tmp_path / "b")
    assert first.parent == data / "roots"
    note_root(first, tmp_path / "link")
    assert (first / "root.txt").read_text() == f"{(tmp_path / 'a').resolve()}\n"


def test_a_store_sees_only_the_kinds_its_server_runs(tmp_path):
    from jwst_lab.jobs.kinds import KINDS

    path = tmp_path / "jobs.sqlite"
    newer = JobStore(path, root=tmp_path, jobs_dir=tmp_path / "jobs")
    newer.insert(job_record("known"))
    newer.insert(job_record("future", kind="mosaic_of_the_future", status="running"))
    newer.close()
    ours = JobStore(path, root=tmp_path, jobs_dir=tmp_path / "jobs", kinds=KINDS)
    try:
        records, total = ours.query()
        assert ([r.id for r in records], total) == (["known"], 1)
        assert ours.get("future") is None
        assert [r.id for r in ours.with_status(("running", "queued"))] == ["known"]
        assert ours.health.skipped == 0
    finally:
        ours.close()
    again = JobStore(path, root=tmp_path, jobs_dir=tmp_path / "jobs")
    try:
        assert again.get("future") is not None  # left alone, not set aside as damaged
    finally:
        again.close()


def test_runs_are_stored_per_root_and_survive_a_reopen(tmp_path):
    path = tmp_path / "jobs.sqlite"
    first = JobStore(path, root=tmp_path / "first")
    first.put_run("r1", "queued", "2026-01-01T00:00:00Z", {"record": {"id": "r1"}})
    first.put_run("r2", "queued", "2026-01-02T00:00:00Z", {"record": {"id": "r2"}})
    first.put_run("r1", "succeeded", "2026-01-01T00:00:00Z", {"record": {"id": "r1", "x": 1}})
    assert [d["record"]["id"] for d in first.runs()[0]] == ["r2", "r1"]
    # Paged in SQL, newest first, with the total.
    page, total = first.runs(limit=1, offset=1)
    assert ([d["record"]["id"] for d in page], total) == (["r1"], 2)
    assert first.runs(limit=5, offset=2) == ([], 2)
    queued, total = first.runs(statuses=["queued", "running"])
    assert ([d["record"]["id"] for d in queued], total) == (["r2"], 1)
    first.close()
    second = JobStore(path, root=tmp_path / "second")
    assert second.runs() == ([], 0)
    assert second.get_run("r1") is None
    assert not second.delete_run("r1")
    second.close()
    again = JobStore(path, root=tmp_path / "first")
    assert again.get_run("r1") == {"record": {"id": "r1", "x": 1}}
    assert again.delete_run("r1")
    assert [d["record"]["id"] for d in again.runs()[0]] == ["r2"]
    again.close()
