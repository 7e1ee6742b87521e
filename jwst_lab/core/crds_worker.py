"""``python -m jwst_lab.core.crds_worker``: the process where the ``crds`` library runs.

crds keeps its configuration in ``os.environ`` (``CRDS_PATH``,
``CRDS_SERVER_URL``, ``CRDS_MODE``) and caches mappings, server information
and processing modes per process; computing best references imports jwst.
None of that may happen in the Jupyter server, so :class:`CrdsService`
(``core/crds.py``) starts this module as a child process whose environment
holds the CRDS settings, keeps it warm, and talks to it in JSON lines:

request  ``{"id": 1, "op": "tree", "args": {"context": "jwst_0541.pmap"}}``
answer   ``{"id": 1, "ok": true, "result": {...}}`` or
         ``{"id": 1, "ok": false, "error": {"kind": "not_found", "message": "..."}}``

Every operation takes its context explicitly (``CRDS_CONTEXT`` is never set
here), and only numbered mappings, whose content never changes, stay cached,
so one request's context cannot leak into the next one's answer.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .json_worker import dispatch, run_child

OBSERVATORY = "jwst"

#: Error kinds the service maps to HTTP statuses.
KINDS = ("bad_input", "not_found", "unavailable", "upstream", "internal")


class WorkerError(Exception):
    """An expected failure, reported to the service with its kind."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


# --- helpers -----------------------------------------------------------------------


def _mapping(name: str) -> Any:
    """A cached, fully loaded mapping, or a ``not_found`` error."""
    from crds.core import rmap

    try:
        return rmap.get_cached_mapping(name)
    except (OSError, FileNotFoundError) as error:
        raise WorkerError(
            "not_found", f"mapping {name} is not in the CRDS cache: {error}"
        ) from None
    except Exception as error:  # crds raises CrdsError subclasses for unreadable files
        text = str(error)
        if "No such file" in text or "not found" in text.lower():
            raise WorkerError("not_found", f"mapping {name} is not in the CRDS cache") from None
        raise WorkerError("internal", f"crds could not load {name}: {text}") from None


def _whole_context(name: str) -> Any:
    """A pipeline mapping with every imap and rmap under it loaded into crds's cache.

    crds loads a context's children lazily, and its diff machinery reads children
    it has not cached with ``fetch_mapping``, which parses them again on every
    visit; loading them once up front halves a cold diff.
    """
    pmap = _mapping(name)
    for imap in pmap.selections.values():
        for _rmap in imap.selections.values():
            pass
    return pmap


def _descriptions() -> dict[str, dict[str, str]]:
    """``{instrument: {reftype: description}}`` from crds's own type specs."""
    from crds.core import reftypes

    types = reftypes.get_types_object(OBSERVATORY)
    result: dict[str, dict[str, str]] = {}
    for instrument, defs in types.unified_defs.items():
        result[instrument] = {
            kind: str(spec.get("text_descr", "")) for kind, spec in defs.items() if kind != "all"
        }
    return result


_DESCRIPTIONS: dict[str, dict[str, str]] | None = None


def descriptions() -> dict[str, dict[str, str]]:
    """Reference type descriptions, loaded once."""
    global _DESCRIPTIONS
    if _DESCRIPTIONS is None:
        _DESCRIPTIONS = _descriptions()
    return _DESCRIPTIONS


def _text(value: Any) -> str:
    if isinstance(value, tuple | list):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _lower(value: Any) -> str | None:
    return str(value).lower() if value is not None else None


def _header(mapping: Any) -> dict[str, Any]:
    header = {str(k): v for k, v in mapping.header.items()}
    parkey = header.get("parkey", ())
    return {
        "name": mapping.basename,
        "mapping": _lower(header.get("mapping")),
        "instrument": _lower(header.get("instrument")),
        "filekind": _lower(header.get("filekind")),
        "parkeys": [list(group) if isinstance(group, tuple) else [group] for group in parkey]
        if parkey and isinstance(parkey[0], tuple)
        else [list(parkey)],
        "classes": list(header.get("classes", ())),
        "derived_from": header.get("derived_from"),
        "description": header.get("description"),
        "comment": header.get("comment"),
        "sha1sum": header.get("sha1sum"),
        "extra": {
            key: _text(value)
            for key, value in header.items()
            if key
            not in (
                "name",
                "mapping",
                "instrument",
                "filekind",
                "parkey",
                "classes",
                "derived_from",
                "description",
                "comment",
                "sha1sum",
                "observatory",
            )
        },
    }


# --- operations --------------------------------------------------------------------


def op_ping(args: dict[str, Any]) -> dict[str, Any]:
    """Liveness, and what this worker has imported."""
    del args
    return {"pid": os.getpid(), "jwst_imported": "jwst" in sys.modules}


_SERVER_PROBE: dict[str, Any] = {}


def op_server(args: dict[str, Any]) -> dict[str, Any]:
    """Ask the configured CRDS server for its info (uncached JSON-RPC); never raises."""
    from crds.client import api

    max_age = float(args.get("max_age", 10.0))
    cached = _SERVER_PROBE.get("result")
    if cached is not None and time.monotonic() - _SERVER_PROBE["at"] < max_age:
        return cached
    started = time.monotonic()
    try:
        info = api.S.get_server_info()
        result = {
            "reachable": True,
            "error": None,
            "operational_context": info.get("operational_context"),
            "latest_context": info.get("latest_context", info.get("operational_context")),
            "observatory": info.get("observatory"),
            "version": (info.get("crds_version") or {}).get("str"),
        }
    except Exception as error:
        result = {"reachable": False, "error": str(error)}
    result["elapsed"] = round(time.monotonic() - started, 3)
    _SERVER_PROBE.update(result=result, at=time.monotonic())
    return result


def op_history(args: dict[str, Any]) -> dict[str, Any]:
    """The context history and operational context as the CRDS server reports them."""
    from crds.client import api

    del args
    try:
        history = api.get_context_history(OBSERVATORY)
        operational = str(api.S.get_default_context(OBSERVATORY, "latest"))
    except Exception as error:
        raise WorkerError("upstream", f"the CRDS server did not answer: {error}") from None
    return {
        "history": [[str(h[0]), str(h[1]), str(h[2])] for h in history],
        "operational_context": operational,
    }


def op_tree(args: dict[str, Any]) -> dict[str, Any]:
    """A context's instruments, their reference types with descriptions and rule counts."""
    context = str(args["context"])
    pmap = _mapping(context)
    if pmap.header.get("mapping", None) != "pipeline":
        raise WorkerError("bad_input", f"{context} is not a pipeline mapping (.pmap)")
    texts = descriptions()
    anywhere = {k: v for defs in texts.values() for k, v in defs.items() if v}
    instruments = []
    imaps = rmaps = 0
    for instrument, imap in sorted(pmap.selections.items()):
        imaps += 1
        kinds = []
        for reftype, selected in sorted(imap.selections.items()):
            description = (
                texts.get(instrument, {}).get(reftype) or anywhere.get(reftype, "")
            ).strip()
            if isinstance(selected, str):
                kinds.append(
                    {
                        "reftype": reftype,
                        "description": description,
                        "rmap": None,
                        "status": selected.upper(),
                        "rules": 0,
                        "references": 0,
                    }
                )
                continue
            rmaps += 1
            kinds.append(
                {
                    "reftype": reftype,
                    "description": description,
                    "rmap": selected.basename,
                    "status": "rmap",
                    "rules": len(selected.todict()["selections"]),
                    "references": len(selected.reference_names()),
                }
            )
        instruments.append({"instrument": instrument, "imap": imap.basename, "types": kinds})
    return {
        "context": pmap.basename,
        "header": _header(pmap),
        "instruments": instruments,
        "counts": {
            "imaps": imaps,
            "rmaps": rmaps,
            "references": len(pmap.reference_names()),
        },
    }


def op_mapping(args: dict[str, Any]) -> dict[str, Any]:
    """One mapping as a table: header, columns, one row per selector rule."""
    name = str(args["name"])
    mapping = _mapping(name)
    header = _header(mapping)
    kind = _lower(mapping.header.get("mapping", None))
    if kind == "reference":
        flat = mapping.todict()
        columns = [str(c) for c in flat["parameters"]]
        rows = [[_text(v) for v in row] for row in flat["selections"]]
    else:
        key = "instrument" if kind == "pipeline" else "reftype"
        columns = [key.upper(), "MAPPING"]
        rows = [
            [selector_key, selected if isinstance(selected, str) else selected.basename]
            for selector_key, selected in sorted(mapping.selections.items())
        ]
    return {
        "name": mapping.basename,
        "kind": kind,
        "header": header,
        "columns": columns,
        "rows": rows,
        "text_descr": descriptions()
        .get(str(header.get("instrument") or ""), {})
        .get(str(header.get("filekind") or ""), ""),
    }


def op_diff(args: dict[str, Any]) -> dict[str, Any]:
    """What changed between two contexts, from crds's own diff machinery."""
    from crds import diff

    old, new = str(args["old"]), str(args["new"])
    _whole_context(old)
    _whole_context(new)
    differences = diff.mapping_diffs(old, new)
    replaced_mappings: dict[str, str] = {}
    changes = []
    for entry in differences:
        pairs = [p for p in entry if isinstance(p, tuple) and len(p) == 2 and _is_pair(p)]
        for old_name, new_name in pairs:
            old_base, new_base = _base(old_name), _base(new_name)
            if old_base != new_base:
                replaced_mappings[old_base] = new_base
        message = entry[-1] if isinstance(entry[-1], str) else str(entry[-1])
        names = [_base(n) for p in pairs for n in p]
        rmap_pair = next((p for p in pairs if str(p[1]).endswith(".rmap")), None)
        changes.append(
            {
                "mappings": names,
                "rmap": _base(rmap_pair[1]) if rmap_pair else None,
                "selector": [_text(x) for x in entry[len(pairs) : -1]],
                "change": message,
            }
        )
    affected: dict[str, set[str]] = {}
    for instrument, filekinds in dict(diff.get_affected(old, new)).items():
        affected.setdefault(str(instrument).lower(), set()).update(
            str(kind).lower() for kind in filekinds
        )
    added = sorted(set(diff.get_added_references(old, new)))
    deleted = sorted(set(diff.get_deleted_references(old, new)))
    old_mappings = set(_mapping(old).mapping_names())
    new_mappings = set(_mapping(new).mapping_names())
    replaced_refs = _replaced_references(changes)
    return {
        "old": old,
        "new": new,
        "added_references": added,
        "deleted_references": deleted,
        "replaced_references": replaced_refs,
        "added_mappings": sorted(new_mappings - old_mappings - set(replaced_mappings.values())),
        "deleted_mappings": sorted(old_mappings - new_mappings - set(replaced_mappings)),
        "replaced_mappings": [{"old": k, "new": v} for k, v in sorted(replaced_mappings.items())],
        "affected": [
            {"instrument": instrument, "types": sorted(kinds)}
            for instrument, kinds in sorted(affected.items())
        ],
        "changes": changes,
    }


def _base(name: str) -> str:
    return Path(name).name


def _is_pair(value: tuple[Any, ...]) -> bool:
    return all(isinstance(v, str) and v.endswith((".pmap", ".imap", ".rmap")) for v in value)


def _replaced_references(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    replaced = []
    for change in changes:
        text = change["change"]
        if text.startswith("replaced ") and " with " in text:
            old_ref, _, new_ref = text[len("replaced ") :].partition(" with ")
            old_ref, new_ref = old_ref.strip("'\""), new_ref.strip("'\"")
            if old_ref.endswith((".pmap", ".imap", ".rmap")):
                continue
            replaced.append(
                {
                    "old": old_ref,
                    "new": new_ref,
                    "rmap": change["rmap"],
                    "selector": change["selector"],
                }
            )
    return replaced


# --- best references ---------------------------------------------------------------


def _header_of_file(path: str) -> dict[str, str]:
    from crds import data_file

    if not Path(path).is_file():
        raise WorkerError("not_found", f"{_base(path)} does not exist")
    # crds caches headers per path for the life of the process: a file edited
    # since the last request must be read again.
    cache = getattr(data_file.get_free_header, "cache", None)
    if isinstance(cache, dict):
        cache.clear()
    try:
        header = data_file.get_header(path, observatory=OBSERVATORY)
    except Exception as error:
        raise WorkerError(
            "bad_input", f"{_base(path)} has no header crds can read: {error}"
        ) from None
    return {str(k).upper(): str(v) for k, v in header.items()}


def _header_of_dict(header: dict[str, Any]) -> dict[str, str]:
    from crds.jwst import locate

    text = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in header.items()}
    try:
        converted = locate.fits_to_parkeys(text)
    except Exception as error:
        raise WorkerError("bad_input", f"header: {error}") from None
    return {str(k).upper(): str(v).strip('"') for k, v in converted.items()}


def _instrument(header: dict[str, str]) -> str:
    value = header.get("META.INSTRUMENT.NAME") or header.get("INSTRUME") or ""
    return value.strip().lower()


def _reason(result: str) -> tuple[str, str]:
    text = result[len("NOT FOUND") :].strip() if result.startswith("NOT FOUND") else result
    lowered = text.lower()
    undefined = re.search(r"parameter='([^']+)' value='UNDEFINED'", text)
    if undefined:
        return "missing_parkey", f"the header lacks {undefined.group(1)}, which the rules need"
    if lowered in ("n/a", "na"):
        return "n/a", "N/A: this type does not apply to this file"
    if "no match" in lowered:
        return "no_match", text
    if re.search(r"value='[^']*' is not in \[", text):
        return "no_match", f"no rule covers this file: {text}"
    if "omit" in lowered:
        return "n/a", "omitted for this file"
    return "error", text


def op_bestrefs(args: dict[str, Any]) -> dict[str, Any]:
    """Every reference type of the file's instrument at ``context``: its file or why none."""
    from crds.core import config, heavy_client, utils

    context = str(args["context"])
    if args.get("path"):
        header = _header_of_file(str(args["path"]))
    else:
        header = _header_of_dict(dict(args.get("header") or {}))
    instrument = _instrument(header)
    if not instrument:
        raise WorkerError(
            "bad_input",
            "the header has no instrument (META.INSTRUMENT.NAME or INSTRUME): "
            "it is not a JWST science file",
        )
    pmap = _mapping(context)
    if instrument not in pmap.selections:
        raise WorkerError(
            "bad_input", f"{context} has no rules for instrument {instrument.upper()!r}"
        )
    imap = pmap.selections[instrument]
    reftypes = sorted(imap.selections)
    conditioned = utils.condition_header(header)
    try:
        mode, _final = heavy_client.get_processing_mode(OBSERVATORY, context)
    except Exception as error:
        raise WorkerError("upstream", f"crds cannot choose a processing mode: {error}") from None
    if mode == "remote":
        from crds.client import api

        try:
            raw = api.get_best_references(context, conditioned, reftypes=reftypes)
        except Exception as error:
            raise WorkerError("upstream", f"the CRDS server failed: {error}") from None
    else:
        try:
            minimal = pmap.minimize_header(conditioned)
            raw = pmap.get_best_references(minimal, include=reftypes)
        except Exception as error:
            raise WorkerError("bad_input", f"crds cannot select references: {error}") from None
    texts = descriptions().get(instrument, {})
    anywhere = {k: v for defs in descriptions().values() for k, v in defs.items() if v}
    sizes = _sizes() if args.get("connected") else None
    types = []
    to_fetch = 0
    missing = 0
    for reftype in reftypes:
        value = str(raw.get(reftype, "NOT FOUND n/a"))
        entry: dict[str, Any] = {
            "reftype": reftype,
            "description": (texts.get(reftype) or anywhere.get(reftype, "")).strip(),
            "reference": None,
            "status": "found",
            "reason": None,
            "cached": None,
            "size": None,
        }
        if value.startswith("NOT FOUND"):
            status, reason = _reason(value)
            entry.update(status=status, reason=reason)
        else:
            entry["reference"] = value
            entry["cached"], entry["size"] = _cached_size(config.locate_file(value, OBSERVATORY))
            if entry["size"] is None and sizes is not None and value in sizes:
                entry["size"] = int(sizes[value].get("size", 0))
            if not entry["cached"]:
                missing += 1
                if entry["size"] is not None:
                    to_fetch += entry["size"]
                elif sizes is not None:
                    sizes = None  # one unknown size makes the total unknown
        types.append(entry)
    return {
        "context": pmap.basename,
        "instrument": instrument,
        "mode": mode,
        "types": types,
        "found": sum(1 for t in types if t["status"] == "found"),
        "cached": sum(1 for t in types if t["cached"]),
        "missing": missing,
        "bytes_to_fetch": to_fetch if sizes is not None else None,
    }


def _cached_size(path: str) -> tuple[bool, int | None]:
    """Whether a reference is in the cache, and its size there (one ``stat``, no read)."""
    try:
        stat = Path(path).stat()
    except OSError:
        return False, None
    return True, stat.st_size


def _plain(value: Any) -> Any:
    """A value from a ``pars-*`` file as JSON (numpy scalars, tuples, configobj sections)."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    item = getattr(value, "item", None)
    return _plain(item()) if callable(item) else str(value)


def _step_reference(step_class: Any, parameters: dict[str, Any], context: str) -> dict[str, Any]:
    """The ``pars-*`` reference CRDS selects for one step class, and its parameters."""
    from stpipe import config_parser

    import crds

    reftype = step_class.get_config_reftype()
    entry: dict[str, Any] = {"reftype": reftype, "reference": None, "parameters": {}, "steps": {}}
    try:
        found = crds.getreferences(
            parameters, reftypes=[reftype], context=context, observatory=OBSERVATORY
        )
    except Exception as error:  # stpipe treats a failed look-up as "no parameters" too
        entry["problem"] = f"{type(error).__name__}: {error}"
        return entry
    path = str(found.get(reftype, "NOT FOUND n/a"))
    if path.startswith("NOT FOUND"):
        return entry
    config = config_parser.load_config_file(path)
    values = {key: config[key] for key in config.scalars if key not in ("class", "name")}
    entry["reference"] = Path(path).name
    entry["parameters"] = _plain(values)
    steps = config.get("steps") or {}
    entry["steps"] = {
        str(name): _plain({k: v for k, v in dict(section).items() if k not in ("class", "name")})
        for name, section in steps.items()
    }
    return entry


def op_step_pars(args: dict[str, Any]) -> dict[str, Any]:
    """The ``pars-*`` references CRDS selects for a pipeline (and each of its steps) and input.

    Mirrors stpipe's ``get_config_from_reference`` (each step's reference,
    then the pipeline's, whose ``steps`` section wins) with the context
    named explicitly instead of taken from ``CRDS_CONTEXT``.
    """
    from stpipe.step import get_disable_crds_steppars
    from stpipe.utilities import import_class

    context = str(args["context"])
    path = str(args["path"])
    if not Path(path).is_file():
        raise WorkerError("not_found", f"{_base(path)} does not exist")
    _mapping(context)
    try:
        step_class = import_class(str(args["class_name"]))
    except Exception as error:
        raise WorkerError("bad_input", f"cannot load {args['class_name']}: {error}") from None
    disabled = bool(get_disable_crds_steppars())
    answer: dict[str, Any] = {
        "context": context,
        "disabled": disabled,
        "exp_type": None,
        "pipeline": None,
        "steps": {},
    }
    if disabled:
        return answer
    try:
        parameters, _observatory = step_class._get_crds_parameters(path)
    except Exception as error:
        raise WorkerError(
            "bad_input", f"{_base(path)} cannot be read as pipeline input: {error}"
        ) from None
    answer["exp_type"] = parameters.get("meta.exposure.type")
    answer["pipeline"] = _step_reference(step_class, parameters, context)
    for alias, sub_class in (getattr(step_class, "step_defs", {}) or {}).items():
        answer["steps"][alias] = _step_reference(sub_class, parameters, context)
    return answer


def _sizes() -> dict[str, dict[str, Any]] | None:
    from crds.client import api

    try:
        return dict(api.get_download_metadata())
    except Exception:
        return None


OPERATIONS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "ping": op_ping,
    "server": op_server,
    "history": op_history,
    "tree": op_tree,
    "mapping": op_mapping,
    "diff": op_diff,
    "bestrefs": op_bestrefs,
    "step_pars": op_step_pars,
}


def _expected(error: BaseException) -> dict[str, str] | None:
    """A :class:`WorkerError` keeps its kind; crds giving up is ``unavailable``."""
    if isinstance(error, WorkerError):
        return {"kind": error.kind, "message": error.message}
    if isinstance(error, SystemExit):  # crds's log.fatal_error_on_exception exits
        return {"kind": "unavailable", "message": f"crds gave up: {error}"}
    return None


def handle(request: dict[str, Any]) -> dict[str, Any]:
    """Run one request; every failure becomes an answer, never a crash."""
    return dispatch(request, OPERATIONS, _expected)


def _warm_up() -> None:
    import crds  # noqa: F401 - pay the import once, before the first request


def main() -> None:
    """Answer JSON-line requests on a private channel (anything printed goes to stderr)."""
    run_child(handle, warm_up=_warm_up, default=str)


if __name__ == "__main__":
    main()
