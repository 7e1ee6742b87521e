"""A loopback CRDS JSON-RPC server serving the synthetic answers in ``tests/data/crds``.

The real ``crds`` client POSTs ``{"jsonrpc", "method", "params", "id"}`` to
``<server>/json/<method>/<id>/`` and expects ``{"result", "error", "id"}``.
``silent=True`` makes a server that accepts connections and never answers
(to test that requests are bounded in time).

It also serves the synthetic reference bodies in ``tests/data/crds/references``
at ``<server>/unchecked_get/references/jwst/<name>`` (the ``reference_url`` its
``get_server_info`` answer declares, rewritten to this server's port), so the
real client can download them and check the size and sha1 the answer gives.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "crds"
REFERENCES = DATA / "references"


def load_answers() -> dict[str, Any]:
    """``{method: result}`` from the synthetic files."""
    answers = {}
    for path in sorted(DATA.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        assert record["synthetic"] is True
        answers[record["method"]] = record["result"]
    return answers


class _Handler(BaseHTTPRequestHandler):
    server: _RpcServer

    def log_message(self, format: str, *args: Any) -> None:
        del format, args

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        method = str(request.get("method"))
        self.server.calls.append((method, request.get("params")))
        if self.server.silent:
            time.sleep(60)
            return
        if method in self.server.answers:
            result = self.server.answers[method]
            if method == "get_server_info":
                result = {
                    **result,
                    "mapping_url": {"jwst": f"{self.server.url}/unchecked_get/mappings/jwst/"},
                    "reference_url": {"jwst": f"{self.server.url}/unchecked_get/references/jwst/"},
                }
            body = {"result": result, "error": None, "id": request.get("id")}
        else:
            body = {
                "result": None,
                "error": {"message": f"synthetic server: no method {method}"},
                "id": request.get("id"),
            }
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        prefix = "/unchecked_get/references/jwst/"
        name = self.path[len(prefix) :] if self.path.startswith(prefix) else ""
        body_path = REFERENCES / name
        if not name or "/" in name or not body_path.is_file():
            self.send_error(404)
            return
        data = body_path.read_bytes()
        self.server.downloads.append(name)
        time.sleep(self.server.download_delay)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _RpcServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, silent: bool) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.silent = silent
        self.answers = load_answers()
        self.calls: list[tuple[str, Any]] = []
        self.downloads: list[str] = []
        #: Seconds each reference download waits before answering (to test cancel).
        self.download_delay = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def crds_rpc_server(*, silent: bool = False) -> Iterator[_RpcServer]:
    """Run the synthetic server on a free loopback port for the ``with`` block."""
    server = _RpcServer(silent)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
