"""Which calwebb pipelines apply to an exposure, from its ``EXP_TYPE``.

The table is CRDS's own ``CRDSCFG`` system reference
(``crds/jwst/jwst_system_crdscfg_<build>.yaml``, shipped with the ``crds``
package): its ``exptypes_to_pipelines`` field names, for every JWST
``EXP_TYPE``, the Level 1 and Level 2b pipeline configurations the
operations pipeline runs (``skip_2b.cfg`` where no Level 2b applies). The
file is read as YAML, found without importing ``crds`` (whose import reads
the CRDS environment), and the header is read with astropy: no jwst here.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Configuration names of the table → the pipeline alias ``strun`` runs them with.
#: The TSO, WFS and lamp variants are the same classes with other defaults.
CFG_ALIASES: dict[str, str] = {
    "calwebb_dark.cfg": "calwebb_dark",
    "calwebb_detector1.cfg": "calwebb_detector1",
    "calwebb_tso1.cfg": "calwebb_detector1",
    "calwebb_guider.cfg": "calwebb_guider",
    "calwebb_image2.cfg": "calwebb_image2",
    "calwebb_tso-image2.cfg": "calwebb_image2",
    "calwebb_wfs-image2.cfg": "calwebb_image2",
    "calwebb_spec2.cfg": "calwebb_spec2",
    "calwebb_tso-spec2.cfg": "calwebb_spec2",
    "calwebb_nrslamp-spec2.cfg": "calwebb_spec2",
}

#: The pipelines the table speaks about (Level 3 runs associations, chosen by ``asn_type``).
TABLE_PIPELINES = frozenset(CFG_ALIASES.values())


@dataclass(frozen=True)
class ExpTypeTable:
    """``EXP_TYPE`` → pipeline aliases, and the file it was read from."""

    source: str
    pipelines: dict[str, tuple[str, ...]]


def _build(name: str) -> tuple[int, ...]:
    match = re.search(r"_b([\d.]+)\.yaml$", name)
    return tuple(int(part) for part in match.group(1).split(".") if part) if match else ()


def crdscfg_path() -> Path | None:
    """The newest ``jwst_system_crdscfg_b*.yaml`` of the installed ``crds``, or None."""
    spec = importlib.util.find_spec("crds")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "jwst"
    candidates = sorted(folder.glob("jwst_system_crdscfg_b*.yaml"), key=lambda p: _build(p.name))
    return candidates[-1] if candidates else None


def parse_table(text: str, source: str) -> ExpTypeTable:
    """The ``exptypes_to_pipelines`` field of a CRDSCFG reference as pipeline aliases."""
    import yaml

    data: Any = yaml.safe_load(text)
    raw = data.get("exptypes_to_pipelines") if isinstance(data, dict) else None
    if not isinstance(raw, dict):
        raise ValueError(f"{source} has no exptypes_to_pipelines table")
    table: dict[str, tuple[str, ...]] = {}
    for exp_type, cfgs in raw.items():
        aliases = [CFG_ALIASES[cfg] for cfg in cfgs or [] if cfg in CFG_ALIASES]
        table[str(exp_type).upper()] = tuple(dict.fromkeys(aliases))
    return ExpTypeTable(source=source, pipelines=table)


@functools.cache
def installed_table() -> ExpTypeTable | None:
    """The table of the installed ``crds`` (read once), or None without one."""
    path = crdscfg_path()
    if path is None:
        return None
    return parse_table(path.read_text(encoding="utf-8"), path.name)


def header_exp_type(path: Path) -> str | None:
    """``EXP_TYPE`` of a FITS file's primary header, or None (not FITS, no keyword)."""
    from astropy.io import fits

    try:
        header = fits.getheader(path, 0)
    except (OSError, ValueError, IndexError):
        return None
    value = header.get("EXP_TYPE")
    return str(value).strip().upper() if value else None


def applicable_pipelines(
    exp_type: str | None, candidates: list[str], table: ExpTypeTable | None
) -> tuple[list[str], str]:
    """The ``candidates`` that apply to ``exp_type``, and why, in words.

    Pipelines the table does not speak about (Level 3, single steps) are
    kept; without an ``EXP_TYPE`` or a table entry for it nothing is removed.
    """
    if table is None:
        return candidates, "no EXP_TYPE table is installed: every pipeline is offered"
    if exp_type is None:
        return candidates, "the file has no EXP_TYPE: every pipeline is offered"
    listed = table.pipelines.get(exp_type)
    if listed is None:
        return candidates, f"{exp_type} is not in {table.source}: every pipeline is offered"
    kept = [alias for alias in candidates if alias not in TABLE_PIPELINES or alias in listed]
    named = ", ".join(listed) if listed else "none"
    return kept, f"{exp_type}: {named} (from {table.source})"
