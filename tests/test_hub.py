"""jwst-lab under a real JupyterHub: two users, each with their own server behind the proxy.

The hub runs ``deploy/jupyterhub/jupyterhub_config.py`` (SharedPasswordAuthenticator,
SimpleLocalProcessSpawner, ``configurable-http-proxy`` from npm) with users ``alice``
and ``bob``, each with a copy of the demo workspace, their own job database and
the demo's CRDS cache shared read-only. Every request goes through the proxy, so
under ``/user/<name>/``: a route that ignores the base URL fails here. What one
user does (jobs, downloads, the MAST token) is invisible to the other, and a
token of one user is refused by the other's server, websocket included.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from tests.demo_fixtures import DemoBuild, demo_workspace

from .hub_deployment import USERS, HubDeployment, HubError

__all__ = ["demo_workspace"]

pytest.importorskip("jupyterhub")

DEMO_OBS = "jw09999-o001_t001_miri_f770w"
MAST_TOKEN = "0123456789abcdef0123456789abcdef"


class User:
    """One user of the hub: their token, and calls to their own jwst-lab REST API."""

    def __init__(self, hub: HubDeployment, name: str) -> None:
        self.hub = hub
        self.name = name
        self.token = hub.user_token(name)
        self.workspace = hub.home(name) / "workspace"

    def api(self, method: str, path: str, body: Any = None, *, server: str | None = None) -> Any:
        """``/user/<server>/jwst-lab<path>`` with this user's token (own server by default)."""
        owner = server or self.name
        return self.hub.request(method, f"/user/{owner}/jwst-lab{path}", body, token=self.token)

    def wait_job(self, job_id: str, timeout: float = 240) -> dict[str, Any]:
        """The job's record once it has ended."""
        deadline = time.monotonic() + timeout
        while (job := self.api("GET", f"/jobs/{job_id}"))["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, f"job still {job['status']}"
            time.sleep(0.3)
        return dict(job)


@pytest.fixture(scope="module")
def hub(
    tmp_path_factory: pytest.TempPathFactory, demo_workspace: DemoBuild
) -> Iterator[HubDeployment]:
    """The hub with both users' servers started."""
    deployment = HubDeployment(tmp_path_factory.mktemp("hub"), demo_workspace.path)
    try:
        for name in USERS:
            deployment.start_server(name)
        yield deployment
    finally:
        deployment.stop()


@pytest.fixture(scope="module")
def alice(hub: HubDeployment) -> User:
    return User(hub, "alice")


@pytest.fixture(scope="module")
def bob(hub: HubDeployment) -> User:
    return User(hub, "bob")


def test_each_user_has_a_server_with_their_own_root_job_database_and_the_shared_cache(
    hub, alice, bob, demo_workspace
):
    for user in (alice, bob):
        info = user.api("GET", "/info")
        assert info["archive_backend"] == "local"
        assert info["crds"]["path"] == str(demo_workspace.path / "crds_cache")
        assert info["crds"]["mode"] == "serverless"
        assert info["job_store"]["path"] == str(hub.home(user.name) / ".jwst-lab" / "jobs.sqlite")
        # The workspace is a copy of the demo without the (shared) CRDS cache.
        assert (user.workspace / "jwst_lab_demo.json").is_file()
        assert not (user.workspace / "crds_cache").exists()


def test_the_panels_routes_answer_under_the_users_base_url(alice, demo_workspace):
    contexts = alice.api("GET", "/crds/contexts")
    names = [context["context"] for context in contexts["contexts"]]
    assert demo_workspace.manifest["operational_context"] in names
    found = alice.api("GET", "/mast/observations?target=Demo%20Field&source=local")
    assert found["source"] == "local"
    assert DEMO_OBS in {row["obs_id"] for row in found["rows"]}
    pipelines = alice.api("GET", "/pipelines")
    assert "calwebb_image2" in {p["alias"] for p in pipelines["pipelines"]}


def test_a_pipeline_job_runs_on_the_users_copy_and_the_other_user_never_sees_it(
    alice, bob, demo_workspace
):
    rate = demo_workspace.manifest["files"]["rate"][0]
    job = alice.api("POST", "/jobs", {"pipeline": "calwebb_image2", "input": rate})
    done = alice.wait_job(job["id"])
    assert done["status"] == "succeeded", done["error"]
    assert done["crds_context_used"] == demo_workspace.manifest["operational_context"]
    outputs = [alice.workspace / path for path in done["outputs"]]
    assert any(path.name.endswith("_cal.fits") and path.is_file() for path in outputs)
    assert not (demo_workspace.path / done["output_dir"]).exists()  # not in the template

    assert job["id"] not in {j["id"] for j in bob.api("GET", "/jobs")["jobs"]}
    with pytest.raises(HubError) as missing:
        bob.api("GET", f"/jobs/{job['id']}")
    assert missing.value.status == 404
    # Bob's token on Alice's server: the hub's per-user OAuth refuses it.
    with pytest.raises(HubError) as refused:
        bob.api("GET", f"/jobs/{job['id']}", server="alice")
    assert refused.value.status == 403


def test_downloads_and_the_mast_token_stay_with_their_user(alice, bob):
    state = alice.api("PUT", "/mast/token", {"token": MAST_TOKEN})
    assert state["set"] is True
    assert MAST_TOKEN not in json.dumps(state)
    assert bob.api("GET", "/mast/token")["set"] is False

    job = alice.api("POST", "/downloads", {"obsids": [DEMO_OBS], "dest": "fetched"})
    done = alice.wait_job(job["id"])
    assert done["status"] == "succeeded", done["error"]
    assert MAST_TOKEN not in json.dumps(done)
    files = sorted((alice.workspace / "fetched").rglob("*.fits"))
    assert files
    assert not (bob.workspace / "fetched").exists()
    assert bob.api("GET", "/jobs?kind=download")["total"] == 0
    alice.api("DELETE", "/mast/token")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/info", None),
        ("GET", "/jobs", None),
        ("POST", "/jobs", {"pipeline": "calwebb_image2", "input": "rate/x_rate.fits"}),
        ("GET", "/runs", None),
        ("GET", "/mast/token", None),
        ("PUT", "/mast/token", {"token": MAST_TOKEN}),
        ("GET", "/crds/contexts", None),
    ],
)
def test_another_users_token_is_refused_on_every_kind_of_route(alice, bob, method, path, body):
    with pytest.raises(HubError) as refused:
        alice.api(method, path, body, server="bob")
    assert refused.value.status == 403
    # Nothing reached Bob's server: no token set there, no job created.
    assert bob.api("GET", "/mast/token")["set"] is False
    assert bob.api("GET", "/jobs?kind=pipeline")["total"] == 0


async def test_the_events_websocket_is_the_owners_only(hub, alice, bob):
    ws_url = hub.url.replace("http://", "ws://") + "/user/alice/jwst-lab/events"

    async def connect(token: str) -> Any:
        request = HTTPRequest(ws_url, headers={"Authorization": f"token {token}"})
        return await asyncio.wait_for(websocket_connect(request), 30)

    connection = await connect(alice.token)
    hello = json.loads(await asyncio.wait_for(connection.read_message(), 30))
    connection.close()
    assert hello["type"] == "hello"
    with pytest.raises(HTTPClientError) as refused:
        await connect(bob.token)
    assert refused.value.code == 403


def test_each_users_metrics_are_scraped_from_their_server_with_their_user_label(hub, alice, bob):
    """Independent of the other tests: it runs the job whose metrics it then reads."""
    from prometheus_client.parser import text_string_to_metric_families

    def scrape(user: User) -> dict[str, Any]:
        text = hub.request("GET", f"/user/{user.name}/metrics", token=user.token, text=True)
        return {family.name: family for family in text_string_to_metric_families(text)}

    def value(families: dict[str, Any], sample_name: str, **labels: str) -> float:
        family = families[sample_name.removesuffix("_total")]
        return sum(
            sample.value
            for sample in family.samples
            if sample.name == sample_name and labels.items() <= sample.labels.items()
        )

    succeeded = {"kind": "download", "status": "succeeded"}
    before, bob_before = scrape(alice), scrape(bob)
    job = alice.api("POST", "/downloads", {"obsids": [DEMO_OBS], "dest": "metrics-fetched"})
    done = alice.wait_job(job["id"])
    assert done["status"] == "succeeded", done["error"]
    after, bob_after = scrape(alice), scrape(bob)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("jwst_lab_job_transitions_total", **succeeded) == 1
    assert grew("jwst_lab_jobs", **succeeded) == 1
    assert grew("jwst_lab_download_bytes_total", kind="download") > 0
    cpu = done["resources"]["cpu_seconds"]
    assert cpu > 0
    assert grew("jwst_lab_job_cpu_seconds_total", user="alice", kind="download") == pytest.approx(
        cpu
    )
    assert {s.labels["user"] for s in after["jwst_lab_job_cpu_seconds"].samples} == {"alice"}
    # Bob's server counts none of it, and labels what it counts as his.
    for name, labels in (
        ("jwst_lab_job_transitions_total", succeeded),
        ("jwst_lab_jobs", succeeded),
        ("jwst_lab_download_bytes_total", {"kind": "download"}),
    ):
        assert value(bob_after, name, **labels) == value(bob_before, name, **labels), name
    assert {s.labels["user"] for s in bob_after["jwst_lab_job_cpu_seconds"].samples} <= {"bob"}
    with pytest.raises(HubError) as refused:
        hub.request("GET", "/user/alice/metrics", token=bob.token, text=True)
    assert refused.value.status == 403


def test_a_request_without_a_token_is_not_let_in(hub):
    with pytest.raises(HubError) as refused:
        hub.request("GET", "/user/alice/jwst-lab/jobs")
    assert refused.value.status in (401, 403)


def test_the_deployment_documented_in_the_readme_is_the_one_tested():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Deploying on JupyterHub", 1)[1].split("\n## ", 1)[0]
    assert "deploy/jupyterhub/jupyterhub_config.py" in section
    for variable in (
        "JWST_LAB_HUB_DIR",
        "JWST_LAB_CRDS_PATH",
        "JWST_LAB_HUB_TEMPLATE",
        "CRDS_READONLY_CACHE",
    ):
        assert variable in section, variable
