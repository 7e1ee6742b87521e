"""A loopback HTTP file server for download tests and benchmarks.

Speaks the part of MAST's protocol downloads use (``GET
/api/v0.1/Download/file?uri=mast:JWST/product/<name>``, plus ``/files/<name>``),
supports ``Range`` requests (``206`` + ``Content-Range``, ``416``), and can be
told to misbehave the ways real networks do:

* ``rate``: cap every connection at that many bytes per second;
* ``latency``: wait that many seconds before answering each request;
* ``cut_after[name] = n``: close the connection after ``n`` body bytes of the
  next response for ``name`` (once per entry);
* ``truncate[name] = n``: always stop sending ``name`` at byte ``n`` of the
  file (and close the connection), whatever the range asked for;
* ``fail[name] = k``: answer the next ``k`` requests for ``name`` with 503;
* ``require_token[name] = t``: answer 401 unless ``Authorization: token t``.

It records what a test needs to check: the peak number of requests in
flight at once, every ``Range`` header, body bytes sent per file, the
``Authorization`` headers seen. Run it in a thread (:class:`DownloadServer`)
or as its own process (``python -m tests.download_server DIR --rate ...``),
which prints ``PORT <n>`` once it listens.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

CHUNK = 256 * 1024


class DownloadServer:
    """The server and its knobs and records; a context manager running it in a thread."""

    def __init__(
        self,
        files: dict[str, bytes | Path] | None = None,
        *,
        rate: float | None = None,
        latency: float = 0.0,
        port: int = 0,
    ) -> None:
        self.files: dict[str, bytes | Path] = dict(files or {})
        self.rate = rate
        self.latency = latency
        self.cut_after: dict[str, int] = {}
        self.fail: dict[str, int] = {}
        self.truncate: dict[str, int] = {}
        self.require_token: dict[str, str] = {}
        self.lock = threading.Lock()
        self.active = 0
        self.peak_active = 0
        self.ranges: list[tuple[str, str]] = []
        self.requests: list[tuple[str, int]] = []
        self.bytes_sent: dict[str, int] = defaultdict(int)
        self.authorizations: list[str] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (what ``mast_url`` is set to)."""
        return f"http://127.0.0.1:{self.port}"

    def file_url(self, name: str) -> str:
        """The plain URL of one file."""
        return f"{self.url}/files/{name}"

    def size(self, name: str) -> int:
        """The size of a served file."""
        body = self.files[name]
        return len(body) if isinstance(body, bytes) else body.stat().st_size

    def reset_records(self) -> None:
        """Forget what was recorded so far."""
        with self.lock:
            self.peak_active = self.active
            self.ranges.clear()
            self.requests.clear()
            self.bytes_sent.clear()
            self.authorizations.clear()

    def start(self) -> DownloadServer:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def serve_forever(self) -> None:
        """Serve in this thread (the command-line mode)."""
        self._httpd.serve_forever()

    def __enter__(self) -> DownloadServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _name_of(path: str) -> str | None:
    parts = urlsplit(path)
    if parts.path.endswith("/Download/file"):
        uri = parse_qs(parts.query).get("uri", [""])[0]
        return unquote(uri).rsplit("/", 1)[-1] or None
    if parts.path.startswith("/files/"):
        return unquote(parts.path[len("/files/") :]) or None
    return None


def _make_handler(server: DownloadServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            del format, args

        def do_GET(self) -> None:
            with server.lock:
                server.active += 1
                server.peak_active = max(server.peak_active, server.active)
            try:
                self._answer()
            finally:
                with server.lock:
                    server.active -= 1

        def do_HEAD(self) -> None:
            if server.latency:
                time.sleep(server.latency)
            name = _name_of(self.path)
            auth = self.headers.get("Authorization", "")
            with server.lock:
                server.requests.append((f"HEAD {name or self.path}", 0))
                if auth:
                    server.authorizations.append(auth)
            status = 200
            if name is None or name not in server.files:
                status = 404
            elif name in server.require_token and auth != f"token {server.require_token[name]}":
                status = 401
            if status != 200:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(server.size(name)))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()

        def _plain(self, status: int, text: str, **headers: str) -> None:
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def _answer(self) -> None:
            if server.latency:
                time.sleep(server.latency)
            name = _name_of(self.path)
            auth = self.headers.get("Authorization", "")
            range_header = self.headers.get("Range")
            with server.lock:
                server.requests.append((name or self.path, 0))
                if auth:
                    server.authorizations.append(auth)
                if range_header:
                    server.ranges.append((name or self.path, range_header))
                failing = bool(name and server.fail.get(name, 0) > 0)
                if failing and name:
                    server.fail[name] -= 1
            if name is None or name not in server.files:
                self._plain(404, "no such file")
                return
            if failing:
                self._plain(503, "try again later", Retry_After="0")
                return
            wanted = server.require_token.get(name)
            if wanted is not None and auth != f"token {wanted}":
                self._plain(401, "exclusive-access data: a token is required")
                return
            total = server.size(name)
            start, end = 0, total - 1
            status = 200
            if range_header and range_header.startswith("bytes="):
                first, _, last = range_header[6:].partition("-")
                try:
                    start = int(first)
                    end = int(last) if last else total - 1
                except ValueError:
                    start, end = 0, total - 1
                if start >= total:
                    self._plain(416, "range not satisfiable", Content_Range=f"bytes */{total}")
                    return
                end = min(end, total - 1)
                status = 206
            length = end - start + 1
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(length))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header(
                "Content-Disposition", f"attachment; filename={name}"
            )  # astroquery reads it
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end}/{total}")
            self.end_headers()
            with server.lock:
                cut = server.cut_after.pop(name, None)
                stop_at = server.truncate.get(name)
            if stop_at is not None:
                limit = max(0, stop_at - start)
                cut = limit if cut is None else min(cut, limit)
            self._send_body(name, start, length, cut)

        def _send_body(self, name: str, start: int, length: int, cut: int | None) -> None:
            body = server.files[name]
            sent = 0
            began = time.monotonic()
            handle = None if isinstance(body, bytes) else body.open("rb")
            try:
                if handle is not None:
                    handle.seek(start)
                # Throttled answers go in small pieces (a twentieth of a second each).
                piece = CHUNK if not server.rate else max(16384, min(CHUNK, int(server.rate / 20)))
                while sent < length:
                    size = min(piece, length - sent)
                    if cut is not None:
                        size = min(size, cut - sent)
                        if size <= 0:
                            self.close_connection = True
                            with contextlib.suppress(OSError):
                                self.connection.shutdown(2)
                            return
                    if handle is not None:
                        block = handle.read(size)
                    else:
                        assert isinstance(body, bytes)
                        block = body[start + sent : start + sent + size]
                    try:
                        self.wfile.write(block)
                    except OSError:
                        self.close_connection = True
                        return
                    sent += len(block)
                    with server.lock:
                        server.bytes_sent[name] += len(block)
                    if server.rate:
                        ahead = began + sent / server.rate - time.monotonic()
                        if ahead > 0:
                            time.sleep(ahead)
            finally:
                if handle is not None:
                    handle.close()

    return Handler


def main(argv: list[str] | None = None) -> int:
    """Serve every file of a folder: ``python -m tests.download_server DIR [--rate B/s]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rate", type=float, default=None, help="bytes per second per connection")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    files: dict[str, bytes | Path] = {p.name: p for p in args.folder.iterdir() if p.is_file()}
    server = DownloadServer(files, rate=args.rate, latency=args.latency, port=args.port)
    print(f"PORT {server.port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
