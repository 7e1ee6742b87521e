"""The demo's CRDS cache: rmaps built from crds's own type specs, imaps, pmaps, history.

A *release* is one context: the references it selects, a date and a
description. Each release gets ``jwst_<serial>.pmap`` -> ``jwst_miri_<serial>.imap``
-> rmaps; an rmap is rewritten (new serial) only when its references change,
as on the real CRDS server. Types that no demo reference covers are declared
``N/A`` in the imap, so the pipeline knows they do not apply.

Checksums and validation use crds itself, in a child process whose
environment points crds at the new cache (crds caches mappings per process
and reads ``CRDS_PATH`` from the environment; this module never changes the
caller's environment).
"""

from __future__ import annotations

import os
import pprint
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import instrument as inst
from .references import Reference

OBSERVATORY = "jwst"
#: A CRDS server URL containing "serverless": crds makes no network calls at all.
SERVERLESS_URL = "https://jwst-serverless-mode.stsci.edu"
DATE_PARKEYS = ("META.OBSERVATION.DATE", "META.OBSERVATION.TIME")
PLACEHOLDER_SHA1 = "0" * 40


@dataclass(frozen=True)
class Release:
    """One CRDS context of the demo: what it selects, when it was made and why."""

    serial: int
    date: str  # "YYYY-MM-DD HH:MM:SS"
    description: str
    references: tuple[Reference, ...]

    @property
    def pmap(self) -> str:
        """Name of this release's pipeline mapping."""
        return f"jwst_{self.serial:04d}.pmap"

    @property
    def imap(self) -> str:
        """Name of this release's MIRI instrument mapping."""
        return f"jwst_miri_{self.serial:04d}.imap"


def cache_dirs(cache: Path) -> dict[str, Path]:
    """The folders of a CRDS cache for JWST (mappings, references, config)."""
    return {
        "mappings": cache / "mappings" / OBSERVATORY,
        "references": cache / "references" / OBSERVATORY / "miri",
        "config": cache / "config" / OBSERVATORY,
    }


def spec_header(reftype: str) -> dict[str, Any]:
    """The type spec crds ships for a MIRI reference type (``crds/jwst/specs``)."""
    from crds.core import reftypes

    types = reftypes.get_types_object(OBSERVATORY)
    return dict(types.unified_defs["miri"][reftype.lower()])


def miri_spec_types() -> list[str]:
    """Every MIRI reference type crds has a spec for (lower case, sorted)."""
    from crds.core import reftypes

    types = reftypes.get_types_object(OBSERVATORY)
    return [kind for kind in types.get_filekinds("miri") if kind != "all"]


def pipeline_reference_types() -> set[str]:
    """Every CRDS type the three imaging stages can ask for, ``pars-*`` types included."""
    from jwst.pipeline import Detector1Pipeline, Image2Pipeline, Image3Pipeline

    types: set[str] = set()
    for pipeline in (Detector1Pipeline, Image2Pipeline, Image3Pipeline):
        types.add("pars-" + pipeline.__name__.lower())
        for step in pipeline.step_defs.values():
            types.add("pars-" + step.__name__.lower())
            types.update(reftype.lower() for reftype in step.reference_file_types)
    return types


def _format(value: Any) -> str:
    return pprint.pformat(value, width=200)


def _header_text(header: dict[str, Any]) -> str:
    lines = ["header = {"]
    for key in sorted(header):
        lines.append(f"    {key!r} : {_format(header[key])},")
    lines.append("}")
    return "\n".join(lines)


def rmap_parkey(reftype: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(match parkeys, use-after parkeys) of the rmap for ``reftype``."""
    parkey = tuple(tuple(group) for group in spec_header(reftype)["parkey"])
    match = parkey[0] if parkey else ()
    return (match, DATE_PARKEYS)


def useafter_text(iso: str) -> str:
    """CRDS's use-after format: ``YYYY-MM-DD HH:MM:SS``."""
    return iso.replace("T", " ")[:19]


def rmap_text(name: str, reftype: str, references: Sequence[Reference], derived_from: str) -> str:
    """An rmap for ``references`` (all of type ``reftype``), from crds's spec for the type."""
    spec = spec_header(reftype)
    match_keys, date_keys = rmap_parkey(reftype)
    header = {
        "classes": ("Match", "UseAfter"),
        "derived_from": derived_from,
        "file_ext": spec.get("file_ext", ".fits"),
        "filekind": spec["filekind"],
        "filetype": spec["filetype"],
        "instrument": "MIRI",
        "mapping": "REFERENCE",
        "name": name,
        "observatory": "JWST",
        "parkey": (match_keys, date_keys),
        "sha1sum": PLACEHOLDER_SHA1,
        "suffix": spec["suffix"],
        "text_descr": spec["text_descr"],
    }
    if references:
        header["file_ext"] = Path(references[0].filename).suffix
    rows: dict[tuple[str, ...], dict[str, str]] = {}
    for reference in references:
        key = tuple(reference.match.get(parkey, "N/A") for parkey in match_keys)
        rows.setdefault(key, {})[useafter_text(inst.REFERENCE_USEAFTER)] = reference.filename
    lines = [_header_text(header), "", "selector = Match({"]
    for key in sorted(rows):
        lines.append(f"    {_format(key)} : UseAfter({{")
        for date in sorted(rows[key]):
            lines.append(f"        {date!r} : {rows[key][date]!r},")
        lines.append("    }),")
    lines.append("})")
    return "\n".join(lines) + "\n"


def imap_text(name: str, selector: dict[str, str], derived_from: str) -> str:
    """The MIRI instrument mapping: reference type -> rmap name or ``N/A``."""
    header = {
        "derived_from": derived_from,
        "instrument": "MIRI",
        "mapping": "INSTRUMENT",
        "name": name,
        "observatory": "JWST",
        "parkey": ("REFTYPE",),
        "sha1sum": PLACEHOLDER_SHA1,
    }
    lines = [_header_text(header), "", "selector = {"]
    for reftype in sorted(selector):
        lines.append(f"    {reftype.upper()!r} : {selector[reftype]!r},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def pmap_text(name: str, imap: str, derived_from: str, description: str) -> str:
    """The pipeline mapping (the context): instrument -> imap."""
    header = {
        "derived_from": derived_from,
        "description": description,
        "mapping": "PIPELINE",
        "name": name,
        "observatory": "JWST",
        "parkey": ("META.INSTRUMENT.NAME",),
        "sha1sum": PLACEHOLDER_SHA1,
    }
    return (
        "\n".join([_header_text(header), "", "selector = {", f"    'MIRI' : {imap!r},", "}"]) + "\n"
    )


def server_config_text(releases: Sequence[Release], mappings: Iterable[str]) -> str:
    """``config/jwst/server_config``: what a CRDS server last said, for a cache with no server.

    ``context_history`` lists the releases newest first, as the real server does.
    """
    operational = releases[-1].pmap
    info = {
        "observatory": OBSERVATORY,
        "operational_context": operational,
        "edit_context": operational,
        "latest_context": operational,
        "context_history": [
            [release.date, release.pmap, release.description] for release in reversed(releases)
        ],
        "mappings": sorted(mappings),
        "bad_files_list": [],
        "bad_files": "",
        "last_synced": "never",
        "force_remote_mode": False,
        "connected": False,
        "status": "server",
        "server": SERVERLESS_URL,
        "crds_version": {"str": "jwst-lab demo (synthetic)"},
        "synthetic": inst.SYNTHETIC_NOTICE,
    }
    return pprint.pformat(info, width=100) + "\n"


def write_mappings(cache: Path, releases: Sequence[Release], requested: set[str]) -> list[str]:
    """Write every release's rmaps, imap and pmap plus the server config; return mapping names.

    ``requested`` holds the types the pipeline may ask for; together with every
    MIRI type crds knows they make up each imap, ``N/A`` where no demo
    reference applies.
    """
    dirs = cache_dirs(cache)
    for folder in dirs.values():
        folder.mkdir(parents=True, exist_ok=True)
    all_types = sorted(set(miri_spec_types()) | requested)
    spec_types = set(miri_spec_types())
    written: list[str] = []
    current_rmaps: dict[str, str] = {}
    current_refs: dict[str, tuple[str, ...]] = {}
    rmap_serials: dict[str, int] = {}
    previous_pmap = previous_imap = "jwst-lab demo generator"
    for release in releases:
        by_type: dict[str, list[Reference]] = {}
        for reference in release.references:
            by_type.setdefault(reference.reftype, []).append(reference)
        for reftype, references in sorted(by_type.items()):
            if reftype not in spec_types:
                raise ValueError(f"crds has no MIRI spec for reference type {reftype!r}")
            names = tuple(sorted(r.filename for r in references))
            if current_refs.get(reftype) == names:
                continue
            serial = rmap_serials.get(reftype, inst.CRDS_SERIAL_BASE - 1) + 1
            rmap_serials[reftype] = serial
            name = f"jwst_miri_{reftype}_{serial:04d}.rmap"
            derived = current_rmaps.get(reftype, f"crds/jwst/specs: miri_{reftype} (jwst-lab demo)")
            (dirs["mappings"] / name).write_text(
                rmap_text(name, reftype, references, derived), encoding="utf-8"
            )
            current_rmaps[reftype] = name
            current_refs[reftype] = names
            written.append(name)
        selector = {reftype: current_rmaps.get(reftype, "N/A") for reftype in all_types}
        (dirs["mappings"] / release.imap).write_text(
            imap_text(release.imap, selector, previous_imap), encoding="utf-8"
        )
        written.append(release.imap)
        (dirs["mappings"] / release.pmap).write_text(
            pmap_text(release.pmap, release.imap, previous_pmap, release.description),
            encoding="utf-8",
        )
        written.append(release.pmap)
        previous_pmap, previous_imap = release.pmap, release.imap
    (dirs["config"] / "server_config").write_text(
        server_config_text(releases, written), encoding="utf-8"
    )
    return written


def crds_environment(cache: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment in which crds uses ``cache`` alone, offline (for child processes)."""
    env = dict(os.environ if base is None else base)
    for key in list(env):
        if key.startswith("CRDS_"):
            del env[key]
    env.update(
        {
            "CRDS_PATH": str(cache),
            "CRDS_MODE": "local",
            "CRDS_SERVER_URL": SERVERLESS_URL,
            "CRDS_OBSERVATORY": OBSERVATORY,
        }
    )
    return env


def finalize(cache: Path, mapping_names: Sequence[str], timeout: float = 120.0) -> None:
    """Checksum every mapping with crds (rmaps first) and validate each context.

    Runs in a child process with the cache's own CRDS environment; raises
    ``RuntimeError`` with crds's message if anything fails.
    """
    command = [sys.executable, "-m", "jwst_lab.demo.crds_context", str(cache), *mapping_names]
    result = subprocess.run(  # noqa: S603 - our own module, an argument list
        command,
        env=crds_environment(cache),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise RuntimeError("CRDS mapping check failed: " + (detail[-1] if detail else "unknown"))


def _checksum_and_validate(cache: Path, names: Sequence[str]) -> None:
    """In the child process: ``update_checksum`` each mapping, then validate each pmap."""
    from crds.core import rmap
    from crds.refactoring import checksum

    mappings = cache_dirs(cache)["mappings"]
    order = {".rmap": 0, ".imap": 1, ".pmap": 2}
    for name in sorted(names, key=lambda n: (order[Path(n).suffix], n)):
        checksum.update_checksum(str(mappings / name))
    for name in names:
        if name.endswith(".pmap"):
            context = rmap.load_mapping(str(mappings / name))
            context.validate_mapping()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m jwst_lab.demo.crds_context CACHE MAPPING...`` (used by :func:`finalize`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    _checksum_and_validate(Path(args[0]), args[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
