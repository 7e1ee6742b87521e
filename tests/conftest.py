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
            # A warm runner imports jwst (~10 s of CPU) at every server start; tests
            # that exercise it ask for it in their own jwst_lab_config.
            "JwstLabApp": {"prewarm_runner": False, **jwst_lab_config},
        }
    )


def body_json(response: Any) -> Any:
    """Decode a tornado response body as JSON."""
    return json.loads(response.body.decode("utf-8"))


# --- pipeline jobs ---------------------------------------------------------------

FIXTURES = REPO_ROOT.parent / "shared" / "fixtures"
CRDS_FIXTURE = FIXTURES / "crds-cache"
ASN_SCHEMAS = FIXTURES / "jwst" / "association_schemas"
ASN_FIXTURES = FIXTURES / "jwst" / "associations"


def require_fixture(path: Path) -> Path:
    """``path`` under ``../shared/fixtures``, or a clear failure when it is missing."""
    if not path.exists():
        pytest.fail(f"test fixture {path} is missing (see ../shared/fixtures/README.md)")
    return path


@pytest.fixture(scope="session")
def catalog_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pipeline catalog computed once per session (one jwst-importing subprocess)."""
    from jwst_lab.core.pipeline import PipelineCatalog

    folder = tmp_path_factory.mktemp("pipeline_catalog")
    PipelineCatalog(folder).load()
    return folder


@pytest.fixture(scope="session")
def crds_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session copy of the real CRDS cache fixture (mappings only, context jwst_0541)."""
    import shutil

    target = tmp_path_factory.mktemp("crds") / "cache"
    shutil.copytree(require_fixture(CRDS_FIXTURE), target)
    return target


def make_tiny_uncal(path: Path) -> Path:
    """A real (tiny, 1x3x8x8) MIRI ``RampModel`` that ``group_scale`` runs on in ~1 s."""
    import numpy as np
    from stdatamodels.jwst import datamodels

    model = datamodels.RampModel(data=np.zeros((1, 3, 8, 8), dtype=np.float32))
    meta = model.meta
    meta.telescope = "JWST"
    meta.instrument.name = "MIRI"
    meta.instrument.detector = "MIRIMAGE"
    meta.instrument.filter = "F770W"
    meta.exposure.type = "MIR_IMAGE"
    meta.exposure.readpatt = "FAST"
    meta.exposure.nframes = 1
    meta.exposure.groupgap = 0
    meta.exposure.ngroups = 3
    meta.exposure.nints = 1
    meta.subarray.name = "FULL"
    meta.observation.date = "2023-01-01"
    meta.observation.time = "00:00:00"
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    model.close()
    return path


@pytest.fixture(scope="session")
def tiny_uncal_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tiny uncal file per session; tests copy it where they need it."""
    return make_tiny_uncal(tmp_path_factory.mktemp("tiny") / "jw_tiny_uncal.fits")
