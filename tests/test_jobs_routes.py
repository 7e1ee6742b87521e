"""The pipeline and job routes through a real Jupyter server, every bad input included."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from typing import Any

import pytest

from jwst_lab.models import JobList, JobLog, JobRecord

from .api_helpers import call_api
from .conftest import ASN_FIXTURES, require_fixture
from .jobs_helpers import place_uncal


@pytest.fixture
def jwst_lab_config(crds_cache) -> dict[str, Any]:
    return {"crds_context": "jwst_0541.pmap", "crds_path": str(crds_cache)}


@pytest.fixture
def workspace(jp_root_dir, jp_data_dir, catalog_cache_dir, tiny_uncal_template, tmp_path):
    """The server root with a tiny exposure, associations, a symlink out; a seeded catalog."""
    catalog = jp_data_dir / "jwst_lab" / "catalog"
    shutil.copytree(catalog_cache_dir, catalog, dirs_exist_ok=True)
    place_uncal(tiny_uncal_template, jp_root_dir, "obs/a_uncal.fits")
    asn = json.loads(require_fixture(ASN_FIXTURES / "test_image_asn.json").read_text())
    (jp_root_dir / "obs" / "mosaic_image3_asn.json").write_text(json.dumps(asn))
    (jp_root_dir / "obs" / "broken_asn.json").write_text('{"products": [}')
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret_uncal.fits").write_text("x")
    (jp_root_dir / "link_out").symlink_to(outside)
    return jp_root_dir


_call = call_api


async def _wait(jp_fetch, job_id: str, statuses: set[str], timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        code, job = await _call(jp_fetch, "GET", "jobs", job_id)
        assert code == 200
        if job["status"] in statuses:
            return job
        assert time.monotonic() < deadline, f"job still {job['status']}"
        await asyncio.sleep(0.1)


async def test_pipelines_and_spec(jp_fetch, workspace):
    code, body = await _call(jp_fetch, "GET", "pipelines")
    assert code == 200
    by_alias = {p["alias"]: p for p in body["pipelines"]}
    assert by_alias["calwebb_image3"]["level"] == 3
    assert body["versions"]["jwst"]
    code, spec = await _call(jp_fetch, "GET", "pipelines", "calwebb_image3", "spec")
    assert code == 200
    resample = next(s for s in spec["step_specs"] if s["alias"] == "resample")
    assert resample["params"]["pixfrac"]["max"] == 1.0
    code, error = await _call(jp_fetch, "GET", "pipelines", "calwebb_nope", "spec")
    assert (code, error["reason"]) == (404, "not_found")


async def test_associations_route(jp_fetch, workspace):
    code, body = await _call(jp_fetch, "GET", "associations", path="obs/mosaic_image3_asn.json")
    assert code == 200
    assert body["level"] == 3
    assert body["members_missing"]
    cases = [
        ({}, 400, "path is required"),
        ({"path": "../etc/passwd"}, 400, "'..'"),
        ({"path": "/etc/passwd"}, 400, "relative"),
        ({"path": "link_out/secret_uncal.fits"}, 400, "symbolic link"),
        ({"path": "obs/none_asn.json"}, 404, "does not exist"),
        ({"path": "obs/broken_asn.json"}, 400, "not valid JSON"),
    ]
    for params, status, message in cases:
        code, error = await _call(jp_fetch, "GET", "associations", **params)
        assert code == status, params
        assert message in error["message"], (params, error)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"pipeline": "group_scale", "input": "../a_uncal.fits"}, 400, "'..'"),
        ({"pipeline": "group_scale", "input": "/etc/passwd"}, 400, "relative"),
        ({"pipeline": "group_scale", "input": "link_out/secret_uncal.fits"}, 400, "symbolic link"),
        ({"pipeline": "group_scale", "input": "obs/missing_uncal.fits"}, 404, "does not exist"),
        ({"pipeline": "calwebb_image3", "input": "obs/broken_asn.json"}, 400, "not valid JSON"),
        (
            {"pipeline": "calwebb_image3", "input": "obs/mosaic_image3_asn.json"},
            400,
            "missing or refused:",
        ),
        ({"pipeline": "calwebb_image9", "input": "obs/a_uncal.fits"}, 400, "unknown pipeline"),
        (
            {
                "pipeline": "calwebb_detector1",
                "input": "obs/a_uncal.fits",
                "steps": {"jump": {"x": 1}},
            },
            400,
            "unknown parameter steps.jump.x",
        ),
        (
            {
                "pipeline": "calwebb_detector1",
                "input": "obs/a_uncal.fits",
                "steps": {"jump": {"rejection_threshold": "high"}},
            },
            400,
            "steps.jump.rejection_threshold must be a number",
        ),
        (
            {
                "pipeline": "calwebb_detector1",
                "input": "obs/a_uncal.fits",
                "steps": {"jump": {"skip": 3}},
            },
            400,
            "steps.jump.skip must be true or false",
        ),
        ({"pipeline": "group_scale"}, 400, "input: Field required"),
        ({"pipeline": "group_scale", "input": "obs/a_uncal.fits", "colour": 1}, 400, "colour"),
        ("[1, 2]", 400, "JSON object"),
        ("{nope", 400, "not valid JSON"),
    ],
)
async def test_create_job_bad_input(jp_fetch, workspace, body, status, message):
    code, error = await _call(jp_fetch, "POST", "jobs", body=body)
    assert code == status
    assert message in error["message"]
    code, page = await _call(jp_fetch, "GET", "jobs")
    assert page["total"] == 0


async def test_out_of_bounds_parameter(jp_fetch, workspace):
    code, spec = await _call(jp_fetch, "GET", "pipelines", "calwebb_image3", "spec")
    bounded = [
        (step["alias"], name, p)
        for step in spec["step_specs"]
        for name, p in step["params"].items()
        if p["type"] == "float" and p["max"] is not None
    ]
    step, name, param = bounded[0]
    shutil.copy(workspace / "obs" / "a_uncal.fits", workspace / "obs" / "a_cal.fits")
    body = {
        "pipeline": "calwebb_image3",
        "input": "obs/a_cal.fits",
        "steps": {step: {name: param["max"] + 1}},
    }
    code, error = await _call(jp_fetch, "POST", "jobs", body=body)
    assert code == 400
    assert f"steps.{step}.{name} = " in error["message"]
    assert "above its maximum" in error["message"]


async def test_unknown_job_and_bad_query(jp_fetch, workspace):
    for method, parts in [
        ("GET", ("jobs", "nosuch")),
        ("DELETE", ("jobs", "nosuch")),
        ("POST", ("jobs", "nosuch", "cancel")),
        ("POST", ("jobs", "nosuch", "rerun")),
        ("GET", ("jobs", "nosuch", "log")),
    ]:
        code, error = await _call(jp_fetch, method, *parts, body="{}" if method == "POST" else None)
        assert (code, error["reason"]) == (404, "not_found"), (method, parts)
    for params, message in [
        ({"status": "done"}, "unknown status"),
        ({"page": "x"}, "page must be an integer"),
        ({"page_size": "0"}, "page_size"),
    ]:
        code, error = await _call(jp_fetch, "GET", "jobs", **params)
        assert code == 400
        assert message in error["message"]


async def test_a_job_through_the_api(jp_fetch, jp_ws_fetch, workspace):
    socket = await jp_ws_fetch("jwst-lab", "events")
    hello = json.loads(await socket.read_message())
    assert hello["type"] == "hello"

    code, job = await _call(
        jp_fetch,
        "POST",
        "jobs",
        body={"pipeline": "group_scale", "input": "obs/a_uncal.fits", "steps": {}},
    )
    assert code == 201
    JobRecord.model_validate(job)
    assert job["status"] == "queued"
    created = json.loads(await asyncio.wait_for(socket.read_message(), 10))
    assert (created["type"], created["job_id"]) == ("job.created", job["id"])

    done = await _wait(jp_fetch, job["id"], {"succeeded", "failed"})
    assert done["status"] == "succeeded", done["error"]
    record = JobRecord.model_validate(done)
    assert record.crds_context_used == "jwst_0541.pmap"
    assert record.params is not None
    assert all((workspace / path).is_file() for path in record.outputs)

    seen: list[str] = []
    while "job.log" not in seen or "job.progress" not in seen:
        event = json.loads(await asyncio.wait_for(socket.read_message(), 10))
        seen.append(event["type"])
    socket.close()

    code, log = await _call(jp_fetch, "GET", "jobs", job["id"], "log")
    JobLog.model_validate(log)
    assert "Step GroupScaleStep running" in log["text"]
    assert log["done"] is True
    code, rest = await _call(jp_fetch, "GET", "jobs", job["id"], "log", offset=log["next_offset"])
    assert (rest["text"], rest["done"]) == ("", True)
    code, error = await _call(jp_fetch, "GET", "jobs", job["id"], "log", offset="-1")
    assert code == 400

    code, page = await _call(jp_fetch, "GET", "jobs", status="succeeded,failed")
    JobList.model_validate(page)
    assert [j["id"] for j in page["jobs"]] == [job["id"]]

    code, error = await _call(jp_fetch, "POST", "jobs", job["id"], "cancel", body="{}")
    assert code == 409
    assert "already succeeded" in error["message"]

    code, again = await _call(jp_fetch, "POST", "jobs", job["id"], "rerun", body="{}")
    assert code == 201
    assert again["rerun_of"] == job["id"]
    assert again["crds_context_requested"] == "jwst_0541.pmap"
    code, _ = await _call(jp_fetch, "POST", "jobs", again["id"], "cancel", body="{}")
    assert code == 202
    code, error = await _call(jp_fetch, "DELETE", "jobs", again["id"])
    assert code in (204, 409)
    await _wait(jp_fetch, again["id"], {"cancelled"}, timeout=30)

    code, _ = await _call(jp_fetch, "DELETE", "jobs", job["id"])
    assert code == 204
    code, _ = await _call(jp_fetch, "GET", "jobs", job["id"])
    assert code == 404
