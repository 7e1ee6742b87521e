"""``jwst_lab.core.safe_fs``: walking below a root without following links out of it."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from jwst_lab.core.safe_fs import MAX_SYMLINK_HOPS, Folder, SafeRoot, UnsafePath


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "root"
    folder.mkdir()
    return folder


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("outside")
    return folder


def _listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_open_folder_creates_missing_folders_below_the_root(root):
    with SafeRoot(root).open_folder(root / "a" / "b" / "c", create=True) as folder:
        assert folder.display == "a/b/c"
        fd = folder.create("x.bin")
        os.write(fd, b"hello")
        os.close(fd)
    assert (root / "a" / "b" / "c" / "x.bin").read_bytes() == b"hello"
    with SafeRoot(root).open_folder("a/b") as folder:
        assert folder.lstat("c") is not None
    with pytest.raises(FileNotFoundError, match="a/missing"):
        SafeRoot(root).open_folder("a/missing/deeper")


@pytest.mark.parametrize("absolute", [False, True])
def test_links_that_stay_inside_the_root_are_followed(root, absolute):
    (root / "real" / "deep").mkdir(parents=True)
    target = str(root / "real") if absolute else "../real"
    (root / "data").mkdir()
    (root / "data" / "JWST").symlink_to(target)
    with SafeRoot(root).open_folder(root / "data" / "JWST" / "deep" / "new", create=True) as f:
        assert f.display == "real/deep/new"
        os.close(f.create("file"))
    assert (root / "real" / "deep" / "new" / "file").is_file()
    assert (root / "data" / "JWST").is_symlink()


def test_the_root_named_through_a_link_is_the_root(tmp_path, root):
    alias = tmp_path / "alias"
    alias.symlink_to(root)
    (root / "real").mkdir()
    (root / "via_alias").symlink_to(alias / "real")  # absolute, through the root's other name
    safe = SafeRoot(alias)
    with safe.open_folder(alias / "via_alias" / "x", create=True) as folder:
        assert folder.display == "real/x"
    assert (root / "real" / "x").is_dir()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda root, out: (root / "data").symlink_to(out), id="absolute"),
        pytest.param(lambda root, out: (root / "data").symlink_to("../outside"), id="relative"),
        pytest.param(
            lambda root, out: ((root / "hop").symlink_to(out), (root / "data").symlink_to("hop")),
            id="chain",
        ),
        pytest.param(
            lambda root, out: (root / "data").symlink_to(f"{root}/../outside"),
            id="absolute-with-dotdot",
        ),
    ],
)
def test_links_that_leave_the_root_are_refused_and_nothing_is_created(root, outside, make):
    make(root, outside)
    before = _listing(outside)
    with pytest.raises(UnsafePath) as refused:
        SafeRoot(root).open_folder(root / "data" / "JWST" / "obs", create=True)
    assert refused.value.path == "data/JWST/obs"
    assert refused.value.link in ("data", "hop")
    assert "outside the server root" in str(refused.value)
    assert refused.value.link in str(refused.value)
    assert _listing(outside) == before


def test_a_link_deep_down_is_refused_too(root, outside):
    (root / "data" / "JWST").mkdir(parents=True)
    (root / "data" / "JWST" / "obs").symlink_to(outside)
    with pytest.raises(UnsafePath) as refused:
        SafeRoot(root).open_folder(root / "data" / "JWST" / "obs", create=True)
    assert refused.value.link == "data/JWST/obs"
    assert refused.value.target == str(outside)


def test_dotdot_in_the_path_may_not_climb_above_the_root(root):
    (root / "a").mkdir()
    with SafeRoot(root).open_folder("a/../a") as folder:
        assert folder.display == "a"
    with pytest.raises(UnsafePath, match="outside the server root"):
        SafeRoot(root).open_folder("a/../../x", create=True)
    with pytest.raises(UnsafePath):
        SafeRoot(root).open_folder(root.parent / "elsewhere")


def test_link_loops_are_bounded(root):
    (root / "a").symlink_to("b")
    (root / "b").symlink_to("a")
    with pytest.raises(UnsafePath) as loop:
        SafeRoot(root).open_folder("a/x", create=True)
    assert loop.value.errno == errno.ELOOP
    assert str(MAX_SYMLINK_HOPS) in str(loop.value)


def test_a_file_in_the_way_is_not_a_folder(root):
    (root / "a").write_text("x")
    with pytest.raises(NotADirectoryError, match="a is a file"):
        SafeRoot(root).open_folder("a/b", create=True)


def test_a_folder_swapped_for_a_link_after_a_check_is_caught_at_write_time(root, outside):
    safe = SafeRoot(root)
    safe.check([root / "data" / "JWST" / "obs" / "f.fits"])  # nothing there yet: passes
    (root / "data").mkdir()
    (root / "data" / "JWST").symlink_to(outside)
    with pytest.raises(UnsafePath):
        safe.open_folder(root / "data" / "JWST" / "obs", create=True)
    assert not (outside / "obs").exists()


def test_check_follows_links_inside_and_refuses_links_out_at_any_depth(root, outside):
    safe = SafeRoot(root)
    (root / "d" / "JWST" / "obs").mkdir(parents=True)
    (root / "keep").mkdir()
    (root / "keep" / "f.fits").write_text("x")
    (root / "d" / "JWST" / "obs" / "in.fits").symlink_to(root / "keep" / "f.fits")
    (root / "d" / "JWST" / "obs" / "dangling.fits").symlink_to("nothing-here")
    (root / "d" / "JWST" / "obs" / "hop.fits").symlink_to("in.fits")
    safe.check(
        root / "d" / "JWST" / "obs" / name
        for name in ("in.fits", "dangling.fits", "hop.fits", "missing.fits")
    )
    safe.check([root / "not" / "there" / "yet.fits"])
    (root / "d" / "JWST" / "obs" / "out.fits").symlink_to(outside / "secret.txt")
    with pytest.raises(UnsafePath) as target:
        safe.check([root / "d" / "JWST" / "obs" / "out.fits"])
    assert target.value.link == "d/JWST/obs/out.fits"
    (root / "d" / "JWST" / "obs" / "out2.fits").symlink_to("../../../../outside/secret.txt")
    with pytest.raises(UnsafePath):
        safe.check([root / "d" / "JWST" / "obs" / "out2.fits"])
    (root / "e").mkdir()
    (root / "e" / "JWST").symlink_to(outside)
    with pytest.raises(UnsafePath) as folder:
        safe.check([root / "e" / "JWST" / "obs" / "f.fits"])
    assert folder.value.link == "e/JWST"


def test_files_are_handled_by_name_never_through_a_link(root, outside):
    secret = outside / "secret.txt"
    (root / "link").symlink_to(secret)
    (root / "dangling").symlink_to(outside / "new.txt")
    with Folder.open_plain(root) as folder:
        with pytest.raises(OSError, match="Too many levels of symbolic links") as loop:
            folder.open_regular("link", os.O_RDWR | os.O_APPEND)
        assert loop.value.errno == errno.ELOOP
        with pytest.raises(FileExistsError):
            folder.create("dangling")  # O_EXCL: a dangling link is not created through
        assert folder.read_bytes("link") is None
        os.mkfifo(root / "fifo")
        with pytest.raises(OSError, match=r"not a regular file|No such device") as fifo:
            folder.open_regular("fifo", os.O_WRONLY)  # would block without O_NONBLOCK
        assert fifo.value.errno in (errno.EINVAL, errno.ENXIO)
        fd = folder.create("new.part")
        os.write(fd, b"mine")
        os.close(fd)
        folder.replace("new.part", "link")  # the link is replaced, its target kept
        assert folder.unlink("dangling")
        assert not folder.unlink("dangling")
        folder.write_atomic("manifest.json", b"{}", temporary=".manifest.tmp")
    assert secret.read_text() == "outside"
    assert not (outside / "new.txt").exists()
    assert (root / "link").read_bytes() == b"mine"
    assert not (root / "link").is_symlink()
    assert (root / "manifest.json").read_bytes() == b"{}"
    assert not (root / ".manifest.tmp").exists()
