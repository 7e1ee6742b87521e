"""Read, validate and summarise JWST association files (``*_asn.json``).

Validation uses the JSON schemas jwst ships (found on disk without importing
jwst), then checks what the schema cannot: that every member file exists
(relative to the association's folder, inside the server root) and that
products are named.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import BadRequest, DependencyMissing, Forbidden
from .paths import relative_to_root
from .pipeline import pipelines_for_asn_type

SCHEMA_FILES = {2: "asn_schema_jw_level2b.json", 3: "asn_schema_jw_level3.json"}
#: Largest association file read (real ones are a few kB).
MAX_ASN_BYTES = 16 << 20


def jwst_schema_dir() -> Path:
    """Where the installed jwst keeps its association schemas (jwst is not imported)."""
    spec = importlib.util.find_spec("jwst")
    if spec is None or not spec.submodule_search_locations:
        raise DependencyMissing("jwst is not installed: association schemas are unavailable")
    return Path(next(iter(spec.submodule_search_locations))) / "associations" / "lib"


def asn_level(asn_type: str | None) -> int:
    """Level 2 for ``image2``/``spec2``-like associations, else Level 3."""
    return 2 if asn_type and asn_type.rstrip().endswith("2") else 3


@dataclass(frozen=True)
class AssociationReader:
    """Reads associations under ``root``, validating with the schemas in ``schema_dir``."""

    root: Path
    schema_dir: Path | None = None

    def _schema(self, level: int) -> dict[str, Any]:
        folder = self.schema_dir or jwst_schema_dir()
        schema: dict[str, Any] = json.loads((folder / SCHEMA_FILES[level]).read_text("utf-8"))
        return schema

    def read(self, path: Path, field: str = "path") -> dict[str, Any]:
        """The summary of the association at ``path`` (resolved inside the root).

        Raises :class:`BadRequest` (naming ``field``, the request field that
        gave the path) with the location of the problem when the file is not
        a regular file, not JSON, not usable JSON (nested too deeply, numbers
        too long) or does not follow the association schema; 403 when the
        server may not read it.
        """
        name = relative_to_root(self.root, path)
        try:
            if path.is_dir():
                raise BadRequest(f"{name} is a folder, not an association file", field=field)
            if not path.is_file():
                # A FIFO or a device would block the reading thread forever.
                raise BadRequest(f"{name} is not a regular file", field=field)
            if path.stat().st_size > MAX_ASN_BYTES:
                raise BadRequest(f"{name} is too large to be an association", field=field)
            raw = path.read_bytes()
        except PermissionError:
            raise Forbidden(f"{name} cannot be read by the server") from None
        except OSError as error:
            raise BadRequest(f"{name} cannot be read: {error.strerror}", field=field) from None
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise BadRequest(f"{name} is not a text (JSON) file", field=field) from None
        except json.JSONDecodeError as error:
            raise BadRequest(
                f"{name} is not valid JSON: {error.msg} at line {error.lineno} column "
                f"{error.colno}",
                field=field,
            ) from None
        except RecursionError:
            raise BadRequest(
                f"{name} nests arrays or objects too deeply to be an association", field=field
            ) from None
        except ValueError as error:  # e.g. integers longer than Python converts
            raise BadRequest(f"{name} is not a usable JSON file: {error}", field=field) from None
        if not isinstance(data, dict):
            raise BadRequest(
                f"{name}: an association is a JSON object, not {type(data).__name__}",
                field=field,
            )
        asn_type = data.get("asn_type") if isinstance(data.get("asn_type"), str) else None
        level = asn_level(asn_type)
        self._validate(name, data, level, field)
        return self._summarise(name, path, data, asn_type, level)

    def _validate(self, name: str, data: dict[str, Any], level: int, field: str) -> None:
        import jsonschema

        validator_class = jsonschema.validators.validator_for(self._schema(level))
        validator = validator_class(self._schema(level))
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors:
            first = errors[0]
            where = "/".join(str(part) for part in first.absolute_path) or "(top level)"
            more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
            raise BadRequest(
                f"{name} is not a valid Level {level} association: at {where}: "
                f"{first.message}{more}",
                field=field,
            )
        for index, product in enumerate(data["products"]):
            if not isinstance(product, dict) or not isinstance(product.get("members"), list):
                raise BadRequest(f"{name}: products/{index} has no members list", field=field)
            if level == 3 and not product.get("name"):
                raise BadRequest(f"{name}: products/{index} has no name", field=field)
            product_name = product.get("name")
            if product_name is not None and _unsafe_product_name(str(product_name)):
                # The pipeline names its outputs <product name>_<suffix>.fits in the output
                # folder: a separator or '..' would write them somewhere else.
                raise BadRequest(
                    f"{name}: products/{index} name {product_name!r} is not a plain file name "
                    "(no '/', '\\', '$', '~', '..' or control characters)",
                    field=field,
                )

    def _summarise(
        self, name: str, path: Path, data: dict[str, Any], asn_type: str | None, level: int
    ) -> dict[str, Any]:
        folder = path.parent
        root = self.root.resolve()
        products = []
        missing: list[str] = []
        refused: list[dict[str, str]] = []
        for product in data["products"]:
            members = []
            for member in product["members"]:
                expname = str(member.get("expname", ""))
                problem = member_problem(root, folder, expname)
                if problem is not None:
                    missing.append(expname)
                    refused.append({"expname": expname, "problem": problem})
                members.append(
                    {
                        "expname": expname,
                        "exptype": str(member.get("exptype", "")),
                        "exists": problem is None,
                    }
                )
            products.append({"name": product.get("name"), "members": members})
        return {
            "path": name,
            "asn_type": asn_type,
            "asn_rule": data.get("asn_rule"),
            "asn_id": data.get("asn_id"),
            "asn_pool": data.get("asn_pool"),
            "program": data.get("program"),
            "target": data.get("target"),
            "level": level,
            "pipelines": pipelines_for_asn_type(asn_type) if asn_type else [],
            "products": products,
            "members_total": sum(len(p["members"]) for p in products),
            "members_missing": missing,
            "members_refused": refused,
        }


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _unsafe_product_name(name: str) -> bool:
    return (
        any(mark in name for mark in ("/", "\\", "$"))
        or name.startswith("~")
        or name in (".", "..")
        or bool(_CONTROL.search(name))
    )


def member_problem(root: Path, folder: Path, expname: str) -> str | None:
    """Why the member ``expname`` of an association in ``folder`` cannot be used, or None.

    Members are read by the pipeline relative to the association's folder;
    jwst expands ``$VARIABLES`` and ``~`` in them, so those are refused, and
    a member (or a symbolic link on its way) leading outside the root is
    refused as if it were missing: its existence is not revealed.
    """
    if not expname:
        return "no file name"
    if "$" in expname or expname.startswith("~") or _CONTROL.search(expname):
        return "uses '$', '~' or control characters, which the pipeline would expand"
    if PurePosixPath(expname).is_absolute():
        return "is an absolute path; members are relative to the association's folder"
    try:
        target = (folder / expname).resolve()
        inside = target == root or root in target.parents
        if not inside:
            return "leads outside the server root"
        if not target.is_file():
            return "missing"
    except (OSError, RuntimeError, ValueError):
        return "cannot be read (name too long or a link loop)"
    return None


def require_members(summary: dict[str, Any], limit: int = 20) -> None:
    """A 400 listing the members that are missing or refused, if any are."""
    missing: Sequence[str] = summary["members_missing"]
    if missing:
        refused = {item["expname"]: item["problem"] for item in summary.get("members_refused", [])}
        described = [
            name if refused.get(name, "missing") == "missing" else f"{name} ({refused[name]})"
            for name in missing[:limit]
        ]
        shown = ", ".join(described)
        more = f" and {len(missing) - limit} more" if len(missing) > limit else ""
        raise BadRequest(
            f"{summary['path']}: {len(missing)} member file(s) missing or refused: {shown}{more}",
            field="input",
        )
