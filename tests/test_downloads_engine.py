"""The transfer engine against a real loopback HTTP server: parallel, resume, verify, retry."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path

import pytest

from jwst_lab.core.downloads import (
    MANIFEST_NAME,
    Cancelled,
    Transfer,
    TransferEngine,
    mast_download_url,
    write_manifest,
)

from .download_server import DownloadServer


def _body(name: str, size: int) -> bytes:
    seed = hashlib.sha256(name.encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


def _files(count: int, size: int) -> dict[str, bytes | Path]:
    return {f"jw_{i:02d}_cal.fits": _body(f"f{i}", size + i) for i in range(count)}


def _transfers(server: DownloadServer, dest: Path, **overrides) -> list[Transfer]:
    return [
        Transfer(
            uri=f"mast:JWST/product/{name}",
            url=mast_download_url(server.url, f"mast:JWST/product/{name}"),
            dest=dest / name,
            size=overrides.get("size", server.size(name)),
        )
        for name in server.files
    ]


def test_parallel_connections_and_identical_files(tmp_path):
    files = _files(10, 400_000)
    with DownloadServer(files, rate=1_000_000, latency=0.05) as server:
        snapshots = []
        engine = TransferEngine(
            parallel=8, on_progress=snapshots.append, progress_interval=0.05, digest="sha256"
        )
        results = engine.run(_transfers(server, tmp_path))
        assert server.peak_active >= 8
    assert [r.status for r in results] == ["downloaded"] * 10
    for name, body in files.items():
        assert (tmp_path / name).read_bytes() == body
        assert not (tmp_path / f"{name}.part").exists()
    assert results[0].sha256 == hashlib.sha256(files["jw_00_cal.fits"]).hexdigest()
    final = snapshots[-1]
    assert (final.files_done, final.files_total) == (10, 10)
    assert final.bytes_done == final.bytes_total == sum(len(b) for b in files.values())
    assert any(0 < s.bytes_done < final.bytes_total for s in snapshots)


def test_a_cut_transfer_resumes_with_a_range_request(tmp_path):
    body = _body("big", 3_000_000)
    with DownloadServer({"jw_big_uncal.fits": body}) as server:
        server.cut_after["jw_big_uncal.fits"] = 1_234_567
        (result,) = TransferEngine(parallel=2, backoff=0.01).run(_transfers(server, tmp_path))
        assert result.status == "downloaded", result.error
        assert result.resumed_from > 0
        assert server.ranges
        assert server.ranges[0][1].startswith("bytes=")
        sent = server.bytes_sent["jw_big_uncal.fits"]
    assert (tmp_path / "jw_big_uncal.fits").read_bytes() == body
    assert sent < 1.1 * len(body)


def test_a_part_file_left_by_a_killed_process_is_resumed(tmp_path):
    body = _body("p", 1_000_000)
    (tmp_path / "jw_p_cal.fits.part").write_bytes(body[:600_000])
    with DownloadServer({"jw_p_cal.fits": body}) as server:
        (result,) = TransferEngine(digest="sha256").run(_transfers(server, tmp_path))
        assert server.ranges == [("jw_p_cal.fits", "bytes=600000-")]
        assert server.bytes_sent["jw_p_cal.fits"] == 400_000
    assert result.resumed_from == 600_000
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    assert (tmp_path / "jw_p_cal.fits").read_bytes() == body


@pytest.mark.parametrize("declared", [999_999, 1_000_001])
def test_a_size_mismatch_is_never_renamed_into_place(tmp_path, declared):
    body = _body("m", 1_000_000)
    with DownloadServer({"jw_m_cal.fits": body}) as server:
        (result,) = TransferEngine(backoff=0.01).run(_transfers(server, tmp_path, size=declared))
    assert result.status == "failed"
    assert "size mismatch" in result.error
    assert not (tmp_path / "jw_m_cal.fits").exists()
    assert not (tmp_path / "jw_m_cal.fits.part").exists()


def test_a_body_shorter_than_declared_is_not_renamed(tmp_path):
    body = _body("s", 500_000)
    with DownloadServer({"jw_s_cal.fits": body}) as server:
        # The server always stops at byte 100: resuming gets nothing more, retries run out.
        server.truncate["jw_s_cal.fits"] = 100
        engine = TransferEngine(retries=0, backoff=0.01)
        (result,) = engine.run(_transfers(server, tmp_path))
    assert result.status == "failed"
    assert not (tmp_path / "jw_s_cal.fits").exists()


def test_checksum_mismatch_is_refused(tmp_path):
    body = _body("c", 10_000)
    with DownloadServer({"jw_c_cal.fits": body}) as server:
        good = Transfer(
            "mast:JWST/product/jw_c_cal.fits",
            tmp_path / "good" / "jw_c_cal.fits",
            url=server.file_url("jw_c_cal.fits"),
            size=len(body),
            checksum="md5:" + hashlib.md5(body).hexdigest(),  # noqa: S324 (a test checksum)
        )
        bad = Transfer(
            "mast:JWST/product/jw_c_cal.fits",
            tmp_path / "bad" / "jw_c_cal.fits",
            url=server.file_url("jw_c_cal.fits"),
            size=len(body),
            checksum="sha256:" + "0" * 64,
        )
        ok, refused = TransferEngine().run([good, bad])
    assert ok.status == "downloaded"
    assert refused.status == "failed"
    assert "checksum mismatch" in refused.error
    assert not bad.dest.exists()


def test_transient_5xx_is_retried_and_404_is_not(tmp_path):
    body = _body("r", 50_000)
    with DownloadServer({"jw_r_cal.fits": body}) as server:
        server.fail["jw_r_cal.fits"] = 2
        transfers = [
            *_transfers(server, tmp_path),
            Transfer(
                "mast:JWST/product/missing.fits",
                tmp_path / "missing.fits",
                url=server.file_url("missing.fits"),
                size=10,
            ),
        ]
        ok, missing = TransferEngine(backoff=0.01).run(transfers)
        assert [name for name, _ in server.requests].count("missing.fits") == 1
    assert ok.status == "downloaded"
    assert ok.attempts == 3
    assert (tmp_path / "jw_r_cal.fits").read_bytes() == body
    assert missing.status == "failed"
    assert "404" in missing.error


def test_persistent_5xx_gives_up(tmp_path):
    with DownloadServer({"jw_x_cal.fits": b"x" * 100}) as server:
        server.fail["jw_x_cal.fits"] = 100
        (result,) = TransferEngine(retries=2, backoff=0.01).run(_transfers(server, tmp_path))
    assert result.status == "failed"
    assert "gave up after 3 attempts" in result.error


def test_complete_files_are_skipped(tmp_path):
    files = _files(3, 20_000)
    with DownloadServer(files) as server:
        TransferEngine().run(_transfers(server, tmp_path))
        server.reset_records()
        results = TransferEngine().run(_transfers(server, tmp_path))
        assert server.requests == []
    assert [r.status for r in results] == ["skipped"] * 3


def test_cancel_stops_transfers_and_keeps_parts(tmp_path):
    files = _files(3, 2_000_000)
    with DownloadServer(files, rate=500_000) as server:
        engine = TransferEngine(parallel=3)
        transfers = _transfers(server, tmp_path)

        def cancel_once_every_file_moved() -> None:
            deadline = time.monotonic() + 30
            while len([n for n, sent in server.bytes_sent.items() if sent > 100_000]) < 3:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.02)
            engine.cancel()

        threading.Thread(target=cancel_once_every_file_moved, daemon=True).start()
        with pytest.raises(Cancelled):
            engine.run(transfers)
    for transfer in transfers:
        assert not transfer.dest.exists()
        assert 0 < transfer.part.stat().st_size < server.size(transfer.dest.name)


def test_token_goes_only_to_its_host_and_401_says_token(tmp_path):
    body = _body("t", 1000)
    with DownloadServer({"jw_t_cal.fits": body}) as server:
        server.require_token["jw_t_cal.fits"] = "s3cret-token"
        host = f"127.0.0.1:{server.port}"
        (ok,) = TransferEngine(token="s3cret-token", token_host=host).run(
            _transfers(server, tmp_path / "a")
        )
        (other,) = TransferEngine(token="s3cret-token", token_host="mast.example:443").run(
            _transfers(server, tmp_path / "b")
        )
        (none,) = TransferEngine().run(_transfers(server, tmp_path / "c"))
        assert server.authorizations == ["token s3cret-token"]
    assert ok.status == "downloaded"
    for failed in (other, none):
        assert failed.status == "failed"
        assert "token" in failed.error
        assert "s3cret" not in failed.error


def test_local_copies_are_verified_and_resumed(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    body = _body("l", 3_000_000)
    (archive / "jw_l_cal.fits").write_bytes(body)
    dest = tmp_path / "dest" / "jw_l_cal.fits"
    dest.parent.mkdir()
    Path(f"{dest}.part").write_bytes(body[:1_000_000])
    transfer = Transfer(
        "mast:JWST/product/jw_l_cal.fits",
        dest,
        source_path=archive / "jw_l_cal.fits",
        size=len(body),
    )
    (result,) = TransferEngine().run([transfer])
    assert result.status == "copied"
    assert result.resumed_from == 1_000_000
    assert dest.read_bytes() == body
    wrong = Transfer(
        "u", tmp_path / "dest" / "w.fits", source_path=archive / "jw_l_cal.fits", size=5
    )
    (failed,) = TransferEngine().run([wrong])
    assert failed.status == "failed"
    assert "size mismatch" in failed.error
    assert not wrong.dest.exists()


def test_manifest_merges_runs(tmp_path):
    files = _files(2, 5000)
    with DownloadServer(files) as server:
        first = TransferEngine(digest="sha256").run(_transfers(server, tmp_path))
        write_manifest(tmp_path, first, job_id="a")
        second = TransferEngine().run(_transfers(server, tmp_path))
        write_manifest(tmp_path, second, job_id="b")
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert manifest["job_id"] == "b"
    entry = manifest["files"]["jw_00_cal.fits"]
    assert entry["status"] == "skipped"
    assert entry["sha256"] == hashlib.sha256(files["jw_00_cal.fits"]).hexdigest()
    assert entry["uri"] == "mast:JWST/product/jw_00_cal.fits"
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


def test_probe_reads_sizes_and_statuses(tmp_path):
    body = _body("h", 12345)
    with DownloadServer({"jw_h_cal.fits": body}) as server:
        server.files["jw_t_cal.fits"] = b"t"
        server.require_token["jw_t_cal.fits"] = "tok"
        engine = TransferEngine(parallel=3)
        found, missing, refused = engine.probe_all(
            [server.file_url(n) for n in ("jw_h_cal.fits", "jw_nope.fits", "jw_t_cal.fits")]
        )
    assert (found.status, found.size) == (200, 12345)
    assert missing.status == 404
    assert refused.status == 401
    (dead,) = TransferEngine(timeout=2).probe_all(["http://127.0.0.1:9/x"])
    assert dead.status is None
    assert dead.error
