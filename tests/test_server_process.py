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
from pathlib import Path

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

from .conftest import CRDS_FIXTURE, require_fixture
from .routes_walk import endpoints
from .server_process import TOKEN, ServerProcess, server_environment

PROBE_DIR = Path(__file__).parent / "server_probe"
NEVER_IMPORTED = ("jwst", "stpipe", "stdatamodels")
LAZY = ("astroquery", "crds")


@pytest.fixture
def server(tmp_path):
    env = server_environment(
        tmp_path,
        PYTHONPATH=os.pathsep.join([str(PROBE_DIR), os.environ.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        ),
        # A real cache, so the CRDS routes answer (a missing cache is a 503 by design).
        CRDS_PATH=str(shutil.copytree(require_fixture(CRDS_FIXTURE), tmp_path / "crds")),
        CRDS_CONTEXT="jwst_0541.pmap",
    )
    root = tmp_path / "root"
    root.mkdir()
    running = ServerProcess(
        tmp_path, root, extensions={"jwst_lab": True, "jwst_lab_probe": True}, env=env
    )
    yield running
    running.stop()


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
    base, env = server.url, server.env
    client = AsyncHTTPClient()
    probe = base + "/jwst-lab-probe/state"

    after_load = await _get_json(client, probe)
    assert [m for m in after_load["modules"] if m.split(".")[0] in NEVER_IMPORTED + LAZY] == []

    touched = await _touch_every_route(client, base)
    assert any(t.endswith("/jwst-lab/info") for t in touched)

    after_requests = await _get_json(client, probe)
    assert [m for m in after_requests["modules"] if m.split(".")[0] in NEVER_IMPORTED] == []
    assert after_requests["environ"] == env
