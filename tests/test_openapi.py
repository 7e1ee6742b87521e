"""``api/openapi.yaml`` describes exactly the routes, methods and models the server serves.

The spec is written by hand (its descriptions and examples are for people and for the
fuzzer) and checked here against the pydantic models: every object schema against its
model (members, required members, types, enums, patterns, nested models included), every
route's answer, body and query parameters against the models its handler uses.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Any, get_args

import pytest
import yaml
from openapi_spec_validator import validate
from pydantic import BaseModel
from tornado import websocket

from jwst_lab import __version__, models
from jwst_lab.core.crds import CONTEXT_NAME, MAX_MAPPING_NAME
from jwst_lab.core.mast_vocabulary import DATA_RIGHTS
from jwst_lab.errors import BadRequest
from jwst_lab.routes import PREFIX, ROUTES
from jwst_lab.routes.base import MAX_PATH_SEGMENT, answer_model, answer_models

from .conftest import REPO_ROOT
from .routes_walk import documented_routes, endpoints, implemented_methods, openapi_path

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


# --- the spec says what the server does: every schema is its model's --------------------------

#: Spec component -> the pydantic model it describes. Every object schema of the spec is here
#: (``Event``, the websocket's messages, aside): responses, request bodies and the models
#: they contain.
SCHEMAS: dict[str, type[BaseModel]] = {
    "InfoResponse": models.InfoResponse,
    "CrdsInfo": models.CrdsInfo,
    "JobStoreInfo": models.JobStoreInfo,
    "Error": models.ErrorResponse,
    "Job": models.JobRecord,
    "JobProgress": models.JobProgress,
    "StepTiming": models.StepTiming,
    "JobCommands": models.JobCommands,
    "DownloadInfo": models.DownloadInfo,
    "CrdsFetchInfo": models.CrdsFetchInfo,
    "JobList": models.JobList,
    "JobLog": models.JobLog,
    "JobCreate": models.JobCreate,
    "DownloadCreate": models.DownloadCreate,
    "DownloadCreated": models.DownloadCreated,
    "MastColumn": models.MastColumn,
    "MastCone": models.MastCone,
    "MastSearchResponse": models.MastSearchResponse,
    "MastProductsResponse": models.MastProductsResponse,
    "MastPeekHeader": models.MastPeekHeader,
    "MastPeekResponse": models.MastPeekResponse,
    "MastTokenSet": models.MastTokenSet,
    "MastTokenState": models.MastTokenState,
    "PipelineSummary": models.PipelineSummary,
    "PipelineList": models.PipelineList,
    "ParamSpec": models.ParamSpec,
    "StepSpec": models.StepSpec,
    "PipelineSpec": models.PipelineSpec,
    "EffectiveValue": models.EffectiveValue,
    "StepParameters": models.StepParameters,
    "PipelineParameters": models.PipelineParameters,
    "ApplicablePipelines": models.ApplicablePipelines,
    "ParameterFile": models.ParameterFile,
    "ParameterFileWrite": models.ParameterFileWrite,
    "StrunRequest": models.StrunRequest,
    "StrunCommand": models.StrunCommand,
    "Association": models.AssociationSummary,
    "ImageInfo": models.ImageInfo,
    "ImagePixel": models.ImagePixel,
    "CatalogColumn": models.CatalogColumn,
    "CatalogTable": models.CatalogTable,
    "CrdsStatus": models.CrdsStatus,
    "CrdsContext": models.CrdsContext,
    "CrdsContextList": models.CrdsContextList,
    "CrdsTree": models.CrdsTree,
    "CrdsMapping": models.CrdsMapping,
    "CrdsBestrefsRequest": models.CrdsBestrefsRequest,
    "CrdsBestrefs": models.CrdsBestrefs,
    "CrdsFetchRequest": models.CrdsFetchRequest,
    "CrdsDiff": models.CrdsDiff,
    "JobResources": models.JobResources,
    "RunCreate": models.RunCreate,
    "RunAssociation": models.RunAssociation,
    "RunJob": models.RunJob,
    "RunStage": models.RunStage,
    "RunProgress": models.RunProgress,
    "RunMemory": models.RunMemory,
    "Run": models.RunRecord,
    "RunPlan": models.RunPlan,
    "RunList": models.RunList,
    "SpectrumInfo": models.SpectrumInfo,
    "SpectrumData": models.SpectrumData,
    "SpectraResponse": models.SpectraResponse,
    "SlitInfo": models.SlitInfo,
    "SlitImage": models.SlitImage,
    "SpectralImage": models.SpectralImage,
    "CubeInfo": models.CubeInfo,
    "CubeSpectrum": models.CubeSpectrum,
}
#: Models of request bodies (required = the fields without a default); the others are
#: answers (required = the members every answer has).
REQUESTS = {
    models.JobCreate,
    models.DownloadCreate,
    models.MastTokenSet,
    models.CrdsBestrefsRequest,
    models.CrdsFetchRequest,
    models.RunCreate,
    models.ParameterFileWrite,
    models.StrunRequest,
}
MODEL_NAMES = {model.__name__: model for model in SCHEMAS.values()}
ANY: dict[str, Any] = {"any": True}


def _all_models() -> dict[str, type[BaseModel]]:
    """Every API model class by name (the names pydantic's ``$defs`` use)."""
    found: dict[str, type[BaseModel]] = {}
    pending: list[type[BaseModel]] = [models.ApiModel]
    while pending:
        model = pending.pop()
        for sub in model.__subclasses__():
            if sub.__module__.startswith("jwst_lab.models"):
                assert found.setdefault(sub.__name__, sub) is sub, f"two models {sub.__name__}"
            pending.append(sub)
    return found


ALL_MODELS = _all_models()


def _probe(model: type[BaseModel]) -> BaseModel:
    """An instance with every optional member at its default (required ones: placeholders)."""
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if field.is_required():
            kind = field.annotation
            nested = isinstance(kind, type) and issubclass(kind, BaseModel)
            values[name] = _probe(kind) if nested else None
    return model.model_construct(**values)


def _omitted_when_default(model: type[BaseModel]) -> set[str]:
    """Members an answer leaves out when they hold their default (``exclude_if``, serializers)."""
    shown = _probe(model).model_dump(mode="json", warnings=False)
    return set(model.model_fields) - set(shown)


def _never_null(model: type[BaseModel], name: str) -> bool:
    """A member left out of answers when None, so it is never null in one."""
    exclude_if = model.model_fields[name].exclude_if
    return exclude_if is not None and bool(exclude_if(None))


class Shapes:
    """JSON schemas (the spec's, pydantic's) reduced to what both must agree on.

    A shape keeps JSON types (``integer`` within ``number`` when both are allowed),
    enums (with None when null is allowed), patterns, object members and which are
    required, array items and map values. Descriptions, defaults, formats and bounds
    are the spec's own. A schema of a model of :data:`SCHEMAS` is named, not expanded:
    it is compared on its own.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        self.components = spec["components"]["schemas"]

    # --- the spec ---------------------------------------------------------------------

    def spec(self, schema: dict[str, Any], *, expand: bool = False) -> dict[str, Any]:
        """The shape of a spec schema (``expand``: a named component's members)."""
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name in SCHEMAS and not expand:
                return {"model": SCHEMAS[name].__name__}
            return self.spec(self.components[name], expand=True)
        if "allOf" in schema:
            return _merge_all([self.spec(part, expand=True) for part in schema["allOf"]])
        if "oneOf" in schema or "anyOf" in schema:
            return _merge_any(
                [self.spec(part) for part in schema.get("oneOf", schema.get("anyOf"))]
            )
        return self._plain(schema, self.spec, required=set(schema.get("required", [])))

    # --- pydantic ---------------------------------------------------------------------

    def model(self, model: type[BaseModel]) -> dict[str, Any]:
        """The shape of ``model``'s members, as its answers (or requests) have them."""
        schema = model.model_json_schema(ref_template="#/$defs/{model}")
        defs = schema.pop("$defs", {})
        return self._model_object(model, schema, defs)

    def _model_object(
        self, model: type[BaseModel], schema: dict[str, Any], defs: dict[str, Any]
    ) -> dict[str, Any]:
        if model in REQUESTS:
            required = set(schema.get("required", []))
        else:
            required = set(model.model_fields) - _omitted_when_default(model)
        shape = self._plain(schema, lambda s: self._pydantic(s, defs), required=required)
        for name in shape["properties"]:
            if _never_null(model, name):
                shape["properties"][name] = _without_null(shape["properties"][name])
        return shape

    def _pydantic(self, schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name in MODEL_NAMES:
                return {"model": name}
            return self._model_object(ALL_MODELS[name], defs[name], defs)
        if "anyOf" in schema or "oneOf" in schema:
            parts = schema.get("anyOf", schema.get("oneOf"))
            return _merge_any([self._pydantic(part, defs) for part in parts])
        return self._plain(schema, lambda s: self._pydantic(s, defs), required=None)

    # --- both -------------------------------------------------------------------------

    @staticmethod
    def _plain(schema: dict[str, Any], inner: Any, *, required: set[str] | None) -> dict[str, Any]:
        kinds = schema.get("type")
        types = {kinds} if isinstance(kinds, str) else set(kinds or ())
        enum = schema.get("enum")
        if "const" in schema:
            enum = [schema["const"]]
        if not types and enum is None and "properties" not in schema:
            return dict(ANY)
        if "properties" in schema:
            types.add("object")
        shape: dict[str, Any] = {"types": _types(types)}
        if enum is not None:
            shape["enum"] = _enum(enum, types)
        if "pattern" in schema:
            shape["pattern"] = schema["pattern"]
        if "properties" in schema:
            shape["properties"] = {n: inner(s) for n, s in schema["properties"].items()}
            shape["required"] = sorted(
                required if required is not None else schema.get("required", [])
            )
        elif "object" in types:
            values = schema.get("additionalProperties", True)
            shape["values"] = inner(values) if isinstance(values, dict) and values else dict(ANY)
        if "array" in types:
            items = schema.get("items", {})
            shape["items"] = inner(items) if items else dict(ANY)
        return shape


def _types(types: set[str]) -> list[str]:
    if {"integer", "number"} <= types:
        types = types - {"integer"}
    return sorted(types)


def _enum(values: list[Any], types: set[str]) -> list[Any]:
    values = list(dict.fromkeys(values))
    if "null" in types and None not in values:
        values.append(None)
    return sorted(values, key=repr)


def _without_null(shape: dict[str, Any]) -> dict[str, Any]:
    shape = dict(shape)
    if "types" in shape:
        shape["types"] = [t for t in shape["types"] if t != "null"]
    if "enum" in shape:
        shape["enum"] = [v for v in shape["enum"] if v is not None]
    shape.pop("nullable", None)
    return shape


def _merge_any(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One shape for a union: its types together, the rest from the one part that has it."""
    if any(part == ANY for part in parts):
        return dict(ANY)
    null = [p for p in parts if p.get("types") == ["null"]]
    others = [p for p in parts if p.get("types") != ["null"]]
    if len(others) == 1 and "model" in others[0]:
        return {**others[0], "nullable": bool(null)}
    merged: dict[str, Any] = {"types": _types({t for p in parts for t in p.get("types", [])})}
    enums = [p.get("enum") for p in others]
    if all(e is not None for e in enums) and enums:
        values = [v for e in enums for v in e]
        merged["enum"] = _enum(values, {"null"} if null else set())
    for key in ("pattern", "properties", "required", "values", "items"):
        found = [p[key] for p in others if key in p]
        assert len(found) <= 1 or all(f == found[0] for f in found), f"ambiguous union {parts}"
        if found:
            merged[key] = found[0]
    return merged


def _merge_all(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One object shape for ``allOf``: members and required members together."""
    merged: dict[str, Any] = {"types": ["object"], "properties": {}, "required": []}
    for part in parts:
        merged["properties"].update(part.get("properties", {}))
        merged["required"] = sorted({*merged["required"], *part.get("required", [])})
    return merged


def _differences(spec: Any, model: Any, where: str = "") -> list[str]:
    """Where the two shapes differ, as ``path: spec ... model ...`` lines."""
    if isinstance(spec, dict) and isinstance(model, dict):
        problems = []
        for key in sorted(set(spec) | set(model)):
            if key == "properties":
                names = set(spec.get(key, {})) ^ set(model.get(key, {}))
                if names:
                    problems.append(f"{where or '.'}: members only in one: {sorted(names)}")
                for name in sorted(set(spec.get(key, {})) & set(model.get(key, {}))):
                    problems += _differences(spec[key][name], model[key][name], f"{where}.{name}")
            else:
                problems += _differences(spec.get(key), model.get(key), f"{where}[{key}]")
        return problems
    return [] if spec == model else [f"{where or '.'}: spec {spec!r}, model {model!r}"]


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_each_schema_is_its_model(name):
    """Members, required members, types, enums and patterns, nested members included."""
    shapes = Shapes(_spec())
    spec_shape = shapes.spec({"$ref": f"#/components/schemas/{name}"}, expand=True)
    assert _differences(spec_shape, shapes.model(SCHEMAS[name])) == []


def test_every_object_schema_of_the_spec_is_checked():
    components = _spec()["components"]["schemas"]
    objects = {
        name
        for name, schema in components.items()
        if schema.get("type") == "object" or "allOf" in schema
    }
    assert objects - {"Event"} == set(SCHEMAS)


def test_the_checked_shapes_see_what_they_should():
    """The comparison itself: a changed type, enum, member or required member is seen."""
    shapes = Shapes(_spec())
    job = shapes.spec({"$ref": "#/components/schemas/Job"}, expand=True)
    assert job["properties"]["progress"] == {"model": "JobProgress"}
    assert job["properties"]["download"] == {"model": "DownloadInfo"}
    assert job["properties"]["kind"]["enum"] == ["crds_fetch", "download", "pipeline"]
    wrong = {**job, "required": [*job["required"], "nope"]}
    assert _differences(wrong, shapes.model(models.JobRecord))
    changed = dict(job["properties"]["exit_code"], types=["null", "string"])
    wrong = {**job, "properties": {**job["properties"], "exit_code": changed}}
    assert _differences(wrong, shapes.model(models.JobRecord))


def _query_parameters(operation: dict[str, Any], spec: dict[str, Any], path: str):
    return {p["name"]: p for p in _parameters(spec, path, operation) if p["in"] == "query"}


def _handler_inputs(handler: type[Any], method: str) -> dict[str, str]:
    """The models a handler method reads its input with: ``{"body"|"query": model name}``."""
    source = textwrap.dedent(inspect.getsource(inspect.unwrap(getattr(handler, method.lower()))))
    found: dict[str, str] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attribute = node.func.attr
            assert attribute not in ("json_body", "query", "write_json", "model_construct"), (
                f"{handler.__name__}.{method.lower()} reads or writes JSON without a model"
            )
            if attribute in ("parse_body", "parse_query"):
                (argument,) = node.args
                assert isinstance(argument, ast.Name)
                where = "body" if attribute == "parse_body" else "query"
                assert where not in found, f"{handler.__name__} parses its {where} twice"
                found[where] = argument.id
    return found


def _routes() -> list[tuple[str, str, type[Any]]]:
    return [
        (openapi_path(path), method, handler)
        for path, handler in ROUTES
        for method in implemented_methods(handler)
        if not issubclass(handler, websocket.WebSocketHandler)
    ]


@pytest.mark.parametrize(("path", "method", "handler"), _routes())
def test_each_route_answers_the_model_its_spec_names(path, method, handler):
    operation = _spec()["paths"][path][method.lower()]
    json_answers = {
        code: response["content"]["application/json"]["schema"]
        for code, response in operation["responses"].items()
        if code.startswith("2") and "application/json" in response.get("content", {})
    }
    declared = answer_models(handler, method)
    if not json_answers:
        assert not declared, f"{method} {path}: the spec names no JSON answer"
        return
    named = [SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]] for schema in json_answers.values()]
    assert sorted(named, key=repr) == sorted(declared, key=repr), f"{method} {path}"
    assert answer_model(handler, method) in named


@pytest.mark.parametrize(("path", "method", "handler"), _routes())
def test_each_route_reads_its_input_with_the_models_its_spec_names(path, method, handler):
    spec = _spec()
    operation = spec["paths"][path][method.lower()]
    inputs = _handler_inputs(handler, method)
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body is None:
        assert "body" not in inputs, f"{method} {path} reads a body the spec does not document"
    else:
        name = body["schema"]["$ref"].rsplit("/", 1)[-1]
        assert inputs.get("body") == SCHEMAS[name].__name__, f"{method} {path}"
    parameters = _query_parameters(operation, spec, path)
    if "query" not in inputs:
        assert not parameters, f"{method} {path} documents query parameters it does not read"
        return
    query = getattr(models, inputs["query"])
    assert set(parameters) == set(query.model_fields), f"{method} {path}"
    shapes = Shapes(spec)
    model_shape = shapes.model(query)
    for name, parameter in parameters.items():
        field = query.model_fields[name]
        assert parameter.get("required", False) == field.is_required(), (path, name)
        expected = _without_null(model_shape["properties"][name])
        if expected.get("types") == ["array"]:
            # Lists are comma-separated text in a query string.
            expected = {"types": ["string"]}
        assert _differences(shapes.spec(parameter["schema"]), expected) == [], (path, name)


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


# --- shared values the front end takes from the spec ----------------------------------------


def test_the_context_name_pattern_is_crds_own():
    spec = _spec()
    name = spec["components"]["schemas"]["CrdsContextName"]
    assert name["pattern"] == CONTEXT_NAME.pattern
    assert name["maxLength"] == MAX_MAPPING_NAME
    ref = {"$ref": "#/components/schemas/CrdsContextName"}
    schemas = spec["components"]["schemas"]
    for schema, member in [
        ("JobCreate", "crds_context"),
        ("CrdsBestrefsRequest", "context"),
        ("CrdsFetchRequest", "context"),
    ]:
        assert ref in schemas[schema]["properties"][member]["oneOf"], (schema, member)
    diff = {p["name"]: p["schema"] for p in spec["paths"]["/crds/diff"]["get"]["parameters"]}
    assert diff == {"old": ref, "new": ref}


def test_the_mast_vocabulary_is_the_models():
    assert get_args(models.MastSearchQuery.model_fields["data_rights"].annotation) == (
        models.mast.DataRights,
        type(None),
    )
    assert get_args(models.mast.DataRights) == DATA_RIGHTS


def test_the_features_are_the_route_groups_and_the_spec_lists_them():
    features = get_args(models.Feature)
    spec = _spec()["components"]["schemas"]["InfoResponse"]["properties"]["features"]
    assert spec["items"]["enum"] == list(features)
    for feature in features:
        assert f"`{feature}`" in spec["description"], feature
    assert {handler.feature for _path, handler in ROUTES} == set(features)
