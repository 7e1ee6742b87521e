"""MAST search routes through a real Jupyter server, with the REAL astroquery client.

astroquery talks HTTP to ``tests/mast_replay.py`` (MAST's protocol on
127.0.0.1, answering from the real captures in ``../shared/fixtures/mast/``
and the synthetic JWST ones in ``tests/data/mast/``); nothing in astroquery is
replaced. Every bad input, the 404 of an unknown target, the 502s of a MAST
that errs, fails or hangs (in bounded time), token secrecy, pagination and the
JSON of masked/NaN values are checked.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Iterator
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jwst_lab.core.token import TOKEN_STORE

from .mast_replay import ReplayServer

SECRET = "0123456789abcdef0123456789abcdef"
TIMEOUT = 3.0


@pytest.fixture(scope="module")
def replay() -> Iterator[ReplayServer]:
    server = ReplayServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _reset(replay: ReplayServer) -> Iterator[None]:
    replay.mode = "ok"
    replay.delay = 0.0
    with replay.lock:
        replay.requests.clear()
    TOKEN_STORE.clear()
    yield
    replay.mode = "ok"
    TOKEN_STORE.clear()


@pytest.fixture
def jwst_lab_config(replay: ReplayServer, tmp_path) -> dict[str, Any]:
    return {
        "crds_context": "jwst_0541.pmap",
        "crds_path": "/nonexistent/crds_cache",
        "archive_backend": "mast",
        "mast_url": replay.url,
        "mast_resolver_url": replay.resolver_url,
        "mast_timeout": TIMEOUT,
        "local_archive_index": str(tmp_path / "no_index.sqlite"),
    }


async def _get(jp_fetch, *parts: str, method: str = "GET", body: Any = None, **params: Any):
    payload = None if body is None else (body if isinstance(body, str) else json.dumps(body))
    try:
        response = await jp_fetch(
            "jwst-lab", *parts, method=method, body=payload, params=params or None
        )
    except HTTPClientError as error:
        raw = error.response.body if error.response is not None else b""
        return error.code, json.loads(raw or b"null"), raw.decode()
    raw = response.body.decode() if response.body else ""
    return response.code, (json.loads(raw) if raw else None), raw


def _strict(raw: str) -> Any:
    """Parse JSON the way a browser does: NaN/Infinity are errors."""

    def reject(token: str) -> Any:
        raise ValueError(f"invalid JSON constant {token}")

    return json.loads(raw, parse_constant=reject)


async def test_search_by_target_resolves_and_cones_with_the_real_astroquery(jp_fetch, replay):
    code, body, raw = await _get(
        jp_fetch, "mast", "observations", target="NGC 628", instrument="MIRI"
    )
    assert code == 200, body
    _strict(raw)
    assert body["source"] == "mast"
    assert body["total"] == len(body["rows"]) > 0
    for row in body["rows"]:
        assert row["obs_collection"] == "JWST"
        assert row["instrument_name"].startswith("MIRI/")
        assert row["target_name"] == "NGC-628"
        assert row["srcDen"] is None  # NaN in MAST's answer
        assert isinstance(row["obsid"], str)
    names = {c["name"]: c["type"] for c in body["columns"]}
    assert names["s_ra"] == "float"
    assert names["calib_level"] == "int"
    compile(body["python"], "<python snippet>", "exec")
    assert "objectname='NGC 628'" in body["python"]
    assert "instrument_name='MIRI*'" in body["python"]
    services = replay.services()
    assert "Mast.Caom.Filtered.Position" in services
    resolver = [r for r in replay.requests if r["path"].endswith("/Santa-war/query")]
    assert resolver
    assert resolver[0]["name"] == "NGC 628"
    position = next(r for r in replay.requests if r.get("service") == "Mast.Caom.Filtered.Position")
    ra, dec, radius = (float(x) for x in position["request"]["params"]["position"].split(","))
    assert math.isclose(ra, 24.1739458)
    assert math.isclose(dec, 15.7836619)
    assert math.isclose(radius, 0.2)
    # The answer names the cone searched, for the footprint view to draw.
    assert body["cone"] == {"ra": ra, "dec": dec, "radius": 0.2}
    code, body, _ = await _get(jp_fetch, "mast", "observations", instrument="MIRI")
    assert (code, body["cone"]) == (200, None)


async def test_criteria_pagination_reports_the_full_total(jp_fetch, replay):
    pages = []
    for page in (1, 2, 3, 4):
        code, body, _ = await _get(
            jp_fetch, "mast", "observations", instrument="NIRCAM", page=str(page), page_size="25"
        )
        assert code == 200
        pages.append(body)
    total = pages[0]["total"]
    assert total == 60  # 60 of the 240 synthetic JWST rows are NIRCAM
    assert [len(p["rows"]) for p in pages] == [25, 25, 10, 0]
    ids = [r["obs_id"] for p in pages for r in p["rows"]]
    assert len(set(ids)) == total
    invoked = [r["request"] for r in replay.requests if r.get("service") == "Mast.Caom.Filtered"]
    assert {r["page"] for r in invoked} == {1, 2, 3, 4}
    assert {r["pagesize"] for r in invoked} == {25}


async def test_filters_match_any_token_and_levels_dates_rights(jp_fetch):
    code, body, _ = await _get(jp_fetch, "mast", "observations", filters="F150W")
    assert code == 200
    assert body["total"] > 0
    assert all("F150W" in r["filters"].split(";") for r in body["rows"])
    code, body, _ = await _get(
        jp_fetch,
        "mast",
        "observations",
        instrument="MIRI/IMAGE",
        calib_level="3",
        data_rights="PUBLIC",
        t_min="2022-08-01",
        t_max="2022-12-31",
    )
    assert code == 200
    assert body["total"] > 0
    for row in body["rows"]:
        assert row["instrument_name"] == "MIRI/IMAGE"
        assert row["calib_level"] == 3
        assert row["dataRights"] == "PUBLIC"
        assert row["t_max"] >= 59792.0  # 2022-08-01
        assert row["t_min"] <= 59945.0  # 2023-01-01
    assert "t_max=[59792.00000, 99999.0]" in body["python"]
    compile(body["python"], "<python snippet>", "exec")


async def test_collection_all_widens_to_other_missions(jp_fetch):
    code, body, _ = await _get(
        jp_fetch, "mast", "observations", collection="all", ra="341.7", dec="44.33", radius="0.1"
    )
    assert code == 200
    assert body["total"] == 3
    assert {r["obs_collection"] for r in body["rows"]} == {"HST"}
    code, body, _ = await _get(jp_fetch, "mast", "observations", ra="341.7", dec="44.33")
    assert code == 200
    assert body["total"] == 0  # JWST only by default


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"ra": "10", "dec": "10", "radius": "0"}, "radius"),
        ({"ra": "10", "dec": "10", "radius": "-1"}, "radius"),
        ({"ra": "10", "dec": "10", "radius": "3.5"}, "radius"),
        ({"ra": "360", "dec": "10"}, "ra"),
        ({"ra": "-1", "dec": "10"}, "ra"),
        ({"ra": "10", "dec": "91"}, "dec"),
        ({"ra": "10", "dec": "-90.5"}, "dec"),
        ({"ra": "abc", "dec": "10"}, "ra"),
        ({"ra": "10"}, "dec"),
        ({"ra": "nan", "dec": "10"}, "ra"),
        ({"instrument": "HUBBLECAM"}, "instrument"),
        ({"instrument": "ACS"}, "instrument"),  # an HST instrument is not JWST's
        ({}, "criteria"),
        ({"collection": "JWST"}, "criteria"),
        ({"collection": "NOPE", "instrument": "MIRI"}, "collection"),
        ({"instrument": "MIRI", "calib_level": "7"}, "calib_level"),
        ({"instrument": "MIRI", "t_min": "yesterday"}, "t_min"),
        ({"instrument": "MIRI", "t_min": "2024-01-02", "t_max": "2024-01-01"}, "t_min"),
        ({"instrument": "MIRI", "data_rights": "MINE"}, "data_rights"),
        ({"instrument": "MIRI", "page_size": "100000"}, "page_size"),
        ({"instrument": "MIRI", "page": "0"}, "page"),
        ({"instrument": "MIRI", "source": "cloud"}, "source"),
        ({"instrument": "MIRI", "sort": "nonsense"}, "sort"),
        ({"instrument": "MIRI", "proposal_id": "12ab"}, "proposal_id"),
        ({"instrument": "MIRI", "bogus": "1"}, "bogus"),
        ({"target": "NGC 628", "ra": "1", "dec": "2"}, "target"),
        ({"radius": "1"}, "radius"),
    ],
)
async def test_bad_search_input_is_a_400_naming_the_field(jp_fetch, replay, params, field):
    code, body, _ = await _get(jp_fetch, "mast", "observations", **params)
    assert code == 400, body
    assert field in body["message"]
    assert body["reason"] == "bad_request"
    assert not replay.services()  # nothing reached MAST


async def test_unresolvable_target_is_a_404_in_one_sentence_with_details(jp_fetch, replay):
    code, body, _ = await _get(jp_fetch, "mast", "observations", target="No Such Object 42")
    assert code == 404
    assert body["message"] == "MAST's name resolver does not know 'No Such Object 42'"
    assert body["reason"] == "unknown_target"
    assert body["field"] == "target"
    assert replay.resolver_url in body["detail"]
    assert not replay.services()  # MAST itself was not asked
    # Asked again, the remembered answer says the same.
    code, again, _ = await _get(jp_fetch, "mast", "observations", target="no such object 42")
    assert (code, again["reason"]) == (404, "unknown_target")


async def test_an_unreachable_resolver_is_one_sentence_not_the_http_clients_text(
    jp_fetch, jp_serverapp
):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    app = _lab_app(jp_serverapp)
    app.services.mast.settings = _with(
        app.services.mast.settings, mast_resolver_url=f"http://127.0.0.1:{dead}/Santa-war/query"
    )
    code, body, _ = await _get(jp_fetch, "mast", "observations", target="NGC 9999")
    assert code == 502
    assert body["message"] == "MAST's name resolver could not be reached to look up 'NGC 9999'"
    assert body["reason"] == "resolver_unavailable"
    assert body["field"] == "target"
    assert "\n" not in body["message"]
    assert f"127.0.0.1:{dead}" in body["detail"]
    assert "ConnectionError" in body["detail"]


@pytest.mark.parametrize(
    ("mode", "words"),
    [("error", "answered an error"), ("http500", "HTTP 500"), ("garbage", "MAST")],
)
async def test_mast_failures_are_a_502_saying_what_happened(jp_fetch, replay, mode, words):
    replay.mode = mode
    code, body, _ = await _get(jp_fetch, "mast", "observations", instrument="MIRI")
    assert code == 502, body
    assert words in body["message"]
    assert replay.url in body["message"]
    assert body["reason"] == "upstream_error"


async def test_a_hanging_mast_is_a_502_in_bounded_time(jp_fetch, replay):
    replay.mode = "slow"
    replay.delay = TIMEOUT + 3
    started = time.monotonic()
    code, body, _ = await _get(jp_fetch, "mast", "observations", proposal_id="1000")
    elapsed = time.monotonic() - started
    assert code == 502
    assert "timed out" in body["message"]
    assert elapsed < TIMEOUT * 2 + 5


async def test_unreachable_mast_is_a_502(jp_fetch, jp_serverapp):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    app = _lab_app(jp_serverapp)
    app.services.mast.settings = _with(
        app.services.mast.settings, mast_url=f"http://127.0.0.1:{dead}"
    )
    app.services.mast._observations = None
    started = time.monotonic()
    code, body, _ = await _get(jp_fetch, "mast", "observations", instrument="NIRSPEC")
    assert code == 502
    assert "could not be reached" in body["message"]
    assert time.monotonic() - started < TIMEOUT * 2 + 5


async def test_products_of_a_jwst_observation_hide_guide_stars(jp_fetch, replay):
    code, body, raw = await _get(jp_fetch, "mast", "observations", "87000000", "products")
    assert code == 200, body
    _strict(raw)
    names = [r["productFilename"] for r in body["rows"]]
    assert names
    assert not [n for n in names if "_gs-" in n]
    assert body["total"] == len(names)
    assert "Observations.get_product_list('87000000')" in body["python"]
    compile(body["python"], "<python snippet>", "exec")
    code, body, _ = await _get(
        jp_fetch, "mast", "observations", "87000000", "products", include_guidestar="true"
    )
    assert len([r for r in body["rows"] if "_gs-" in r["productFilename"]]) == 3
    code, body, _ = await _get(
        jp_fetch, "mast", "observations", "87000000", "products", mrp_only="true"
    )
    assert {r["productSubGroupDescription"] for r in body["rows"]} == {"I2D", "CAT", "SEGM"}
    assert all(r["productGroupDescription"] == "Minimum Recommended Products" for r in body["rows"])
    code, body, _ = await _get(
        jp_fetch, "mast", "observations", "87000000", "products", subgroup="UNCAL,RATE"
    )
    assert sorted(r["productSubGroupDescription"] for r in body["rows"]) == ["RATE", "UNCAL"]


async def test_products_of_a_real_capture_and_bad_product_input(jp_fetch):
    code, body, raw = await _get(jp_fetch, "mast", "observations", "2003738726", "products")
    assert code == 200
    _strict(raw)
    assert body["rows"]
    assert all(r["obs_collection"] == "HST" for r in body["rows"])
    code, body, _ = await _get(jp_fetch, "mast", "observations", "99999999", "products")
    assert code == 404
    for params, field in (
        ({"product_type": "MOVIE"}, "product_type"),
        ({"calib_level": "9"}, "calib_level"),
        ({"mrp_only": "maybe"}, "mrp_only"),
        ({"source": "ftp"}, "source"),
        ({"what": "x"}, "what"),
    ):
        code, body, _ = await _get(
            jp_fetch, "mast", "observations", "87000000", "products", **params
        )
        assert code == 400
        assert field in body["message"]


async def test_token_is_kept_server_side_and_never_shown(jp_fetch, replay, caplog):
    caplog.set_level(logging.DEBUG)
    code, body, raw = await _get(jp_fetch, "mast", "token")
    assert code == 200
    assert body == {"set": False, "storage": "memory", "expires": None}
    code, body, raw = await _get(jp_fetch, "mast", "token", method="PUT", body={"token": SECRET})
    assert code == 200
    assert body["set"] is True
    assert SECRET not in raw
    code, body, raw = await _get(jp_fetch, "mast", "token")
    assert body["set"] is True
    assert SECRET not in raw
    # The token reaches MAST as astroquery's session cookie, and nothing else shows it.
    code, body, raw = await _get(jp_fetch, "mast", "observations", instrument="MIRI")
    assert code == 200
    assert SECRET not in raw
    sent = [r for r in replay.requests if r.get("service")]
    assert sent
    assert all(f"mast_token={SECRET}" in (r["cookie"] or "") for r in sent)
    replay.mode = "http500"
    code, body, raw = await _get(jp_fetch, "mast", "observations", instrument="MIRI")
    assert code == 502
    assert SECRET not in raw
    replay.mode = "ok"
    for bad in ("", "   ", "has spaces in it", 42, "x" * 2000, "short"):
        code, body, raw = await _get(jp_fetch, "mast", "token", method="PUT", body={"token": bad})
        assert code == 400
        assert "token" in body["message"]
        if isinstance(bad, str) and bad.strip():
            assert bad not in raw
    code, body, raw = await _get(
        jp_fetch, "mast", "token", method="PUT", body={"token": SECRET, "extra": 1}
    )
    assert code == 400
    assert SECRET not in raw
    code, body, _ = await _get(jp_fetch, "mast", "token", method="PUT", body="not json")
    assert code == 400
    assert "JSON" in body["message"]
    code, body, raw = await _get(jp_fetch, "mast", "token", method="DELETE")
    assert code == 204
    code, body, _ = await _get(jp_fetch, "mast", "token")
    assert body["set"] is False
    logged = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    assert "MAST token set" in logged
    assert SECRET not in logged


async def test_service_calls_for_the_downloads_engine(jp_serverapp, replay):
    service = _lab_app(jp_serverapp).services.mast
    rows = await service.list_products("mast", "87000003", {"mrp_only": True})
    assert rows
    assert all(r["productGroupDescription"] == "Minimum Recommended Products" for r in rows)
    for row in rows:
        for key in ("dataURI", "productFilename", "size", "obs_collection", "obs_id", "dataRights"):
            assert key in row
    by_column = await service.list_products(
        "mast", "87000003", {"productSubGroupDescription": ["cal", "RATE"], "extension": ".fits"}
    )
    assert sorted(r["productSubGroupDescription"] for r in by_column) == ["CAL", "RATE"]
    uris = [r["dataURI"] for r in rows]
    found = await service.products_for_uris("mast", uris)
    assert [r["dataURI"] for r in found] == uris
    from jwst_lab.errors import BadRequest

    with pytest.raises(BadRequest):
        await service.products_for_uris("mast", ["http://elsewhere/x.fits"])
    with pytest.raises(BadRequest):
        await service.list_products("s3", "87000003", {})
    with pytest.raises(BadRequest):
        await service.list_products("mast", "87000003", {"no_such_column": "x"})


def _lab_app(serverapp: Any) -> Any:
    for extension in serverapp.extension_manager.extension_apps.get("jwst_lab", ()):
        return extension
    raise AssertionError("jwst_lab is not loaded")


def _with(settings: Any, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(settings, **changes)


def test_a_position_at_right_ascension_zero_is_a_search():
    from jwst_lab.models import MastSearchQuery
    from jwst_lab.models.base import parse_query

    query = parse_query(MastSearchQuery, {"ra": "0", "dec": "10"})
    assert (query.ra, query.dec) == (0.0, 10.0)
