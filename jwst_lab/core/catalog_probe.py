"""Describe every stpipe step and pipeline installed, as JSON on stdout.

Run only as ``python -m jwst_lab.core.catalog_probe`` in a subprocess: it
imports jwst (seconds, hundreds of MB), which must never happen in the
Jupyter server process. :class:`~jwst_lab.core.pipeline.PipelineCatalog`
runs it once per jwst/stpipe version and caches the answer on disk.
"""

from __future__ import annotations

import json
import sys
import warnings
from importlib.metadata import version
from typing import Any

_SECTION_KEYS = ("steps",)


def _describe_check(validator: Any, check: str, comment: str) -> dict[str, Any]:
    """One configobj check such as ``float(min=0, max=1, default=1.0)`` as a dict."""
    try:
        name, args, kwargs, default = validator._parse_with_caching(check)
    except Exception:  # an unparsable spec entry is described as a plain string
        return {
            "type": "string",
            "default": None,
            "default_repr": None,
            "min": None,
            "max": None,
            "choices": None,
            "help": comment,
            "check": check,
        }
    try:
        value = validator.get_default_value(check) if default is not None else None
    except Exception:
        value = None
    if name == "option":
        choices: list[Any] | None = list(args)
    else:
        choices = None
    bounds = [*args, None, None]
    minimum = kwargs.get("min", bounds[0] if name in ("integer", "float") else None)
    maximum = kwargs.get("max", bounds[1] if name in ("integer", "float") else None)
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        value = str(value)
    return {
        "type": name,
        "default": value,
        "default_repr": default,
        "min": _number(minimum),
        "max": _number(maximum),
        "choices": choices,
        "help": comment,
        "check": check,
    }


def _number(text: Any) -> float | int | None:
    if text is None:
        return None
    try:
        number = float(text)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() and "." not in str(text) else number


def _comment(spec: Any, key: str) -> str:
    inline = spec.inline_comments.get(key) or ""
    text = inline.lstrip("#").strip()
    if not text:
        above = [line.lstrip("#").strip() for line in spec.comments.get(key, []) if line]
        text = " ".join(part for part in above if part)
    return text


def _describe_spec(validator: Any, spec: Any) -> dict[str, Any]:
    return {key: _describe_check(validator, spec[key], _comment(spec, key)) for key in spec.scalars}


def describe(step_class: Any) -> dict[str, Any]:
    """Parameters of a step class and, for a pipeline, of each of its steps."""
    from configobj import validate

    validator = validate.Validator()
    spec = step_class.load_spec_file(preserve_comments=True)
    step_defs = getattr(step_class, "step_defs", {}) or {}
    steps = []
    step_params = {}
    for alias, sub_class in step_defs.items():
        sub_spec = sub_class.load_spec_file(preserve_comments=True)
        steps.append(
            {
                "alias": alias,
                "class_name": f"{sub_class.__module__}.{sub_class.__name__}",
                "doc": (sub_class.__doc__ or "").strip().split("\n\n")[0],
            }
        )
        step_params[alias] = _describe_spec(validator, sub_spec)
    return {
        "params": _describe_spec(validator, spec),
        "steps": steps,
        "step_params": step_params,
        "doc": (step_class.__doc__ or "").strip().split("\n\n")[0],
    }


def main() -> int:
    """Print ``{"versions": ..., "steps": [...]}`` for every registered step class."""
    warnings.simplefilter("ignore")
    from stpipe.entry_points import get_steps
    from stpipe.utilities import import_class

    entries = []
    errors = []
    for info in get_steps():
        try:
            step_class = import_class(info.class_name)
            entry = describe(step_class)
        except Exception as error:  # one broken plugin must not hide the others
            errors.append(f"{info.class_name}: {type(error).__name__}: {error}")
            continue
        entry.update(
            alias=info.class_alias or info.class_name.rsplit(".", 1)[-1],
            class_name=info.class_name,
            is_pipeline=bool(info.is_pipeline),
            package=info.package_name,
        )
        entries.append(entry)
    versions = {name: version(name) for name in ("jwst", "stpipe", "crds")}
    json.dump({"versions": versions, "entries": entries, "errors": errors}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
