"""The wiring: one ``Services`` object, built at start-up, read by every handler.

Handlers reach the services through the tornado settings (never the app, never
``getattr`` with a fallback); the job manager starts once, at server start, and a
request that needs it before then waits for that start in one place.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from jwst_lab.app import JwstLabApp
from jwst_lab.config import Settings
from jwst_lab.core.associations import AssociationReader
from jwst_lab.core.crds import CrdsService
from jwst_lab.core.events import EventBus
from jwst_lab.core.mast import MastService
from jwst_lab.core.pipeline import PipelineCatalog
from jwst_lab.core.token import TokenStore
from jwst_lab.jobs.manager import JobManager
from jwst_lab.jobs.runs import RunService
from jwst_lab.jobs.store import JobStore
from jwst_lab.routes import ROUTES
from jwst_lab.routes.base import JwstLabHandler
from jwst_lab.services import SERVICES_KEY, Services

from .api_helpers import call_api
from .conftest import REPO_ROOT

ROUTES_DIR = REPO_ROOT / "jwst_lab" / "routes"
#: The services' names, and the app attributes that held them before.
SERVICE_NAMES = {f.name for f in dataclasses.fields(Services)} | {
    "services",
    "jwst_lab_settings",
    "event_bus",
    "pipeline_catalog",
    "association_reader",
    "mast_service",
    "mast_token_store",
    "crds_service",
    "job_store",
    "job_manager",
}


def _lab_app(jp_serverapp) -> JwstLabApp:
    (app,) = jp_serverapp.extension_manager.extension_apps["jwst_lab"]
    return app


async def test_one_services_object_is_built_and_handed_to_the_handlers(jp_serverapp, jp_fetch):
    app = _lab_app(jp_serverapp)
    services = app.services
    assert jp_serverapp.web_app.settings[SERVICES_KEY] is services
    members = {
        "settings": Settings,
        "events": EventBus,
        "pipelines": PipelineCatalog,
        "associations": AssociationReader,
        "mast": MastService,
        "tokens": TokenStore,
        "crds": CrdsService,
        "job_store": JobStore,
        "jobs": JobManager,
        "runs": RunService,
    }
    assert {f.name for f in dataclasses.fields(Services)} == set(members)
    for name, kind in members.items():
        assert isinstance(getattr(services, name), kind), name
    assert services.mast.tokens is services.tokens
    assert services.settings.root_dir == Path(jp_serverapp.root_dir).resolve()
    code, info = await call_api(jp_fetch, "GET", "info")
    assert (code, info["job_store"]["path"]) == (200, services.job_store.health.path)


async def test_the_job_manager_starts_with_the_server_and_requests_wait_for_it(
    jp_serverapp, jp_fetch
):
    services = _lab_app(jp_serverapp).services
    # pytest-jupyter does not run the extensions' start hooks: no request has started it yet.
    assert not services.jobs._started
    code, page = await call_api(jp_fetch, "GET", "jobs")
    assert (code, page["jobs"]) == (200, [])
    assert services.jobs._started


async def test_the_server_start_hook_starts_the_job_manager_once(jp_serverapp):
    app = _lab_app(jp_serverapp)
    await app._start_jupyter_server_extension(jp_serverapp)
    assert app.services.jobs._started
    await app._start_jupyter_server_extension(jp_serverapp)  # idempotent
    assert app.services.jobs._started


async def test_jobs_get_the_token_of_the_token_store_the_services_hold(jp_serverapp):
    services = _lab_app(jp_serverapp).services

    class Fixed:
        def current_token(self) -> str:
            return "a-token-for-this-test"

    previous = services.tokens
    services.tokens = Fixed()  # type: ignore[assignment]
    try:
        assert services.mast_token() == "a-token-for-this-test"
        context = services.jobs._contexts["download"]
        assert context.token() == "a-token-for-this-test"
    finally:
        services.tokens = previous


def test_handlers_that_use_jobs_say_so_and_only_they():
    uses_jobs = {
        handler.__name__
        for _path, handler in ROUTES
        if issubclass(handler, JwstLabHandler) and handler.needs_jobs
    }
    assert uses_jobs == {
        "JobsHandler",
        "JobHandler",
        "JobCancelHandler",
        "JobRerunHandler",
        "JobLogHandler",
        "DownloadsHandler",
        "CrdsFetchHandler",
        "RunsHandler",
        "RunHandler",
        "RunCancelHandler",
        "RunResumeHandler",
    }
    for path in ROUTES_DIR.glob("*.py"):
        assert ".start()" not in path.read_text(encoding="utf-8"), path.name


@pytest.mark.parametrize("path", sorted(ROUTES_DIR.glob("*.py")), ids=lambda p: p.name)
def test_routes_import_neither_the_app_nor_reach_around_the_services(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            assert module not in ("..app", "jwst_lab.app"), f"{path.name} imports the app"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id != "cast", f"{path.name}:{node.lineno} casts"
        if isinstance(node, ast.Attribute):
            assert node.attr not in ("extensionapp", "lab_app"), f"{path.name}:{node.lineno}"
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "getattr":
            name = node.args[1]
            looked_up = name.value if isinstance(name, ast.Constant) else None
            assert looked_up not in SERVICE_NAMES, f"{path.name}:{node.lineno} getattr fallback"


def test_every_setting_comes_from_its_trait_once():
    """``Settings`` has no defaults of its own: a trait's default is the only one."""
    for field in dataclasses.fields(Settings):
        assert field.default is dataclasses.MISSING, field.name
        assert field.default_factory is dataclasses.MISSING, field.name
    app = JwstLabApp()
    settings = app.resolved_settings()
    assert settings.prewarm_runner is JwstLabApp.prewarm_runner.default_value is True
    assert settings.mast_timeout == JwstLabApp.mast_timeout.default_value
    assert JwstLabApp(prewarm_runner=False).resolved_settings().prewarm_runner is False
