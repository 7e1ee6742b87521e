"""The ``jwst-lab`` console script."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from jwst_lab import __version__

SCRIPT = Path(sys.executable).parent / "jwst-lab"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_version():
    result = _run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"jwst-lab {__version__}"


def test_help_lists_the_subcommands():
    result = _run("--help")
    assert result.returncode == 0
    assert "usage: jwst-lab" in result.stdout
    assert "info" in result.stdout


def test_no_subcommand_prints_help_and_fails():
    result = _run()
    assert result.returncode == 2
    assert "usage: jwst-lab" in result.stdout


def test_unknown_subcommand_is_an_error():
    result = _run("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_info_json_reads_versions_without_importing_jwst():
    code = (
        "import sys, json, io, contextlib\n"
        "from jwst_lab.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    main(['info', '--json'])\n"
        "print(json.dumps({'info': json.loads(out.getvalue()),"
        " 'jwst_imported': 'jwst' in sys.modules}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    report = json.loads(result.stdout)
    assert report["jwst_imported"] is False
    assert report["info"]["jwst"] == version("jwst")
    assert report["info"]["jwst-lab"] == __version__


def test_info_table():
    result = _run("info")
    assert result.returncode == 0
    assert "jwst-lab" in result.stdout
    assert version("crds") in result.stdout
