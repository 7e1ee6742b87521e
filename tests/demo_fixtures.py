"""Shared helpers for the demo tests: one demo workspace per test session, pipeline runs.

The workspace is built once, by the real ``jwst-lab demo --no-launch`` command,
under pytest's ``tmp_path_factory``; every demo test module uses it through the
``demo_workspace`` fixture (imported into the module). Pipeline stages run in
subprocesses whose CRDS settings come only from their ``env=``; the test
process's own environment is never changed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

BIN = Path(sys.executable).parent
JWST_LAB = BIN / "jwst-lab"
STRUN = BIN / "strun"
SEED = 1
SERVERLESS_URL = "https://jwst-serverless-mode.stsci.edu"
FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


@dataclass
class DemoBuild:
    """The session's demo workspace and how the command that built it behaved."""

    path: Path
    manifest: dict[str, Any]
    seconds: float
    stdout: str
    stderr: str
    extra: dict[str, Any] = field(default_factory=dict)

    def file(self, relative: str) -> Path:
        """Absolute path of a manifest path."""
        return self.path / relative


_BUILDS: dict[str, DemoBuild] = {}


def run_demo(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``jwst-lab demo ARGS`` and capture its output (environment unchanged)."""
    return subprocess.run(
        [str(JWST_LAB), "demo", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def build_once(base: Path) -> DemoBuild:
    """Build the session workspace the first time it is asked for; reuse it afterwards."""
    if "session" not in _BUILDS:
        workspace = base / "demo-workspace"
        started = time.monotonic()
        result = run_demo("--no-launch", "--workspace", str(workspace), "--seed", str(SEED))
        seconds = time.monotonic() - started
        assert result.returncode == 0, result.stderr[-3000:]
        manifest = json.loads((workspace / "jwst_lab_demo.json").read_text())
        _BUILDS["session"] = DemoBuild(workspace, manifest, seconds, result.stdout, result.stderr)
    return _BUILDS["session"]


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    """The demo workspace built once per session by ``jwst-lab demo --no-launch``."""
    return build_once(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def workspace(demo_workspace: DemoBuild, tmp_path: Path) -> Path:
    """A copy of the session's demo workspace: jobs write their outputs into it."""
    copy = tmp_path / "workspace"
    shutil.copytree(demo_workspace.path, copy, symlinks=True)
    return copy


@pytest.fixture
def jp_root_dir(workspace: Path) -> Path:
    """The server's root: the copy of the demo workspace."""
    return workspace


@pytest.fixture
def jwst_lab_config(workspace: Path) -> dict[str, Any]:
    """The demo's CRDS cache, serverless; jobs forked from the warm runner (the default)."""
    return {
        "crds_path": str(workspace / "crds_cache"),
        "crds_server_url": SERVERLESS_URL,
        "prewarm_runner": True,
    }


@pytest.fixture
def seeded_catalog(jp_data_dir: Path, catalog_cache_dir: Path) -> None:
    """The server's catalog seeded from the session's catalog cache."""
    shutil.copytree(catalog_cache_dir, jp_data_dir / "jwst_lab" / "catalog", dirs_exist_ok=True)


def crds_env(workspace: Path) -> dict[str, str]:
    """A subprocess environment with only the demo's CRDS settings (no other CRDS_*)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CRDS_")}
    env["CRDS_PATH"] = str(workspace / "crds_cache")
    env["CRDS_MODE"] = "local"
    env["CRDS_SERVER_URL"] = SERVERLESS_URL
    return env


@dataclass
class StageRun:
    """One ``strun`` run: exit status, log, where it ran."""

    returncode: int
    log: str
    cwd: Path
    seconds: float

    def steps_run(self) -> list[str]:
        """Step aliases that logged ``Step <alias> running``."""
        return re.findall(r"Step (\w+) running with args", self.log)

    def steps_skipped(self) -> list[str]:
        """Step aliases whose run logged ``Step skipped.`` (skip = True)."""
        skipped: list[str] = []
        current = None
        for line in self.log.splitlines():
            match = re.search(r"Step (\w+) running with args", line)
            if match:
                current = match.group(1)
            elif "Step skipped." in line and current:
                skipped.append(current)
        return skipped


def run_stage(pipeline: str, target: str, cwd: Path, workspace: Path, *extra: str) -> StageRun:
    """``strun <pipeline> <target>`` in ``cwd`` with the workspace's CRDS environment."""
    started = time.monotonic()
    result = subprocess.run(
        [str(STRUN), pipeline, target, "--log-stream", "stdout", *extra],
        cwd=cwd,
        env=crds_env(workspace),
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    return StageRun(
        result.returncode, result.stdout + result.stderr, cwd, time.monotonic() - started
    )


def fixture_path(*parts: str) -> Path:
    """A file of the shared, read-only fixtures; fail clearly if they are missing."""
    path = FIXTURES.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"shared fixture {path} is missing (expected under ../shared/fixtures)")
    return path
