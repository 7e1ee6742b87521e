"""The life cycle of a demo workspace: reuse, rebuild, refusal, and the launch of JupyterLab."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from tests.demo_fixtures import JWST_LAB, SEED, DemoBuild, demo_workspace, run_demo

__all__ = ["demo_workspace"]

pytestmark = pytest.mark.filterwarnings("ignore::Warning")


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time (ns)."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def _science(path: Path) -> bytes:
    from stdatamodels.jwst import datamodels

    with datamodels.open(path) as model:
        data = np.asarray(model.data)
        return data.astype(data.dtype.newbyteorder("=")).tobytes()


# --- reuse -----------------------------------------------------------------------------


def test_a_second_run_reuses_the_workspace(demo_workspace: DemoBuild) -> None:
    build = demo_workspace
    before = _snapshot(build.path)
    started = time.monotonic()
    result = run_demo("--no-launch", "--workspace", str(build.path), "--seed", str(SEED))
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert "Reusing the demo workspace" in result.stdout
    assert _snapshot(build.path) == before
    assert elapsed < build.seconds
    assert not list(build.path.parent.glob(".demo-workspace.building-*"))


def test_check_workspace_rejects_what_is_not_complete_and_current(
    demo_workspace: DemoBuild, tmp_path: Path
) -> None:
    from jwst_lab.demo.workspace import MANIFEST_NAME, check_workspace

    assert check_workspace(demo_workspace.path, SEED) == (True, "complete and current")
    assert check_workspace(demo_workspace.path, SEED + 1)[0] is False
    copy = tmp_path / "ws"
    shutil.copytree(demo_workspace.path, copy)
    manifest = json.loads((copy / MANIFEST_NAME).read_text())
    manifest["version"] = "0"
    (copy / MANIFEST_NAME).write_text(json.dumps(manifest))
    assert check_workspace(copy, SEED)[0] is False
    manifest["version"] = demo_workspace.manifest["version"]
    manifest["complete"] = False
    (copy / MANIFEST_NAME).write_text(json.dumps(manifest))
    assert check_workspace(copy, SEED)[0] is False
    (copy / MANIFEST_NAME).write_text('{"complete": tr')  # half-written manifest
    assert check_workspace(copy, SEED)[0] is False
    (copy / MANIFEST_NAME).unlink()
    assert check_workspace(copy, SEED)[0] is False


# --- rebuild ---------------------------------------------------------------------------


def test_a_damaged_workspace_is_rebuilt_never_half_replaced_and_user_files_are_kept(
    demo_workspace: DemoBuild, tmp_path: Path
) -> None:
    """Damage is detected; an interrupted rebuild changes nothing; the next run rebuilds."""
    from jwst_lab.demo.workspace import MARKER_NAME, check_workspace

    build = demo_workspace
    workspace = tmp_path / "ws"
    shutil.copytree(build.path, workspace)
    damaged = workspace / build.manifest["files"]["cal"][0]
    with damaged.open("r+b") as handle:  # same size, different bytes
        handle.seek(damaged.stat().st_size - 100)
        handle.write(b"\x7f" * 8)
    damaged_bytes = damaged.read_bytes()
    notes = workspace / "notes" / "mine.txt"
    notes.parent.mkdir()
    notes.write_text("my own work")
    assert check_workspace(workspace, SEED)[0] is False

    # Interrupt a rebuild half-way: the damaged workspace stays as it was, the
    # half-written one stays in its hidden build folder and is never used.
    process = subprocess.Popen(
        [str(JWST_LAB), "demo", "--no-launch", "--workspace", str(workspace)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if "simulated" in line:  # well into the generation
            break
    process.kill()
    process.wait(timeout=30)
    (leftover,) = tmp_path.glob(".ws.building-*")
    assert (leftover / MARKER_NAME).is_file()
    assert not (leftover / "jwst_lab_demo.json").exists()
    assert damaged.read_bytes() == damaged_bytes
    assert notes.read_text() == "my own work"

    result = run_demo("--no-launch", "--workspace", str(workspace), "--seed", str(SEED))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Built the demo workspace" in result.stdout
    assert check_workspace(workspace, SEED)[0] is True
    assert not list(tmp_path.glob(".ws.building-*"))
    assert not (workspace / "notes").exists()
    (kept,) = tmp_path.glob("ws.replaced-*")
    assert (kept / "notes" / "mine.txt").read_text() == "my own work"
    assert "kept as" in result.stdout
    # A second build with the same seed has byte-identical science arrays.
    for files in build.manifest["files"].values():
        for relative in files:
            assert _science(workspace / relative) == _science(build.file(relative)), relative


# --- refusal ----------------------------------------------------------------------------


def _assert_refused(result: subprocess.CompletedProcess[str], folder: Path, before: set) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("jwst-lab demo: error: ")
    assert result.stdout == ""
    assert set(folder.iterdir()) == before


def test_a_file_as_workspace_is_a_one_line_error(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("keep me")
    before = set(tmp_path.iterdir())
    result = run_demo("--no-launch", "--workspace", str(target))
    _assert_refused(result, tmp_path, before)
    assert "not a folder" in result.stderr
    assert target.read_text() == "keep me"
    result = run_demo("--no-launch", "--workspace", str(target / "below"))
    _assert_refused(result, tmp_path, before)


def test_an_unwritable_workspace_is_a_one_line_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root writes through permission bits: use a folder no one can write to.
        target = Path("/proc/self")
        parent = tmp_path
    else:
        target = tmp_path / "locked"
        target.mkdir()
        target.chmod(0o500)
        parent = tmp_path
    before = set(parent.iterdir())
    try:
        result = run_demo("--no-launch", "--workspace", str(target))
        _assert_refused(result, parent, before)
        assert "not writable" in result.stderr
        result = run_demo("--no-launch", "--workspace", str(target / "new-workspace"))
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1
    finally:
        if target.is_relative_to(tmp_path):
            target.chmod(0o700)


def test_a_folder_that_is_not_a_demo_workspace_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "project"
    target.mkdir()
    (target / "thesis.tex").write_text("precious")
    before = set(tmp_path.iterdir())
    result = run_demo("--no-launch", "--workspace", str(target))
    _assert_refused(result, tmp_path, before)
    assert "not a jwst-lab demo workspace" in result.stderr
    assert [p.name for p in target.iterdir()] == ["thesis.tex"]


@pytest.mark.parametrize("arguments", [["--port", "0"], ["--port", "x"], ["--seed", "-1"]])
def test_bad_options_are_usage_errors(arguments: list[str], tmp_path: Path) -> None:
    result = run_demo("--no-launch", "--workspace", str(tmp_path / "ws"), *arguments)
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert not (tmp_path / "ws").exists()


# --- the command and the launch ------------------------------------------------------


def test_help_lists_demo_without_importing_heavy_modules() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from jwst_lab.cli import build_parser\n"
        "build_parser()\n"
        "heavy = [m for m in ('numpy', 'jwst', 'stdatamodels', 'crds') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
    result = subprocess.run(
        [str(JWST_LAB), "demo", "--help"], capture_output=True, text=True, timeout=60, check=True
    )
    for option in ("--workspace", "--seed", "--no-launch", "--port"):
        assert option in result.stdout


def test_the_lab_command_line_configures_jwst_lab_for_the_workspace(tmp_path: Path) -> None:
    from jwst_lab.demo.launch import lab_argv, lab_environment

    argv = lab_argv(tmp_path, 9123)
    assert Path(argv[0]).parent == Path(sys.executable).parent
    assert argv[1:2] == ["lab"] or argv[1:3] == ["-m", "jupyterlab"]
    expected = {
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=9123",
        f"--ServerApp.root_dir={tmp_path.resolve()}",
        "--ServerApp.open_browser=False",
        f"--JwstLabApp.crds_path={tmp_path.resolve() / 'crds_cache'}",
        f"--JwstLabApp.local_archive_dir={tmp_path.resolve() / 'archive'}",
        "--JwstLabApp.archive_backend=local",
    }
    assert expected <= set(argv)
    assert ("--allow-root" in argv) == (os.geteuid() == 0)
    env = lab_environment(tmp_path, {"PATH": "/bin", "CRDS_CONTEXT": "jwst_1.pmap"})
    assert env["CRDS_PATH"] == str(tmp_path.resolve() / "crds_cache")
    assert env["CRDS_MODE"] == "local"
    assert "serverless" in env["CRDS_SERVER_URL"]
    assert "CRDS_CONTEXT" not in env
    assert env["PATH"] == "/bin"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_starts_jupyterlab_on_the_workspace(demo_workspace: DemoBuild, tmp_path: Path) -> None:
    """Without --no-launch the command becomes JupyterLab, configured for the workspace."""
    build = demo_workspace
    port = _free_port()
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        env[name] = str(tmp_path / name.lower())
    env["JUPYTERLAB_SETTINGS_DIR"] = str(tmp_path / "settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(tmp_path / "workspaces")
    process = subprocess.Popen(
        [str(JWST_LAB), "demo", "--workspace", str(build.path), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: list[str] = []
    url: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            match = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=\w+", line)
            if match and not url:
                url.append(match.group(0))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while not url and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        assert url, "".join(lines)[-3000:]
        token = url[0].rsplit("=", 1)[1]
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/jwst-lab/info",
            headers={"Authorization": f"token {token}"},
        )
        with urllib.request.urlopen(request, timeout=20) as response:
            info = json.loads(response.read())
        assert info["archive_backend"] == "local"
        assert info["crds"]["path"] == str(build.path / "crds_cache")
        assert "Reusing the demo workspace" in "".join(lines)
        # The command replaced itself with JupyterLab: same process, now jupyter lab.
        cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")
        assert any(b"jupyter" in part for part in cmdline)
        environ = Path(f"/proc/{process.pid}/environ").read_bytes().split(b"\0")
        assert f"CRDS_PATH={build.path / 'crds_cache'}".encode() in environ
        assert b"CRDS_MODE=local" in environ
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
