"""The SQLite job store: schema version, WAL, CRUD, filters, paging."""

from __future__ import annotations

import sqlite3

import pytest

from jwst_lab.errors import BadRequest
from jwst_lab.jobs.store import SCHEMA_VERSION, JobStore, StoreError, sqlite_path


def _record(job_id: str, created: float, status: str = "queued", kind: str = "pipeline") -> dict:
    return {"id": job_id, "kind": kind, "status": status, "created": created, "x": [1, "é"]}


def test_sqlite_url_forms(tmp_path):
    assert sqlite_path(f"sqlite:///{tmp_path}/a.db") == tmp_path / "a.db"
    assert str(sqlite_path("sqlite:///rel/a.db")) == "rel/a.db"
    for bad in ("postgres://x", "sqlite:///", "sqlite:///:memory:", "a.db"):
        with pytest.raises(StoreError):
            sqlite_path(bad)


def test_schema_version_and_wal(tmp_path):
    store = JobStore(tmp_path / "sub" / "jobs.sqlite")
    assert store.schema_version() == SCHEMA_VERSION
    store.close()
    with sqlite3.connect(tmp_path / "sub" / "jobs.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    reopened = JobStore.from_url(f"sqlite:///{tmp_path}/sub/jobs.sqlite")
    assert reopened.schema_version() == SCHEMA_VERSION
    reopened.close()


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "jobs.sqlite"
    JobStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match="newer"):
        JobStore(path)


def test_insert_get_update_delete(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite")
    store.insert(_record("a", 1.0))
    assert store.get("a") == _record("a", 1.0)
    store.update({**_record("a", 1.0), "status": "running"})
    assert store.get("a")["status"] == "running"
    with pytest.raises(sqlite3.IntegrityError):
        store.insert(_record("a", 2.0))
    assert store.delete("a") is True
    assert store.delete("a") is False
    assert store.get("a") is None


def test_query_filters_pages_newest_first_and_with_status(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite")
    for index, status in enumerate(["queued", "running", "failed", "succeeded", "queued"]):
        store.insert(_record(f"j{index}", float(index), status))
    store.insert(_record("d0", 10.0, "succeeded", kind="download"))
    rows, total = store.query(limit=2)
    assert total == 6
    assert [r["id"] for r in rows] == ["d0", "j4"]
    rows, total = store.query(statuses=["queued", "running"], limit=10)
    assert (total, [r["id"] for r in rows]) == (3, ["j4", "j1", "j0"])
    rows, total = store.query(kind="download")
    assert [r["id"] for r in rows] == ["d0"]
    rows, _ = store.query(limit=2, offset=4)
    assert [r["id"] for r in rows] == ["j1", "j0"]
    assert [r["id"] for r in store.with_status(["queued", "running"])] == ["j0", "j1", "j4"]
    assert store.with_status([]) == []
    with pytest.raises(BadRequest):
        store.query(limit=0)
