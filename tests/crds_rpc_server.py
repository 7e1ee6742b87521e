"""A loopback CRDS JSON-RPC + file server serving the synthetic answers in ``tests/data/crds``.

The real ``crds`` client POSTs ``{"jsonrpc", "method", "params", "id"}`` to
``<server>/json/<method>/<id>/`` and expects ``{"result", "error", "id"}``.
``silent=True`` makes a server that accepts connections and never answers
(to test that requests are bounded in time).

It also serves reference bodies at ``<server>/unchecked_get/references/jwst/<name>``
(the ``reference_url`` its ``get_server_info`` answer declares, rewritten to
this server's port): the synthetic ones in ``tests/data/crds/references`` and
any a test adds (:meth:`_RpcServer.add_reference`). ``get_file_info_map`` /
``get_file_info`` and ``get_server_info``'s ``download_metadata`` give their
real size and sha1, computed from the bodies, so the real client (and
jwst-lab's parallel fetch) can check them.

``synthesize_size`` makes it serve a made-up body (with its real sha1) for
any JWST reference name asked for, so a fetch of what real rules select
(the fixture cache's rmaps in local mode) has something to download.

To model a real link and prove behaviour without timing, the file side can
throttle each connection (``throttle_bps``), serve a body that does not match
its declared sha1 (``corrupt``), hold the first file requests until
``hold_until`` are in flight together, and records the largest number of file
requests in flight at once (``max_in_flight``) and the connections that
carried file requests (``file_connections``), so a test can see parallelism
and connection reuse.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "crds"
REFERENCES = DATA / "references"
FILE_PREFIX = "/unchecked_get/references/jwst/"
#: Reference names the server can make a body up for (``synthesize_size``).
SYNTHESIZED = re.compile(r"jwst_[a-z0-9]+_[a-z0-9]+_\d{4}\.(fits|asdf)")


def load_answers() -> dict[str, Any]:
    """``{method: result}`` from the synthetic files."""
    answers = {}
    for path in sorted(DATA.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        assert record["synthetic"] is True
        answers[record["method"]] = record["result"]
    return answers


def synthetic_body(name: str, size: int) -> bytes:
    """``size`` deterministic bytes standing for reference ``name`` (not a real FITS file)."""
    seed = hashlib.sha256(name.encode()).digest()
    block = b"".join(hashlib.sha256(seed + bytes([i])).digest() for i in range(256))
    return (block * (size // len(block) + 1))[:size]


class _Handler(BaseHTTPRequestHandler):
    server: _RpcServer
    # Keep-alive, as a real CRDS server (file requests may share a connection).
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        del format, args

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        method = str(request.get("method"))
        params = request.get("params")
        self.server.calls.append((method, params))
        if self.server.silent:
            time.sleep(60)
            self.close_connection = True
            return
        try:
            result = self.server.answer(method, params)
            body = {"result": result, "error": None, "id": request.get("id")}
        except KeyError:
            body = {
                "result": None,
                "error": {"message": f"synthetic server: no method {method}"},
                "id": request.get("id"),
            }
        self._send(200, json.dumps(body).encode(), "application/json")

    def do_GET(self) -> None:
        name = self.path[len(FILE_PREFIX) :] if self.path.startswith(FILE_PREFIX) else ""
        data = self.server.body(name) if name and "/" not in name else None
        if data is None:
            self._send(404, b"not found", "text/plain")
            return
        if name in self.server.corrupt:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        server = self.server
        with server.lock:
            server.downloads.append(name)
            server.file_connections.add(self.client_address)
            server.in_flight += 1
            server.max_in_flight = max(server.max_in_flight, server.in_flight)
            server.changed.notify_all()
            # Parallelism shown without timing: the first requests wait until
            # ``hold_until`` are in flight together (a serial client never gets there).
            server.changed.wait_for(
                lambda: server.max_in_flight >= server.hold_until, timeout=server.hold_timeout
            )
        try:
            time.sleep(server.download_delay)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self._write_throttled(data)
        finally:
            with server.lock:
                server.in_flight -= 1
        with server.lock:
            server.completed.append(name)

    def _write_throttled(self, data: bytes) -> None:
        rate = self.server.throttle_bps
        if not rate:
            self.wfile.write(data)
            return
        started = time.monotonic()
        step = max(256, min(64 * 1024, rate // 16))
        for offset in range(0, len(data), step):
            ahead = started + offset / rate - time.monotonic()
            if ahead > 0:  # byte ``offset`` may leave no sooner than ``offset / rate`` s in
                time.sleep(ahead)
            self.wfile.write(data[offset : offset + step])


class _RpcServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, silent: bool) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.silent = silent
        self.answers = load_answers()
        self.calls: list[tuple[str, Any]] = []
        #: Reference names whose file request started / was answered in full.
        self.downloads: list[str] = []
        self.completed: list[str] = []
        #: Seconds each reference download waits before answering (to test cancel).
        self.download_delay = 0.0
        #: Bytes per second each connection's file answer is limited to (0: no limit).
        self.throttle_bps = 0
        #: Names served with their first byte flipped (their file info stays the true one).
        self.corrupt: set[str] = set()
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        #: File requests wait (at most ``hold_timeout`` s) until this many were in flight at once.
        self.hold_until = 0
        self.hold_timeout = 30.0
        #: Size of the body made up for any other JWST reference name asked for (0: a 404).
        self.synthesize_size = 0
        self.in_flight = 0
        self.max_in_flight = 0
        #: Client (host, port) of every connection that carried a file request.
        self.file_connections: set[tuple[str, int]] = set()
        self._bodies: dict[str, bytes] = {
            path.name: path.read_bytes() for path in sorted(REFERENCES.iterdir())
        }
        self._info: dict[str, dict[str, Any]] = {}
        for name, data in self._bodies.items():
            self._info[name] = _file_info(data)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def add_reference(self, name: str, data: bytes) -> None:
        """Serve ``data`` as reference ``name`` (its file info gives its real size and sha1)."""
        with self.lock:
            self._bodies[name] = data
            self._info[name] = _file_info(data)

    def _known(self, name: str) -> bool:
        if name not in self._bodies and self.synthesize_size and SYNTHESIZED.fullmatch(name):
            data = synthetic_body(name, self.synthesize_size)
            self._bodies[name] = data
            self._info[name] = _file_info(data)
        return name in self._bodies

    def body(self, name: str) -> bytes | None:
        """The body served for ``name``, or None (a 404)."""
        with self.lock:
            return self._bodies[name] if self._known(name) else None

    def file_info(self, name: str) -> dict[str, Any] | str:
        """CRDS's file info of ``name``, or ``"NOT FOUND"`` as the real server says."""
        with self.lock:
            return dict(self._info[name]) if self._known(name) else "NOT FOUND"

    def answer(self, method: str, params: Any) -> Any:
        """The JSON-RPC ``result`` of ``method``; KeyError for a method it does not serve."""
        if method == "get_file_info_map":
            _observatory, files, fields = [*list(params), None, None, None][:3]
            with self.lock:
                names = list(files) if files is not None else sorted(self._info)
            infos: dict[str, Any] = {}
            for name in names:
                info = self.file_info(name)
                if isinstance(info, dict) and fields:
                    info = {k: v for k, v in info.items() if k in fields}
                infos[name] = info
            return infos
        if method == "get_file_info":
            return self.file_info(str(params[1]))
        result = self.answers[method]
        if method == "get_server_info":
            with self.lock:
                metadata = {
                    name: {"size": int(info["size"]), "sha1sum": info["sha1sum"]}
                    for name, info in self._info.items()
                }
            result = {
                **result,
                "mapping_url": {"jwst": f"{self.url}/unchecked_get/mappings/jwst/"},
                "reference_url": {"jwst": f"{self.url}{FILE_PREFIX}"},
                "download_metadata": {**result["download_metadata"], **metadata},
            }
        return result


def _file_info(data: bytes) -> dict[str, Any]:
    return {
        "size": str(len(data)),
        "sha1sum": hashlib.sha1(data).hexdigest(),  # noqa: S324 - CRDS's checksum
        "rejected": "false",
        "blacklisted": "false",
        "state": "archived",
    }


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
