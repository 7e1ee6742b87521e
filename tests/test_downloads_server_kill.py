"""``kill -9`` of a real server (and of its download process) mid-download: it resumes.

A real ``jupyter server`` subprocess (started with the helpers of
``test_jobs_server_kill``) downloads three files from the loopback server; the
server is killed with SIGKILL, then the download process too. The restarted
server queues the interrupted download again by itself; the new download
process resumes the partial files with range requests, and the files end up
byte-identical with less than 1.1x their size sent in all.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time

from .download_server import DownloadServer
from .downloads_helpers import served_files, wait_gone
from .test_jobs_server_kill import start_server


async def test_a_download_resumes_after_kill_9_of_server_and_runner(tmp_path, crds_cache):
    root = tmp_path / "root"
    root.mkdir()
    files = served_files(3, 6_000_000)
    with DownloadServer(files, rate=2_000_000) as source:
        config = tmp_path / "config"
        config.mkdir()
        (config / "jupyter_server_config.json").write_text(
            json.dumps(
                {
                    "JwstLabApp": {
                        "mast_url": source.url,
                        "archive_backend": "mast",
                        "max_parallel_downloads": 3,
                    }
                }
            )
        )
        server = start_server(tmp_path, root, crds_cache)
        try:
            job = await server.request(
                "POST",
                "/downloads",
                {"products": [f"mast:JWST/product/{name}" for name in files], "dest": "dl"},
            )
            assert job["kind"] == "download"
            deadline = time.monotonic() + 60
            while sum(source.bytes_sent.values()) < 5_000_000:
                assert time.monotonic() < deadline, "the download did not start"
                await asyncio.sleep(0.05)
        finally:
            server.kill_9()
        # The job folder's place under the data dir is the manager's business: find it.
        (job_dir,) = [p for p in (tmp_path / "data").rglob(job["id"]) if p.parent.name == "jobs"]
        runner_pid = json.loads((job_dir / "runner.pid").read_text())["pid"]
        os.killpg(runner_pid, signal.SIGKILL)
        await wait_gone(runner_pid)
        partial = sorted(p.stat().st_size for p in (root / "dl").rglob("*.part"))
        assert partial
        assert any(partial)
        assert not list((root / "dl").rglob("*.fits"))

        server = start_server(tmp_path, root, crds_cache)
        try:
            done = await server.wait_job(
                job["id"], {"succeeded", "failed", "interrupted"}, timeout=90
            )
            log = await server.request("GET", f"/jobs/{job['id']}/log")
        finally:
            server.stop()
        ranges = list(source.ranges)
        sent = dict(source.bytes_sent)
    assert done["status"] == "succeeded", done["error"]
    assert done["download"]["resumes"] == 1
    assert ranges, "the resumed download sent no Range request"
    assert "resumed at byte" in log["text"]
    for name, data in files.items():
        (path,) = (root / "dl").rglob(name)
        assert path.read_bytes() == data
        assert sent[name] < 1.1 * len(data), (name, sent[name])
    assert not list((root / "dl").rglob("*.part"))
