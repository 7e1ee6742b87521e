"""Start JupyterLab on a demo workspace, with jwst-lab pointed at it.

The command line configures the extension (``--JwstLabApp.*``) and the
environment configures CRDS for everything the server starts (pipeline jobs,
kernels, terminals): the workspace's cache, local mode, no server.

The process *replaces* itself with ``jupyter lab`` (``os.execve``) rather than
running it as a child: Ctrl-C, the exit status and the terminal belong to
JupyterLab directly, with no parent left to forward signals or to orphan the
server if it is killed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn

from .crds_context import SERVERLESS_URL, crds_environment

DEFAULT_PORT = 8888


def archive_index_path(workspace: Path) -> Path:
    """The demo archive's search index: hidden inside the workspace, so it is not user data."""
    return workspace.resolve() / ".jwst_lab" / "archive_index.sqlite"


def index_archive(workspace: Path) -> str:
    """Build or refresh the index of ``workspace/archive`` (only changed files are read)."""
    from ..core.archive import LocalArchive

    archive = LocalArchive(archive_index_path(workspace))
    try:
        report = archive.index(workspace.resolve() / "archive")
    finally:
        archive.close()
    return (
        f"Indexed the demo archive: {report.observations} observations "
        f"({report.read} files read, {report.unchanged} unchanged, {report.removed} removed)."
    )


def jupyter_lab_command(python: str | None = None) -> list[str]:
    """``jupyter lab`` of the running interpreter's environment, as an argument list."""
    interpreter = Path(python or sys.executable)
    script = interpreter.parent / "jupyter"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script), "lab"]
    return [str(interpreter), "-m", "jupyterlab"]


def lab_argv(workspace: Path, port: int = DEFAULT_PORT, python: str | None = None) -> list[str]:
    """The full ``jupyter lab`` argument list for ``workspace``."""
    workspace = workspace.resolve()
    argv = [
        *jupyter_lab_command(python),
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--ServerApp.root_dir={workspace}",
        "--ServerApp.open_browser=False",
        f"--JwstLabApp.crds_path={workspace / 'crds_cache'}",
        f"--JwstLabApp.crds_server_url={SERVERLESS_URL}",
        f"--JwstLabApp.local_archive_dir={workspace / 'archive'}",
        f"--JwstLabApp.local_archive_index={archive_index_path(workspace)}",
        "--JwstLabApp.archive_backend=local",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    return argv


def lab_environment(workspace: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's environment: the caller's, with CRDS set to the workspace cache, local mode."""
    return crds_environment(workspace.resolve() / "crds_cache", dict(base or os.environ))


def launch(workspace: Path, port: int = DEFAULT_PORT) -> NoReturn:
    """Replace this process with JupyterLab serving ``workspace``."""
    argv = lab_argv(workspace, port)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(argv[0], argv, lab_environment(workspace))  # noqa: S606 - argument list, no shell
