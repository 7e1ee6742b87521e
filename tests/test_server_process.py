"""The real server process: jwst never imported, os.environ never changed.

Starts ``jupyter server`` in a subprocess with jwst-lab and a probe extension,
requests every route jwst-lab serves (the websocket too), and asks the probe
what the process has imported and what its environment is.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

from .conftest import CRDS_FIXTURE, require_fixture
from .routes_walk import endpoints

PROBE_DIR = Path(__file__).parent / "server_probe"
NEVER_IMPORTED = ("jwst", "stpipe", "stdatamodels")
LAZY = ("astroquery", "crds")
TOKEN = "probe-token-0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JUPYTER_", "JPY_", "CRDS_"))
    }
    env.update(
        PYTHONPATH=os.pathsep.join([str(PROBE_DIR), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        # A real cache, so the CRDS routes answer (a missing cache is a 503 by design).
        CRDS_PATH=str(shutil.copytree(require_fixture(CRDS_FIXTURE), tmp_path / "crds")),
        CRDS_CONTEXT="jwst_0541.pmap",
    )
    root = tmp_path / "root"
    root.mkdir()
    argv = [
        sys.executable,
        "-m",
        "jupyter_server",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={TOKEN}",
        "--ServerApp.open_browser=False",
        "--ServerApp.allow_root=True",
        '--ServerApp.jpserver_extensions={"jwst_lab": True, "jwst_lab_probe": True}',
    ]
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited: {(tmp_path / 'server.log').read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("server did not start within 60 s")
    yield base, env
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


async def _get_json(client: AsyncHTTPClient, url: str) -> dict:
    response = await client.fetch(url, headers={"Authorization": f"token {TOKEN}"})
    return json.loads(response.body)


async def _touch_every_route(client: AsyncHTTPClient, base: str) -> list[str]:
    touched = []
    headers = {"Authorization": f"token {TOKEN}"}
    for endpoint in endpoints():
        if endpoint.is_websocket:
            ws_url = base.replace("http", "ws", 1) + endpoint.url
            connection = await websocket_connect(HTTPRequest(ws_url, headers=headers))
            await asyncio.wait_for(connection.read_message(), timeout=10)
            connection.close()
        else:
            body = "{}" if endpoint.method in ("POST", "PUT", "PATCH") else None
            # The first GET /pipelines computes the catalog in a jwst subprocess (~10-30 s).
            request = HTTPRequest(
                base + endpoint.url,
                method=endpoint.method,
                headers=headers,
                body=body,
                request_timeout=180,
            )
            response = await client.fetch(request, raise_error=False)
            assert response.code < 500, f"{endpoint.method} {endpoint.url} -> {response.code}"
        touched.append(f"{endpoint.method} {endpoint.url}")
    return touched


async def test_server_never_imports_jwst_nor_changes_its_environment(server):
    base, env = server
    client = AsyncHTTPClient()
    probe = base + "/jwst-lab-probe/state"

    after_load = await _get_json(client, probe)
    assert [m for m in after_load["modules"] if m.split(".")[0] in NEVER_IMPORTED + LAZY] == []

    touched = await _touch_every_route(client, base)
    assert any(t.endswith("/jwst-lab/info") for t in touched)

    after_requests = await _get_json(client, probe)
    assert [m for m in after_requests["modules"] if m.split(".")[0] in NEVER_IMPORTED] == []
    assert after_requests["environ"] == env
