"""Downloads never write outside the server root, and resume only their own partial files.

Each case plants a symbolic link (to a folder outside the root, or to one
inside it) or a hard link at one position of the layout
``dest/<collection>/<obs_id>/<file>`` (``.part`` included), then runs the
real download runner on a job planned by ``plan_files`` against the
loopback server. What must hold every time: a snapshot (size, mtime_ns,
sha256 of every file) of the folder outside the root is unchanged, no link
is ever listed as a downloaded file, and the job either fails with a message
naming the link or succeeds with the right bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from jwst_lab.core.downloads import LEDGER_NAME, MANIFEST_NAME, PartLedger
from jwst_lab.errors import BadRequest
from jwst_lab.jobs import download_jobs

from .download_server import DownloadServer
from .downloads_helpers import OBS_ID, body, product_row, run_download_spec, snapshot

OBS_2 = "hst_12345_01_wfc3_ir"
F0 = "jw01234001001_00000_mirimage_cal.fits"
F1 = "jw01234001001_00001_mirimage_cal.fits"
F2 = "ib0123456_flt.fits"
FILES = {F0: body(F0, 400_000), F1: body(F1, 300_017), F2: body(F2, 200_003)}


@dataclass
class World:
    """A server root, a folder outside it, a loopback server and a place for job folders."""

    root: Path
    outside: Path
    server: DownloadServer
    jobs: Path

    def rows(self, *, local: bool = False, checksum: bool = False) -> list[dict[str, Any]]:
        rows = []
        for name, data in FILES.items():
            source = self.outside.parent / "archive" / name
            if local:
                source.parent.mkdir(exist_ok=True)
                if not source.exists():
                    source.write_bytes(data)
            row = product_row(name, len(data), local_path=source if local else None)
            if name == F2:
                row.update(obs_collection="HST", obs_id=OBS_2)
            if checksum:
                row["checksum"] = "sha256:" + hashlib.sha256(data).hexdigest()
            rows.append(row)
        return rows

    def plan(self, **kw: Any) -> tuple[Path, list[dict[str, Any]]]:
        folder, files, _ = download_jobs.plan_files(
            root=self.root,
            dest="data",
            rows=self.rows(**kw),
            source="mast",
            mast_url=self.server.url,
            token=None,
            parallel=3,
        )
        return folder, files

    def spec(
        self, planned: tuple[Path, list[dict[str, Any]]], job: str = "job1", **kw: Any
    ) -> Path:
        return download_jobs.write_spec(
            self.jobs / job,
            job_id=job,
            root=self.root,
            folder=planned[0],
            files=planned[1],
            parallel=3,
            mast_url=self.server.url,
            **kw,
        )

    def target(self, name: str) -> Path:
        if name == F2:
            return self.root / "data" / "HST" / OBS_2 / name
        return self.root / "data" / "JWST" / OBS_ID / name


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    root = tmp_path / "root"
    root.mkdir()
    outside = tmp_path / "outside"
    (outside / OBS_ID).mkdir(parents=True)
    (outside / "secret.fits").write_bytes(b"not yours" * 1000)
    # The same bytes as a served file, under the name it would get: a trap for "complete".
    (outside / OBS_ID / F0).write_bytes(FILES[F0])
    (outside / "partial.part").write_bytes(FILES[F0][:100_000])
    with DownloadServer(dict(FILES)) as server:
        yield World(root, outside, server, tmp_path / "jobs")


def _no_link_is_presented(world: World, result: dict[str, Any]) -> None:
    for relative in result["files"]:
        path = world.root / relative
        assert not path.is_symlink(), relative
        assert path.lstat().st_nlink == 1, relative
        assert path.read_bytes() == FILES[path.name], relative


def _range_for(world: World, name: str) -> list[str]:
    return [value for file, value in world.server.ranges if file == name]


# --- symbolic links: where they are, where they lead -----------------------------------

LinkMaker = Callable[[World, str], Path]


def _link_folder(relative: str) -> LinkMaker:
    def make(world: World, to: str) -> Path:
        link = world.root / relative
        link.parent.mkdir(parents=True, exist_ok=True)
        if to == "outside":
            link.symlink_to(world.outside)
        else:
            (world.root / "elsewhere").mkdir(exist_ok=True)
            link.symlink_to(os.path.relpath(world.root / "elsewhere", link.parent))
        return link

    return make


def _link_file(suffix: str) -> LinkMaker:
    def make(world: World, to: str) -> Path:
        link = world.target(F0).with_name(F0 + suffix)
        link.parent.mkdir(parents=True, exist_ok=True)
        if to == "outside":
            aim = world.outside / (OBS_ID + "/" + F0 if not suffix else "partial.part")
        else:
            aim = world.root / "keep" / ("copy.fits" if not suffix else "partial.part")
            aim.parent.mkdir(exist_ok=True)
            aim.write_bytes(FILES[F0] if not suffix else FILES[F0][:100_000])
        link.symlink_to(aim)
        return link

    return make


POSITIONS = {
    "collection": _link_folder("data/JWST"),
    "obs_id": _link_folder(f"data/JWST/{OBS_ID}"),
    "target": _link_file(""),
    "part": _link_file(".part"),
}


@pytest.mark.parametrize("position", ["collection", "obs_id", "target"])
def test_plan_refuses_a_link_out_of_the_root_at_any_depth(world, position):
    link = POSITIONS[position](world, "outside")
    before = snapshot(world.outside)
    with pytest.raises(BadRequest) as refused:
        world.plan()
    assert refused.value.field == "dest"
    assert refused.value.to_json()["field"] == "dest"
    message = refused.value.message
    assert "outside the server root" in message
    assert link.relative_to(world.root).as_posix() in message
    assert snapshot(world.outside) == before


@pytest.mark.parametrize("position", list(POSITIONS))
def test_plan_accepts_links_that_stay_inside_the_root(world, position):
    POSITIONS[position](world, "inside")
    folder, files = world.plan()
    assert folder == (world.root / "data").resolve()
    assert len(files) == 3


def test_plan_leaves_a_part_link_to_the_runner(world):
    POSITIONS["part"](world, "outside")
    _, files = world.plan()
    assert len(files) == 3


@pytest.mark.parametrize("position", ["collection", "obs_id"])
def test_a_folder_link_out_of_the_root_fails_its_files_and_the_rest_go_on(world, position):
    spec = world.spec(world.plan())
    link = POSITIONS[position](world, "outside")  # after the plan: the check was raced
    before = snapshot(world.outside)
    code, result, log = run_download_spec(spec)
    assert snapshot(world.outside) == before
    assert code == 1
    assert result["files"] == [f"data/HST/{OBS_2}/{F2}"]
    _no_link_is_presented(world, result)
    failed = {Path(item["path"]).name: item["error"] for item in result["failed"]}
    assert set(failed) == {F0, F1}
    shown = link.relative_to(world.root).as_posix()
    for error in failed.values():
        assert "refused to write" in error
        assert f"the symbolic link {shown} -> {world.outside}" in error
        assert "outside the server root" in error
    assert shown in result["error"]
    assert "2 of 3 files failed" in result["error"]
    assert f"Error: refused to write {F0}" in log
    manifest = json.loads((world.root / "data" / MANIFEST_NAME).read_text())
    assert manifest["files"][f"JWST/{OBS_ID}/{F0}"]["reason"] == "unsafe_path"


def test_a_dest_swapped_for_a_link_out_of_the_root_after_the_plan_gets_nothing(world):
    spec = world.spec(world.plan())
    (world.root / "data").symlink_to(world.outside)
    before = snapshot(world.outside)
    code, result, log = run_download_spec(spec)
    assert snapshot(world.outside) == before
    assert code == 1
    assert result["files"] == []
    assert len(result["failed"]) == 3
    assert f"the symbolic link data -> {world.outside}" in result["error"]
    assert f"the manifest {MANIFEST_NAME} in data could not be written" in result["error"]
    assert "outside the server root" in log


@pytest.mark.parametrize("position", list(POSITIONS))
def test_links_inside_the_root_lead_to_the_right_bytes(world, position):
    spec = world.spec(world.plan())
    link = POSITIONS[position](world, "inside")
    inside_before = snapshot(world.root / "keep") if (world.root / "keep").exists() else {}
    outside_before = snapshot(world.outside)
    code, result, _ = run_download_spec(spec)
    assert snapshot(world.outside) == outside_before
    assert code == 0, result["error"]
    _no_link_is_presented(world, result)
    assert len(result["files"]) == 3
    if position in ("collection", "obs_id"):
        assert link.is_symlink()  # followed, not replaced
        assert (world.root / "elsewhere").is_dir()
        assert any((world.root / "elsewhere").rglob(F0))
    else:
        assert not link.exists() or not link.is_symlink()
        assert snapshot(world.root / "keep") == inside_before  # what the link led to is intact
    assert not _range_for(world, F0)


@pytest.mark.parametrize("runner", ["in-process", "subprocess"])
def test_a_target_link_out_of_the_root_is_replaced_never_skipped_or_written(world, runner):
    spec = world.spec(world.plan())
    link = POSITIONS["target"](world, "outside")  # points at a file of the right size and bytes
    before = snapshot(world.outside)
    code, result, log = run_download_spec(spec, subprocess_run=runner == "subprocess")
    assert snapshot(world.outside) == before
    assert code == 0, result["error"]
    assert not link.is_symlink()
    assert link.read_bytes() == FILES[F0]
    assert world.server.bytes_sent[F0] == len(FILES[F0])  # fetched, not "skipped as complete"
    _no_link_is_presented(world, result)
    assert "is a symbolic link: it is replaced by the downloaded file" in log
    assert f"downloaded {F0}" in log


def test_a_part_link_out_of_the_root_loses_only_the_link(world):
    spec = world.spec(world.plan())
    link = POSITIONS["part"](world, "outside")
    before = snapshot(world.outside)
    code, result, log = run_download_spec(spec)
    assert snapshot(world.outside) == before
    assert code == 0, result["error"]
    assert not link.is_symlink()
    assert not link.exists()
    _no_link_is_presented(world, result)
    assert not _range_for(world, F0)  # nothing resumed through the link
    assert "not resumed: the partial file is a symbolic link" in log


@pytest.mark.parametrize("link", ["symbolic", "hard"])
def test_a_manifest_linked_out_of_the_root_is_replaced_not_read(world, link):
    spec = world.spec(world.plan())
    manifest = world.root / "data" / MANIFEST_NAME
    manifest.parent.mkdir(parents=True)
    theirs = world.outside / "their_manifest.json"
    theirs.write_text(json.dumps({"files": {"their/file.fits": {"status": "downloaded"}}}))
    if link == "symbolic":
        manifest.symlink_to(theirs)
    else:
        os.link(theirs, manifest)
    before = snapshot(world.outside)
    code, result, _ = run_download_spec(spec)
    assert snapshot(world.outside) == before
    assert code == 0, result["error"]
    assert not manifest.is_symlink()
    assert manifest.stat().st_nlink == 1
    assert sorted(json.loads(manifest.read_text())["files"]) == sorted(
        [f"JWST/{OBS_ID}/{F0}", f"JWST/{OBS_ID}/{F1}", f"HST/{OBS_2}/{F2}"]
    )
    leftovers = [p.name for p in (world.root / "data").iterdir() if p.name.startswith(".")]
    assert leftovers == []  # no lock file, no temporary file


# --- hard links and partial files this job did not write -------------------------------


def test_a_hard_linked_part_is_removed_not_appended_to(world):
    spec = world.spec(world.plan())
    part = world.target(F0).with_name(F0 + ".part")
    part.parent.mkdir(parents=True)
    os.link(world.outside / "partial.part", part)
    PartLedger.for_job(world.jobs / "job1").add(str(part), part.stat())  # even if listed
    before = snapshot(world.outside)
    code, result, log = run_download_spec(spec)
    assert snapshot(world.outside) == before
    assert (world.outside / "partial.part").stat().st_nlink == 1
    assert code == 0, result["error"]
    _no_link_is_presented(world, result)
    assert not _range_for(world, F0)
    assert "not resumed: the partial file has 2 hard links" in log


def test_a_hard_linked_target_is_fetched_again_not_skipped(world):
    spec = world.spec(world.plan())
    target = world.target(F0)
    target.parent.mkdir(parents=True)
    os.link(world.outside / OBS_ID / F0, target)  # right size, right bytes
    before = snapshot(world.outside)
    code, result, log = run_download_spec(spec)
    assert snapshot(world.outside) == before
    assert code == 0, result["error"]
    _no_link_is_presented(world, result)
    assert world.server.bytes_sent[F0] == len(FILES[F0])
    assert "has 2 hard links: it is fetched again" in log


def test_a_part_no_ledger_lists_is_fetched_from_the_start(world):
    spec = world.spec(world.plan())
    part = world.target(F0).with_name(F0 + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(b"planted by someone else" * 1000)
    code, result, log = run_download_spec(spec)
    assert code == 0, result["error"]
    _no_link_is_presented(world, result)
    assert not _range_for(world, F0)
    assert world.server.bytes_sent[F0] == len(FILES[F0])
    assert "was not written by this download job" in log


def _own_part(world: World, job: str, name: str, data: bytes) -> Path:
    part = world.target(name).with_name(name + ".part")
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(data)
    (world.jobs / job).mkdir(parents=True, exist_ok=True)
    PartLedger.for_job(world.jobs / job).add(str(part), part.stat())
    return part


def test_a_part_this_job_wrote_is_resumed_with_a_range_request(world):
    spec = world.spec(world.plan())
    _own_part(world, "job1", F0, FILES[F0][:150_000])
    code, result, log = run_download_spec(spec)
    assert code == 0, result["error"]
    assert _range_for(world, F0) == ["bytes=150000-"]
    assert world.server.bytes_sent[F0] == len(FILES[F0]) - 150_000
    assert "resumed at byte 150000" in log
    _no_link_is_presented(world, result)
    ledger = (world.jobs / "job1" / LEDGER_NAME).read_text().splitlines()
    assert len(ledger) == 3  # the resumed part, and the two parts it created


def test_a_rerun_resumes_the_parts_of_the_job_it_names_and_no_other(world):
    planned = world.plan()
    _own_part(world, "first", F0, FILES[F0][:120_000])
    world.spec(planned, job="first")
    second = world.spec(planned, job="second", resume_from=[world.jobs / "first"])
    third = world.spec(planned, job="third", resume_from=[world.jobs / "second"])
    assert json.loads(third.read_text())["resume_ledgers"] == [
        str(world.jobs / "second"),
        str(world.jobs / "first"),
    ]
    stranger = world.spec(planned, job="stranger")
    assert "resume_ledgers" not in json.loads(stranger.read_text())
    code, result, log = run_download_spec(stranger)
    assert code == 0, result["error"]
    assert not _range_for(world, F0)
    assert "was not written by this download job" in log

    for name in FILES:
        world.target(name).unlink()
    world.server.reset_records()
    _own_part(world, "first", F0, FILES[F0][:120_000])
    code, result, log = run_download_spec(second)
    assert code == 0, result["error"]
    assert _range_for(world, F0) == ["bytes=120000-"]
    _no_link_is_presented(world, result)


def test_a_resumed_part_failing_its_checksum_is_never_renamed(world):
    spec = world.spec(world.plan(checksum=True))
    bad = bytearray(FILES[F0][:150_000])
    bad[1000] ^= 0xFF
    _own_part(world, "job1", F0, bytes(bad))
    code, result, _ = run_download_spec(spec)
    assert code == 1
    assert _range_for(world, F0) == ["bytes=150000-"]
    (failure,) = result["failed"]
    assert "sha256 checksum mismatch; not renamed into place" in failure["error"]
    assert not world.target(F0).exists()
    assert not world.target(F0).with_name(F0 + ".part").exists()
    assert sorted(Path(p).name for p in result["files"]) == sorted([F1, F2])


@pytest.mark.parametrize("corrupt", [False, True])
def test_a_resumed_local_copy_is_compared_with_its_source(world, corrupt):
    planned = world.plan(local=True)
    assert all(entry.get("source_path") for entry in planned[1])
    spec = world.spec(planned)
    prefix = bytearray(FILES[F0][:250_000])
    if corrupt:
        prefix[4321] ^= 0x01
    _own_part(world, "job1", F0, bytes(prefix))
    code, result, log = run_download_spec(spec)
    assert code == 0, result["error"]
    assert world.target(F0).read_bytes() == FILES[F0]
    _no_link_is_presented(world, result)
    if corrupt:
        assert "differs from the archive file at byte 4321" in log
        assert "resumed at byte" not in log
    else:
        assert f"copied {F0} (0.4 MB, " in log
        assert "resumed at byte 250000" in log
