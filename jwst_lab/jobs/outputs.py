"""What a pipeline job left in its output folder, listed without ever raising.

A job's output folder is inside the server root and may hold anything by the
time the job ends: symbolic links (to anywhere), folders the server cannot
read, link loops, temporary files of a step that died. The listing walks it
without following links, reports what it skipped instead of raising, and
tells temporary files apart so a failed job's can be removed and none is
ever presented as an output.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

#: Most files listed for one job (a program-scale output folder is listed in part).
MAX_LISTED = 10_000
#: Names of files written while a step runs and renamed (or dropped) when it ends:
#: asdf's and crds's temporaries, our own ``.part``/``.tmp`` files.
TEMPORARY = re.compile(r"(^\.asdf_tmp|^\.tmp|\.tmp$|\.part$|^\.~)")


@dataclass
class OutputListing:
    """The regular files under an output folder, and what was left out and why."""

    files: list[str] = field(default_factory=list)
    temporaries: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def list_outputs(root: Path, output_dir: str) -> OutputListing:
    """Regular files under ``root/output_dir`` as root-relative paths, sorted; never raises."""
    listing = OutputListing()
    real_root = root.resolve()
    folder = real_root / output_dir
    try:
        folder_stat = folder.lstat()
    except OSError:
        return listing
    if stat.S_ISLNK(folder_stat.st_mode) or not stat.S_ISDIR(folder_stat.st_mode):
        listing.warnings.append(f"the output folder {output_dir} is not a folder; nothing listed")
        return listing

    def on_error(error: OSError) -> None:
        where = _relative(real_root, Path(error.filename)) if error.filename else output_dir
        listing.warnings.append(f"could not read {where}: {error.strerror or error}")

    for current, folders, names in os.walk(folder, onerror=on_error, followlinks=False):
        here = Path(current)
        for name in sorted(folders):
            if (here / name).is_symlink():
                listing.warnings.append(_link_warning(real_root, here / name))
        for name in sorted(names):
            path = here / name
            try:
                info = path.lstat()
            except OSError as error:
                listing.warnings.append(
                    f"could not read {_relative(real_root, path)}: {error.strerror}"
                )
                continue
            if stat.S_ISLNK(info.st_mode):
                listing.warnings.append(_link_warning(real_root, path))
            elif not stat.S_ISREG(info.st_mode):
                continue
            elif TEMPORARY.search(name):
                listing.temporaries.append(path)
            elif len(listing.files) < MAX_LISTED:
                listing.files.append(_relative(real_root, path))
            elif len(listing.files) == MAX_LISTED:
                listing.warnings.append(f"more than {MAX_LISTED} files; the rest are not listed")
                listing.files.append("")  # a sentinel so the warning is given once
    listing.files = sorted(f for f in listing.files if f)
    return listing


def remove_temporaries(listing: OutputListing) -> int:
    """Delete the temporary files of a listing (regular files only); how many went."""
    removed = 0
    for path in listing.temporaries:
        with contextlib.suppress(OSError):
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed += 1
    return removed


def _relative(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def _link_warning(root: Path, path: Path) -> str:
    try:
        target = path.resolve()
        inside = target == root or root in target.parents
    except (OSError, RuntimeError):
        inside = False
    where = "inside" if inside else "outside"
    return (
        f"{_relative(root, path)} is a symbolic link (to a place {where} the server root); "
        "links are not listed as outputs"
    )


def free_space(folder: Path) -> int | None:
    """Free bytes on the file system of ``folder`` (or its nearest existing parent)."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return shutil.disk_usage(probe).free
    except OSError:
        return None


def format_size(size: float) -> str:
    """A byte count for a message: ``12.3 MB``."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1000
    return f"{size} B"
