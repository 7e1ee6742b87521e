"""A real ``jupyter server`` subprocess on loopback, for the benchmarks.

Token-authenticated JSON requests and an ``/jwst-lab/events`` websocket
client; the server's own environment, configuration folder and job database
are private to the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.server_process import free_port, server_argv

TOKEN = "bench-token"  # noqa: S105 - a throwaway token for a loopback server


class LabServer:
    """One ``jupyter server`` process; stop it with :meth:`stop` (or use ``with``)."""

    def __init__(
        self,
        root: Path,
        state: Path,
        *,
        extension: bool = True,
        options: Iterable[str] = (),
        env: dict[str, str] | None = None,
        log: Path | None = None,
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        state.mkdir(parents=True, exist_ok=True)
        argv = server_argv(self.port, root, TOKEN, {"jwst_lab": extension}, options)
        if extension:
            argv.append(f"--JwstLabApp.db_url=sqlite:///{state / 'jobs.sqlite'}")
        environment = {**(env if env is not None else os.environ)}
        environment["JUPYTER_CONFIG_DIR"] = str(state / "config")
        output = log.open("ab") if log else subprocess.DEVNULL
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            argv, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
        self.startup_seconds = self._wait_up()

    def _wait_up(self, timeout: float = 90) -> float:
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            try:
                self.request("GET", "/api/status")
                return time.perf_counter() - self.started
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"jupyter server did not start within {timeout} s")

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """``method path`` with the token; the decoded JSON answer (None when empty)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - loopback
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            payload = response.read()
        return json.loads(payload) if payload else None

    def websocket_request(self) -> Any:
        """A tornado ``HTTPRequest`` for the events websocket, with the token."""
        from tornado.httpclient import HTTPRequest

        return HTTPRequest(
            f"ws://127.0.0.1:{self.port}/jwst-lab/events",
            headers={"Authorization": f"token {TOKEN}"},
        )

    def wait_job(self, job_id: str, timeout: float = 600) -> dict[str, Any]:
        """Poll ``GET /jobs/{id}`` until the job ends; its record."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job: dict[str, Any] = self.request("GET", f"/jwst-lab/jobs/{job_id}")
            if job["status"] not in ("queued", "running"):
                return job
            time.sleep(0.1)
        raise RuntimeError(f"job {job_id} did not end within {timeout} s")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> LabServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_warm(state: Path, timeout: float = 120) -> None:
    """Until the server's warm runner says it is ready."""
    log = state / "warm_runner.log"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.is_file() and " ready: " in log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise RuntimeError("the warm runner did not become ready")


def build_demo(workspace: Path, *options: str) -> Path:
    """Build a demo workspace with ``jwst-lab demo --no-launch`` and ``options``; its path."""
    subprocess.run(
        [
            str(Path(sys.executable).parent / "jwst-lab"),
            "demo",
            "--no-launch",
            "--workspace",
            str(workspace),
            *options,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return workspace
