"""Remote and auto modes: the real crds client against a loopback JSON-RPC server.

The server answers with the synthetic, protocol-conformant responses in
``tests/data/crds`` (see the README there). An unreachable server must give
a 502 in bounded time in remote mode, and the cache in auto mode.
"""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import pytest

from jwst_lab.errors import UpstreamError

from .crds_helpers import UNCAL_FILES, copy_cache, make_service, uncal
from .crds_rpc_server import crds_rpc_server, load_answers


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return copy_cache(tmp_path_factory.mktemp("crds_remote") / "cache")


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("crds_remote_root")
    shutil.copy(uncal(UNCAL_FILES[0]), folder / UNCAL_FILES[0])
    return folder


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_every_answer_is_marked_synthetic():
    answers = load_answers()
    assert set(answers) >= {
        "get_server_info",
        "get_context_history",
        "get_default_context",
        "get_best_references",
    }


def test_remote_mode_status_history_and_bestrefs(cache, root):
    answers = load_answers()
    with crds_rpc_server() as server:
        svc = make_service(cache, root=root, server_url=server.url, mode="remote")
        try:
            status = svc.status()
            assert status["mode"] == "remote"
            assert status["server"]["reachable"] is True
            assert status["server"]["url"] == server.url
            assert (status["context"], status["context_reason"]) == (
                "jwst_0541.pmap",
                "operational",
            )
            assert status["ok"]

            contexts = svc.contexts()
            assert contexts["source"] == "server"
            assert contexts["history_count"] == len(answers["get_context_history"])
            rows = {r["context"]: r for r in contexts["contexts"] if r["in_history"]}
            assert rows["jwst_0541.pmap"]["status"] == "operational"
            assert rows["jwst_0540.pmap"]["status"] == "archived"
            assert rows["jwst_0114.pmap"]["status"] == "not cached"
            assert rows["jwst_0541.pmap"]["description"].startswith("Synthetic")

            result = svc.bestrefs(path=root / UNCAL_FILES[0], display_path=UNCAL_FILES[0])
            assert result["mode"] == "remote"
            by_type = {t["reftype"]: t for t in result["types"]}
            for reftype, reference in answers["get_best_references"].items():
                if reference.startswith("NOT FOUND"):
                    assert by_type[reftype]["reference"] is None
                else:
                    assert by_type[reftype]["reference"] == reference
            sizes = answers["get_server_info"]["download_metadata"]
            assert by_type["dark"]["size"] == sizes["jwst_nircam_dark_9001.fits"]["size"]
            assert result["bytes_to_fetch"] == sum(s["size"] for s in sizes.values())
            assert by_type["area"]["status"] == "no_match"
            methods = {method for method, _params in server.calls}
            assert {"get_server_info", "get_context_history", "get_best_references"} <= methods
            context_param = next(p for m, p in server.calls if m == "get_best_references")[0]
            assert context_param == "jwst_0541.pmap"
        finally:
            svc.close()


def test_unreachable_server_in_remote_mode_is_502_quickly(cache, root):
    svc = make_service(cache, root=root, server_url=_closed_port_url(), mode="remote")
    try:
        started = time.monotonic()
        status = svc.status()
        assert status["server"]["reachable"] is False
        assert not status["usable"]
        assert "CRDS_MODE=local" in status["fix"]
        with pytest.raises(UpstreamError) as raised:
            svc.contexts()
        assert raised.value.status == 502
        with pytest.raises(UpstreamError):
            svc.bestrefs(path=root / UNCAL_FILES[0], display_path=UNCAL_FILES[0])
        assert time.monotonic() - started < 30
    finally:
        svc.close()


def test_silent_server_is_bounded_by_the_timeout(cache, root):
    with crds_rpc_server(silent=True) as server:
        svc = make_service(cache, root=root, server_url=server.url, mode="remote", server_timeout=2)
        try:
            started = time.monotonic()
            with pytest.raises(UpstreamError) as raised:
                svc.contexts()
            elapsed = time.monotonic() - started
            assert raised.value.status == 502
            assert elapsed < 20, elapsed
        finally:
            svc.close()


def test_auto_mode_falls_back_to_the_cache(cache, root):
    svc = make_service(cache, root=root, server_url=_closed_port_url(), mode="auto")
    try:
        status = svc.status()
        assert status["server"]["reachable"] is False
        assert status["usable"]
        assert "Working from the cache" in status["fix"]
        contexts = svc.contexts()
        assert contexts["source"] == "cache"
        assert contexts["history_count"] == 150
        result = svc.bestrefs(path=root / UNCAL_FILES[0], display_path=UNCAL_FILES[0])
        assert result["mode"] == "local"
        assert {t["reftype"]: t["reference"] for t in result["types"]}["dark"] == (
            "jwst_nircam_dark_0031.fits"
        )
    finally:
        svc.close()
