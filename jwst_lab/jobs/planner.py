"""Plan a run: find the exposures, group them with jwst's rules, build the graph of jobs.

:func:`plan_program` (blocking: call it from a worker thread) resolves the
request's inputs inside the root, runs :mod:`.plan_worker` in a subprocess
(it imports jwst, which the server never does) to read the exposures' headers
and generate the associations as ``asn_generate`` does, and turns its answer
into a :class:`~.planning.Plan`:

* Level 1: one ``calwebb_detector1`` job per ``uncal`` exposure
  (``calwebb_guider`` for guiding exposures, ``calwebb_dark`` for darks),
  writing ``<run>/stage1/<exposure>_rate.fits``;
* Level 2: one job per Level 2 association (``calwebb_image2`` or
  ``calwebb_spec2`` by its type), written to ``<run>/stage2/`` with members
  pointing at the stage 1 products (relative to the association's folder);
* Level 3: one job per Level 3 association (``calwebb_image3``, ``spec3``,
  ``coron3``, ``tso3``, ``ami3`` ...) in ``<run>/stage3/``, members pointing
  at the stage 2 products.

A member is read from a file given with the inputs when one has its name (a
rate or cal input skips the earlier stages), else from the job that makes it;
an association some member of which nobody provides is left out, with a
warning. Associations given with the inputs (``*_asn.json``) replace the
planned association they match (same type, same member exposures), with
their members pointed at this run's files. Nothing is written here: the run
service writes the associations' ``content``.
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import select
import subprocess
import sys
import tempfile
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.associations import AssociationReader
from ..core.paths import relative_to_root, resolve_in_root
from ..core.pipeline import PIPELINE_INPUTS
from ..errors import BadRequest, Conflict, ServiceUnavailable
from .planning import (
    EXPOSURE_LEVELS,
    Exposure,
    Plan,
    PlannedAssociation,
    PlannedJob,
    Stage,
)

#: Longest a planning subprocess may take (jwst's generator is slow on big pools).
PLAN_TIMEOUT = 600.0
#: Answers a warm planning worker keeps (the plans of the last few requests).
ANSWERS_KEPT = 8
#: Most files one folder input may hold that the planner looks at.
MAX_FOLDER_FILES = 20_000
#: The stage folders of a run, by the level their jobs produce.
STAGE_FOLDERS = {1: "stage1", 2: "stage2", 3: "stage3"}
#: Exposure types ``calwebb_guider`` processes (FGS guiding modes).
GUIDER_EXP_TYPES = frozenset(
    {"FGS_ACQ1", "FGS_ACQ2", "FGS_FINEGUIDE", "FGS_ID-IMAGE", "FGS_ID-STACK", "FGS_TRACK"}
)
#: Products each pipeline writes, by suffix, for every product name it handles:
#: members of later associations are looked up among them.
PRODUCT_SUFFIXES: dict[str, tuple[str, ...]] = {
    "calwebb_detector1": ("rate", "rateints"),
    "calwebb_guider": ("cal",),
    "calwebb_dark": ("dark",),
    "calwebb_image2": ("cal", "calints", "i2d"),
    "calwebb_spec2": ("cal", "calints", "x1d", "x1dints", "s2d", "s3d"),
    "calwebb_image3": ("i2d", "cat", "segm"),
    "calwebb_wfs-image3": ("wfscmb",),
    "calwebb_spec3": ("x1d", "s2d", "s3d", "c1d", "cal"),
    "calwebb_coron3": ("i2d", "psfstack", "psfalign", "psfsub"),
    "calwebb_tso3": ("x1dints", "whtlt", "phot"),
    "calwebb_ami3": ("ami-oi", "aminorm-oi"),
}
#: File extension of products that are not FITS.
_EXTENSIONS = {"cat": ".ecsv", "phot": ".ecsv", "whtlt": ".ecsv"}


def _product_file(name: str, suffix: str) -> str:
    return f"{name}_{suffix}{_EXTENSIONS.get(suffix, '.fits')}"


def exposure_stem(name: str) -> tuple[str, str]:
    """``x_nrca1_rate.fits`` → (``x_nrca1``, ``rate``); (stem, "") without an exposure suffix."""
    base = name.rsplit("/", 1)[-1]
    if not base.lower().endswith(".fits"):
        return base, ""
    stem = base[: -len(".fits")]
    head, _, suffix = stem.rpartition("_")
    if head and suffix.lower() in EXPOSURE_LEVELS:
        return head, suffix.lower()
    return stem, ""


def _member_stem(expname: str) -> str:
    """The exposure (or product) name of a member, without folder, suffix and extension."""
    base = expname.rsplit("/", 1)[-1].split(".", 1)[0]
    head, _, _suffix = base.rpartition("_")
    return head or base


@dataclass
class _Inputs:
    """What the request's inputs resolve to (root-relative paths)."""

    exposures: dict[str, str] = field(default_factory=dict)  # path -> field
    associations: dict[str, str] = field(default_factory=dict)
    pools: dict[str, str] = field(default_factory=dict)
    #: The exposures named one by one (not found in a folder or an association).
    named: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Node:
    """A job being planned, before its members are resolved."""

    key: str
    pipeline: str
    level: int
    input: str
    products: dict[str, str]  # product file name -> root-relative path
    exposures: list[str]
    association: dict[str, Any] | None = None
    depends_on: set[str] = field(default_factory=set)
    needed: list[str] = field(default_factory=list)


def default_output_dir(root: Path, inputs: Sequence[str], run_id: str) -> str:
    """``run_<id>`` in the folder of the inputs: the folder given, or the first file's folder."""
    first = resolve_in_root(root, inputs[0], field="inputs.0")
    folder = first if first.is_dir() else first.parent
    relative = relative_to_root(root, folder)
    return f"run_{run_id}" if relative == "." else f"{relative}/run_{run_id}"


def _classify(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith("_asn.json"):
        return "association"
    if lower.endswith(".csv"):
        return "pool"
    if exposure_stem(name)[1]:
        return "exposure"
    return None


def resolve_inputs(root: Path, inputs: Sequence[str], pool: str | None) -> _Inputs:
    """Exposures, association files and pools the inputs name (folders: their top-level files)."""
    found = _Inputs()
    real_root = root.resolve()
    for index, user_path in enumerate(inputs):
        where = f"inputs.{index}"
        path = resolve_in_root(root, user_path, field=where)
        if path.is_dir():
            kept = 0
            try:
                entries = sorted(os.scandir(path), key=lambda entry: entry.name)
            except OSError as error:
                raise BadRequest(
                    f"{where} {user_path!r} cannot be listed: {error.strerror}", field=where
                ) from None
            for entry in entries[:MAX_FOLDER_FILES]:
                kind = _classify(entry.name)
                if kind is None or (kind == "pool" and not entry.name.endswith("_pool.csv")):
                    continue  # other CSVs in a folder (catalogs ...) are not pools
                target = Path(entry.path).resolve()
                if real_root not in target.parents or not target.is_file():
                    continue  # links out of the root, folders named like files
                relative = relative_to_root(root, target)
                {"exposure": found.exposures, "association": found.associations}.get(
                    kind, found.pools
                )[relative] = where
                kept += 1
            if not kept:
                raise BadRequest(
                    f"{where} {user_path!r} holds no exposures (*_uncal, *_rate, *_rateints, "
                    "*_cal, *_calints .fits), associations (*_asn.json) or pool (*_pool.csv)",
                    field=where,
                )
            continue
        if not path.is_file():
            raise BadRequest(f"{where} {user_path!r} is not a regular file", field=where)
        kind = _classify(path.name)
        if kind is None:
            raise BadRequest(
                f"{where} {user_path!r} is not an exposure (*_uncal, *_rate, *_rateints, *_cal, "
                "*_calints .fits), an association (*_asn.json) or a pool (*.csv)",
                field=where,
            )
        relative = relative_to_root(root, path)
        if kind == "exposure":
            found.exposures[relative] = where
            found.named.add(relative)
        elif kind == "association":
            found.associations[relative] = where
        else:
            found.pools[relative] = where
    if pool:
        path = resolve_in_root(root, pool, field="pool")
        if not path.is_file() or not path.name.lower().endswith(".csv"):
            raise BadRequest(f"pool {pool!r} is not a pool file (*.csv)", field="pool")
        found.pools = {relative_to_root(root, path): "pool"}
    elif len(found.pools) > 1:
        names = ", ".join(sorted(found.pools))
        raise BadRequest(
            f"the inputs hold several pools ({names}): name the one to plan from with 'pool'",
            field="pool",
        )
    return found


def _given_associations(root: Path, found: _Inputs) -> list[dict[str, Any]]:
    """The association files given, validated; their existing exposure members become inputs."""
    reader = AssociationReader(root)
    given = []
    for relative, where in found.associations.items():
        path = root / relative
        summary = reader.read(path, field=where)
        content = json.loads(path.read_text(encoding="utf-8"))
        folder = posixpath.dirname(relative)
        for product in summary["products"]:
            for member in product["members"]:
                if member["exists"] and exposure_stem(member["expname"])[1]:
                    member_path = relative_to_root(root, (path.parent / member["expname"]))
                    found.exposures.setdefault(member_path, where)
        given.append({"path": relative, "folder": folder, "content": content, "field": where})
    return given


def run_worker(
    spec: Mapping[str, Any], python: str, env: Mapping[str, str] | None, timeout: float
) -> dict[str, Any]:
    """Run :mod:`.plan_worker` on ``spec`` in a subprocess; its JSON answer."""
    with tempfile.TemporaryDirectory(prefix="jwst-lab-plan-") as folder:
        spec_path = Path(folder) / "spec.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        argv = [python, "-m", "jwst_lab.jobs.plan_worker", str(spec_path)]
        try:
            completed = subprocess.run(  # noqa: S603 (fixed argument list)
                argv,
                capture_output=True,
                timeout=timeout,
                check=False,
                stdin=subprocess.DEVNULL,
                env=dict(env) if env is not None else None,
            )
        except subprocess.TimeoutExpired:
            raise Conflict(
                f"planning took longer than {timeout:.0f} s (jwst's association generator); "
                "plan fewer exposures at a time",
                reason="planning_timeout",
            ) from None
    try:
        answer: dict[str, Any] = json.loads(completed.stdout)
    except json.JSONDecodeError:
        tail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise ServiceUnavailable(
            "the planning process failed: " + (" | ".join(tail) or f"exit {completed.returncode}")
        ) from None
    return answer


def _spec_key(spec: Mapping[str, Any]) -> str | None:
    """The spec and the state of the files it names, or None when one cannot be read."""
    paths = [*spec.get("files", []), *([spec["pool"]] if spec.get("pool") else [])]
    states = []
    try:
        for path in paths:
            status = Path(path).stat()
            states.append((path, status.st_size, status.st_mtime_ns))
    except OSError:
        return None
    return json.dumps([spec, states], sort_keys=True)


class PlanningWorker:
    """A warm :mod:`.plan_worker` process (``--serve``): jwst imported once, not per plan.

    Requests are answered one at a time (a lock); a request that takes longer
    than its timeout kills the process, and the next request starts a new
    one. The worker's log goes nowhere: failures come back in its answers.
    """

    def __init__(self, python: str = sys.executable, env: Mapping[str, str] | None = None) -> None:
        self.python = python
        self.env = dict(env) if env is not None else None
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._answers: dict[str, str] = {}

    def _started(self) -> subprocess.Popen[str]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(  # noqa: S603 (fixed argument list)
                [self.python, "-m", "jwst_lab.jobs.plan_worker", "--serve"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                env=self.env,
            )
        return self._process

    def request(self, spec: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        """The worker's answer to one spec (see :func:`run_worker`).

        The last answers are kept, keyed by the spec and the size and
        modification time of every file it names: planning the same unchanged
        inputs again (a dry run, then the run) does not run jwst again.
        """
        key = _spec_key(spec)
        with self._lock:
            if key is not None and key in self._answers:
                return json.loads(self._answers[key])
            answer = self._request(spec, timeout)
            if key is not None and "error" not in answer:
                self._answers[key] = json.dumps(answer)
                while len(self._answers) > ANSWERS_KEPT:
                    self._answers.pop(next(iter(self._answers)))
            return answer

    def _request(self, spec: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        """One request to the process (started if needed); the lock is held."""
        process = self._started()
        assert process.stdin is not None
        assert process.stdout is not None
        try:
            process.stdin.write(json.dumps(spec) + "\n")
            process.stdin.flush()
        except OSError:
            self._stop()
            raise ServiceUnavailable("the planning process ended unexpectedly") from None
        ready, _, _ = select.select([process.stdout], [], [], timeout)
        line = process.stdout.readline() if ready else ""
        if not ready or not line:
            self._stop()
            if not ready:
                raise Conflict(
                    f"planning took longer than {timeout:.0f} s (jwst's association "
                    "generator); plan fewer exposures at a time",
                    reason="planning_timeout",
                )
            raise ServiceUnavailable("the planning process ended unexpectedly")
        answer: dict[str, Any] = json.loads(line)
        return answer

    @property
    def running(self) -> bool:
        """True while the worker process is alive."""
        return self._process is not None and self._process.poll() is None

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def close(self) -> None:
        """End the worker process (it is started again by the next request)."""
        with self._lock:
            if self._process is not None and self._process.stdin is not None:
                self._process.stdin.close()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._process.wait(timeout=5)
            self._stop()


def plan_program(
    root: Path,
    inputs: Sequence[str],
    *,
    output_dir: str,
    target_level: int = 3,
    pool: str | None = None,
    python: str = sys.executable,
    env: Mapping[str, str] | None = None,
    timeout: float = PLAN_TIMEOUT,
    worker: PlanningWorker | None = None,
) -> Plan:
    """The plan of a run reducing ``inputs`` (root-relative) up to ``target_level``.

    ``output_dir`` is the run's folder (root-relative; nothing is created).
    Raises :class:`BadRequest` naming the field at fault (``inputs.<i>``,
    ``pool``, ``output_dir``, ``target_level``) for inputs that are not
    exposures, associations or pools, hold no JWST exposure, or lead outside
    the root; :class:`Conflict` when planning fails or finds nothing to run.
    With a warm ``worker`` the plan is made there (``python`` and ``env`` are
    then the worker's), else in a new subprocess.
    """
    if target_level not in (1, 2, 3):
        raise BadRequest("target_level must be 1, 2 or 3", field="target_level")
    if not inputs:
        raise BadRequest("inputs needs at least one path", field="inputs")
    out = relative_to_root(
        root, resolve_in_root(root, output_dir, field="output_dir", must_exist=False)
    )
    found = resolve_inputs(root, inputs, pool)
    given = _given_associations(root, found)
    pool_path = next(iter(found.pools), None)
    if not found.exposures and pool_path is None:
        raise BadRequest(
            "the inputs hold no exposures: only associations whose members are missing",
            field="inputs",
        )
    spec = {
        "files": [str(root / relative) for relative in sorted(found.exposures)],
        "pool": str(root / pool_path) if pool_path else None,
    }
    if worker is not None:
        answer = worker.request(spec, timeout)
    else:
        answer = run_worker(spec, python, env, timeout)
    if "error" in answer:
        if answer.get("stage") == "pool" and pool_path:
            field_name = found.pools[pool_path]
            raise BadRequest(f"pool {pool_path}: {answer['error']}", field=field_name)
        raise Conflict(f"planning failed: {answer['error']}", reason="planning_failed")
    return _build(root, inputs, target_level, out, found, given, answer)


def _build(
    root: Path,
    inputs: Sequence[str],
    target_level: int,
    out: str,
    found: _Inputs,
    given: list[dict[str, Any]],
    answer: dict[str, Any],
) -> Plan:
    warnings = list(found.warnings)
    root_prefix = str(root) + os.sep
    # --- exposures ---------------------------------------------------------------
    for skipped in answer["skipped"]:
        relative = skipped["path"].removeprefix(root_prefix).replace(os.sep, "/")
        where = found.exposures.get(relative, "inputs")
        if relative in found.named:
            raise BadRequest(f"{where} {relative}: {skipped['reason']}", field=where)
        warnings.append(f"{relative} skipped: {skipped['reason']}")
    files: dict[str, dict[str, str]] = defaultdict(dict)  # stem -> suffix -> path
    described: dict[str, dict[str, Any]] = {}
    for item in answer["exposures"]:
        if not item["path"]:
            continue
        relative = item["path"].removeprefix(root_prefix).replace(os.sep, "/")
        files[item["stem"]][item["suffix"]] = relative
        described.setdefault(item["stem"], item)
    if not files and not answer["exposures"]:
        raise BadRequest("the inputs hold no JWST exposures", field="inputs")
    exposures: dict[str, Exposure] = {}
    for stem in sorted(files):
        # The most processed file of an exposure is the one used.
        suffix = max(files[stem], key=lambda s: (EXPOSURE_LEVELS[s], s.endswith("ints")))
        item = described[stem]
        path = files[stem][suffix]
        unused = sorted(
            p for s, p in files[stem].items() if EXPOSURE_LEVELS[s] < EXPOSURE_LEVELS[suffix]
        )
        if unused:
            warnings.append(f"{', '.join(unused)} not used: {path} is further processed")
        exposures[stem] = Exposure(
            path=path,
            suffix=suffix,
            instrument=item["instrument"],
            exp_type=item["exp_type"],
            detector=item["detector"],
            nints=item["nints"],
            ngroups=item["ngroups"],
            nrows=item["nrows"],
            ncols=item["ncols"],
            size_bytes=(root / path).stat().st_size,
            tso=item["tso"],
        )
    # Every file given, by name: a member with that name is read from it.
    available = {
        posixpath.basename(path): path
        for by_suffix in files.values()
        for path in by_suffix.values()
    }
    # --- associations: the generated ones, or the given one each matches ---------
    generated = answer["associations"]
    used_given = _match_given(generated, given, warnings)
    # --- nodes ---------------------------------------------------------------------
    nodes: dict[str, _Node] = {}
    producers: dict[str, tuple[str, str]] = {}  # product file name -> (key, path)

    def add(node: _Node) -> None:
        if node.key in nodes:
            other = nodes[node.key].input
            warnings.append(f"{node.input} not planned: it would make the products of {other}")
            return
        nodes[node.key] = node
        for name, path in node.products.items():
            producers.setdefault(name, (node.key, path))

    stage = {level: f"{out}/{folder}" for level, folder in STAGE_FOLDERS.items()}
    for stem, exposure in exposures.items():
        if exposure.suffix != "uncal":
            continue
        pipeline = _level1_pipeline(exposure.exp_type)
        products = {
            _product_file(stem, s): f"{stage[1]}/{_product_file(stem, s)}"
            for s in PRODUCT_SUFFIXES[pipeline]
        }
        add(_Node(f"1:{pipeline}:{stem}", pipeline, 1, exposure.path, products, [stem]))
    asn_counts: dict[str, int] = defaultdict(int)
    for asn in generated:
        chosen = used_given.get(id(asn))
        content = chosen["content"] if chosen else asn["content"]
        level = int(asn["level"])
        asn_pipeline = _association_pipeline(str(content.get("asn_type", "")), level)
        products_of = [str(p.get("name", "")) for p in content.get("products", [])]
        if asn_pipeline is None:
            warnings.append(
                f"association {asn['name']} ({content.get('asn_type')}) not planned: "
                "no calwebb pipeline runs this association type"
            )
            continue
        if level == 2 and all(
            any(_product_file(p, s) in available for s in ("cal", "calints")) for p in products_of
        ):
            continue  # already calibrated: the cal files given are the members of Level 3
        name = posixpath.basename(chosen["path"]) if chosen else f"{asn['name']}.json"
        asn_counts[name] += 1
        if asn_counts[name] > 1:
            name = name.replace("_asn.json", f"-{asn_counts[name]}_asn.json")
        path = f"{stage[level]}/{name}"
        label = (
            "+".join(products_of)
            if level == 2
            else (products_of[0] if products_of else asn["name"])
        )
        products = {
            _product_file(p, s): f"{stage[level]}/{_product_file(p, s)}"
            for p in products_of
            for s in PRODUCT_SUFFIXES[asn_pipeline]
        }
        add(
            _Node(
                f"{level}:{asn_pipeline}:{label}",
                asn_pipeline,
                level,
                path,
                products,
                [],
                association={"generated": asn, "content": content, "given": chosen},
            )
        )
    # --- members: from a given file or the job making them; drop what cannot run --
    planned_asns: dict[str, PlannedAssociation] = {}
    dropped = True
    while dropped:
        dropped = False
        for key, node in list(nodes.items()):
            if node.association is None:
                continue
            missing = _resolve(node, available, producers, nodes, exposures)
            if missing:
                del nodes[key]
                for name, (producer, _path) in list(producers.items()):
                    if producer == key:
                        del producers[name]
                asn_type = node.association["content"].get("asn_type")
                warnings.append(
                    f"association {posixpath.basename(node.input)} ({asn_type}) "
                    f"not planned: nothing provides {', '.join(sorted(missing)[:5])}"
                    + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
                )
                dropped = True
    for node in nodes.values():
        if node.association is not None:
            node_content = node.association["content"]
            planned_asns[node.key] = PlannedAssociation(
                path=node.input,
                asn_type=str(node_content.get("asn_type", "")),
                asn_rule=str(node_content.get("asn_rule", "")),
                product=", ".join(str(p.get("name", "")) for p in node_content.get("products", [])),
                members=tuple(node.needed),
                content=node_content,
                given=node.association["given"] is not None,
            )
    # --- the graph, cut at the target level ---------------------------------------
    keep = {key for key, node in nodes.items() if node.level <= target_level}
    frontier = list(keep)
    while frontier:
        for dependency in nodes[frontier.pop()].depends_on:
            if dependency not in keep:
                keep.add(dependency)
                frontier.append(dependency)
    ordered = _topological([nodes[key] for key in nodes if key in keep])
    jobs = tuple(
        PlannedJob(
            key=node.key,
            pipeline=node.pipeline,
            level=node.level,
            input=node.input,
            output_dir=stage[node.level],
            depends_on=tuple(sorted(node.depends_on)),
            products=tuple(_main_products(node, nodes, keep)),
            exposures=tuple(exposures[stem].path for stem in node.exposures if stem in exposures),
        )
        for node in ordered
    )
    if (
        not jobs
        and exposures
        and all(EXPOSURE_LEVELS[e.suffix] >= target_level for e in exposures.values())
    ):
        raise BadRequest(
            f"nothing to run: the inputs are already processed to Level {target_level}",
            field="target_level",
        )
    if not jobs:
        raise Conflict(
            "nothing to run: " + ("; ".join(warnings[-3:]) if warnings else "no job planned"),
            reason="nothing_to_run",
        )
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for job in jobs:
        counts[(job.level, job.pipeline)] += 1
    stages = tuple(
        Stage(level=level, pipeline=pipeline, folder=stage[level], jobs=count)
        for (level, pipeline), count in sorted(counts.items())
    )
    if answer.get("orphans"):
        orphans = [stem for stem in answer["orphans"] if stem in exposures]
        if orphans and target_level > 1:
            warnings.append(
                f"{len(orphans)} exposure(s) belong to no association and stop at Level 1 or 2: "
                + ", ".join(orphans[:5])
                + (" ..." if len(orphans) > 5 else "")
            )
    return Plan(
        inputs=tuple(inputs),
        target_level=target_level,
        output_dir=out,
        exposures=tuple(exposures.values()),
        associations=tuple(planned_asns[job.key] for job in jobs if job.key in planned_asns),
        stages=stages,
        jobs=jobs,
        warnings=tuple(warnings),
    )


def _level1_pipeline(exp_type: str) -> str:
    if exp_type in GUIDER_EXP_TYPES:
        return "calwebb_guider"
    if "DARK" in exp_type.rsplit("_", 1)[-1]:  # NRC_DARK, MIR_DARKIMG, NIS_DARK ...
        return "calwebb_dark"
    return "calwebb_detector1"


def _association_pipeline(asn_type: str, level: int) -> str | None:
    for alias, accepts in PIPELINE_INPUTS.items():
        if accepts.level == level and asn_type in accepts.asn_types:
            return alias
    return None


def _resolve(
    node: _Node,
    available: Mapping[str, str],
    producers: Mapping[str, tuple[str, str]],
    nodes: Mapping[str, _Node],
    exposures: Mapping[str, Exposure],
) -> set[str]:
    """Point the association's members at files or products; the member names nobody makes."""
    assert node.association is not None
    content = json.loads(json.dumps(node.association["content"]))
    folder = posixpath.dirname(node.input)
    missing: set[str] = set()
    depends: set[str] = set()
    needed: list[str] = []
    stems: list[str] = []
    for product in content.get("products", []):
        for member in product.get("members", []):
            name = posixpath.basename(str(member.get("expname", "")))
            if name in available:
                target = available[name]
            elif (
                name in producers and producers[name][0] in nodes and producers[name][0] != node.key
            ):
                depends.add(producers[name][0])
                target = producers[name][1]
            else:
                missing.add(name)
                continue
            member["expname"] = posixpath.relpath(target, folder)
            needed.append(target)
            stem = _member_stem(name)
            if stem in exposures and stem not in stems:
                stems.append(stem)
    node.association["content"] = content
    node.depends_on = depends
    node.needed = needed
    node.exposures = stems
    return missing


def _main_products(node: _Node, nodes: Mapping[str, _Node], keep: set[str]) -> list[str]:
    """The node's products that jobs of the plan read; else the ones its level is about."""
    read = [
        path
        for other in nodes.values()
        if other.key in keep and node.key in other.depends_on
        for path in other.needed
        if path in node.products.values()
    ]
    if read:
        return sorted(set(read))
    suffix = PRODUCT_SUFFIXES[node.pipeline][0]
    names = (
        [p for p in node.products if p.endswith(f"_{suffix}{_EXTENSIONS.get(suffix, '.fits')}")]
        if node.products
        else []
    )
    return [node.products[name] for name in names]


def _topological(nodes: Iterable[_Node]) -> list[_Node]:
    """Every node after the nodes it depends on; by level, then key, otherwise."""
    pending = {node.key: node for node in nodes}
    done: list[_Node] = []
    placed: set[str] = set()
    while pending:
        ready = [node for node in pending.values() if all(d in placed for d in node.depends_on)]
        if not ready:
            raise Conflict(
                "the planned jobs depend on each other in a cycle", reason="planning_failed"
            )
        ready.sort(key=lambda node: (node.level, node.key))
        first = ready[0]
        done.append(first)
        placed.add(first.key)
        del pending[first.key]
    return done


def _signature(content: Mapping[str, Any]) -> tuple[str, frozenset[frozenset[tuple[str, str]]]]:
    """An association's type and the member exposures of each of its products."""
    products = frozenset(
        frozenset(
            (_member_stem(str(member.get("expname", ""))), str(member.get("exptype", "")).lower())
            for member in product.get("members", [])
        )
        for product in content.get("products", [])
    )
    return str(content.get("asn_type", "")), products


def _match_given(
    generated: list[dict[str, Any]], given: list[dict[str, Any]], warnings: list[str]
) -> dict[int, dict[str, Any]]:
    """For each generated association a given one matches, the given one (by ``id``)."""
    by_signature = {_signature(asn["content"]): asn for asn in generated}
    used: dict[int, dict[str, Any]] = {}
    for item in given:
        signature = _signature(item["content"])
        match = by_signature.get(signature)
        if match is not None and id(match) not in used:
            used[id(match)] = item
            continue
        asn_type, products = signature
        same_type = [asn for asn in generated if asn["content"].get("asn_type") == asn_type]
        if not same_type:
            why = f"no {asn_type} association is planned from these exposures"
        elif len(products) > 1 and all(
            any(_signature(asn["content"])[1] == frozenset({p}) for asn in same_type)
            for p in products
        ):
            why = (
                f"its {len(products)} products are planned as {len(products)} associations "
                "(one per product, as asn_generate makes them)"
            )
        else:
            why = f"its members differ from those of the {asn_type} associations planned"
        warnings.append(f"{item['path']} not used: {why}")
    return used
