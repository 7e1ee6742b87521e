"""The README describes what ships: its commands run, its settings and routes are the server's.

* Every fenced block preceded by ``<!-- readme-test: run -->`` is run, line by
  line (as argument lists, never through a shell), in a temporary folder, and
  must exit 0.
* The configuration table names every ``c.JwstLabApp`` setting, each with the
  default the trait really has; every ``c.JwstLabApp.<name>`` mentioned anywhere
  exists.
* The REST API section lists exactly the server's routes.
* Every path in the package-layout block exists in the repository.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from jwst_lab.app import JwstLabApp
from jwst_lab.routes import ROUTES

from .conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
RUN_MARK = "<!-- readme-test: run -->"


def _blocks_after(mark: str) -> list[str]:
    """The bodies of the fenced blocks that directly follow ``mark``."""
    pattern = re.escape(mark) + r"\s*\n```[^\n]*\n(.*?)\n```"
    return re.findall(pattern, README, flags=re.S)


def _section(title: str) -> str:
    """The text of the ``## title`` section, up to the next ``## ``."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, flags=re.S | re.M)
    assert match, f"README has no section '## {title}'"
    return match.group(1)


def _commands() -> list[str]:
    lines = []
    for block in _blocks_after(RUN_MARK):
        for line in block.splitlines():
            command = line.split("  #", 1)[0].strip()
            if command and not command.startswith("#"):
                lines.append(command)
    return lines


def test_the_readme_marks_commands_to_run():
    commands = _commands()
    assert any(c.startswith("jwst-lab --version") for c in commands)
    assert any(c.startswith("jwst-lab demo") and "--no-launch" in c for c in commands)


def test_every_command_marked_safe_runs(tmp_path):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter-data")
    for command in _commands():
        argv = shlex.split(command)
        completed = subprocess.run(  # an argument list from the README, no shell
            argv,
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert completed.returncode == 0, (
            f"`{command}` exited {completed.returncode}:\n{completed.stdout}\n{completed.stderr}"
        )


def _config_rows() -> dict[str, str]:
    rows = {}
    for line in _section("Configuration").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`") and cells[0].endswith("`"):
            rows[cells[0].strip("`")] = cells[1]
    return rows


def _trait_defaults() -> dict[str, object]:
    traits = JwstLabApp.class_own_traits(config=True)
    return {name: trait.default_value for name, trait in traits.items()}


def test_the_configuration_table_is_every_setting_with_its_real_default():
    rows = _config_rows()
    defaults = _trait_defaults()
    assert set(rows) == set(defaults), "README configuration table and JwstLabApp traits differ"
    for name, stated in rows.items():
        default = defaults[name]
        literal = stated.strip("`") if stated.count("`") == 2 and stated.startswith("`") else None
        if default in ("", None):
            # Empty: the README says what applies instead (a variable, a placeholder, "empty").
            assert (
                literal is None or literal.startswith("$") or "<" in literal or "empty" in stated
            ), (
                name,
                stated,
            )
        elif isinstance(default, bool) or not isinstance(default, int | float):
            assert literal == str(default), f"{name}: README says {stated}, not {default!r}"
        else:
            assert literal is not None, f"{name}: README says {stated}, not {default!r}"
            assert float(literal) == default, f"{name}: README says {stated}, not {default!r}"


def test_every_setting_named_in_the_readme_exists():
    named = set(re.findall(r"c\.JwstLabApp\.(\w+)", README))
    named |= set(re.findall(r"--JwstLabApp\.(\w+)", README))
    assert named, "the README names no settings"
    assert named <= set(_trait_defaults())


def _route_paths() -> set[str]:
    paths = set()
    for path, _handler in ROUTES:
        paths.add(re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", path))
    return paths


def test_the_rest_section_lists_exactly_the_routes():
    bullets = "\n".join(line for line in _section("REST API").splitlines() if line.startswith("- "))
    listed = {
        path.split("?", 1)[0]
        for path in re.findall(r"`(?:GET |POST |PUT |DELETE |WS )?(/[^`\s]*)`", bullets)
    }
    assert listed == _route_paths()


def test_the_package_layout_names_files_that_exist():
    (block,) = re.findall(r"## Package layout\n.*?```[^\n]*\n(.*?)\n```", README, flags=re.S)
    paths = [line.split()[0] for line in block.splitlines() if line.strip()]
    assert len(paths) > 20
    missing = [p for p in paths if not (REPO_ROOT / p.rstrip("/")).exists()]
    assert missing == []


@pytest.mark.parametrize("title", ["Set-up: two commands", "Security model", "Configuration"])
def test_the_sections_people_look_for_are_there(title):
    assert _section(title).strip()


def test_the_metrics_section_lists_every_family():
    from prometheus_client import REGISTRY

    import jwst_lab.metrics  # noqa: F401 - registers the families

    listed = set(re.findall(r"^\| `(jwst_lab_\w+)`", _section("Metrics"), flags=re.M))
    published = {
        family.name + ("_total" if family.type == "counter" else "")
        for family in REGISTRY.collect()
        if family.name.startswith("jwst_lab_")
    }
    assert listed == published
