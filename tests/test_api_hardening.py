"""Input no route can use is a 400 naming the field (or a 404), never a 500, on every route.

Each class of bad input found by fuzzing is tried on every route that takes it: path
parameters (over-long, encoded ``/`` and ``..``, NUL), integers beyond their bounds or 64 bits,
non-finite numbers, lone surrogates, JSON nested too deep, paths no file system holds, and
association files that crash a JSON reader. The server is the in-process test server with
the real CRDS cache fixture and an offline local archive.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from .api_helpers import dead_url, write_jwst_fits

OBS = "jw01234001001_02101_00001_nrcb1"
CAL = f"obs/{OBS}_cal.fits"
ASN = "obs/jw01234-o001_image3_00001_asn.json"
URI = f"mast:JWST/product/{OBS}_cal.fits"
ASSOCIATION = {
    "asn_type": "image3",
    "asn_rule": "candidate_Asn_Lv3Image",
    "asn_id": "o001",
    "asn_pool": "jw01234_00001_pool.csv",
    "program": "01234",
    "target": "t001",
    "products": [
        {
            "name": "jw01234-o001_t001_nircam_clear-f150w",
            "members": [{"expname": f"{OBS}_cal.fits", "exptype": "science"}],
        }
    ],
}


@pytest.fixture
def jwst_lab_config(crds_cache: Path, tmp_path: Path) -> dict[str, Any]:
    archive = tmp_path / "archive"
    write_jwst_fits(archive / "JWST" / OBS / f"{OBS}_cal.fits", "HARDENING", size=16)
    dead = dead_url()
    return {
        "crds_context": "jwst_0541.pmap",
        "crds_path": str(crds_cache),
        "archive_backend": "local",
        "local_archive_dir": str(archive),
        "local_archive_index": str(tmp_path / "index.sqlite"),
        "mast_url": dead,
        "mast_resolver_url": f"{dead}/resolver",
    }


@pytest.fixture
def lab(jp_root_dir: Path, jp_data_dir: Path, catalog_cache_dir: Path) -> Path:
    """The root: a cal file, its image3 association, associations no JSON reader survives."""
    shutil.copytree(catalog_cache_dir, jp_data_dir / "jwst_lab" / "catalog", dirs_exist_ok=True)
    write_jwst_fits(jp_root_dir / CAL, "HARDENING", size=16)
    good = json.dumps(ASSOCIATION)
    (jp_root_dir / ASN).write_text(good)
    (jp_root_dir / "obs" / "deep_asn.json").write_text(
        good.replace('"t001"', "[" * 5000 + "]" * 5000)
    )
    (jp_root_dir / "obs" / "bigint_asn.json").write_text(good.replace('"t001"', "7" * 5000))
    os.mkfifo(jp_root_dir / "obs" / "fifo_asn.json")
    os.mkfifo(jp_root_dir / "obs" / "fifo_cal.fits")
    return jp_root_dir


@pytest.fixture
def send(http_server_client, jp_base_url, jp_auth_header):
    """``send(method, path, body=None, params=None)`` → ``(status, JSON body)``; raw paths kept."""

    async def call(
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body)
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        response = await http_server_client.fetch(
            f"{jp_base_url}jwst-lab/{path}{query}",
            method=method,
            body=body,
            headers=jp_auth_header if headers is None else headers,
            raise_error=False,
            allow_nonstandard_methods=True,
            request_timeout=120,
        )
        assert response.code < 500, (method, path, response.code, response.body[:500])
        if response.headers.get("Content-Type", "").startswith("image/png"):
            return response.code, None
        return response.code, json.loads(response.body or b"null")

    return call


async def _cancel_all(send) -> None:
    _, page = await send("GET", "jobs", params={"status": "queued,running", "page_size": "500"})
    for job in page["jobs"]:
        await send("POST", f"jobs/{job['id']}/cancel")


# --- path parameters -------------------------------------------------------------------------

PATH_ROUTES = [
    ("GET", "pipelines/{}/spec", "alias"),
    ("GET", "jobs/{}", "job_id"),
    ("DELETE", "jobs/{}", "job_id"),
    ("POST", "jobs/{}/cancel", "job_id"),
    ("POST", "jobs/{}/rerun", "job_id"),
    ("GET", "jobs/{}/log", "job_id"),
    ("GET", "mast/observations/{}/products", "obsid"),
    ("GET", "crds/contexts/{}", "context"),
    ("GET", "crds/mappings/{}", "mapping"),
]
BAD_SEGMENTS = [
    "a" * 300,
    "%C3%A9" * 300,
    "..%2F..%2Fetc%2Fpasswd",
    "jwst%2F..%2F..%2Fconfig%2Fjwst%2Fserver_config",
    "%2e%2e",
    "a%5C..%5Cb",
    "a%00b",
]


@pytest.mark.parametrize(("method", "template", "field"), PATH_ROUTES)
@pytest.mark.parametrize("segment", BAD_SEGMENTS)
async def test_unusable_path_parameters_are_400_on_every_route(
    send, lab, method, template, field, segment
):
    code, error = await send(method, template.format(segment))
    assert code == 400, error
    assert error["field"] == field
    assert error["reason"] == "bad_request"


@pytest.mark.parametrize(
    ("path", "code", "field"),
    [
        ("crds/mappings/jwst_" + "a" * 200 + ".rmap", 400, "mapping"),
        ("crds/contexts/jwst_" + "1" * 200 + ".pmap", 400, "context"),
        ("crds/mappings/jwst_" + "a" * 100 + ".rmap", 404, "mapping"),
        ("crds/contexts/jwst_0541.rmap", 400, "context"),
        ("crds/mappings/..", 400, "mapping"),
        ("mast/observations/" + "1" * 200 + "/products", 400, "obsid"),
        ("mast/observations/%D9%A1%D9%A2/products", 400, "obsid"),
    ],
)
async def test_names_that_cannot_be_cached_are_refused_without_touching_the_cache(
    send, lab, path, code, field
):
    status, error = await send("GET", path)
    assert status == code, error
    assert error.get("field") == field


async def test_a_mapping_path_traversal_reads_nothing_outside_the_cache(send, lab, crds_cache):
    secret = crds_cache.parent / "secret.rmap"
    secret.write_text("header = {'name': 'SECRET'}\n")
    for name in ("..%2Fsecret.rmap", "..%2F..%2Fsecret.rmap", "%2E%2E%2Fsecret.rmap"):
        code, error = await send("GET", f"crds/mappings/{name}")
        assert code == 400
        assert "SECRET" not in json.dumps(error)


# --- query parameters ------------------------------------------------------------------------

QUERIES = [
    ("jobs", {"page": "9" * 30}, "page"),
    ("jobs", {"page": str(2**63)}, "page"),
    ("jobs", {"page": "0"}, "page"),
    ("jobs", {"page_size": "0"}, "page_size"),
    ("jobs", {"page_size": "-5"}, "page_size"),
    ("jobs", {"page_size": "501"}, "page_size"),
    ("jobs", {"page": "1" * 5000}, "page"),
    ("jobs", {"page": "1_0"}, "page"),
    ("jobs", {"kind": "bogus"}, "kind"),
    ("jobs", {"status": "queued,done"}, "status"),
    ("jobs/abc/log", {"offset": "9" * 30}, "offset"),
    ("jobs/abc/log", {"offset": str(2**62)}, "offset"),
    ("jobs/abc/log", {"offset": "-1"}, "offset"),
    ("previews", {"path": CAL, "max_size": "9" * 30}, "max_size"),
    ("previews", {"path": CAL, "max_size": "0"}, "max_size"),
    ("previews", {"path": CAL, "stretch": "log"}, "stretch"),
    ("previews", {"path": "a" * 300}, "path"),
    ("previews", {"path": "a/" * 2100}, "path"),
    ("previews", {"path": "a/" * 1500 + "b" * 256}, "path"),
    ("previews", {"path": "obs/fifo_cal.fits"}, "path"),
    ("previews", {"path": "obs"}, "path"),
    ("associations", {"path": "\u00e9" * 200}, "path"),
    ("associations", {"path": "/etc/passwd"}, "path"),
    ("associations", {"path": "obs/deep_asn.json"}, "path"),
    ("associations", {"path": "obs/bigint_asn.json"}, "path"),
    ("associations", {"path": "obs/fifo_asn.json"}, "path"),
    ("mast/observations", {"ra": "1e400", "dec": "0"}, "ra"),
    ("mast/observations", {"ra": "nan", "dec": "0"}, "ra"),
    ("mast/observations", {"ra": "10", "dec": "-inf"}, "dec"),
    ("mast/observations", {"ra": "10", "dec": "0", "radius": "1e400"}, "radius"),
    ("mast/observations", {"ra": "10", "dec": "0", "radius": "0"}, "radius"),
    ("mast/observations", {"ra": "10", "dec": "0", "radius": "-1"}, "radius"),
    ("mast/observations", {"instrument": "NIRCAM", "page": "9" * 30}, "page"),
    ("mast/observations", {"instrument": "NIRCAM", "page": str(2**64)}, "page"),
    ("mast/observations", {"instrument": "NIRCAM", "page_size": "0"}, "page_size"),
    ("mast/observations", {"calib_level": "\u00b2"}, "calib_level"),
    ("mast/observations", {"proposal_id": "\u0661\u0662"}, "proposal_id"),
    ("mast/observations", {"t_min": "1" * 40}, "t_min"),
    ("mast/observations", {"t_max": "2023-13-45"}, "t_max"),
    ("mast/observations", {"instrument": "NIRCAM", "sort": "-nope"}, "sort"),
    (f"mast/observations/{OBS}/products", {"calib_level": "9"}, "calib_level"),
    (f"mast/observations/{OBS}/products", {"mrp_only": "maybe"}, "mrp_only"),
    ("crds/diff", {"old": "jwst_" + "1" * 300 + ".pmap", "new": "jwst_0541.pmap"}, "old"),
    ("crds/diff", {"old": "jwst_0541.pmap", "new": "../jwst_0541.pmap"}, "new"),
]


@pytest.mark.parametrize(("path", "params", "field"), QUERIES)
async def test_unusable_query_values_are_400_naming_the_parameter(send, lab, path, params, field):
    code, error = await send("GET", path, params=params)
    assert code == 400, error
    assert error["field"] == field


async def test_good_queries_still_answer(send, lab):
    code, found = await send(
        "GET", "mast/observations", params={"instrument": "NIRCAM", "page": "10000000"}
    )
    assert (code, found["rows"], found["total"]) == (200, [], 1)
    code, _ = await send("GET", "previews", params={"path": CAL, "max_size": "16"})
    assert code == 200
    code, page = await send("GET", "jobs", params={"kind": "crds_fetch", "status": "queued"})
    assert (code, page["jobs"]) == (200, [])


# --- request bodies --------------------------------------------------------------------------

BODY_ROUTES = [
    ("POST", "jobs", "input"),
    ("PUT", "mast/token", "token"),
    ("POST", "downloads", "dest"),
    ("POST", "crds/bestrefs", "path"),
    ("POST", "crds/fetch", "path"),
]
BAD_VALUES = [
    (b"NaN", "NaN"),
    (b"-Infinity", "Infinity"),
    (b"1e400", "beyond a double"),
    (b"7" * 5000, "64 bits"),
    (b"18446744073709551616", "64 bits"),
    (b'"\\ud800"', "lone surrogate"),
    (b'"a\\u0000b"', "NUL"),
    (b"[" * 100 + b"]" * 100, "deep"),
]


@pytest.mark.parametrize(("method", "path", "field"), BODY_ROUTES)
@pytest.mark.parametrize(("value", "fragment"), BAD_VALUES)
async def test_unusable_json_values_are_400_on_every_body_route(
    send, lab, method, path, field, value, fragment
):
    code, error = await send(method, path, body=b'{"' + field.encode() + b'": ' + value + b"}")
    assert code == 400, error
    assert fragment in error["message"]
    assert error["field"].split(".")[0] == field


@pytest.mark.parametrize(("method", "path", "_field"), BODY_ROUTES)
async def test_bodies_nested_past_the_recursion_limit_or_too_large_are_refused(
    send, lab, method, path, _field
):
    code, error = await send(method, path, body=b"[" * 100_000 + b"]" * 100_000)
    assert (code, error["field"]) == (400, "body")
    code, error = await send(method, path, body=b'{"a":' * 100_000 + b"1" + b"}" * 100_000)
    assert (code, error["field"]) == (400, "body")
    code, error = await send(method, path, body=b'{"x": "' + b"y" * (17 << 20) + b'"}')
    assert (code, error["reason"], error["field"]) == (413, "payload_too_large", "body")


BAD_PATHS = [
    "a" * 300,
    "a/" * 2100,
    "\u00e9" * 200,
    "../outside",
    "/etc/passwd",
    "obs/\ud800",
]


@pytest.mark.parametrize("value", BAD_PATHS)
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("jobs", {"pipeline": "calwebb_image3"}, "input"),
        ("jobs", {"pipeline": "calwebb_image3", "input": ASN}, "output_dir"),
        ("downloads", {"products": [URI]}, "dest"),
        ("crds/bestrefs", {}, "path"),
        ("crds/fetch", {}, "path"),
    ],
)
async def test_paths_no_file_system_holds_are_400_in_every_body(
    send, lab, path, body, field, value
):
    code, error = await send("POST", path, body={**body, field: value})
    assert code == 400, error
    assert error["field"] == field


@pytest.mark.parametrize("name", ["deep_asn.json", "bigint_asn.json", "fifo_asn.json"])
async def test_associations_no_json_reader_survives_are_400_everywhere(send, lab, name):
    code, error = await send(
        "POST", "jobs", body={"pipeline": "calwebb_image3", "input": f"obs/{name}"}
    )
    assert (code, error["field"]) == (400, "input")
    code, error = await send("POST", "crds/fetch", body={"path": f"obs/{name}"})
    assert (code, error["field"]) == (400, "path")


async def test_a_fifo_is_not_read_for_best_references(send, lab):
    code, error = await send("POST", "crds/bestrefs", body={"path": "obs/fifo_cal.fits"})
    assert (code, error["field"]) == (400, "path")
    assert "regular file" in error["message"]


async def test_rerun_of_a_job_whose_association_went_bad_is_400(send, lab):
    code, job = await send("POST", "jobs", body={"pipeline": "calwebb_image3", "input": ASN})
    assert code == 201, job
    await _cancel_all(send)
    (lab / ASN).write_text(json.dumps(ASSOCIATION).replace('"t001"', "[" * 5000 + "]" * 5000))
    code, error = await send("POST", f"jobs/{job['id']}/rerun")
    assert (code, error["field"]) == (400, "input")


async def test_real_jobs_answer_bounded_offsets_and_list_filters(send, lab):
    code, job = await send("POST", "downloads", body={"products": [URI], "dest": "dl"})
    assert code == 201, job
    await _cancel_all(send)
    code, log = await send("GET", f"jobs/{job['id']}/log", params={"offset": str(2**40)})
    assert (code, log["text"], log["next_offset"]) == (200, "", 2**40)
    code, page = await send("GET", "jobs", params={"kind": "download"})
    assert [j["id"] for j in page["jobs"]] == [job["id"]]
    code, page = await send("GET", "jobs", params={"kind": "pipeline"})
    assert page["jobs"] == []


# --- the websocket's plain-HTTP answers are JSON ---------------------------------------------


async def test_events_without_an_upgrade_is_a_json_400_and_without_a_token_a_json_403(send, lab):
    code, error = await send("GET", "events")
    assert (code, error["reason"], error["field"]) == (400, "bad_request", "Upgrade")
    code, error = await send("GET", "events", headers={})
    assert (code, error["reason"]) == (403, "forbidden")
