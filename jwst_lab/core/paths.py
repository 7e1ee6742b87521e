"""Resolve paths users give (relative to the server root) safely.

Every path that comes from a request goes through :func:`resolve_in_root`
before anything touches it: absolute paths, ``..`` and symbolic links that
lead outside the root are refused with a 400, and so are names no file
system can hold (over-long, NUL, lone surrogates); missing files are a 404.
"""

from __future__ import annotations

import errno
from pathlib import Path, PurePosixPath

from ..errors import BadRequest, Forbidden, NotFound

#: Longest name of one path component, in bytes (NAME_MAX on Linux and macOS).
NAME_MAX = 255
#: Longest path, in bytes (PATH_MAX on Linux).
PATH_MAX = 4096


def _shown(user_path: str) -> str:
    """``user_path`` quoted for a message, cut short when long."""
    return repr(user_path) if len(user_path) <= 80 else repr(user_path[:80]) + "..."


def _name_problem(user_path: str) -> str | None:
    """Why no file system can hold ``user_path``, or None."""
    if "\x00" in user_path:
        return "contains a NUL character"
    try:
        encoded = user_path.replace("\\", "/").encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate (not valid Unicode text)"
    if len(encoded) > PATH_MAX:
        return f"is longer than {PATH_MAX} bytes"
    longest = max((len(part) for part in encoded.split(b"/")), default=0)
    if longest > NAME_MAX:
        return f"has a name longer than {NAME_MAX} bytes"
    return None


def resolve_in_root(
    root: Path, user_path: str, *, field: str = "path", must_exist: bool = True
) -> Path:
    """The absolute, symlink-free path of ``user_path`` inside ``root``.

    ``user_path`` is relative to the server root, written with ``/``.
    Raises :class:`BadRequest` (naming ``field``) for an empty, absolute,
    escaping or unusable path (over-long, NUL, lone surrogate, a symbolic
    link loop), :class:`Forbidden` when the server may not look at it, and
    :class:`NotFound` when ``must_exist`` and nothing is there.
    """
    if not isinstance(user_path, str) or not user_path.strip():
        raise BadRequest(f"{field} is required (a path relative to the server root)", field=field)
    problem = _name_problem(user_path)
    if problem:
        raise BadRequest(f"{field} {problem}", field=field)
    pure = PurePosixPath(user_path.replace("\\", "/"))
    if pure.is_absolute() or user_path.startswith("~"):
        raise BadRequest(
            f"{field} must be relative to the server root, not {_shown(user_path)}", field=field
        )
    if ".." in pure.parts:
        raise BadRequest(
            f"{field} must stay inside the server root: {_shown(user_path)} uses '..'",
            field=field,
        )
    real_root = root.resolve()
    try:
        candidate = (real_root / Path(*pure.parts)).resolve()
        # Looked at even when it need not exist: callers stat, open or create it next.
        exists = candidate.exists()
    except PermissionError:
        raise Forbidden(f"{field} {_shown(user_path)} cannot be read by the server") from None
    except (OSError, RuntimeError, ValueError) as error:
        # Messages never carry the server's absolute paths (str(OSError) would).
        if isinstance(error, RuntimeError) or getattr(error, "errno", None) == errno.ELOOP:
            why = "a symbolic link loop"  # RuntimeError from resolve() before Python 3.13
        elif getattr(error, "errno", None) == errno.ENAMETOOLONG:
            why = "the name is too long (through a symbolic link)"
        else:
            why = getattr(error, "strerror", None) or type(error).__name__
        raise BadRequest(
            f"{field} {_shown(user_path)} cannot be used: {why}", field=field
        ) from None
    if candidate != real_root and real_root not in candidate.parents:
        raise BadRequest(
            f"{field} {_shown(user_path)} leads outside the server root (through a symbolic link)",
            field=field,
        )
    if must_exist and not exists:
        raise NotFound(f"{field} {_shown(user_path)} does not exist", field=field)
    if not exists:
        # Something to create: every existing folder on its way must be a folder.
        ancestor = candidate.parent
        while ancestor != real_root and not ancestor.exists():
            ancestor = ancestor.parent
        if not ancestor.is_dir():
            raise BadRequest(
                f"{field} {_shown(user_path)} cannot be created: "
                f"{_shown(ancestor.relative_to(real_root).as_posix())} is a file, not a folder",
                field=field,
            )
    return candidate


def relative_to_root(root: Path, path: Path) -> str:
    """``path`` (inside ``root``) as the ``/``-separated relative path the API uses."""
    relative = path.resolve().relative_to(root.resolve())
    return relative.as_posix() or "."
