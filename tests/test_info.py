"""``GET /jwst-lab/info`` and the JSON error shape of unknown routes."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from tornado.httpclient import HTTPClientError

from jwst_lab import __version__
from jwst_lab.jobs.store import root_state_dir

from .conftest import REPO_ROOT, body_json


def _openapi_schema(name: str) -> dict:
    spec = yaml.safe_load((REPO_ROOT / "api" / "openapi.yaml").read_text())
    components = spec["components"]["schemas"]
    return {"$ref": f"#/components/schemas/{name}", "components": {"schemas": components}}


async def test_info_reports_versions_from_installed_metadata(jp_fetch):
    response = await jp_fetch("jwst-lab", "info")
    assert response.code == 200
    info = body_json(response)
    assert info["version"] == __version__
    assert info["versions"]["jwst-lab"] == __version__
    for name in ("jwst", "crds", "stpipe", "astroquery"):
        assert info["versions"][name] == version(name), name


async def test_info_reports_configuration(jp_fetch):
    info = body_json(await jp_fetch("jwst-lab", "info"))
    assert info["archive_backend"] == "auto"
    assert info["executor"] == "local"
    assert info["max_concurrent_jobs"] == 2
    assert info["crds"] == {
        "mode": "serverless",
        "path": "/nonexistent/crds_cache",
        "server_url": None,
        "context": "jwst_0541.pmap",
        "context_source": "configured",
    }
    assert "info" in info["features"]


async def test_info_reports_the_job_database_of_this_root(jp_fetch, jp_serverapp):
    info = body_json(await jp_fetch("jwst-lab", "info"))
    root = Path(jp_serverapp.root_dir)
    data_dir = Path(jp_serverapp.data_dir) / "jwst_lab"
    assert info["job_store"] == {
        "path": str(root_state_dir(data_dir, root) / "jobs.sqlite"),
        "state": "ok",
        "message": None,
        "moved_to": None,
        "restored": 0,
        "skipped": 0,
    }
    assert (root_state_dir(data_dir, root) / "root.txt").read_text().strip() == str(root.resolve())


@pytest.mark.parametrize(
    "jwst_lab_config",
    [{"crds_context": "jwst_0541.pmap", "crds_path": "/x", "db_url": "postgres://db/jobs"}],
)
async def test_a_db_url_that_is_not_sqlite_is_reported_and_jobs_answer_503(jp_fetch):
    info = body_json(await jp_fetch("jwst-lab", "info"))
    store = info["job_store"]
    assert store["path"] == "postgres://db/jobs"
    assert store["state"] == "unusable"
    assert "c.JwstLabApp.db_url = 'postgres://db/jobs' cannot be used" in store["message"]
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch("jwst-lab", "jobs", method="GET")
    assert raised.value.code == 503
    body = body_json(raised.value.response)
    assert body == {"message": store["message"], "reason": "job_store_unusable"}


async def test_info_matches_the_openapi_schema(jp_fetch):
    info = body_json(await jp_fetch("jwst-lab", "info"))
    validator = Draft202012Validator(
        _openapi_schema("InfoResponse"), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(info)]
    assert errors == []


async def test_unknown_route_is_a_json_404(jp_fetch):
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch("jwst-lab", "no-such-thing", method="GET")
    assert raised.value.code == 404
    body = body_json(raised.value.response)
    assert body["reason"] == "not_found"
    assert "no-such-thing" in body["message"]
    validator = Draft202012Validator(_openapi_schema("Error"))
    assert list(validator.iter_errors(body)) == []


async def test_wrong_method_is_a_json_405(jp_fetch):
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch("jwst-lab", "info", method="POST", body="{}")
    assert raised.value.code == 405
    assert body_json(raised.value.response)["reason"] == "method_not_allowed"
