"""Paths from requests are resolved inside the server root, symlinks included."""

from __future__ import annotations

import pytest

from jwst_lab.core.paths import relative_to_root, resolve_in_root
from jwst_lab.errors import BadRequest, NotFound


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    (root / "data" / "a.fits").write_text("x")
    (tmp_path / "outside.txt").write_text("secret")
    (root / "escape").symlink_to(tmp_path / "outside.txt")
    (root / "inner").symlink_to(root / "data")
    return root


def test_resolves_inside_the_root(root):
    assert resolve_in_root(root, "data/a.fits") == (root / "data" / "a.fits").resolve()
    assert resolve_in_root(root, "inner/a.fits") == (root / "data" / "a.fits").resolve()
    assert resolve_in_root(root, "data/new", must_exist=False).name == "new"
    assert relative_to_root(root, root / "data" / "a.fits") == "data/a.fits"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("../outside.txt", "'..'"),
        ("data/../../outside.txt", "'..'"),
        ("/etc/passwd", "relative"),
        ("~/x", "relative"),
        ("escape", "symbolic link"),
        ("", "required"),
        ("a\x00b", "NUL"),
    ],
)
def test_refuses_paths_that_leave_the_root(root, path, message):
    with pytest.raises(BadRequest, match=message):
        resolve_in_root(root, path, field="input")


def test_missing_is_not_found(root):
    with pytest.raises(NotFound, match="does not exist"):
        resolve_in_root(root, "data/missing.fits")
