"""``RunService``: a program reduced as one planned graph of pipeline jobs (``/runs``).

A run is created from inputs under the root. The planner (:mod:`.planner`, in
a subprocess) groups the exposures with jwst's association rules into a
:class:`~.planning.Plan`; the service checks the request (paths, step
parameters per pipeline, memory), makes the run folder and its stage folders,
writes the associations and the ``run.json`` manifest, then submits every job
of the graph through the :class:`~.manager.JobManager` as an ordinary
``pipeline`` job with ``run_id``, ``depends_on`` and ``memory_estimate_bytes``
(the engine starts each when its dependencies have succeeded and it fits).

The run's record is derived from its children: the service listens to the
manager's job changes, and on each one recomputes the run's status, progress
(with an ETA from the measured wall times of its finished jobs), memory in
use, rewrites ``run.json`` atomically and publishes ``run.updated``.

Resume re-examines every job of the plan: one whose outputs still exist and
whose provenance (pipeline, parameters as requested, CRDS context, jwst
version, the sizes and modification times of its input and output files)
matches the provenance ``run.json`` recorded when it succeeded, and whose
dependencies are all reused, is marked ``reused`` and not run; the others get
new child jobs. A resumed run of a finished program does no pipeline work.

Runs are stored in the job database (``runs`` table, one JSON document per
run: the record, the plan and the recorded provenance).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import stat
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import anyio.to_thread

from ..clock import epoch_seconds, now_iso
from ..config import Settings
from ..core.events import EventBus
from ..core.paths import relative_to_root, resolve_in_root
from ..core.pipeline import PipelineCatalog
from ..core.safe_fs import SafeRoot, UnsafePath
from ..errors import BadRequest, Conflict, JwstLabError, NotFound
from ..models.jobs import JobRecord
from ..models.runs import RunCreate, RunPlan, RunRecord
from .kinds.pipeline import check_context, refuse_expansions
from .manager import JobManager
from .planner import PlanningWorker, plan_program
from .planning import Exposure, Plan, PlannedJob
from .resources import PeakStore, check_fits_alone, estimate_job_memory
from .states import TERMINAL
from .store import JobStore

LOG = logging.getLogger(__name__)

#: The manifest in every run folder.
MANIFEST_NAME = "run.json"
ACTIVE = frozenset({"queued", "running"})
#: Least seconds between two saves of one run's record (its jobs' changes are batched).
FLUSH_INTERVAL = 0.25
#: Version of the stored run document (the ``runs`` table) and of ``run.json``.
DOCUMENT_VERSION = 1

#: The planner: ``(root, request, output_dir) -> Plan`` (runs jwst in a subprocess; blocking).
Planner = Callable[[Path, RunCreate, str], Plan]


@dataclass
class RunState:
    """A run as the service holds it: its document and, while active, its children."""

    record: dict[str, Any]
    #: The planned jobs (``PlannedJob`` as dicts), in dependency order.
    plan: list[dict[str, Any]]
    exposures: list[dict[str, Any]]
    #: Step parameters per pipeline alias, as requested and checked.
    steps: dict[str, dict[str, dict[str, Any]]]
    #: Provenance of each plan key's last successful job (what resume compares).
    provenance: dict[str, dict[str, Any]]
    #: Every child job this run created, in every attempt (deleted with the run).
    job_ids: list[str]
    force: bool = False
    #: Cancel asked while the children were being created: create no more.
    cancel_requested: bool = False
    plan_summary: dict[str, Any] = field(default_factory=dict)
    # Live only (not stored):
    children: dict[str, JobRecord] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    dirty: bool = False
    flushing: asyncio.Task[None] | None = None

    @property
    def id(self) -> str:
        """The run's id."""
        return str(self.record["id"])

    def document(self) -> dict[str, Any]:
        """What the job database keeps of the run."""
        return {
            "version": DOCUMENT_VERSION,
            "record": self.record,
            "plan": self.plan,
            "exposures": self.exposures,
            "steps": self.steps,
            "provenance": self.provenance,
            "job_ids": self.job_ids,
            "force": self.force,
            "plan_summary": self.plan_summary,
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> RunState:
        """The state of a stored run."""
        return cls(
            record=dict(document["record"]),
            plan=list(document.get("plan", [])),
            exposures=list(document.get("exposures", [])),
            steps=dict(document.get("steps", {})),
            provenance=dict(document.get("provenance", {})),
            job_ids=list(document.get("job_ids", [])),
            force=bool(document.get("force", False)),
            plan_summary=dict(document.get("plan_summary", {})),
        )

    def key_of(self, job_id: str) -> str | None:
        """The plan key of a child job of the current attempt."""
        for job in self.record["jobs"]:
            if job["id"] == job_id:
                return str(job["key"])
        return None


class RunService:
    """Creates, lists, cancels, resumes and deletes runs; keeps their records current."""

    def __init__(
        self,
        *,
        settings: Settings,
        jobs: JobManager,
        store: JobStore,
        bus: EventBus,
        catalog: PipelineCatalog,
        planner: Planner | None = None,
        current_context: Callable[[], str | None] = lambda: None,
    ) -> None:
        """``planner``: :func:`.planner.plan_program` by default (a subprocess with the
        runners' Python and environment); ``current_context``: the CRDS context the
        server's jobs use now (blocking).
        """
        self.settings = settings
        self.root = settings.root_dir.resolve()
        self._jobs = jobs
        self._store = store
        self._bus = bus
        self._catalog = catalog
        self._planner = planner or self._plan_program
        # jwst imported once for every plan (a dry run, then the same run, is answered again
        # from its cache); its process starts with the first plan and ends with the service.
        context = jobs.kind_context("pipeline")
        self._planning_worker = PlanningWorker(context.python, context.base_env)
        self._current_context = current_context
        self._live: dict[str, RunState] = {}
        self._owner: dict[str, str] = {}  # child job id -> run id (live runs)
        self._creating: set[str] = set()  # output folders of runs being created
        self._stopping = False
        self._started = False
        self._start_lock = asyncio.Lock()
        jobs.add_listener(self._on_job)

    def _plan_program(self, root: Path, request: RunCreate, output_dir: str) -> Plan:
        """Blocking: the planner's plan of ``request`` (jwst runs in its subprocess)."""
        context = self._jobs.kind_context("pipeline")
        return plan_program(
            root,
            request.inputs,
            output_dir=output_dir,
            target_level=request.target_level,
            pool=request.pool,
            python=context.python,
            env=context.base_env,
            worker=self._planning_worker,
        )

    # --- life cycle --------------------------------------------------------------

    async def start(self) -> None:
        """Once the job manager has started: follow the runs a previous server left active."""
        async with self._start_lock:
            if self._started:
                return
            self._started = True
            read = functools.partial(self._store.runs, statuses=ACTIVE)
            documents, _ = await anyio.to_thread.run_sync(read)
            for document in documents:
                try:
                    state = RunState.from_document(document)
                except (KeyError, TypeError, ValueError):
                    continue
                if state.record.get("status") in ACTIVE:
                    self._follow(state)
                    await self._refresh(state)
                    self._mark(state)

    async def stop(self) -> None:
        """At server stop, before the job store closes: finish saving, then save no more."""
        self._stopping = True
        pending = [s.flushing for s in self._live.values() if s.flushing and not s.flushing.done()]
        for task in pending:
            with contextlib.suppress(Exception):
                await task
        await anyio.to_thread.run_sync(self._planning_worker.close)

    def _follow(self, state: RunState) -> None:
        self._live[state.id] = state
        for job in state.record["jobs"]:
            if not job.get("reused"):
                self._owner[job["id"]] = state.id

    async def _refresh(self, state: RunState) -> None:
        """Read every child of the current attempt from the manager."""
        for job in state.record["jobs"]:
            if job.get("reused") or job["id"] in state.children:
                continue
            try:
                record = JobRecord.model_validate(await self._jobs.get(job["id"]))
            except NotFound:
                # Never created (the server stopped while the run was being made): resume runs it.
                if job["status"] in ACTIVE:
                    job["status"] = "interrupted"
                continue
            state.children[record.id] = record

    # --- queries -----------------------------------------------------------------

    async def _state(self, run_id: str) -> RunState:
        live = self._live.get(run_id)
        if live is not None:
            return live
        document = await anyio.to_thread.run_sync(self._store.get_run, run_id)
        if document is None:
            raise NotFound(f"no run {run_id!r}")
        return RunState.from_document(document)

    async def get(self, run_id: str) -> RunRecord:
        """One run's record; :class:`NotFound` if there is none."""
        return RunRecord.model_validate((await self._state(run_id)).record)

    async def list_runs(self, *, page: int = 1, page_size: int = 100) -> dict[str, Any]:
        """A page of runs, newest first: ``{runs, total, page, page_size}``."""
        read = functools.partial(self._store.runs, limit=page_size, offset=(page - 1) * page_size)
        documents, total = await anyio.to_thread.run_sync(read)
        shown = []
        for document in documents:
            record = document.get("record", {})
            live = self._live.get(str(record.get("id")))
            shown.append(RunRecord.model_validate(live.record if live is not None else record))
        return {"runs": shown, "total": total, "page": page, "page_size": page_size}

    # --- create ------------------------------------------------------------------

    async def create(self, request: RunCreate) -> RunRecord | RunPlan:
        """Plan ``request``; a dry run answers the plan, else the run is made and started."""
        run_id = uuid.uuid4().hex[:12]
        output_dir, steps, context = await anyio.to_thread.run_sync(
            self._check_request, request, run_id
        )
        if output_dir in self._creating:
            raise Conflict(f"output_dir {output_dir!r} belongs to a run being created now")
        self._creating.add(output_dir)
        try:
            return await self._create(request, run_id, output_dir, steps, context)
        finally:
            self._creating.discard(output_dir)

    async def _create(
        self,
        request: RunCreate,
        run_id: str,
        output_dir: str,
        steps: dict[str, dict[str, dict[str, Any]]],
        context: str | None,
    ) -> RunRecord | RunPlan:
        plan = await anyio.to_thread.run_sync(self._planner, self.root, request, output_dir)
        warnings = list(plan.warnings)
        planned = {job.pipeline for job in plan.jobs}
        for alias in steps:
            if alias not in planned:
                warnings.append(f"steps for {alias} are not used: the plan runs no {alias} job")
        estimates = await anyio.to_thread.run_sync(self._estimates, plan.jobs, plan.exposures)
        self._check_memory(plan.jobs, estimates, force=request.force)
        await anyio.to_thread.run_sync(self._check_stage_steps, plan, steps)
        if request.dry_run:
            return RunPlan.model_validate(
                {
                    "inputs": list(plan.inputs),
                    "target_level": plan.target_level,
                    "output_dir": plan.output_dir,
                    "crds_context_requested": context,
                    "associations": [_association(a) for a in plan.associations],
                    "stages": [asdict(stage) for stage in plan.stages],
                    "jobs": [
                        _run_job(job, job.key, [*job.depends_on], "planned", estimates[job.key])
                        for job in plan.jobs
                    ],
                    "memory": self._memory(estimates.values(), 0),
                    "warnings": warnings,
                }
            )
        now = now_iso()
        state = RunState(
            record={
                "id": run_id,
                "status": "queued",
                "created": now,
                "started": None,
                "finished": None,
                "updated": now,
                "inputs": list(plan.inputs),
                "target_level": plan.target_level,
                "output_dir": plan.output_dir,
                "steps": steps,
                "crds_context_requested": context,
                "crds_context_used": None,
                "associations": [_association(a) for a in plan.associations],
                "stages": [asdict(stage) for stage in plan.stages],
                "jobs": [
                    _run_job(job, job.key, [*job.depends_on], "queued", estimates[job.key])
                    for job in plan.jobs
                ],
                "progress": {"jobs_done": 0, "jobs_total": len(plan.jobs), "eta_seconds": None},
                "memory": self._memory(estimates.values(), 0),
                "manifest": _join(plan.output_dir, MANIFEST_NAME),
                "error": None,
                "warnings": warnings,
            },
            plan=[_planned_dict(job) for job in plan.jobs],
            exposures=[asdict(exposure) for exposure in plan.exposures],
            steps=steps,
            provenance={},
            job_ids=[],
            force=request.force,
            plan_summary={
                "exposures": [asdict(exposure) for exposure in plan.exposures],
                "associations": [_association(a) for a in plan.associations],
            },
        )
        await anyio.to_thread.run_sync(self._make_folders, plan)
        await anyio.to_thread.run_sync(self._write_manifest, state)
        await self._in_store(state)
        self._bus.publish("run.created", run_id=run_id, run=state.record)
        await self._submit(state, reused=set())
        return RunRecord.model_validate(state.record)

    def _check_request(
        self, request: RunCreate, run_id: str
    ) -> tuple[str, dict[str, dict[str, dict[str, Any]]], str | None]:
        """Blocking: 400s for paths and parameters; the run folder, the steps, the context."""
        folders: list[Path] = []
        for index, item in enumerate(request.inputs):
            where = f"inputs.{index}"
            refuse_expansions(where, item)
            path = resolve_in_root(self.root, item, field=where)
            folders.append(path if path.is_dir() else path.parent)
        if request.pool is not None:
            refuse_expansions("pool", request.pool)
            pool = resolve_in_root(self.root, request.pool, field="pool")
            if not pool.is_file():
                raise BadRequest(f"pool {request.pool!r} is not a file", field="pool")
        if request.output_dir:
            refuse_expansions("output_dir", request.output_dir)
            output = resolve_in_root(
                self.root, request.output_dir, field="output_dir", must_exist=False
            )
            if output.exists() and (not output.is_dir() or any(output.iterdir())):
                raise Conflict(
                    f"output_dir {request.output_dir!r} is not an empty folder; a run never "
                    "overwrites other outputs (resume a run to complete it)"
                )
        else:
            output = folders[0] / f"run_{run_id}"
        output_dir = relative_to_root(self.root, output) if output != self.root else "."
        steps: dict[str, dict[str, dict[str, Any]]] = {}
        for alias, params in request.steps.items():
            entry = self._catalog.entry(alias)
            if entry is None or not entry.get("is_pipeline"):
                names = sorted(
                    s["alias"] for s in self._catalog.summaries() if s.get("is_pipeline")
                )
                raise BadRequest(
                    f"steps: {alias!r} is not a pipeline alias; pipelines: {', '.join(names)}",
                    field=f"steps.{alias}",
                )
            with _field_prefix(f"steps.{alias}."):
                checked = self._catalog.validate_steps(alias, params)
                # File parameters stay in the root (checked again per job at launch).
                self._catalog.launch_steps(alias, checked, root=self.root, folders=[output])
            steps[alias] = checked
        context = check_context(self._jobs.kind_context("pipeline"), request.crds_context)
        return output_dir, steps, context

    def _check_stage_steps(self, plan: Plan, steps: dict[str, dict[str, dict[str, Any]]]) -> None:
        """Blocking: every pipeline's file parameters stay in the root from its stage folder."""
        for stage in plan.stages:
            params = steps.get(stage.pipeline)
            if params:
                folder = resolve_in_root(
                    self.root, stage.folder, field="output_dir", must_exist=False
                )
                with _field_prefix(f"steps.{stage.pipeline}."):
                    self._catalog.launch_steps(
                        stage.pipeline, params, root=self.root, folders=[folder]
                    )

    def _estimates(
        self, jobs: Iterable[PlannedJob], exposures: Iterable[Exposure]
    ) -> dict[str, int]:
        """Blocking: each planned job's memory estimate, from its exposures' headers."""
        by_path = {exposure.path: exposure for exposure in exposures}
        peaks = PeakStore.beside_jobs(self._jobs.jobs_dir)
        estimates = {}
        for job in jobs:
            members = [by_path[path] for path in job.exposures if path in by_path]
            estimates[job.key] = estimate_job_memory(job.pipeline, members, store=peaks)
        return estimates

    def _check_memory(
        self, jobs: Iterable[PlannedJob], estimates: Mapping[str, int], *, force: bool
    ) -> None:
        """409 ``insufficient_memory`` when one job's estimate alone exceeds the limit."""
        largest = max(jobs, key=lambda job: estimates[job.key], default=None)
        if largest is not None:
            check_fits_alone(
                estimates[largest.key],
                self._jobs.memory_limit_bytes(),
                force=force,
                what=f"job {largest.key} of this run ({largest.pipeline} on {largest.input})",
                limit_name=self._jobs.memory_limit_name(),
            )

    def _memory(self, estimates: Iterable[int | None], in_use: int) -> dict[str, int]:
        return {
            "limit_bytes": self._jobs.memory_total_bytes(),
            "peak_estimate_bytes": max((e or 0 for e in estimates), default=0),
            "in_use_bytes": in_use,
        }

    def _make_folders(self, plan: Plan) -> None:
        """Blocking: the run folder, its stage folders and the associations the run writes."""
        safe = SafeRoot(self.root)
        try:
            safe.open_folder(plan.output_dir, create=True).close()
            for stage in plan.stages:
                safe.open_folder(stage.folder, create=True).close()
            for association in plan.associations:
                # Given associations too: the planner re-points their members at this
                # run's files and places the copy in the stage folder.
                parent = str(PurePosixPath(association.path).parent)
                name = PurePosixPath(association.path).name
                with safe.open_folder(parent, create=True) as folder:
                    data = json.dumps(association.content, indent=4).encode("utf-8")
                    folder.write_atomic(name, data, temporary=f".{name}.tmp")
        except UnsafePath as error:
            raise BadRequest(
                f"output_dir: {error}; the run's folder must stay in the root", field="output_dir"
            ) from None

    async def _submit(self, state: RunState, *, reused: set[str]) -> None:
        """Submit a child job for every plan key not reused, in dependency order."""
        ids: dict[str, str] = {}
        by_key = {job["key"]: job for job in state.record["jobs"]}
        context = state.record["crds_context_requested"]
        submitted: list[str] = []
        self._follow(state)
        try:
            for planned in state.plan:
                key = planned["key"]
                if key in reused:
                    continue
                if state.cancel_requested:
                    by_key[key]["status"] = "cancelled"
                    continue
                request = {
                    "kind": "pipeline",
                    "pipeline": planned["pipeline"],
                    "input": planned["input"],
                    "steps": state.steps.get(planned["pipeline"], {}),
                    "crds_context": context,
                    "output_dir": planned["output_dir"],
                    "run_id": state.id,
                    "depends_on": [ids[d] for d in planned["depends_on"] if d not in reused],
                    "memory_estimate_bytes": by_key[key]["memory_estimate_bytes"],
                }
                record = JobRecord.model_validate(await self._jobs.submit("pipeline", request))
                ids[key] = record.id
                submitted.append(record.id)
                state.job_ids.append(record.id)
                state.children[record.id] = record
                self._owner[record.id] = state.id
                by_key[key].update(
                    id=record.id,
                    status=record.status,
                    reused=False,
                    # The run's graph keeps every edge: a reused dependency is named by the
                    # earlier job whose outputs it kept (the child itself need not wait on it).
                    depends_on=[ids.get(d) or by_key[d]["id"] for d in planned["depends_on"]],
                )
        except BaseException as error:
            # Nothing half-started: the children made so far are cancelled, the run fails.
            for job_id in reversed(submitted):
                with contextlib.suppress(JwstLabError):
                    await self._jobs.cancel(job_id)
            why = error.message if isinstance(error, JwstLabError) else str(error)
            state.record["error"] = f"the run's jobs could not all be created: {why}"
            for job in state.record["jobs"]:
                if job["key"] not in ids and job["key"] not in reused:
                    job["status"] = "cancelled"
            self._mark(state)
            raise
        # Saved now, not at the next flush: a server that stops finds every child by its id.
        await self._in_store(state)
        await self._refresh(state)
        self._mark(state)

    # --- following children --------------------------------------------------------

    def _on_job(self, record: JobRecord) -> None:
        """The manager saved a change of a job: if it is a run's child, update the run."""
        run_id = self._owner.get(record.id) or record.run_id
        state = self._live.get(run_id) if run_id else None
        if state is None or state.key_of(record.id) is None:
            return
        state.children[record.id] = record
        self._mark(state)

    def _mark(self, state: RunState) -> None:
        """Recompute and save the run soon (changes that come together are saved once)."""
        state.dirty = True
        if self._stopping:
            return  # the next server follows the run again from its jobs
        if state.flushing is None or state.flushing.done():
            state.flushing = asyncio.create_task(self._flush(state))

    async def _flush(self, state: RunState) -> None:
        try:
            async with state.lock:
                while state.dirty:
                    state.dirty = False
                    await self._update(state)
                    if state.dirty:
                        # Saving is O(jobs): changes that come meanwhile are saved together.
                        await asyncio.sleep(FLUSH_INTERVAL)
        except Exception:
            LOG.exception("could not update run %s", state.id)

    async def _update(self, state: RunState) -> None:
        """Derive the run's record from its children; save it, the manifest, the event."""
        record = state.record
        recorded = _recorded_ids(state)
        for job in record["jobs"]:
            child = state.children.get(job["id"])
            if child is None or job.get("reused"):
                continue
            job["status"] = child.status
            if child.memory_estimate_bytes is not None:
                job["memory_estimate_bytes"] = child.memory_estimate_bytes
            if child.status == "succeeded" and child.id not in recorded:
                provenance = await anyio.to_thread.run_sync(self._provenance, state, child)
                state.provenance[job["key"]] = provenance
            if child.crds_context_used and not record["crds_context_used"]:
                record["crds_context_used"] = child.crds_context_used
        self._derive(state)
        record["updated"] = now_iso()
        await self._in_store(state)
        with contextlib.suppress(Exception):
            await anyio.to_thread.run_sync(self._write_manifest, state)
        self._bus.publish("run.updated", run_id=state.id, run=record)
        if record["status"] not in ACTIVE:
            self._live.pop(state.id, None)
            for job in record["jobs"]:
                self._owner.pop(job["id"], None)

    def _derive(self, state: RunState) -> None:
        """Status, times, progress and memory of a run from its jobs."""
        record = state.record
        jobs = record["jobs"]
        statuses = [job["status"] for job in jobs]
        children = [state.children[j["id"]] for j in jobs if j["id"] in state.children]
        running = [c for c in children if c.status == "running"]
        if any(s in ACTIVE for s in statuses):
            started_any = any(c.started for c in children) or any(s in TERMINAL for s in statuses)
            status = "running" if started_any else "queued"
        elif any(s in ("failed", "interrupted") for s in statuses):
            status = "failed"
        elif any(s == "cancelled" for s in statuses):
            status = "cancelled"
        else:
            status = "succeeded"
        record["status"] = status
        starts = [c.started for c in children if c.started]
        if starts and not record["started"]:
            record["started"] = min(starts)
        if status in ACTIVE:
            record["finished"] = None
        elif not record["finished"]:
            ends = [c.finished for c in children if c.finished]
            record["finished"] = max(ends) if ends else now_iso()
            record["started"] = record["started"] or record["finished"]
        done = sum(1 for s in statuses if s == "succeeded")
        record["progress"] = {
            "jobs_done": done,
            "jobs_total": len(jobs),
            "eta_seconds": self._eta(jobs, state.children) if status in ACTIVE else 0.0,
        }
        in_use = sum(c.memory_estimate_bytes or 0 for c in running)
        record["memory"] = self._memory((j.get("memory_estimate_bytes") for j in jobs), in_use)

    def _eta(self, jobs: list[dict[str, Any]], children: Mapping[str, JobRecord]) -> float | None:
        """Seconds still expected: the remaining jobs' mean wall time per pipeline, in parallel.

        None until a job of every pipeline that remains has finished here.
        """
        walls: dict[str, list[float]] = {}
        for child in children.values():
            if child.status == "succeeded" and child.pipeline:
                began, ended = epoch_seconds(child.started), epoch_seconds(child.finished)
                if began is not None and ended is not None:
                    walls.setdefault(child.pipeline, []).append(max(0.0, ended - began))
        remaining = [j for j in jobs if j["status"] in ACTIVE]
        if not remaining:
            return 0.0
        work = 0.0
        now = epoch_seconds(now_iso()) or 0.0
        for job in remaining:
            measured = walls.get(job["pipeline"])
            if not measured:
                return None
            mean = sum(measured) / len(measured)
            live = children.get(job["id"])
            began = epoch_seconds(live.started) if live and live.status == "running" else None
            work += max(0.0, mean - (now - began)) if began is not None else mean
        slots = max(1, min(self.settings.max_concurrent_jobs, len(remaining)))
        return round(work / slots, 1)

    # --- provenance ------------------------------------------------------------------

    def _versions(self) -> dict[str, Any]:
        try:
            return dict(self._catalog.versions())
        except Exception:
            return {}

    def _provenance(self, state: RunState, child: JobRecord) -> dict[str, Any]:
        """Blocking: what a succeeded child did, as resume compares it."""
        versions = child.versions or {}
        return {
            "job_id": child.id,
            "pipeline": child.pipeline,
            "steps": state.steps.get(child.pipeline or "", {}),
            "crds_context": child.crds_context_used,
            "jwst": versions.get("jwst"),
            "inputs": {p: _signature(self.root / p) for p in self._inputs_of(child.input)},
            "outputs": {p: _signature(self.root / p) for p in child.outputs},
        }

    def _inputs_of(self, input_rel: str) -> list[str]:
        """Blocking: a job's input and, for an association, its members (root-relative)."""
        found = [input_rel]
        if not input_rel.endswith(".json"):
            return found
        path = self.root / input_rel
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
            for product in content.get("products", []):
                for member in product.get("members", []):
                    target = (path.parent / str(member.get("expname", ""))).resolve()
                    if target == self.root or self.root in target.parents:
                        found.append(target.relative_to(self.root).as_posix())
        except (OSError, ValueError, AttributeError, TypeError):
            pass
        return found

    def _reusable(self, state: RunState) -> set[str]:
        """Blocking: plan keys whose recorded provenance still holds (and their dependencies')."""
        versions = self._versions()
        expected_context = state.record["crds_context_requested"] or self.settings.crds.context
        if expected_context is None:
            with contextlib.suppress(Exception):
                expected_context = self._current_context()
        reused: set[str] = set()
        for planned in state.plan:
            key = planned["key"]
            recorded = state.provenance.get(key)
            if not recorded or not all(d in reused for d in planned["depends_on"]):
                continue
            if (
                recorded.get("pipeline") != planned["pipeline"]
                or recorded.get("steps") != state.steps.get(planned["pipeline"], {})
                or (versions.get("jwst") and recorded.get("jwst") != versions.get("jwst"))
                or (expected_context and recorded.get("crds_context") != expected_context)
                or not recorded.get("outputs")
            ):
                continue
            files = {**recorded.get("inputs", {}), **recorded["outputs"]}
            if all(_signature(self.root / path) == list(sig) for path, sig in files.items()):
                reused.add(key)
        return reused

    # --- commands --------------------------------------------------------------------

    async def cancel(self, run_id: str) -> RunRecord:
        """Cancel every queued or running child; 409 when the run has ended."""
        state = await self._state(run_id)
        if state.record["status"] not in ACTIVE or run_id not in self._live:
            raise Conflict(f"run {run_id} is {state.record['status']}; it cannot be cancelled")
        state.cancel_requested = True
        for _ in range(2):  # a child may start while the others are cancelled
            jobs = state.record["jobs"]
            queued = [j["id"] for j in jobs if j["status"] == "queued" and not j.get("reused")]
            running = [j["id"] for j in jobs if j["status"] == "running"]
            for job_id in [*reversed(queued), *running]:
                with contextlib.suppress(JwstLabError):
                    state.children[job_id] = JobRecord.model_validate(
                        await self._jobs.cancel(job_id)
                    )
                    self._sync_status(state, job_id)
        self._mark(state)
        return RunRecord.model_validate(state.record)

    @staticmethod
    def _sync_status(state: RunState, job_id: str) -> None:
        for job in state.record["jobs"]:
            if job["id"] == job_id:
                job["status"] = state.children[job_id].status

    async def resume(self, run_id: str) -> RunRecord:
        """Run again what is not complete; jobs whose provenance still holds are reused."""
        state = await self._state(run_id)
        if state.record["status"] in ACTIVE or run_id in self._live:
            raise Conflict(f"run {run_id} is {state.record['status']}; it is not finished")
        self._live[run_id] = state  # a second resume now answers 409
        state.cancel_requested = False
        try:
            reused = await self._prepare_resume(state)
        except BaseException:
            self._live.pop(run_id, None)
            raise
        await self._submit(state, reused=reused)
        return RunRecord.model_validate(state.record)

    async def _prepare_resume(self, state: RunState) -> set[str]:
        """The keys reused, and the run's jobs reset for a new attempt."""
        async with state.lock:
            reused = await anyio.to_thread.run_sync(self._reusable, state)
            record = state.record
            previous = {job["key"]: job for job in record["jobs"]}
            estimates = await anyio.to_thread.run_sync(
                self._estimates,
                [_planned(p) for p in state.plan],
                [Exposure(**e) for e in state.exposures],
            )
            rerun = [_planned(p) for p in state.plan if p["key"] not in reused]
            self._check_memory(rerun, estimates, force=state.force)  # the limit may be lower now
            jobs = []
            for planned in state.plan:
                key = planned["key"]
                old = previous.get(key, {})
                if key in reused:
                    recorded = state.provenance[key]
                    jobs.append(
                        {**old, "id": recorded["job_id"], "status": "succeeded", "reused": True}
                    )
                else:
                    jobs.append(_run_job(_planned(planned), key, [], "queued", estimates[key]))
            record.update(jobs=jobs, finished=None, started=None, error=None, status="queued")
            state.children = {}
            state.dirty = False
            return reused

    async def delete(self, run_id: str) -> None:
        """Forget a finished run and its child job records (its outputs stay); 409 if active."""
        state = await self._state(run_id)
        if state.record["status"] in ACTIVE:
            raise Conflict(
                f"run {run_id} is {state.record['status']}; cancel it before deleting it"
            )
        for job_id in state.job_ids:
            with contextlib.suppress(NotFound):
                await self._jobs.delete(job_id)
        await anyio.to_thread.run_sync(self._store.delete_run, run_id)
        self._live.pop(run_id, None)
        self._bus.publish("run.deleted", run_id=run_id)

    # --- storage ---------------------------------------------------------------------

    async def _in_store(self, state: RunState) -> None:
        record = state.record
        await anyio.to_thread.run_sync(
            self._store.put_run, state.id, record["status"], record["created"], state.document()
        )

    def _write_manifest(self, state: RunState) -> None:
        """Blocking: ``run.json`` in the run folder, replaced whole (never half-written)."""
        record = state.record
        manifest = {
            "version": DOCUMENT_VERSION,
            "run": {k: record[k] for k in ("id", "status", "created", "started", "finished")},
            "inputs": record["inputs"],
            "target_level": record["target_level"],
            "output_dir": record["output_dir"],
            "crds_context_requested": record["crds_context_requested"],
            "crds_context_used": record["crds_context_used"],
            "parameters": state.steps,
            "versions": self._versions(),
            "plan": {
                **state.plan_summary,
                "stages": record["stages"],
                "jobs": state.plan,
            },
            "jobs": [
                {
                    "key": job["key"],
                    "id": job["id"],
                    "pipeline": job["pipeline"],
                    "status": job["status"],
                    "reused": job.get("reused", False),
                    "outputs": (
                        state.children[job["id"]].outputs
                        if job["id"] in state.children
                        else sorted(state.provenance.get(job["key"], {}).get("outputs", {}))
                    ),
                }
                for job in record["jobs"]
            ],
            "provenance": state.provenance,
        }
        with SafeRoot(self.root).open_folder(record["output_dir"], create=True) as folder:
            data = json.dumps(manifest, indent=1).encode("utf-8")
            folder.write_atomic(MANIFEST_NAME, data, temporary=f".{MANIFEST_NAME}.tmp")


# --- helpers --------------------------------------------------------------------------


@contextlib.contextmanager
def _field_prefix(prefix: str) -> Iterator[None]:
    """Re-raise a :class:`BadRequest` about ``steps.<step>...`` with the pipeline in its field."""
    try:
        yield
    except BadRequest as error:
        where = (error.field or "").removeprefix("steps.")
        raise BadRequest(
            error.message, field=prefix + where if where else prefix.rstrip(".")
        ) from None


def _join(folder: str, name: str) -> str:
    return name if folder in ("", ".") else f"{folder}/{name}"


def _signature(path: Path) -> list[int] | None:
    """A file's ``[size, mtime_ns]``; None when it is missing or not a regular file."""
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns] if stat.S_ISREG(info.st_mode) else None


def _recorded_ids(state: RunState) -> set[str]:
    return {str(p.get("job_id")) for p in state.provenance.values()}


def _association(association: Any) -> dict[str, Any]:
    return {
        "path": association.path,
        "asn_type": association.asn_type,
        "asn_rule": association.asn_rule,
        "product": association.product,
        "members": list(association.members),
        "given": association.given,
    }


def _planned_dict(job: PlannedJob) -> dict[str, Any]:
    data = asdict(job)
    for name in ("depends_on", "products", "exposures"):
        data[name] = list(data[name])
    return data


def _planned(data: Mapping[str, Any]) -> PlannedJob:
    return PlannedJob(
        key=data["key"],
        pipeline=data["pipeline"],
        level=data["level"],
        input=data["input"],
        output_dir=data["output_dir"],
        depends_on=tuple(data["depends_on"]),
        products=tuple(data["products"]),
        exposures=tuple(data["exposures"]),
    )


def _run_job(
    job: PlannedJob, job_id: str, depends_on: list[str], status: str, estimate: int | None
) -> dict[str, Any]:
    return {
        "key": job.key,
        "id": job_id,
        "pipeline": job.pipeline,
        "level": job.level,
        "input": job.input,
        "depends_on": depends_on,
        "status": status,
        "reused": False,
        "memory_estimate_bytes": estimate,
    }
