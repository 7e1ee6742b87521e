"""Shared helpers of the CRDS browser tests: fixture cache copies, crds run in a child."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from jwst_lab.config import resolve_crds
from jwst_lab.core.crds import SERVERLESS_URL, CrdsService

from .conftest import CRDS_FIXTURE, FIXTURES, require_fixture

UNCAL_DIR = FIXTURES / "jwst" / "uncal_headers"
UNCAL_FILES = (
    "jw01075001001_03105_00009_nrca2_uncal.fits",
    "jw01075001001_03105_00009_nrca3_uncal.fits",
)


def copy_cache(target: Path) -> Path:
    """A private copy of the real CRDS cache fixture at ``target``."""
    shutil.copytree(require_fixture(CRDS_FIXTURE), target)
    return target


def uncal(name: str) -> Path:
    """One of the real NIRCam uncal files."""
    return require_fixture(UNCAL_DIR / name)


def clean_env() -> dict[str, str]:
    """The test process's environment without any CRDS_* variable."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CRDS_")}


def make_service(
    cache: Path | None,
    *,
    root: Path,
    server_url: str = "",
    context: str = "",
    mode: str | None = None,
    server_timeout: float = 10.0,
    request_timeout: float = 120.0,
) -> CrdsService:
    """A CrdsService over ``cache`` configured the way JwstLabApp would."""
    environ = {"CRDS_MODE": mode} if mode else {}
    settings = resolve_crds(
        path=str(cache) if cache else "", server_url=server_url, context=context, environ=environ
    )
    return CrdsService(
        settings,
        root_dir=root,
        base_env=clean_env(),
        server_timeout=server_timeout,
        request_timeout=request_timeout,
    )


def crds_env(cache: Path) -> dict[str, str]:
    """The environment for running crds itself, serverless on ``cache``."""
    env = clean_env()
    env.update(
        CRDS_PATH=str(cache),
        CRDS_SERVER_URL=SERVERLESS_URL,
        CRDS_MODE="local",
        CRDS_OBSERVATORY="jwst",
    )
    return env


def crds_library(cache: Path, code: str) -> Any:
    """Run ``code`` (which sets ``result``) with the crds library in a fresh child process."""
    program = f"import json\n{code}\nprint('RESULT=' + json.dumps(result, default=str))\n"
    completed = subprocess.run(
        [sys.executable, "-c", program],
        env=crds_env(cache),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    line = next(x for x in completed.stdout.splitlines() if x.startswith("RESULT="))
    return json.loads(line[len("RESULT=") :])


def crds_cli_bestrefs(cache: Path, file: Path, context: str) -> dict[str, str]:
    """``crds bestrefs --print-new-references`` on ``file``: {reftype: reference or N/A}."""
    crds = Path(sys.executable).parent / "crds"
    completed = subprocess.run(
        [
            str(crds),
            "bestrefs",
            "--files",
            str(file),
            "--new-context",
            context,
            "--print-new-references",
        ],
        env=crds_env(cache),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    result: dict[str, str] = {}
    for line in completed.stdout.splitlines() + completed.stderr.splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[0] == str(file):
            result[parts[2].lower()] = parts[4]
    return result
