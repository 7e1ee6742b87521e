"""File-system access confined to a root folder, without following links out of it.

Download jobs write below the server root into folders users control, where
any component may be (or may become, between a check and a write) a symbolic
link. Checking a path once and then opening it by name can be raced, so this
module never opens a path in one go: :class:`SafeRoot` walks it one
component at a time from a descriptor of the root, the way ``openat2`` with
``RESOLVE_IN_ROOT`` does,

* opening each folder with ``O_DIRECTORY | O_NOFOLLOW`` relative to the
  descriptor of its parent (``os.open(..., dir_fd=...)``), creating missing
  ones with ``os.mkdir(..., dir_fd=...)`` when asked;
* reading a symbolic link met on the way (``os.readlink(..., dir_fd=...)``)
  and resolving its target lexically against the folders already walked:
  a target that stays inside the root is followed, one that leaves it (an
  absolute path elsewhere, or ``..`` above the root) raises
  :class:`UnsafePath` naming the path and the link. Unlike ``openat2``,
  which clamps such links to the root, this refuses them: a link out of the
  root means the user meant somewhere else, and writing into the root
  instead would surprise them as much.
* bounding the links followed (:data:`MAX_SYMLINK_HOPS`, like the kernel's).

What the walk returns is a :class:`Folder`: an open folder descriptor on
which files are created, opened, renamed and removed by name with
``O_NOFOLLOW`` and ``dir_fd`` arguments, so a link planted in place of a file
is never written through (it is removed or replaced, as the caller decides).

The root itself is trusted as configured (it is resolved once); only what is
below it is checked. Folders a walk opened are not re-checked later: moving
an opened folder out of the root takes write access outside the root.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import TracebackType

#: Most symbolic links one walk follows (the kernel's limit is 40 too).
MAX_SYMLINK_HOPS = 40
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_MKDIR_RETRIES = 8


class UnsafePath(OSError):
    """A path cannot be used safely: a symbolic link on it leads outside the root (or loops).

    ``path`` is the path asked for and ``link`` the link at fault (both
    relative to the root), ``target`` what the link points to.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str,
        link: str | None = None,
        target: str | None = None,
        code: int = errno.EXDEV,
    ) -> None:
        super().__init__(code, message)
        self.message = message
        self.path = path
        self.link = link
        self.target = target

    def __str__(self) -> str:
        return self.message


def _join(names: Sequence[str]) -> str:
    return "/".join(names) or "."


def _components(text: str) -> list[str]:
    return [part for part in text.split("/") if part not in ("", ".")]


def _readlink(name: str, dir_fd: int) -> str | None:
    """The target of the link ``name`` in ``dir_fd``; None when ``name`` is not a link."""
    try:
        return os.readlink(name, dir_fd=dir_fd)
    except OSError as error:
        if error.errno in (errno.EINVAL, errno.ENOENT):
            return None
        raise


@dataclass
class _Walk:
    """Where a walk arrived: the folder (open) and, in entry mode, the last name in it."""

    folder: Folder
    name: str | None
    exists: bool


class SafeRoot:
    """A root folder below which paths are walked without following links out of it."""

    def __init__(self, root: Path | str) -> None:
        self.path = Path(root).absolute()
        self.real = self.path.resolve(strict=True)
        if not self.real.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, f"the root {self.path} is not a folder")

    # --- paths -------------------------------------------------------------------

    def relative(self, path: Path | str) -> PurePosixPath:
        """``path`` relative to the root; an absolute path must lie lexically below the root."""
        pure = Path(path)
        if not pure.is_absolute():
            return PurePosixPath(pure.as_posix())
        for base in (self.real, self.path):
            with contextlib.suppress(ValueError):
                return PurePosixPath(pure.relative_to(base).as_posix())
        raise UnsafePath(f"{path} is not inside the server root", path=str(path))

    def _inside(self, target: str) -> list[str] | None:
        """The components of an absolute link target below the root; None when it is not."""
        parts = PurePosixPath(target).parts[1:]
        for base in (self.real, self.path):
            prefix = base.parts[1:]
            if tuple(parts[: len(prefix)]) == prefix:
                return [p for p in parts[len(prefix) :] if p not in ("", ".")]
        return None

    # --- walking -----------------------------------------------------------------

    def _walk(
        self,
        parts: Sequence[str],
        *,
        create: bool = False,
        entry: bool = False,
        missing_ok: bool = False,
    ) -> _Walk | None:
        """Walk ``parts`` from the root (see the module docstring); None for a missing part.

        ``entry``: the last part is a name in the folder reached (returned
        unopened, or followed when it is a link), not a folder.
        """
        display = _join(parts)
        stack = [os.open(self.real, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)]
        names: list[str] = []
        pending = deque(_components("/".join(parts)))
        if entry and not pending:
            os.close(stack[0])
            raise IsADirectoryError(errno.EISDIR, f"{display}: the root is not a file")
        hops = 0
        mkdirs = 0
        followed: tuple[str, str] | None = None  # the last link followed: (where, target)

        def escape(link: str, target: str) -> UnsafePath:
            return UnsafePath(
                f"{display}: the symbolic link {link} -> {target} leads outside the server root",
                path=display,
                link=link,
                target=target,
            )

        def follow(name: str, target: str) -> None:
            nonlocal hops, followed
            link = _join([*names, name])
            hops += 1
            if hops > MAX_SYMLINK_HOPS:
                raise UnsafePath(
                    f"{display}: too many symbolic links (more than {MAX_SYMLINK_HOPS}) at {link}",
                    path=display,
                    link=link,
                    target=target,
                    code=errno.ELOOP,
                )
            followed = (link, target)
            if target.startswith("/"):
                rest = self._inside(target)
                if rest is None:
                    raise escape(link, target)
                while len(stack) > 1:
                    os.close(stack.pop())
                names.clear()
                pending.extendleft(reversed(rest))
            else:
                pending.extendleft(reversed(_components(target)))

        try:
            while pending:
                name = pending.popleft()
                if name == "..":
                    if len(stack) == 1:
                        if followed is not None:
                            raise escape(*followed)
                        raise UnsafePath(
                            f"{display}: '..' leads outside the server root", path=display
                        )
                    os.close(stack.pop())
                    names.pop()
                    continue
                if entry and not pending:
                    try:
                        info = os.stat(name, dir_fd=stack[-1], follow_symlinks=False)
                    except FileNotFoundError:
                        info = None
                    if info is not None and stat.S_ISLNK(info.st_mode):
                        target = _readlink(name, stack[-1])
                        if target is not None:
                            follow(name, target)
                            continue
                    folder = Folder(stack.pop(), _join(names))
                    return _Walk(folder, name, info is not None)
                try:
                    fd = os.open(name, _DIR_FLAGS, dir_fd=stack[-1])
                except FileNotFoundError:
                    if missing_ok:
                        return None
                    if not create or mkdirs >= _MKDIR_RETRIES:
                        raise FileNotFoundError(
                            errno.ENOENT, f"{display}: {_join([*names, name])} does not exist"
                        ) from None
                    mkdirs += 1
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(name, dir_fd=stack[-1])
                    pending.appendleft(name)
                    continue
                except OSError as error:
                    if error.errno not in (errno.ELOOP, errno.ENOTDIR):
                        raise
                    target = _readlink(name, stack[-1])
                    if target is None:
                        if missing_ok and error.errno == errno.ENOTDIR:
                            return None
                        raise NotADirectoryError(
                            errno.ENOTDIR,
                            f"{display}: {_join([*names, name])} is a file, not a folder",
                        ) from None
                    follow(name, target)
                    continue
                stack.append(fd)
                names.append(name)
            return _Walk(Folder(stack.pop(), _join(names)), None, True)
        finally:
            for fd in stack:
                os.close(fd)

    def open_folder(self, path: Path | str, *, create: bool = False) -> Folder:
        """The folder ``path`` (absolute below the root, or relative to it), opened safely.

        ``create`` makes missing folders (like ``mkdir -p``). Raises
        :class:`UnsafePath` when a link on the way leads outside the root,
        :class:`FileNotFoundError` or :class:`NotADirectoryError` otherwise.
        """
        relative = self.relative(path)
        walk = self._walk(relative.parts, create=create)
        assert walk is not None
        return walk.folder

    def check(self, paths: Iterable[Path | str]) -> None:
        """Raise :class:`UnsafePath` if following any of ``paths`` would leave the root.

        Every existing folder on each path and the last component itself are
        checked: links that stay inside the root are followed, to any depth.
        What does not exist yet passes (a writer creates it below the root).
        Paths sharing a folder are cheap: each folder is walked once.
        """
        folders: dict[PurePosixPath, list[str]] = {}
        for path in paths:
            relative = self.relative(path)
            if not relative.parts:
                continue
            folders.setdefault(relative.parent, []).append(relative.name)
        for parent, names in folders.items():
            walk = self._walk(parent.parts, missing_ok=True)
            if walk is None:
                continue
            links = []
            with walk.folder as folder:
                for name in names:
                    info = folder.lstat(name)
                    if info is not None and stat.S_ISLNK(info.st_mode):
                        links.append(name)
            for name in links:
                self._check_entry(parent / name)

    def _check_entry(self, relative: PurePosixPath) -> None:
        walk = self._walk(relative.parts, entry=True, missing_ok=True)
        if walk is not None:
            walk.folder.close()


class Folder:
    """An open folder: files in it are handled by name, never through a symbolic link.

    ``display`` is its path relative to the root (for messages). Use it as a
    context manager, or call :meth:`close`.
    """

    def __init__(self, fd: int, display: str) -> None:
        self.fd = fd
        self.display = display

    @classmethod
    def open_plain(cls, path: Path, *, create: bool = False) -> Folder:
        """``path`` opened the ordinary way (links followed): for callers with no root."""
        if create:
            path.mkdir(parents=True, exist_ok=True)
        return cls(os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC), str(path))

    def close(self) -> None:
        """Close the folder's descriptor (again is harmless)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> Folder:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def path_of(self, name: str) -> str:
        """``name`` in this folder, for messages."""
        return name if self.display == "." else f"{self.display}/{name}"

    def lstat(self, name: str) -> os.stat_result | None:
        """``name``'s own status (a link is not followed); None when there is nothing."""
        try:
            return os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def open_regular(self, name: str, flags: int) -> int:
        """Open the existing regular file ``name`` (never through a link, never a FIFO or device).

        Raises :class:`OSError` ``ELOOP`` for a link and ``EINVAL`` for
        anything but a regular file.
        """
        fd = os.open(
            name,
            flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC,
            dir_fd=self.fd,
        )
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(errno.EINVAL, f"{self.path_of(name)} is not a regular file")
            os.set_blocking(fd, True)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def create(self, name: str, flags: int = os.O_WRONLY, mode: int = 0o666) -> int:
        """Create ``name``, which must not exist (``O_EXCL``: not even as a dangling link)."""
        return os.open(
            name,
            flags | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
            mode,
            dir_fd=self.fd,
        )

    def unlink(self, name: str) -> bool:
        """Remove the name ``name`` (a link itself, not what it points to); False if absent."""
        try:
            os.unlink(name, dir_fd=self.fd)
        except FileNotFoundError:
            return False
        return True

    def replace(self, source: str, target: str) -> None:
        """Rename ``source`` to ``target`` in this folder; a link at ``target`` is replaced."""
        os.replace(source, target, src_dir_fd=self.fd, dst_dir_fd=self.fd)

    def free(self) -> int:
        """Bytes free for an unprivileged writer on this folder's file system."""
        info = os.fstatvfs(self.fd)
        return info.f_bavail * info.f_frsize

    def read_bytes(self, name: str) -> bytes | None:
        """The content of the regular file ``name``; None when missing, a link, not a file,
        or a file with other hard links (its content may be anyone's)."""
        try:
            fd = self.open_regular(name, os.O_RDONLY)
        except OSError as error:
            if error.errno in (errno.ENOENT, errno.ELOOP, errno.EINVAL, errno.ENXIO):
                return None
            raise
        try:
            if os.fstat(fd).st_nlink != 1:
                return None
            blocks = []
            while block := os.read(fd, 1 << 20):
                blocks.append(block)
            return b"".join(blocks)
        finally:
            os.close(fd)

    def write_atomic(self, name: str, data: bytes, *, temporary: str) -> None:
        """Write ``name`` whole or not at all: ``temporary`` first, then a rename.

        The temporary file is removed when anything fails (a full disk
        included), so nothing is left behind but the old ``name``.
        """
        self.unlink(temporary)
        fd = self.create(temporary)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
            self.replace(temporary, name)
        except BaseException:
            self.unlink(temporary)
            raise
