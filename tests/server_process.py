"""A real ``jupyter server`` subprocess with jwst-lab, for tests that need a whole process.

Used where the in-process test server cannot stand in: what the process
imports and its environment, and ``kill -9`` of the server mid-job. The
benchmarks' server (``benchmarks/lab_server.py``) starts from the same
:func:`server_argv` and :func:`free_port`.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPRequest

TOKEN = "server-process-token-0123456789"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(folder: Path, **extra: str) -> dict[str, str]:
    """This environment without Jupyter/CRDS settings, with Jupyter's folders under ``folder``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JUPYTER_", "JPY_", "CRDS_"))
    }
    env.update(
        JUPYTER_CONFIG_DIR=str(folder / "config"),
        JUPYTER_DATA_DIR=str(folder / "data"),
        JUPYTER_RUNTIME_DIR=str(folder / "runtime"),
        **extra,
    )
    return env


def server_argv(
    port: int,
    root: Path,
    token: str,
    extensions: Mapping[str, bool],
    options: Iterable[str] = (),
) -> list[str]:
    """The argument list of a ``jupyter server`` on 127.0.0.1:``port`` serving ``root``."""
    return [
        sys.executable,
        "-m",
        "jupyter_server",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        "--ServerApp.open_browser=False",
        "--ServerApp.allow_root=True",
        # A Python literal: traitlets reads dict options with ast.literal_eval.
        f"--ServerApp.jpserver_extensions={dict(extensions)!r}",
        *options,
    ]


class ServerProcess:
    """A ``jupyter server`` started on a free loopback port; stopped with :meth:`stop`."""

    def __init__(
        self,
        folder: Path,
        root: Path,
        *,
        extensions: Mapping[str, bool] | None = None,
        options: Iterable[str] = (),
        env: Mapping[str, str] | None = None,
        timeout: float = 60,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(env) if env is not None else server_environment(folder)
        self.log_path = folder / "server.log"
        argv = server_argv(self.port, root, TOKEN, extensions or {"jwst_lab": True}, options)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                argv, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_listening(timeout)

    def _wait_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited: {self.log_path.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.process.kill()
        pytest.fail(f"server did not start within {timeout:.0f} s")

    def kill_9(self) -> None:
        """SIGKILL the server (what a crash or an OOM kill does) and reap it."""
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        """Terminate the server, killing it when it does not stop within 15 s."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    async def request(self, method: str, path: str, body: object = None) -> Any:
        """A jwst-lab route (``path`` after ``/jwst-lab``) with the token; its JSON answer."""
        request = HTTPRequest(
            f"{self.url}/jwst-lab{path}",
            method=method,
            headers={"Authorization": f"token {TOKEN}"},
            body=None if body is None else json.dumps(body),
        )
        response = await AsyncHTTPClient().fetch(request)
        return json.loads(response.body)

    async def wait_job(self, job_id: str, statuses: set[str], timeout: float = 90) -> Any:
        """The job once its status is one of ``statuses``."""
        deadline = time.monotonic() + timeout
        while True:
            job = await self.request("GET", f"/jobs/{job_id}")
            if job["status"] in statuses:
                return job
            assert time.monotonic() < deadline, f"{job_id} still {job['status']}"
            await asyncio.sleep(0.1)
