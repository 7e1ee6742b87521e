"""Loopback S3 for cloud tests and benchmarks: moto's server, a throttling proxy, a MAST stand-in.

* :func:`moto_s3`: moto's real S3 server (``ThreadedMotoServer``) on 127.0.0.1, a free port;
* :class:`ThrottlingProxy`: a TCP proxy in front of it that caps every
  connection at ``rate`` bytes/s (the per-connection limit of real S3) and
  counts the bytes the server sent back (what a read cost);
* :class:`LookupMast`: MAST's ``path_lookup`` service (dataURI → bucket path)
  and its ``Download/file`` endpoint (with ``Range``) for the HTTPS fallback.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BUCKET = "stpubdata"


def bucket_path(uri: str) -> str:
    """The path this stand-in MAST gives a JWST dataURI (``/jwst/public/<program>/<file>``)."""
    name = uri.rsplit("/", 1)[-1]
    return f"/jwst/public/{name[:7]}/{name}"


@contextlib.contextmanager
def moto_s3() -> Iterator[str]:
    """moto's S3 server on loopback; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def s3_admin(endpoint: str) -> Any:
    """A signed client (moto accepts any key) to create the bucket and its objects."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def make_public_bucket(endpoint: str) -> None:
    """The bucket, readable and listable by anyone (as MAST's is: a missing key is a 404)."""
    s3_admin(endpoint).create_bucket(Bucket=BUCKET, ACL="public-read")


class ThrottlingProxy:
    """A TCP proxy to ``upstream`` capping each connection's downstream at ``rate`` bytes/s."""

    def __init__(self, upstream: str, rate: float | None = None) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.rate = rate
        self.bytes_down = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> ThrottlingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, down: bool) -> None:
        started = time.monotonic()
        sent = 0
        try:
            while True:
                block = source.recv(64 * 1024)
                if not block:
                    break
                if down and self.rate:
                    sent += len(block)
                    ahead = sent / self.rate - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)
                if down:  # counted before it is sent: a reader never sees more than counted
                    with self._lock:
                        self.bytes_down += len(block)
                sink.sendall(block)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    end.close()


class LookupMast:
    """MAST's path lookup and file download for ``files`` (name → bytes), in a thread."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.served: dict[str, int] = {}
        self.lookups = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                if parts.path.rstrip("/") == "/api/v0.1/path_lookup":
                    owner.lookups += 1
                    answer = {uri: {"path": bucket_path(uri)} for uri in query.get("uri", [])}
                    self._send(200, json.dumps(answer).encode(), "application/json")
                    return
                if parts.path == "/api/v0.1/Download/file":
                    name = query.get("uri", [""])[0].rsplit("/", 1)[-1]
                    data = owner.files.get(name)
                    if data is None:
                        self._send(404, b"not found", "text/plain")
                        return
                    start = 0
                    ranged = self.headers.get("Range", "")
                    if ranged.startswith("bytes="):
                        start = int(ranged[6:].split("-")[0])
                    body = data[start:]
                    self.send_response(206 if start else 200)
                    if start:
                        self.send_header(
                            "Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}"
                        )
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    owner.served[name] = owner.served.get(name, 0) + len(body)
                    return
                self._send(404, b"no such endpoint", "text/plain")

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """What ``mast_url`` is set to."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> LookupMast:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
