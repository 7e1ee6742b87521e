"""The /crds routes through a real Jupyter server: answers and every bad input."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from typing import Any

import pytest

from .api_helpers import call_api
from .crds_helpers import UNCAL_FILES, copy_cache, uncal


@pytest.fixture(scope="module")
def module_cache(tmp_path_factory) -> Path:
    return copy_cache(tmp_path_factory.mktemp("crds_routes") / "cache")


@pytest.fixture
def jwst_lab_config(request, module_cache, tmp_path) -> dict[str, Any]:
    config: dict[str, Any] = {"crds_path": str(module_cache)}
    config.update(getattr(request, "param", {}))
    return config


@pytest.fixture
def files(jp_root_dir, tmp_path):
    """The server root: a real NIRCam uncal, a text file, a symlink out of the root."""
    (jp_root_dir / "data").mkdir()
    shutil.copy(uncal(UNCAL_FILES[0]), jp_root_dir / "data" / UNCAL_FILES[0])
    (jp_root_dir / "data" / "notes.txt").write_text("hello")
    (jp_root_dir / "data" / "empty.fits").write_bytes(b"")
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(uncal(UNCAL_FILES[0]), outside / "secret_uncal.fits")
    (jp_root_dir / "link_out").symlink_to(outside)
    return jp_root_dir


_call = call_api


async def test_info_lists_the_crds_feature(jp_fetch):
    code, info = await _call(jp_fetch, "GET", "info")
    assert code == 200
    assert "crds" in info["features"]


async def test_browse_the_real_cache(jp_fetch, module_cache):
    code, status = await _call(jp_fetch, "GET", "crds", "status")
    assert code == 200
    assert status["ok"]
    assert (status["context"], status["context_reason"]) == ("jwst_0541.pmap", "operational")
    assert status["cache"]["path"] == str(module_cache)

    code, contexts = await _call(jp_fetch, "GET", "crds", "contexts")
    assert code == 200
    assert contexts["history_count"] == 150
    assert contexts["contexts"][0]["context"] == "jwst_0541.pmap"
    assert contexts["contexts"][0]["status"] == "operational"

    code, tree = await _call(jp_fetch, "GET", "crds", "contexts", "jwst_0541.pmap")
    assert code == 200
    assert tree["counts"] == {"imaps": 6, "rmaps": 117, "references": 1794}

    code, table = await _call(jp_fetch, "GET", "crds", "mappings", "jwst_nirspec_dark_0029.rmap")
    assert code == 200
    assert table["header"]["derived_from"] == "jwst_nirspec_dark_0028.rmap"
    assert table["columns"][-1] == "REFERENCE"

    # JupyterLab's ServerConnection adds a cache-busting parameter to every GET.
    code, diff = await _call(
        jp_fetch,
        "GET",
        "crds",
        "diff",
        old="jwst_0540.pmap",
        new="jwst_0541.pmap",
        **{"1795659111627": ""},
    )
    assert code == 200
    assert diff["affected"] == [
        {"instrument": "nirspec", "types": ["dark", "readnoise", "refpix", "superbias"]}
    ]


async def test_bestrefs_for_a_file_under_the_root(jp_fetch, files):
    code, result = await _call(
        jp_fetch, "POST", "crds", "bestrefs", body={"path": f"data/{UNCAL_FILES[0]}"}
    )
    assert code == 200, result
    assert (result["context"], result["instrument"]) == ("jwst_0541.pmap", "nircam")
    assert result["source"] == {"path": f"data/{UNCAL_FILES[0]}"}
    by_type = {t["reftype"]: t["reference"] for t in result["types"]}
    assert by_type["dark"] == "jwst_nircam_dark_0031.fits"
    code, result = await _call(
        jp_fetch,
        "POST",
        "crds",
        "bestrefs",
        body={"path": f"data/{UNCAL_FILES[0]}", "context": "jwst_0540.pmap"},
    )
    assert (code, result["context"]) == (200, "jwst_0540.pmap")


@pytest.mark.parametrize(
    ("parts", "params", "status", "words"),
    [
        (("contexts", "jwst_9999.pmap"), {}, 404, "jwst_9999.pmap"),
        (("contexts", "jwst_nirspec_0192.imap"), {}, 400, ".pmap"),
        (("contexts", "hst_0001.pmap"), {}, 400, "not a CRDS JWST"),
        (("mappings", "jwst_nirspec_dark_9999.rmap"), {}, 404, "not in the CRDS cache"),
        (("mappings", "..%2Fconfig%2Fjwst%2Fserver_config"), {}, 400, "not a path"),
        (("mappings", "roman_wfi_dark_0001.rmap"), {}, 400, "not a CRDS JWST"),
        (("mappings", "jwst_0541.pmap.bak"), {}, 400, "not a CRDS JWST"),
        (("diff",), {"old": "jwst_0540.pmap"}, 400, "new is required"),
        (("diff",), {"old": "jwst_0540.pmap", "new": "jwst_9999.pmap"}, 404, "jwst_9999"),
        (("diff",), {"old": "a/b.pmap", "new": "jwst_0541.pmap"}, 400, "old"),
    ],
)
async def test_bad_names(jp_fetch, parts, params, status, words):
    code, error = await _call(jp_fetch, "GET", "crds", *parts, **params)
    assert code == status, error
    assert words in error["message"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({}, 400, "exactly one of path"),
        ({"path": "data/x.fits", "header": {"A": 1}}, 400, "exactly one of path"),
        ({"path": "../outside.fits"}, 400, "'..'"),
        ({"path": "/etc/passwd"}, 400, "relative"),
        ({"path": "link_out/secret_uncal.fits"}, 400, "outside the server root"),
        ({"path": "data/missing.fits"}, 404, "does not exist"),
        ({"path": "data/notes.txt"}, 400, "not a FITS"),
        ({"path": "data/empty.fits"}, 400, "not a FITS file"),
        ({"path": "data"}, 400, "folder"),
        ({"path": f"data/{UNCAL_FILES[0]}", "context": "jwst_9999.pmap"}, 404, "jwst_9999"),
        ({"path": f"data/{UNCAL_FILES[0]}", "context": "../x.pmap"}, 400, "context"),
        ({"header": {"DETECTOR": "NRS1"}}, 400, "no instrument"),
        ({"header": "INSTRUME=NIRCAM"}, 400, "header"),
        ({"path": f"data/{UNCAL_FILES[0]}", "colour": "red"}, 400, "colour"),
        ("not json", 400, "not valid JSON"),
    ],
)
async def test_bad_bestrefs_requests(jp_fetch, files, body, status, words):
    code, error = await _call(jp_fetch, "POST", "crds", "bestrefs", body=body)
    assert code == status, error
    assert words in error["message"]


async def test_a_context_missing_from_the_cache_is_named_as_the_field(jp_fetch, files):
    """The front end offers other contexts (not Retry) when the answer names ``context``."""
    body = {"path": f"data/{UNCAL_FILES[0]}", "context": "jwst_9999.pmap"}
    code, error = await _call(jp_fetch, "POST", "crds", "bestrefs", body=body)
    assert (code, error.get("field")) == (404, "context"), error


@pytest.mark.parametrize(
    "jwst_lab_config", [{"crds_path": "/nonexistent/crds_cache"}], indirect=True
)
async def test_missing_cache_is_503_with_the_fix(jp_fetch):
    code, status = await _call(jp_fetch, "GET", "crds", "status")
    assert code == 200
    assert not status["ok"]
    assert "/nonexistent/crds_cache does not exist" in status["fix"]
    for parts in (("contexts",), ("contexts", "jwst_0541.pmap"), ("mappings", "jwst_0541.pmap")):
        code, error = await _call(jp_fetch, "GET", "crds", *parts)
        assert (code, error["reason"]) == (503, "crds_unavailable")
        assert "crds_path" in error["message"]
    code, error = await _call(jp_fetch, "POST", "crds", "bestrefs", body={"header": {"A": "1"}})
    assert code == 503


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def remote_mode(monkeypatch):
    """CRDS_MODE=remote for the app under test (resolve_crds reads it at start-up)."""
    monkeypatch.setenv("CRDS_MODE", "remote")


@pytest.mark.parametrize(
    "jwst_lab_config", [{"crds_server_url": _closed_port_url()}], indirect=True
)
async def test_remote_mode_answers_502(remote_mode, jp_fetch, files):
    code, status = await _call(jp_fetch, "GET", "crds", "status")
    assert code == 200
    assert status["mode"] == "remote"
    assert status["server"]["reachable"] is False
    assert "CRDS_MODE=local" in status["fix"]
    code, error = await _call(jp_fetch, "GET", "crds", "contexts")
    assert (code, error["reason"]) == (502, "upstream_error")
    code, error = await _call(
        jp_fetch, "POST", "crds", "bestrefs", body={"path": f"data/{UNCAL_FILES[0]}"}
    )
    assert code == 502
