"""``api/openapi.yaml`` describes exactly the routes and methods the server serves."""

from __future__ import annotations

import yaml
from openapi_spec_validator import validate

from jwst_lab import __version__
from jwst_lab.routes import PREFIX

from .conftest import REPO_ROOT
from .routes_walk import documented_routes

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "options", "head"}


def _spec() -> dict:
    return yaml.safe_load((REPO_ROOT / "api" / "openapi.yaml").read_text())


def test_the_spec_is_valid_openapi():
    validate(_spec())


def test_the_spec_version_is_the_package_version():
    assert _spec()["info"]["version"] == __version__


def test_served_routes_and_documented_paths_are_the_same_set():
    spec = _spec()
    assert spec["servers"][0]["url"].endswith(PREFIX)
    documented = {
        path: sorted(m for m in item if m in HTTP_METHODS) for path, item in spec["paths"].items()
    }
    assert documented == documented_routes()


def test_every_operation_documents_its_errors():
    for path, item in _spec()["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            codes = set(operation["responses"])
            assert "403" in codes, f"{method.upper()} {path} does not document 403"
            assert operation.get("operationId"), f"{method.upper()} {path} has no operationId"
