"""A download that fills the disk: a real ``ENOSPC`` on a small tmpfs, through the real runner.

The destination folder inside the server root is a tmpfs of a few MB
(``mount -t tmpfs``, so the tests need root, as CI has; elsewhere they are
skipped with the reason). The job folder stays on the ordinary disk, as the
server's is. What must hold: the job's error says ``disk full`` with the
folder and the space left, the failed file is not listed as a file, and no
``.part``, ``.tmp`` or lock file is left in the destination.
"""

from __future__ import annotations

import errno
import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from jwst_lab.core.downloads import MANIFEST_NAME, FileResult, mast_download_url, write_manifest
from jwst_lab.errors import PayloadTooLarge
from jwst_lab.jobs import download_jobs

from .download_server import DownloadServer
from .downloads_helpers import OBS_ID, body, product_row, run_download_spec

SMALL = "jw01234001001_00000_mirimage_cal.fits"
BIG = "jw01234001001_00001_mirimage_cal.fits"
BIG_2 = "jw01234001001_00002_mirimage_cal.fits"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[Path, str], Path]]:
    """Mount a tmpfs of the given size on a folder (unmounted at the end); skip without root."""
    mounted: list[Path] = []

    def mount(folder: Path, size: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        if shutil.which("mount") is None:
            pytest.skip("no mount command: the disk-full tests need a small tmpfs")
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(
                "cannot mount a tmpfs (the disk-full tests need root, as CI runs): "
                + (done.stderr.strip() or f"exit status {done.returncode}")
            )
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        done = subprocess.run(["umount", str(folder)], capture_output=True, check=False)
        if done.returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def _leftovers(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.name.endswith((".part", ".tmp", ".lock")) or p.name.startswith(".")
    )


def _spec(
    tmp_path: Path, root: Path, dest: Path, entries: list[dict[str, Any]], *, url: str
) -> Path:
    # Written by hand, not by plan_files: its up-front disk check would refuse the job.
    return download_jobs.write_spec(
        tmp_path / "jobs" / "job1",
        job_id="job1",
        root=root,
        folder=dest,
        files=entries,
        parallel=1,
        mast_url=url,
    )


@pytest.mark.parametrize("source", ["local", "http"])
def test_a_full_disk_says_so_and_leaves_nothing_behind(tmp_path, small_disk, source):
    root = tmp_path / "root"
    dest = small_disk(root / "dl", "2m")
    data = {SMALL: body(SMALL, 300_000), BIG: body(BIG, 3_000_000)}
    archive = tmp_path / "archive"
    archive.mkdir()
    with DownloadServer(dict(data)) as server:
        entries = []
        for name, content in data.items():
            (archive / name).write_bytes(content)
            entry: dict[str, Any] = {
                "uri": f"mast:JWST/product/{name}",
                "dest": str(dest / "JWST" / OBS_ID / name),
                "size": len(content),
                "checksum": None,
            }
            if source == "local":
                entry["source_path"] = str(archive / name)
            else:
                entry["url"] = mast_download_url(server.url, entry["uri"])
            entries.append(entry)
        spec = _spec(tmp_path, root, dest, entries, url=server.url)
        code, result, log = run_download_spec(spec, subprocess_run=True)
    assert code == 1, log
    folder = f"dl/JWST/{OBS_ID}"
    assert result["error"].startswith(f"disk full: no space left in {folder} ("), result["error"]
    assert " MB free)" in result["error"]
    assert "1 of 2 files failed" in result["error"]
    assert result["files"] == [f"{folder}/{SMALL}"]
    assert [Path(item["path"]).name for item in result["failed"]] == [BIG]
    assert (dest / "JWST" / OBS_ID / SMALL).read_bytes() == data[SMALL]
    assert not (dest / "JWST" / OBS_ID / BIG).exists()
    assert _leftovers(dest) == []
    manifest = json.loads((dest / MANIFEST_NAME).read_text())
    entry = manifest["files"][f"JWST/{OBS_ID}/{BIG}"]
    assert (entry["status"], entry["reason"]) == ("failed", "disk_full")
    assert f"Error: disk full: no space left in {folder}" in log
    assert "exited with status" not in result["error"]


def test_files_that_cannot_fit_after_a_full_disk_are_not_started(tmp_path, small_disk):
    root = tmp_path / "root"
    dest = small_disk(root / "dl", "2m")
    data = {BIG: body(BIG, 3_000_000), BIG_2: body(BIG_2, 2_500_000)}
    with DownloadServer(dict(data)) as server:
        entries = [
            {
                "uri": f"mast:JWST/product/{name}",
                "url": mast_download_url(server.url, f"mast:JWST/product/{name}"),
                "dest": str(dest / "JWST" / OBS_ID / name),
                "size": len(content),
            }
            for name, content in data.items()
        ]
        spec = _spec(tmp_path, root, dest, entries, url=server.url)
        code, result, _ = run_download_spec(spec)
        sent = dict(server.bytes_sent)
    assert code == 1
    errors = {Path(item["path"]).name: item["error"] for item in result["failed"]}
    assert "its partial file was removed" in errors[BIG]
    assert "was not started" in errors[BIG_2]
    assert BIG_2 not in sent  # not a byte asked for
    assert result["files"] == []
    assert _leftovers(dest) == []


def _fill(folder: Path) -> Path:
    filler = folder / "filler.bin"
    more_than_free = shutil.disk_usage(folder).free + (1 << 20)
    with pytest.raises(OSError, match="No space left"):
        filler.write_bytes(b"\0" * more_than_free)
    return filler


def test_a_manifest_that_cannot_be_written_leaves_no_temporary_or_lock_file(tmp_path, small_disk):
    root = tmp_path / "root"
    dest = small_disk(root / "dl", "1m")
    _fill(dest)
    result = FileResult(uri="u", dest=str(dest / "x.fits"), status="skipped", size=1)
    with pytest.raises(OSError, match="No space left") as full:
        write_manifest(dest, [result], root=root, job_id="j")
    assert full.value.errno == errno.ENOSPC
    assert _leftovers(dest) == []
    assert not (dest / MANIFEST_NAME).exists()


def test_a_job_whose_manifest_hits_a_full_disk_fails_saying_so(tmp_path, small_disk):
    root = tmp_path / "root"
    dest = small_disk(root / "dl", "1m")
    content = body(SMALL, 100_000)
    target = dest / "JWST" / OBS_ID / SMALL
    target.parent.mkdir(parents=True)
    target.write_bytes(content)  # complete already: the file is skipped
    _fill(dest)
    entries = [
        {"uri": "u", "dest": str(target), "size": len(content), "url": "http://127.0.0.1:9/"}
    ]
    spec = _spec(tmp_path, root, dest, entries, url="http://127.0.0.1:9")
    code, result, _ = run_download_spec(spec)
    assert code == 1
    assert result["error"].startswith("disk full: no space left in dl (")
    assert MANIFEST_NAME in result["error"]
    assert result["files"] == [f"dl/JWST/{OBS_ID}/{SMALL}"]
    assert _leftovers(dest) == []


def test_plan_refuses_up_front_when_the_disk_is_known_to_be_short(tmp_path, small_disk):
    root = tmp_path / "root"
    small_disk(root / "dl", "40m")
    fits = tmp_path / "src.fits"
    fits.write_bytes(b"x" * 1000)

    def plan(size: int) -> int:
        row = product_row(SMALL, size, local_path=fits)
        _, _, needed = download_jobs.plan_files(
            root=root,
            dest="dl",
            rows=[row],
            source="local",
            mast_url="http://127.0.0.1:9",
            token=None,
        )
        return needed

    assert plan(1_000_000) == 1_000_000
    with pytest.raises(PayloadTooLarge) as short:
        plan(30_000_000)
    assert short.value.reason == "insufficient_storage"
    assert short.value.status == 413
    assert "free under 'dl'" in short.value.message
    assert list((root / "dl").iterdir()) == []
