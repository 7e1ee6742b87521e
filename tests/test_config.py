"""Settings resolution: traits, CRDS_* fallbacks, validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from traitlets import TraitError

from jwst_lab.app import JwstLabApp
from jwst_lab.config import resolve_crds


def test_explicit_crds_configuration_wins_over_the_environment():
    crds = resolve_crds(
        path="/cfg/cache",
        server_url="https://jwst-crds.example.org",
        context="jwst_1000.pmap",
        environ={"CRDS_PATH": "/env/cache", "CRDS_CONTEXT": "jwst_0001.pmap"},
    )
    assert crds.path == Path("/cfg/cache")
    assert crds.context == "jwst_1000.pmap"
    assert crds.context_source == "configured"
    assert crds.mode == "auto"
    assert not crds.serverless


def test_environment_is_the_fallback():
    environ = {
        "CRDS_PATH": "/env/cache",
        "CRDS_CONTEXT": "jwst_0541.pmap",
        "CRDS_SERVER_URL": "https://jwst-crds.example.org",
        "CRDS_MODE": "Remote",
    }
    crds = resolve_crds(path="", server_url="", context="", environ=environ)
    assert crds.path == Path("/env/cache")
    assert (crds.context, crds.context_source) == ("jwst_0541.pmap", "environment")
    assert crds.mode == "remote"


@pytest.mark.parametrize("url", ["", "https://jwst-serverless-mode.stsci.edu"])
def test_no_server_or_a_serverless_url_means_serverless(url):
    crds = resolve_crds(path="", server_url=url, context="", environ={"CRDS_MODE": "remote"})
    assert crds.mode == "serverless"
    assert crds.serverless
    assert (crds.path, crds.context, crds.context_source) == (None, None, "operational")


def test_an_unknown_crds_mode_falls_back_to_auto():
    crds = resolve_crds(
        path="", server_url="https://crds.example.org", context="", environ={"CRDS_MODE": "x"}
    )
    assert crds.mode == "auto"


@pytest.mark.parametrize(
    ("trait", "value"),
    [
        ("executor_class", "kubernetes"),
        ("max_concurrent_jobs", 0),
        ("max_parallel_downloads", -1),
        ("crds_fetch_concurrency", 0),
        ("job_timeout", -5.0),
        ("archive_backend", "ftp"),
    ],
)
def test_invalid_settings_are_refused_at_start_up(trait, value):
    app = JwstLabApp()
    with pytest.raises(TraitError):
        setattr(app, trait, value)


def test_executor_names_are_case_insensitive():
    app = JwstLabApp(executor_class="Dask")
    assert app.executor_class == "dask"
