"""Group a program's exposures into associations with jwst's own rules; JSON on stdout.

Run only in a subprocess (it imports jwst, which the server never does)::

    python -m jwst_lab.jobs.plan_worker SPEC.json
    python -m jwst_lab.jobs.plan_worker --serve   # warm: one JSON spec per line

``SPEC.json`` holds ``{"files": [absolute exposure paths], "pool": absolute
pool CSV or null, "merge": false, "per_pool_algorithm": false}``. The worker
reads the exposures' headers, builds a pool from them with
:func:`jwst.associations.mkpool.mkpool` (or reads the given pool with
``AssociationPool.read``) and generates the associations ``asn_generate``
makes (the default registry, which holds the Level 2b and Level 3 rules, the
per-candidate algorithm, candidates and discovered associations, no merging)
with jwst's own generator functions, skipping a part whose result jwst
throws away (:func:`generate_per_candidate` says which and why). It prints one
JSON document: the exposures with the header values their jobs' memory
estimates need, the associations (type, rule, product, members and their full
JSON), the files skipped and why, and the exposures no association took.

The pool names every exposure by its Level 1b name (``<exposure>_uncal.fits``)
whatever the file given is (a rate, a cal ...), as the operations pools do:
the rules then name members the way the pipeline names its products, and the
planner maps each member back to a file given or a job's product.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import logging
import sys
import time
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

#: Exposure file suffixes a run accepts, and their level (see ``planning.EXPOSURE_LEVELS``).
SUFFIXES = ("uncal", "rate", "rateints", "cal", "calints")
#: The name associations give as their pool when it was built from the inputs' headers.
POOL_NAME = "jwst-lab_mkpool.csv"


def exposure_stem(name: str) -> tuple[str, str]:
    """``jw..._nrca1_rate.fits`` → (``jw..._nrca1``, ``rate``); no known suffix → (stem, "")."""
    base = name.rsplit("/", 1)[-1]
    stem = base.split(".", 1)[0]
    head, _, suffix = stem.rpartition("_")
    if head and suffix.lower() in SUFFIXES:
        return head, suffix.lower()
    return stem, ""


class PoolError(Exception):
    """The given pool cannot be used."""


class _HeaderSource:
    """A primary header read once, handed to ``mkpool`` under the name the pool should hold."""

    def __init__(self, header: Any, filename: str) -> None:
        self.header = header
        self._file = SimpleNamespace(name=filename)

    def __getitem__(self, key: Any) -> Any:
        raise TypeError("not an HDU list")  # mkpool then uses this object as the HDU

    def fileinfo(self) -> dict[str, Any]:
        return {"file": self._file}


def _integer(value: Any, default: int = 0) -> int:
    try:
        return int(float(str(value)))
    except (TypeError, ValueError):
        return default


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in ("t", "true", "1", "yes")


def _text(value: Any) -> str:
    text = str(value).strip() if value is not None else ""
    return "" if text.lower() in ("null", "none", "n/a", "--") else text


def features(values: Any, get: Any) -> dict[str, Any]:
    """Instrument, exposure type, detector and size of one exposure from header or pool values."""
    return {
        "instrument": _text(get(values, "instrume")).upper(),
        "exp_type": _text(get(values, "exp_type")).upper(),
        "detector": _text(get(values, "detector")).upper(),
        "nints": _integer(get(values, "nints"), 1),
        "ngroups": _integer(get(values, "ngroups"), 1),
        "nrows": _integer(get(values, "subsize2")),
        "ncols": _integer(get(values, "subsize1")),
        "tso": _flag(get(values, "tsovisit")),
    }


def _header_get(header: Any, key: str) -> Any:
    return header.get(key.upper())


def _row_get(row: Any, key: str) -> Any:
    try:
        return row[key]
    except (KeyError, ValueError):
        return None


def read_exposure(path: str) -> tuple[Any, dict[str, Any] | None, str | None]:
    """The primary header and size features of one exposure file, or why it cannot be used."""
    from astropy.io import fits

    try:
        with fits.open(path, memmap=False, lazy_load_hdus=True) as hdul:
            header = hdul[0].header.copy()
            if header.get("TELESCOP", "").strip().upper() != "JWST":
                return None, None, "not a JWST exposure (TELESCOP is not JWST)"
            if not header.get("EXP_TYPE"):
                return None, None, "no EXP_TYPE in its primary header"
            found = features(header, _header_get)
            if not found["nrows"] or not found["ncols"]:
                # No subarray keywords: the science array's own shape.
                try:
                    science = hdul["SCI"].header
                    found["ncols"] = found["ncols"] or _integer(science.get("NAXIS1"))
                    found["nrows"] = found["nrows"] or _integer(science.get("NAXIS2"))
                except KeyError:
                    pass
    except OSError as error:
        return None, None, f"not a readable FITS file ({error})"
    return header, found, None


def _asn_level(asn: Any) -> int:
    from jwst.associations.lib.rules_level2_base import DMSLevel2bBase

    return 2 if isinstance(asn, DMSLevel2bBase) else 3


def describe_association(asn: Any) -> dict[str, Any]:
    """One generated association: type, rule, name, level, products and its JSON."""
    _name, serialized = asn.dump(format="json")
    content = json.loads(serialized)
    products = [
        {
            "name": product.get("name", ""),
            "members": [
                {"expname": str(m.get("expname", "")), "exptype": str(m.get("exptype", ""))}
                for m in product.get("members", [])
            ],
        }
        for product in content.get("products", [])
    ]
    return {
        "name": asn.asn_name,
        "asn_type": content.get("asn_type", ""),
        "asn_rule": content.get("asn_rule", ""),
        "asn_id": content.get("asn_id", ""),
        "level": _asn_level(asn),
        "products": products,
        "content": content,
    }


def generate_associations(
    pool: Any, merge: bool, per_pool_algorithm: bool, timings: dict[str, float] | None = None
) -> list[Any]:
    """The associations ``asn_generate`` makes from ``pool`` with these options.

    The per-candidate algorithm (``asn_generate``'s default) runs as
    :func:`generate_per_candidate` (which fills ``timings``); the per-pool
    one through jwst's ``Main``.
    """
    if not per_pool_algorithm:
        return generate_per_candidate(pool, merge, timings)
    return generate_with_main(pool, merge, per_pool_algorithm)


def generate_with_main(pool: Any, merge: bool, per_pool_algorithm: bool) -> list[Any]:
    """``asn_generate --dry-run`` on ``pool`` through :class:`jwst.associations.main.Main`."""
    from jwst.associations.main import Main

    args = ["--dry-run"]
    if merge:
        args.append("--merge")
    if per_pool_algorithm:
        args.append("--per-pool-algorithm")
    generator = Main(args=args, pool=pool)
    generator.generate()
    return list(generator.associations)


def generate_per_candidate(
    pool: Any, merge: bool, timings: dict[str, float] | None = None
) -> list[Any]:
    """jwst's per-candidate generation, as ``asn_generate`` runs it, minus work it throws away.

    The steps and their order are those of
    :func:`jwst.associations.generator.generate_per_candidate.generate_per_candidate`
    with ``asn_generate``'s defaults (all candidates, discovery, no version,
    finalized), each done by jwst's own function: one registry and one
    ``generate`` per candidate, then discovery over the whole pool, the
    discovered-only filter, resequencing, finalization and, if asked, merging.

    One difference, which changes no association: the discovery registry
    holds only the Level 3 rules. jwst's discovery also runs the Level 2b
    rules over the whole pool, and that is where its time goes (one Level 2b
    association per exposure, each later item checked against every one of
    them), but every Level 2b association it makes is dropped at
    finalization: a discovered association's candidate type is
    ``DISCOVERED`` (no discovery rule carries a constraint marked
    ``is_acid``; only the per-candidate registries' global constraint is),
    and ``DMSLevel2bBase.validate_candidates`` accepts only ``observation``
    and ``background`` candidates, so they never become valid and
    ``Utility.finalize`` (Level 2) leaves them out. Nor can they change the
    Level 3 ones: a Level 2b association's reprocess lists name only its own
    rule (``Association.check_and_set_constraints``), items of a list are
    matched only against associations and rules the list names, and the
    only list naming every rule (``Asn_Lv3ACQ_Reprocess``) works over
    existing associations only. ``tests/test_run_planner.py`` compares this
    with ``Main`` association by association.

    ``timings``, if given, receives the seconds of each phase (``candidates``,
    ``discovery``, ``finalize``; wall clock, and CPU as ``<phase>_cpu``).
    """
    from jwst.associations.generator.generate import generate
    from jwst.associations.generator.generate_per_candidate import (
        generate_on_candidate,
        ids_by_ctype,
    )
    from jwst.associations.generator.generate_per_pool import (
        CANDIDATE_RULESET,
        DISCOVER_RULESET,
    )
    from jwst.associations.lib.rules_level2_base import DMSLevel2bBase
    from jwst.associations.lib.utilities import filter_discovered_only
    from jwst.associations.registry import AssociationRegistry

    marks = [(time.perf_counter(), time.process_time())]
    associations: list[Any] = []
    for ctype, counts in ids_by_ctype(pool).items():
        for cid in counts:
            associations.extend(generate_on_candidate((cid, ctype), pool, None))
    marks.append((time.perf_counter(), time.process_time()))
    rules = AssociationRegistry(None, include_default=True, name=DISCOVER_RULESET)
    for name, rule in list(rules.items()):
        if issubclass(rule, DMSLevel2bBase):
            del rules[name]
            rules.rule_set.discard(rule)
    associations.extend(generate(pool, rules, version_id=None, finalize=False))
    marks.append((time.perf_counter(), time.process_time()))
    associations = filter_discovered_only(
        associations, DISCOVER_RULESET, CANDIDATE_RULESET, keep_candidates=True
    )
    rules.Utility.resequence(associations)
    finalized = associations
    if associations:
        try:
            finalized = rules.callback.reduce("finalize", associations)
        except KeyError:  # as jwst: no finalization then
            finalized = associations
    if merge:
        with contextlib.suppress(AttributeError):
            finalized = rules.Utility.merge_asns(finalized)
    marks.append((time.perf_counter(), time.process_time()))
    if timings is not None:
        phases = ("candidates", "discovery", "finalize")
        for phase, (start, end) in zip(phases, itertools.pairwise(marks), strict=True):
            timings[phase] = end[0] - start[0]
            timings[f"{phase}_cpu"] = end[1] - start[1]
    return list(finalized)


def pool_from_headers(sources: list[_HeaderSource]) -> Any:
    """``mkpool`` of the headers, with its values as ``AssociationPool.read`` gives them.

    ``asn_make_pool`` then ``asn_generate`` is jwst's documented way: the pool
    is read back with ``AssociationPool.read``, which lower-cases every value,
    and the rules expect that (an ``EXP_TYPE`` of ``MIR_IMAGE`` straight from
    ``mkpool`` is not recognised as a Level 2b type, so Level 3 members would
    be named ``_rate`` instead of ``_cal``).
    """
    from jwst.associations.mkpool import mkpool

    pool = mkpool(sources)
    for name in pool.colnames:
        pool[name] = [str(value).lower() for value in pool[name]]
    pool.meta["pool_file"] = POOL_NAME
    return pool


def plan(spec: dict[str, Any]) -> dict[str, Any]:
    """The exposures, associations, skipped files and orphans for one planning request."""
    started = time.perf_counter()
    cpu_started = time.process_time()
    from jwst import __version__ as jwst_version
    from jwst.associations import AssociationPool

    imported = time.perf_counter()
    files = [str(path) for path in spec.get("files", [])]
    pool_path = spec.get("pool")
    skipped: list[dict[str, str]] = []
    exposures: list[dict[str, Any]] = []
    sources = []
    seen: dict[str, str] = {}
    for path in files:
        stem, suffix = exposure_stem(path)
        if not suffix:
            skipped.append({"path": path, "reason": "not an exposure product name"})
            continue
        header, found, problem = read_exposure(path)
        if problem is None and not pool_path and header is not None and "OBSERVTN" not in header:
            problem = "no OBSERVTN in its primary header (needed to group exposures)"
        if problem is not None or header is None or found is None:
            skipped.append({"path": path, "reason": problem or "unreadable"})
            continue
        exposures.append(
            {"path": path, "stem": stem, "suffix": suffix, "pool_filename": "", **found}
        )
        canonical = f"{stem}_uncal.fits"
        if "TARGNAME" not in header:
            header["TARGNAME"] = ""  # mkpool numbers the targets by it
        if stem not in seen:
            seen[stem] = canonical
            sources.append(_HeaderSource(header, canonical))
    headers_read = time.perf_counter()
    if pool_path:
        try:
            pool = AssociationPool.read(pool_path)
        except Exception as error:
            raise PoolError(f"cannot be read as a pool: {type(error).__name__}: {error}") from None
        if "filename" not in pool.colnames:
            raise PoolError("has no FILENAME column: it is not an association pool")
        # Exposures named in the pool and not given as files still count: their
        # features come from the pool's columns.
        names = [str(name) for name in pool["filename"]]
        by_stem = {exposure["stem"]: exposure for exposure in exposures}
        for row, name in zip(pool, names, strict=False):
            stem, _suffix = exposure_stem(name)
            if stem in by_stem:
                by_stem[stem]["pool_filename"] = name
            else:
                exposures.append(
                    {
                        "path": "",
                        "stem": stem,
                        "suffix": "",
                        "pool_filename": name,
                        **features(row, _row_get),
                    }
                )
    elif sources:
        pool = pool_from_headers(sources)
        for exposure in exposures:
            exposure["pool_filename"] = seen[exposure["stem"]]
    else:
        pool = None
    pooled = time.perf_counter()
    associations = []
    phases: dict[str, float] = {}
    generate_cpu = time.process_time()
    if pool is not None and len(pool):
        generated = generate_associations(
            pool, bool(spec.get("merge")), bool(spec.get("per_pool_algorithm")), phases
        )
        associations = [describe_association(asn) for asn in generated]
    generated_at = time.perf_counter()
    generate_cpu = time.process_time() - generate_cpu
    members = {
        exposure_stem(member["expname"])[0]
        for asn in associations
        for product in asn["products"]
        for member in product["members"]
    }
    orphans = sorted({e["stem"] for e in exposures} - members)
    return {
        "versions": {"jwst": jwst_version},
        "exposures": exposures,
        "associations": associations,
        "skipped": skipped,
        "orphans": orphans,
        "pool_rows": 0 if pool is None else len(pool),
        "seconds": {
            "import": imported - started,
            "headers": headers_read - imported,
            "pool": pooled - headers_read,
            "generate": generated_at - pooled,
            **{f"generate_{phase}": seconds for phase, seconds in phases.items()},
            "generate_cpu": generate_cpu,
            "cpu": time.process_time() - cpu_started,
        },
    }


def _quiet() -> None:
    """jwst's loggers and warnings go to stderr (stdout carries only the JSON answer)."""
    warnings.simplefilter("ignore")
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)


def answer_for(spec: dict[str, Any]) -> dict[str, Any]:
    """:func:`plan`'s answer, or ``{"error": ..., "stage": ...}`` when planning fails."""
    chatter = io.StringIO()
    try:
        with contextlib.redirect_stdout(chatter):
            return plan(spec)
    except PoolError as error:
        return {"error": str(error), "stage": "pool"}
    except Exception as error:  # reported to the planner as a structured failure
        return {"error": f"{type(error).__name__}: {error}", "stage": "plan"}
    finally:
        sys.stderr.write(chatter.getvalue())


def serve(incoming: IO[str], outgoing: IO[str]) -> None:
    """Answer one spec per line with one JSON line, until end of input (a warm worker)."""
    for line in incoming:
        if not line.strip():
            continue
        try:
            spec = json.loads(line)
        except json.JSONDecodeError as error:
            answer: dict[str, Any] = {"error": f"bad request: {error}", "stage": "plan"}
        else:
            answer = answer_for(spec)
        outgoing.write(json.dumps(answer) + "\n")
        outgoing.flush()


def main(argv: list[str] | None = None) -> int:
    """``SPEC.json``: print the plan's JSON on stdout; ``--serve``: answer specs line by line."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m jwst_lab.jobs.plan_worker SPEC.json | --serve", file=sys.stderr)
        return 2
    _quiet()
    if args[0] == "--serve":
        import jwst.associations.main  # noqa: F401  (imported once, before the first request)

        serve(sys.stdin, sys.stdout)
        return 0
    answer = answer_for(json.loads(Path(args[0]).read_text(encoding="utf-8")))
    json.dump(answer, sys.stdout)
    return 1 if "error" in answer else 0


if __name__ == "__main__":
    sys.exit(main())
