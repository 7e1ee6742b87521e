"""Read, validate and summarise JWST association files (``*_asn.json``).

Validation uses the JSON schemas jwst ships (found on disk without importing
jwst), then checks what the schema cannot: that every member file exists
(relative to the association's folder, inside the server root) and that
products are named.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BadRequest, DependencyMissing
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

    def read(self, path: Path) -> dict[str, Any]:
        """The summary of the association at ``path`` (resolved inside the root).

        Raises :class:`BadRequest` with the location of the problem when the
        file is not JSON or does not follow the association schema.
        """
        name = relative_to_root(self.root, path)
        if path.is_dir():
            raise BadRequest(f"{name} is a folder, not an association file")
        if path.stat().st_size > MAX_ASN_BYTES:
            raise BadRequest(f"{name} is too large to be an association")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise BadRequest(f"{name} is not a text (JSON) file") from None
        except json.JSONDecodeError as error:
            raise BadRequest(
                f"{name} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
            ) from None
        if not isinstance(data, dict):
            raise BadRequest(f"{name}: an association is a JSON object, not {type(data).__name__}")
        asn_type = data.get("asn_type") if isinstance(data.get("asn_type"), str) else None
        level = asn_level(asn_type)
        self._validate(name, data, level)
        return self._summarise(name, path, data, asn_type, level)

    def _validate(self, name: str, data: dict[str, Any], level: int) -> None:
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
                f"{first.message}{more}"
            )
        for index, product in enumerate(data["products"]):
            if not isinstance(product, dict) or not isinstance(product.get("members"), list):
                raise BadRequest(f"{name}: products/{index} has no members list")
            if level == 3 and not product.get("name"):
                raise BadRequest(f"{name}: products/{index} has no name")

    def _summarise(
        self, name: str, path: Path, data: dict[str, Any], asn_type: str | None, level: int
    ) -> dict[str, Any]:
        folder = path.parent
        root = self.root.resolve()
        products = []
        missing: list[str] = []
        for product in data["products"]:
            members = []
            for member in product["members"]:
                expname = str(member.get("expname", ""))
                exists = _member_exists(root, folder, expname)
                if not exists:
                    missing.append(expname)
                members.append(
                    {
                        "expname": expname,
                        "exptype": str(member.get("exptype", "")),
                        "exists": exists,
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
        }


def _member_exists(root: Path, folder: Path, expname: str) -> bool:
    if not expname:
        return False
    target = (folder / expname).resolve()
    inside = target == root or root in target.parents
    return inside and target.is_file()


def require_members(summary: dict[str, Any], limit: int = 20) -> None:
    """A 400 listing the missing members, if any are missing."""
    missing: Sequence[str] = summary["members_missing"]
    if missing:
        shown = ", ".join(missing[:limit])
        more = f" and {len(missing) - limit} more" if len(missing) > limit else ""
        raise BadRequest(f"{summary['path']}: {len(missing)} member file(s) missing: {shown}{more}")
