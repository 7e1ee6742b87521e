"""Resolve paths users give (relative to the server root) safely.

Every path that comes from a request goes through :func:`resolve_in_root`
before anything touches it: absolute paths, ``..`` and symbolic links that
lead outside the root are refused with a 400, missing files are a 404.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from ..errors import BadRequest, NotFound


def resolve_in_root(
    root: Path, user_path: str, *, field: str = "path", must_exist: bool = True
) -> Path:
    """The absolute, symlink-free path of ``user_path`` inside ``root``.

    ``user_path`` is relative to the server root, written with ``/``.
    Raises :class:`BadRequest` for an empty, absolute or escaping path and
    :class:`NotFound` when ``must_exist`` and nothing is there.
    """
    if not isinstance(user_path, str) or not user_path.strip():
        raise BadRequest(f"{field} is required (a path relative to the server root)")
    if "\x00" in user_path:
        raise BadRequest(f"{field} contains a NUL character")
    pure = PurePosixPath(user_path.replace("\\", "/"))
    if pure.is_absolute() or user_path.startswith("~"):
        raise BadRequest(f"{field} must be relative to the server root, not {user_path!r}")
    if ".." in pure.parts:
        raise BadRequest(f"{field} must stay inside the server root: {user_path!r} uses '..'")
    real_root = root.resolve()
    candidate = (real_root / Path(*pure.parts)).resolve()
    if candidate != real_root and real_root not in candidate.parents:
        raise BadRequest(
            f"{field} {user_path!r} leads outside the server root (through a symbolic link)"
        )
    if must_exist and not candidate.exists():
        raise NotFound(f"{field} {user_path!r} does not exist")
    return candidate


def relative_to_root(root: Path, path: Path) -> str:
    """``path`` (inside ``root``) as the ``/``-separated relative path the API uses."""
    relative = path.resolve().relative_to(root.resolve())
    return relative.as_posix() or "."
