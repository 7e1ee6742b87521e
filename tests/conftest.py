"""Shared fixtures: a Jupyter server with jwst-lab loaded (pytest-jupyter)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import Config

pytest_plugins = ["pytest_jupyter.jupyter_server"]

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def jwst_lab_config() -> dict[str, Any]:
    """``JwstLabApp`` settings for the test server; override in a test module to change them."""
    return {"crds_context": "jwst_0541.pmap", "crds_path": "/nonexistent/crds_cache"}


@pytest.fixture
def jp_server_config(jwst_lab_config: dict[str, Any]) -> Config:
    """Load only jwst-lab (and the terminals extension pytest-jupyter always adds)."""
    return Config(
        {
            "ServerApp": {"jpserver_extensions": {"jwst_lab": True}},
            "JwstLabApp": jwst_lab_config,
        }
    )


def body_json(response: Any) -> Any:
    """Decode a tornado response body as JSON."""
    return json.loads(response.body.decode("utf-8"))
