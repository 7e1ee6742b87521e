"""Step parameters that name files or run code, and keeping their values inside the root.

Two layers, so that a parameter the spec-reading misses is still safe:

* :func:`param_role` reads a parameter's configobj spec (type, name, help
  text) and says whether it names a file the step reads or writes, runs
  code (stpipe hooks), or neither. The catalog marks every parameter with it
  (``GET /pipelines/{alias}/spec``) and hooks are refused outright.
* :func:`place_string` applies to *every* string a user gives a step,
  whatever its role: a value that looks like a path (a separator, ``~``,
  ``$``, ``..``) must resolve inside the server root, symbolic links
  included, and is handed to stpipe as an absolute path; a bare word that
  names something in the root or in the job's input folder must not lead
  out of the root either (stpipe opens bare names relative to its working
  folder). Control characters are refused everywhere.

The runner repeats :func:`check_launch_arguments` just before the pipeline
starts, so a link swapped in while a job waited in the queue is caught too.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from ..errors import BadRequest

ParamRole = Literal["read", "write", "hook"]

#: Characters that make a string a path (or make stpipe expand it into one).
_PATH_MARKS = ("/", "\\", "$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FILE_WORDS = re.compile(
    r"\b(files?|file ?names?|paths?|director(y|ies)|folders?|asdf|fits|ecsv)\b", re.IGNORECASE
)
_WRITE_WORDS = re.compile(r"\b(output|save|saved|write|written)\b", re.IGNORECASE)
#: Help texts of parameters that describe a file *format* or name part, not a file.
_NOT_A_FILE = re.compile(r"\b(format|type|extension|suffix|key)\b", re.IGNORECASE)
#: Names that are files, not keywords (``GAIADR3``, ``commissioning``, ``N/A``).
_DATA_FILE = re.compile(
    r"\.(fits|asdf|ecsv|json|txt|csv|dat|cat|reg|yaml|yml|ascii)(\.gz)?$", re.IGNORECASE
)
_STRING_TYPES = frozenset({"string", "input_file", "output_file", "is_string_or_datamodel"})
_STRING_LIST_TYPES = frozenset({"list", "force_list", "string_list", "mixed_list"})
#: Bytes of memory one output pixel of a resampled product needs at least
#: (data, weight, context, error and three variance planes, 4 bytes each).
BYTES_PER_OUTPUT_PIXEL = 28


def param_role(name: str, spec: dict[str, Any]) -> ParamRole | None:
    """What a step parameter does with its value, from its configobj spec.

    ``"hook"`` for stpipe's ``pre_hooks``/``post_hooks`` (commands or code
    run around the step), ``"write"`` for a file the step writes, ``"read"``
    for a file or folder it reads, None for anything else.
    """
    kind = str(spec.get("type") or "string")
    if name.endswith("_hooks"):
        return "hook"
    if kind == "output_file":
        return "write"
    if kind in ("input_file", "is_string_or_datamodel"):
        return "read"
    if kind not in _STRING_TYPES and kind not in _STRING_LIST_TYPES:
        return None
    if name.endswith("_wcs"):
        return "read"  # a WCS given as an ASDF file (resample's output_wcs)
    help_text = str(spec.get("help") or "")
    named_like_a_file = name.endswith(("_file", "_dir", "_reffile", "_files")) or name.startswith(
        ("user_", "override_")
    )
    described_as_a_file = bool(_FILE_WORDS.search(help_text)) and not _NOT_A_FILE.search(help_text)
    if not (named_like_a_file or described_as_a_file):
        return None
    supplied = name.startswith(("user_", "override_")) or name.endswith("_in")
    writes = _WRITE_WORDS.search(name.replace("_", " ")) or _WRITE_WORDS.search(help_text)
    return "write" if writes and not supplied else "read"


def check_no_control(where: str, value: str) -> None:
    """A 400 when ``value`` holds a control character (NUL, newline...) or is not valid text."""
    if _CONTROL.search(value):
        raise BadRequest(f"{where} contains a control character", field=where)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest(f"{where} is not valid Unicode text", field=where) from None


def looks_like_path(value: str) -> bool:
    """True for a value stpipe would treat as a path outside its working folder."""
    return any(mark in value for mark in _PATH_MARKS) or value in (".", "..")


def _inside(root: Path, path: Path) -> bool:
    return path == root or root in path.parents


def _resolve(where: str, path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError) as error:
        raise BadRequest(
            f"{where}: {path.name!r} cannot be resolved ({error})", field=where
        ) from None


def place_string(
    where: str,
    value: str,
    *,
    root: Path,
    folders: Sequence[Path],
    role: ParamRole | None,
) -> str:
    """The value to give stpipe for a string parameter; a 400 when it would leave the root.

    ``root`` is the resolved server root, ``folders`` the folders stpipe may
    resolve a bare name against (the job's input folder, its output folder).
    """
    check_no_control(where, value)
    if not value or value.upper() == "N/A":
        return value  # empty: the default; N/A: "no reference file" for override_*
    if looks_like_path(value):
        if role is None:
            raise BadRequest(
                f"{where} = {value!r}: this parameter is not a file name, so it may not hold "
                "'/', '\\', '$' or be '.' or '..'",
                field=where,
            )
        if value.startswith("~") or "$" in value:
            raise BadRequest(
                f"{where} = {value!r}: '~' and $VARIABLES are not expanded; give a path "
                "relative to the server root",
                field=where,
            )
        pure = PurePosixPath(value.replace("\\", "/"))
        if pure.is_absolute():
            raise BadRequest(
                f"{where} = {value!r} must be a path relative to the server root, not absolute",
                field=where,
            )
        if ".." in pure.parts:
            raise BadRequest(f"{where} = {value!r} must not use '..'", field=where)
        if len(value.encode("utf-8")) > 4096 or any(
            len(part.encode("utf-8")) > 255 for part in pure.parts
        ):
            raise BadRequest(f"{where} is longer than a path can be", field=where)
        candidate = _resolve(where, root / Path(*pure.parts))
        if not _inside(root, candidate):
            raise BadRequest(
                f"{where} = {value!r} leads outside the server root (through a symbolic link)",
                field=where,
            )
        if role == "read" and not candidate.exists():
            raise BadRequest(
                f"{where} = {value!r} does not exist under the server root", field=where
            )
        if role == "write" and candidate.is_dir():
            raise BadRequest(f"{where} = {value!r} is a folder; give a file name", field=where)
        return str(candidate)
    # A bare name: stpipe opens it relative to its working (input) or output folder.
    if len(value.encode("utf-8")) > 255:
        return value if role is None else _too_long(where)
    for folder in (root, *folders):
        entry = folder / value
        if os.path.lexists(entry):
            target = _resolve(where, entry)
            if not _inside(root, target):
                raise BadRequest(
                    f"{where} = {value!r} names a symbolic link that leads outside the server root",
                    field=where,
                )
    if role == "read":
        if (root / value).exists():
            return str((root / value).resolve())
        if _DATA_FILE.search(value) and not any((f / value).exists() for f in folders):
            # A file name, not a keyword like GAIADR3: it would fail when the step runs.
            raise BadRequest(
                f"{where} = {value!r} does not exist under the server root", field=where
            )
    return value


def _too_long(where: str) -> str:
    raise BadRequest(f"{where} is longer than a file name can be", field=where)


def check_shape(where: str, name: str, value: Any, memory_bytes: int) -> None:
    """A 400 for an output ``*_shape`` whose image could never fit in this machine's memory."""
    if not name.endswith("shape") or not isinstance(value, list) or not value:
        return
    if any(isinstance(item, bool) or not isinstance(item, int) or item < 1 for item in value):
        raise BadRequest(f"{where} must be positive whole numbers of pixels", field=where)
    pixels = math.prod(value)
    needed = pixels * BYTES_PER_OUTPUT_PIXEL
    if needed > memory_bytes:
        raise BadRequest(
            f"{where} = {value} is a {pixels:.3g}-pixel image that needs at least "
            f"{_bytes(needed)} of memory; this server has {_bytes(memory_bytes)}",
            field=where,
        )


def _bytes(size: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if size < 1000 or unit == "PB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1000
    return f"{size} B"


def machine_memory() -> int:
    """Bytes of memory this process may use: the cgroup limit when one is set, else RAM."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


def check_launch_arguments(root: Path, arguments: Iterable[str]) -> None:
    """Raise :class:`BadRequest` if an absolute path in ``--steps.*`` arguments left the root.

    Run by the job runner just before the pipeline starts: by then every
    path value is absolute (see :func:`place_string`), so a symbolic link
    that appeared while the job was queued is caught here.
    """
    real_root = root.resolve()
    for argument in arguments:
        if not argument.startswith("--steps.") or "=" not in argument:
            continue
        where, _, value = argument[2:].partition("=")
        check_no_control(where, value)
        for item in value.split(","):
            if item.startswith("/") and not _inside(real_root, _resolve(where, Path(item))):
                raise BadRequest(
                    f"{where} = {item!r} now leads outside the server root", field=where
                )
