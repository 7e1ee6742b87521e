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


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("a" * 256, "longer than 255 bytes"),
        ("data/" + "\u00e9" * 128, "longer than 255 bytes"),  # 128 characters, 256 bytes
        ("a/" * 2049, "longer than 4096 bytes"),
        ("a\\" + "b" * 256, "longer than 255 bytes"),
        ("data/\ud800.fits", "lone surrogate"),
        ("\udcff", "lone surrogate"),
        ("data/a.fits\x00.json", "NUL"),
    ],
)
def test_names_no_file_system_holds_are_400_naming_the_field(root, path, message):
    with pytest.raises(BadRequest, match=message) as refused:
        resolve_in_root(root, path, field="steps.x.input", must_exist=False)
    assert refused.value.field == "steps.x.input"


def test_the_longest_usable_names_are_accepted(root):
    name = "n" * 255
    assert resolve_in_root(root, f"data/{name}", must_exist=False).name == name
    with pytest.raises(NotFound):
        resolve_in_root(root, "/".join(["d" * 200] * 20))  # 4019 bytes: looked up, not there


def test_a_symbolic_link_loop_is_400_not_an_exception(root):
    (root / "loop_a").symlink_to(root / "loop_b")
    (root / "loop_b").symlink_to(root / "loop_a")
    for must_exist in (True, False):
        with pytest.raises(BadRequest, match="symbolic link loop") as refused:
            resolve_in_root(root, "loop_a/x.fits", field="input", must_exist=must_exist)
        assert refused.value.field == "input"
        assert str(root) not in refused.value.message


def test_a_link_to_an_over_long_path_is_400(root):
    # Each name is short, but the link's target makes the resolved path too long to stat.
    (root / "deep").symlink_to("/".join(["x" * 250] * 16))
    for must_exist in (True, False):
        with pytest.raises(BadRequest, match="too long") as refused:
            resolve_in_root(root, "deep/" + "a" * 250, field="dest", must_exist=must_exist)
        assert refused.value.field == "dest"


def test_every_refusal_names_the_field(root):
    for path in ("", "../x", "/etc/passwd", "escape"):
        with pytest.raises(BadRequest) as refused:
            resolve_in_root(root, path, field="output_dir")
        assert refused.value.field == "output_dir"


def test_a_path_to_create_below_a_file_is_refused(tmp_path):
    (tmp_path / "obs").mkdir()
    (tmp_path / "obs" / "x_cal.fits").write_text("x")
    with pytest.raises(BadRequest, match=r"'obs/x_cal.fits' is a file, not a folder") as caught:
        resolve_in_root(tmp_path, "obs/x_cal.fits/sub/out", field="output_dir", must_exist=False)
    assert caught.value.field == "output_dir"
    assert resolve_in_root(tmp_path, "obs/new/out", must_exist=False) == tmp_path / "obs/new/out"
