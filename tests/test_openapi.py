"""``api/openapi.yaml`` describes exactly the routes and methods the server serves."""

from __future__ import annotations

from typing import get_args

import pytest
import yaml
from openapi_spec_validator import validate

from jwst_lab import __version__, models
from jwst_lab.errors import BadRequest
from jwst_lab.routes import PREFIX
from jwst_lab.routes.base import MAX_PATH_SEGMENT

from .conftest import REPO_ROOT
from .routes_walk import documented_routes, endpoints

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


# --- the spec says what the server does -------------------------------------------------

#: Spec schema -> the pydantic model the server writes it from.
RESPONSE_MODELS = {
    "InfoResponse": models.InfoResponse,
    "CrdsInfo": models.CrdsInfo,
    "JobStoreInfo": models.JobStoreInfo,
    "Error": models.ErrorResponse,
    "Job": models.JobRecord,
    "JobList": models.JobList,
    "JobLog": models.JobLog,
    "MastColumn": models.MastColumn,
    "MastSearchResponse": models.MastSearchResponse,
    "MastProductsResponse": models.MastProductsResponse,
    "MastTokenState": models.MastTokenState,
}
#: Spec schema -> the pydantic model the server parses the request body with.
REQUEST_MODELS = {
    "JobCreate": models.JobCreate,
    "CrdsBestrefsRequest": models.CrdsBestrefsRequest,
    "CrdsFetchRequest": models.CrdsFetchRequest,
    "DownloadCreate": models.DownloadCreate,
    "MastTokenSet": models.MastTokenSet,
}


def _operations() -> list[tuple[str, str, dict]]:
    return [
        (path, method, operation)
        for path, item in _spec()["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def _parameters(spec: dict, path: str, operation: dict) -> list[dict]:
    listed = [*spec["paths"][path].get("parameters", []), *operation.get("parameters", [])]
    return [
        spec["components"]["parameters"][p["$ref"].rsplit("/", 1)[-1]] if "$ref" in p else p
        for p in listed
    ]


@pytest.mark.parametrize("name", sorted({**RESPONSE_MODELS, **REQUEST_MODELS}))
def test_schemas_have_exactly_the_fields_of_their_models(name):
    model = {**RESPONSE_MODELS, **REQUEST_MODELS}[name]
    schema = _spec()["components"]["schemas"][name]
    assert set(schema["properties"]) == set(model.model_fields), name
    required = {n for n, f in model.model_fields.items() if f.is_required()}
    if name in REQUEST_MODELS:
        assert set(schema.get("required", [])) == required, name
    else:
        assert required <= set(schema["required"]), name


def test_the_error_body_names_the_field_at_fault():
    error = _spec()["components"]["schemas"]["Error"]
    assert error["properties"]["field"]["type"] == "string"
    assert "field" not in error["required"]
    assert BadRequest("x", field="steps.a.b").to_json()["field"] == "steps.a.b"


def test_job_kinds_are_the_models_and_the_list_filter_takes_each():
    spec = _spec()
    kinds = list(get_args(models.JobRecord.model_fields["kind"].annotation))
    assert spec["components"]["schemas"]["Job"]["properties"]["kind"]["enum"] == kinds
    (kind,) = [p for p in spec["paths"]["/jobs"]["get"]["parameters"] if p["name"] == "kind"]
    assert kind["schema"]["enum"] == kinds
    assert "crds_fetch" in kinds


def test_every_operation_with_input_documents_400_and_every_body_413():
    spec = _spec()
    for path, method, operation in _operations():
        codes = set(operation["responses"])
        label = f"{method.upper()} {path}"
        if _parameters(spec, path, operation) or "requestBody" in operation:
            assert "400" in codes, f"{label} reads input but does not document 400"
        if "requestBody" in operation:
            assert "413" in codes, f"{label} takes a body but does not document 413"
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")):
                if "$ref" in response:
                    response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, f"{label} {code}"


def test_the_websocket_documents_its_400_and_is_the_only_route_not_fuzzed():
    events = _spec()["paths"]["/events"]["get"]
    assert {"101", "400", "403"} <= set(events["responses"])
    websockets = [e.url for e in endpoints() if e.is_websocket]
    assert websockets == [PREFIX + "/events"]
    fuzz = (REPO_ROOT / "tests" / "test_api_fuzz.py").read_text()
    assert '.exclude(path="/events")' in fuzz


def test_path_parameters_are_bounded_like_the_server_bounds_them():
    spec = _spec()
    for path, _method, operation in _operations():
        for parameter in _parameters(spec, path, operation):
            if parameter["in"] != "path":
                continue
            schema = parameter["schema"]
            if "$ref" in schema:
                schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
            assert schema.get("maxLength") == MAX_PATH_SEGMENT, (path, parameter["name"])
