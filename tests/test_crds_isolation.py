"""crds runs only in the worker: the calling process imports neither crds nor jwst
and never changes its environment; the worker's environment carries the settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from jwst_lab.config import resolve_crds
from jwst_lab.core.crds import SERVERLESS_URL, CrdsService, worker_environment

from .crds_helpers import UNCAL_FILES, clean_env, copy_cache, make_service, uncal

PROGRAM = """
import json, os, sys
from pathlib import Path
from jwst_lab.config import resolve_crds
from jwst_lab.core.crds import CrdsService
before = dict(os.environ)
cache, fits = sys.argv[1], sys.argv[2]
svc = CrdsService(resolve_crds(path=cache, server_url="", context="", environ={}),
                  root_dir=Path(fits).parent, base_env=os.environ)
try:
    status = svc.status()
    tree = svc.tree("jwst_0541.pmap")
    diff = svc.diff("jwst_0540.pmap", "jwst_0541.pmap")
    best = svc.bestrefs(path=Path(fits), display_path="f.fits")
    pids = svc.worker_pids
finally:
    svc.close()
print("RESULT=" + json.dumps({
    "modules": sorted({m.split(".")[0] for m in sys.modules} & {"crds", "jwst", "stpipe",
                                                               "stdatamodels"}),
    "environ_unchanged": dict(os.environ) == before,
    "context": status["context"],
    "rmaps": tree["counts"]["rmaps"],
    "dark": {t["reftype"]: t["reference"] for t in best["types"]}["dark"],
    "workers": sorted(k for k, v in pids.items() if v),
    "own_pid": os.getpid() not in pids.values(),
}))
"""


def test_the_calling_process_never_imports_crds_nor_jwst(tmp_path):
    cache = copy_cache(tmp_path / "cache")
    fits = tmp_path / "root" / UNCAL_FILES[0]
    fits.parent.mkdir()
    fits.write_bytes(uncal(UNCAL_FILES[0]).read_bytes())
    completed = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(cache), str(fits)],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    line = next(x for x in completed.stdout.splitlines() if x.startswith("RESULT="))
    result = json.loads(line[len("RESULT=") :])
    assert result == {
        "modules": [],
        "environ_unchanged": True,
        "context": "jwst_0541.pmap",
        "rmaps": 117,
        "dark": "jwst_nircam_dark_0031.fits",
        "workers": ["bestrefs", "browse"],
        "own_pid": True,
    }


def test_worker_environment_carries_the_settings_and_never_a_context():
    base = {"PATH": "/bin", "CRDS_CONTEXT": "jwst_0001.pmap", "CRDS_PATH": "/elsewhere"}
    settings = resolve_crds(
        path="/cache", server_url="", context="jwst_0540.pmap", environ={"CRDS_MODE": "remote"}
    )
    env = worker_environment(base, settings, timeout=7)
    assert env["CRDS_PATH"] == "/cache"
    assert env["CRDS_SERVER_URL"] == SERVERLESS_URL
    assert env["CRDS_MODE"] == "local"  # serverless: never ask a server
    assert "CRDS_CONTEXT" not in env  # every request names its context
    assert env["CRDS_CLIENT_TIMEOUT_SECONDS"] == "7"
    # crds's gc.collect() around every FITS open costs ~0.3 s in a warm worker
    assert env["CRDS_EXPLICIT_GARBAGE_COLLECTION"] == "0"
    assert env["PATH"] == "/bin"
    assert base["CRDS_PATH"] == "/elsewhere"  # the caller's mapping is untouched

    remote = resolve_crds(
        path="/cache",
        server_url="https://jwst-crds.stsci.edu",
        context="",
        environ={"CRDS_MODE": "remote"},
    )
    env = worker_environment({"CRDS_READONLY_CACHE": "1"}, remote, timeout=10)
    assert (env["CRDS_SERVER_URL"], env["CRDS_MODE"]) == ("https://jwst-crds.stsci.edu", "remote")
    assert env["CRDS_READONLY_CACHE"] == "1"


def test_a_read_only_cache_is_shown(tmp_path):
    cache = copy_cache(tmp_path / "cache")
    settings = resolve_crds(path=str(cache), server_url="", context="", environ={})
    svc = CrdsService(
        settings, root_dir=tmp_path, base_env={**clean_env(), "CRDS_READONLY_CACHE": "1"}
    )
    try:
        assert svc.status()["cache"]["readonly"] is True
    finally:
        svc.close()
    writable = make_service(cache, root=tmp_path)
    try:
        assert writable.status()["cache"]["readonly"] is (not os.access(cache, os.W_OK))
    finally:
        writable.close()
    assert Path(cache).is_dir()
