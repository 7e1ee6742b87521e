"""A MAST replay server on 127.0.0.1 that speaks MAST's protocol, for the real astroquery client.

It answers:

- ``POST /api/v0/invoke`` with the Mashup request JSON in the ``request`` form
  field: ``Mast.Caom.Filtered``, ``Mast.Caom.Filtered.Position``,
  ``Mast.Caom.Cone`` (rows filtered by the request's Mashup filters and
  position, paged by ``page``/``pagesize``, ``COUNT_BIG(*)`` counts) and
  ``Mast.Caom.Products`` (by ``obsid``);
- ``POST /portal/Mashup/Mashup.asmx/columnsconfig`` (the real capture);
- ``GET /Santa-war/query`` (the name resolver, SANTA's JSON);
- ``GET /whoami`` (synthetic).

Rows come from the real captures in ``../shared/fixtures/mast/`` (HST, GALEX)
and the synthetic JWST answers in ``tests/data/mast/``. ``server.mode`` makes
it misbehave on purpose: ``"error"`` (a MAST ``status: ERROR`` answer),
``"http500"``, ``"slow"`` (answers after ``server.delay`` seconds), ``"garbage"``
(not JSON). Every request is recorded in ``server.requests``.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "mast"


def fixtures_dir() -> Path:
    """The shared fixtures (``JWST_LAB_FIXTURES``, default ``../shared/fixtures``)."""
    return Path(os.environ.get("JWST_LAB_FIXTURES", REPO.parent / "shared" / "fixtures"))


def _load(path: Path) -> Any:
    if not path.is_file():
        raise FileNotFoundError(
            f"MAST fixture {path} is missing (see ../shared/fixtures/README.md)"
        )
    return json.loads(path.read_text(encoding="utf-8"))


class ReplayData:
    """The recorded answers the server filters and pages."""

    def __init__(self) -> None:
        mast = fixtures_dir() / "mast"
        real_obs = _load(mast / "advSearch.json")
        jwst_obs = _load(DATA / "jwst_observations.json")
        self.observations: list[dict[str, Any]] = [*real_obs["data"], *jwst_obs["data"]]
        names: dict[str, str] = {}
        for field in [*real_obs["fields"], *jwst_obs["fields"]]:
            names.setdefault(field["name"], field["type"])
        self.obs_fields = [{"name": n, "type": t} for n, t in names.items()]
        real_products = _load(mast / "products.json")
        jwst_products = _load(DATA / "jwst_products.json")
        self.products: list[dict[str, Any]] = [*real_products["data"], *jwst_products["data"]]
        names = {}
        for field in [*real_products["fields"], *jwst_products["fields"]]:
            names.setdefault(field["name"], field["type"])
        self.product_fields = [{"name": n, "type": t} for n, t in names.items()]
        self.columnsconfig = (mast / "columnsconfig.json").read_text(encoding="utf-8")
        self.resolved = [
            *_load(mast / "resolver.json")["resolvedCoordinate"],
            *_load(DATA / "jwst_resolver.json")["resolvedCoordinate"],
        ]
        self.whoami = _load(DATA / "whoami.json")
        self.counts_template = _load(mast / "countsResp.json")


def _separation(ra1: float, dec1: float, ra2: float, dec2: float) -> float:
    p1, p2 = math.radians(dec1), math.radians(dec2)
    dl = math.radians(ra2 - ra1)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return math.degrees(2 * math.asin(min(1.0, math.sqrt(a))))


def _like(pattern: str, value: str) -> bool:
    regex = "^" + ".*".join(re.escape(part) for part in pattern.lower().split("%")) + "$"
    return re.match(regex, value.lower()) is not None


def mashup_match(row: dict[str, Any], flt: dict[str, Any]) -> bool:
    """One Mashup filter (``{"paramName", "values", "freeText", "separator"}``) on a row."""
    value = row.get(flt["paramName"])
    values = flt.get("values") or []
    if values and isinstance(values[0], dict):  # continuous: [{"min", "max"}]
        try:
            number = float(value)
        except (TypeError, ValueError):
            return False
        return any(float(v["min"]) <= number <= float(v["max"]) for v in values)
    text = "" if value is None else str(value)
    separator = flt.get("separator")
    tokens = [t.strip().lower() for t in text.split(separator)] if separator else [text.lower()]
    if any(str(v).lower() in tokens for v in values):
        return True
    free = flt.get("freeText")
    return bool(free) and _like(free, text)


class ReplayServer(ThreadingHTTPServer):
    """The server; ``url`` is its base, ``resolver_url`` the SANTA endpoint."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.data = ReplayData()
        self.mode = "ok"
        self.delay = 0.0
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL (what ``mast_url`` should be)."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def resolver_url(self) -> str:
        """The name resolver's URL (what ``mast_resolver_url`` should be)."""
        return self.url + "/Santa-war/query"

    def start(self) -> ReplayServer:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.shutdown()
        self.server_close()

    def services(self) -> list[str]:
        """The Mashup services asked for, in order."""
        with self.lock:
            return [r["service"] for r in self.requests if r.get("service")]

    # --- answers ---------------------------------------------------------------------

    def invoke(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer one Mashup request."""
        service = request.get("service")
        params = request.get("params") or {}
        if service == "Mast.Caom.Products":
            wanted = {s.strip() for s in str(params.get("obsid", "")).split(",") if s.strip()}
            rows = [r for r in self.data.products if str(r.get("obsID")) in wanted]
            return self._page(rows, self.data.product_fields, request)
        if service in ("Mast.Caom.Filtered", "Mast.Caom.Filtered.Position", "Mast.Caom.Cone"):
            rows = self.data.observations
            if service == "Mast.Caom.Cone":
                position = (params["ra"], params["dec"], params.get("radius", 0.2))
            else:
                position = None
                if params.get("position"):
                    position = tuple(float(p) for p in str(params["position"]).split(","))
                for flt in params.get("filters") or []:
                    rows = [r for r in rows if mashup_match(r, flt)]
            if position is not None:
                ra, dec, radius = (float(p) for p in position)
                rows = [
                    r
                    for r in rows
                    if r.get("s_ra") is not None
                    and _separation(ra, dec, float(r["s_ra"]), float(r["s_dec"])) <= radius
                ]
            if params.get("columns") == "COUNT_BIG(*)":
                answer = json.loads(json.dumps(self.data.counts_template))
                answer["data"] = [{"Column1": len(rows)}]
                return answer
            return self._page(rows, self.data.obs_fields, request)
        return {"status": "ERROR", "msg": f"replay server: unknown service {service!r}", "data": []}

    @staticmethod
    def _page(
        rows: list[dict[str, Any]], fields: list[dict[str, str]], request: dict[str, Any]
    ) -> dict[str, Any]:
        size = int(request.get("pagesize") or 50000)
        page = int(request.get("page") or 1)
        chunk = rows[(page - 1) * size : page * size]
        pages = max(1, math.ceil(len(rows) / size))
        return {
            "status": "COMPLETE",
            "msg": "",
            "data": chunk,
            "fields": fields,
            "paging": {
                "page": page,
                "pageSize": size,
                "pagesFiltered": pages,
                "rows": len(chunk),
                "rowsFiltered": len(rows),
                "rowsTotal": len(rows),
            },
        }

    def resolve(self, name: str) -> dict[str, Any]:
        """SANTA's answer for ``name``."""
        key = name.strip().lower()
        found = [r for r in self.data.resolved if r.get("searchString") == key]
        return {"resolvedCoordinate": found, "status": ""}


class _Handler(BaseHTTPRequestHandler):
    server: ReplayServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: str | bytes, content_type: str = "application/json") -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _misbehave(self) -> bool:
        mode = self.server.mode
        if mode == "slow":
            time.sleep(self.server.delay)
            return False
        if mode == "http500":
            self._send(500, '{"error": "Internal Server Error (replay)"}')
            return True
        if mode == "garbage":
            self._send(200, "<html>maintenance</html>", "text/html")
            return True
        return False

    def _record(self, **entry: Any) -> None:
        entry["cookie"] = self.headers.get("Cookie")
        with self.server.lock:
            self.server.requests.append(entry)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8")
        form = parse_qs(body)
        path = urlparse(self.path).path
        if path.endswith("/portal/Mashup/Mashup.asmx/columnsconfig"):
            self._record(path=path, colConfigId=form.get("colConfigId", [""])[0])
            if self._misbehave():
                return
            self._send(200, self.server.data.columnsconfig)
            return
        if path.endswith("/api/v0/invoke"):
            try:
                request = json.loads(form["request"][0])
            except (KeyError, json.JSONDecodeError):
                self._send(400, '{"status": "ERROR", "msg": "no request form field"}')
                return
            self._record(path=path, service=request.get("service"), request=request)
            if self._misbehave():
                return
            if self.server.mode == "error":
                answer = {"status": "ERROR", "msg": "Mashup error (replay): service unavailable"}
                self._send(200, json.dumps(answer))
                return
            self._send(200, json.dumps(self.server.invoke(request)))
            return
        self._send(404, '{"error": "not found"}')

    def do_GET(self) -> None:
        parsed = urlparse(self.path)
        query = parse_qs(parsed.query)
        if parsed.path.endswith("/Santa-war/query"):
            self._record(path=parsed.path, name=query.get("name", [""])[0])
            if self._misbehave():
                return
            self._send(200, json.dumps(self.server.resolve(query.get("name", [""])[0])))
            return
        if parsed.path.endswith("/whoami"):
            self._record(path=parsed.path)
            self._send(200, json.dumps(self.server.data.whoami))
            return
        self._send(404, '{"error": "not found"}')
