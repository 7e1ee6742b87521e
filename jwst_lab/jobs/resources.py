"""Memory: the limit jobs share, each job's estimate, and what each job really used.

**The limit.** ``memory_limit`` (bytes, ``"12G"``, or a percentage, default
``"80%"``) is resolved against the memory this process may use: the limit of
its cgroup (v2 ``memory.max``, v1 ``memory.limit_in_bytes``, found through
``/proc/self/cgroup`` and ``/proc/self/mountinfo``, the smallest along the
path), or the machine's physical memory when the cgroup sets none.

**The estimate** of a pipeline job's peak resident memory comes from the size
of its inputs, read from their FITS headers with astropy (never jwst):
instrument, ``NINTS``, ``NGROUPS``, the science array's rows and columns, and
for an association every member's. A physical model gives a first answer:

``estimate = BASELINE + extra(pipeline) + variable(pipeline, members)``

* ``BASELINE``: a Python process with jwst's pipelines imported, stpipe and
  CRDS state (about 263 MB RSS for ``import jwst.pipeline``; 280 MB here).
* ramp pipelines (``calwebb_detector1``, ``calwebb_dark``, ``calwebb_guider``
  and ramp steps): 46 bytes per pixel per group per integration (the science
  cube as float32, its error cube, the GROUPDQ bytes, the uint16 data read
  first, the copies jump makes of data and flags and its group differences,
  the dark reference's cube, ramp_fit's working copies), plus 20 bytes per
  pixel per integration (the rateints arrays) and 90 bytes per pixel (the
  per-pixel reference arrays: mask, gain, read noise, saturation, linearity
  coefficients; and the rate product).
* Level 2 pipelines (``calwebb_image2``, ``spec2``...) process one exposure
  at a time: 150 bytes per pixel per plane of the largest member (the cal
  arrays SCI, ERR, DQ, AREA and three variances, the copies steps make, the
  flat and photometric references, the resampled ``i2d`` product and
  resample's pixel map).
* Level 3 pipelines (``calwebb_image3``, ``spec3``, ``coron3``, ``tso3``...)
  hold every member's cal arrays: 24 bytes per member pixel per plane (SCI,
  ERR, DQ and three variances; jwst's model library keeps the blotted and
  resampled copies on disk), plus, on an output grid 1.25 times the largest
  member, 8 bytes per output pixel per member (each member's resampled data
  and weight while the median is stacked) and 44 bytes per output pixel (the
  mosaic's arrays, the catalog's segmentation and background maps). Fitted on
  the demo at 4 and 16 members (331 and 439 MB measured: about 9 MB more per
  512 x 512 member); real programs calibrate it (below).
* any other step: 3 times the bytes of its input arrays.

``extra(pipeline)`` is what a pipeline's own modules and WCS machinery add
(gwcs, drizzle, photutils: 25 MB for Level 2, 30 MB for Level 3 pipelines).
On the demo (512 x 512 MIRI, 10 groups; 16 exposures, warm-forked jobs) the
model is above the measured peaks by 10 % (detector1), 18 % (image2) and 2 %
(image3); calibration then brings it within 1 % (``benchmarks/bench_runs.py``,
``benchmarks/bench_estimates.py``).

**Calibration.** When a job finishes, its measured peak is stored with its
pipeline, instrument, size class (the model's variable part: ``S`` below
256 MB, ``M`` below 2 GB, ``L`` below 16 GB, else ``XL``) and features in
``memory_peaks.jsonl`` in the server root's state folder (beside the job
database). An estimate for a job of a pipeline/instrument/size class that
has measurements is the physical model times the median of the last
:data:`CALIBRATION_WINDOW` measured/modelled ratios of that class, so
estimates follow what this server's jobs really use.

**Measurement.** A runner measures itself when it ends (its own peak RSS
from ``VmHWM``, its children's from ``getrusage``, CPU time, ``write_bytes``
from ``/proc/self/io``) and writes it into its result file; the local
executor samples the runner's process tree while it runs (so a job the
kernel kills still has its peak). A runner forked from the warm runner
resets its high-water mark when it starts (``/proc/self/clear_refs``), so
its peak is its own, not the warm parent's; it does include the pages it
shares with the warm runner (the imported modules), as a cold runner's
includes its own imports, so estimates hold for either.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import resource
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import Conflict
from .planning import Exposure

log = logging.getLogger(__name__)

MB = 1_000_000
GB = 1_000_000_000
#: ``memory_limit``'s default: this share of the memory the process may use.
DEFAULT_MEMORY_LIMIT = "80%"
#: A cgroup v1 "no limit" is the largest page-aligned 64-bit value; anything this big is none.
_UNLIMITED = 1 << 60

# --- the limit -----------------------------------------------------------------------------

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1000,
    "kib": 1024,
    "m": 1024**2,
    "mb": 1000**2,
    "mib": 1024**2,
    "g": 1024**3,
    "gb": 1000**3,
    "gib": 1024**3,
    "t": 1024**4,
    "tb": 1000**4,
    "tib": 1024**4,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


def parse_memory_limit(value: int | str, available: int) -> int:
    """``memory_limit`` in bytes: an int, ``"12G"`` / ``"800MB"``, or ``"NN%"`` of ``available``.

    ``K/M/G/T`` and ``KiB``... are powers of 1024, ``kB/MB/GB/TB`` powers of
    1000. Raises ``ValueError`` with a message saying what is accepted.
    """
    accepted = (
        "give bytes (8000000000), a size ('12G', '800MB') or a percentage of the memory "
        "this server may use ('80%')"
    )
    if isinstance(value, bool):
        raise ValueError(f"memory_limit must be a size, not {value!r}: {accepted}")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError(f"memory_limit must be positive, not {value}: {accepted}")
        return value
    text = str(value).strip()
    if text.endswith("%"):
        try:
            share = float(text[:-1])
        except ValueError:
            raise ValueError(f"memory_limit {value!r} is not a percentage: {accepted}") from None
        if not 0 < share <= 100:
            raise ValueError(f"memory_limit {value!r} must be a percentage in (0, 100]")
        return max(1, int(available * share / 100))
    match = _SIZE.match(text)
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _UNITS:
        raise ValueError(f"memory_limit {value!r} is not a size: {accepted}")
    size = int(float(match.group(1)) * _UNITS[unit])
    if size <= 0:
        raise ValueError(f"memory_limit must be positive, not {value!r}: {accepted}")
    return size


def physical_memory() -> int:
    """This machine's physical memory in bytes."""
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


@dataclass(frozen=True)
class CgroupMemory:
    """The memory cgroup of a process: its folder and version."""

    path: Path
    version: int

    def limit(self, mount: Path) -> int | None:
        """The smallest limit from this cgroup up to the hierarchy's mount; None: unlimited."""
        name = "memory.max" if self.version == 2 else "memory.limit_in_bytes"
        limits = []
        folder = self.path
        while True:
            with contextlib.suppress(OSError, ValueError):
                text = (folder / name).read_text().strip()
                if text != "max" and int(text) < _UNLIMITED:
                    limits.append(int(text))
            if folder == mount or mount not in folder.parents:
                break
            folder = folder.parent
        return min(limits) if limits else None

    def oom_kills(self) -> int | None:
        """How many processes the kernel has killed for memory in this cgroup; None: unknown."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            text = (self.path / name).read_text()
        except OSError:
            return None
        for line in text.splitlines():
            key, _, count = line.partition(" ")
            if key == "oom_kill":
                with contextlib.suppress(ValueError):
                    return int(count)
        return None


def _mounts(mountinfo: str) -> list[tuple[str, Path, str, str]]:
    """``(root, mount point, fstype, super options)`` of each cgroup mount in ``mountinfo``."""
    mounts = []
    for line in mountinfo.splitlines():
        before, _, after = line.partition(" - ")
        fields, tail = before.split(), after.split()
        if len(fields) < 5 or len(tail) < 3 or not tail[0].startswith("cgroup"):
            continue
        mounts.append((fields[3], Path(fields[4].replace("\\040", " ")), tail[0], tail[2]))
    return mounts


def find_memory_cgroup(
    cgroup_file: Path = Path("/proc/self/cgroup"),
    mountinfo_file: Path = Path("/proc/self/mountinfo"),
) -> tuple[CgroupMemory, Path] | None:
    """This process's memory cgroup and its hierarchy's mount point, or None (no cgroups)."""
    try:
        membership = cgroup_file.read_text()
        mounts = _mounts(mountinfo_file.read_text())
    except OSError:
        return None
    v1_path = v2_path = None
    for line in membership.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        if parts[0] == "0" and parts[1] == "":
            v2_path = parts[2]
        elif "memory" in parts[1].split(","):
            v1_path = parts[2]
    candidates: list[tuple[int, str, str]] = []
    if v1_path is not None:
        candidates.append((1, v1_path, "cgroup"))
    if v2_path is not None:
        candidates.append((2, v2_path, "cgroup2"))
    for version, cgroup_path, fstype in candidates:
        for root, mount, kind, options in mounts:
            if kind != fstype or (version == 1 and "memory" not in options.split(",")):
                continue
            inner = PurePosixPath(cgroup_path)
            with contextlib.suppress(ValueError):
                inner = inner.relative_to(root)
            if inner.is_absolute():  # a namespaced view: the mount is this cgroup
                inner = PurePosixPath(".")
            folder = mount / inner
            if version == 2 and folder != mount and not (folder / "memory.max").exists():
                continue  # memory is not delegated to this cgroup
            return CgroupMemory(folder, version), mount
    return None


def memory_available(
    cgroup_file: Path = Path("/proc/self/cgroup"),
    mountinfo_file: Path = Path("/proc/self/mountinfo"),
) -> int:
    """The memory this process may use: its cgroup's limit, else physical memory."""
    physical = physical_memory()
    found = find_memory_cgroup(cgroup_file, mountinfo_file)
    if found is None:
        return physical
    limit = found[0].limit(found[1])
    return min(limit, physical) if limit is not None else physical


def format_bytes(size: float) -> str:
    """A byte count for people: ``3.2 GB``, ``850 MB``."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(size) < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit in ("B", "kB", "MB") else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size} B"


# --- admission -------------------------------------------------------------------------------


def fits(limit_bytes: int, running_estimates: Iterable[int | None], estimate: int | None) -> bool:
    """True when a job of ``estimate`` may start beside jobs of ``running_estimates``.

    Nothing running: it always fits (a job too big for the limit alone was
    refused at creation, or forced, and then runs alone). A job with no
    estimate counts as 0.
    """
    running = [value or 0 for value in running_estimates]
    if not running:
        return True
    return sum(running) + (estimate or 0) <= limit_bytes


#: What the limit a job is checked against is called, where it comes from.
SERVER_LIMIT = "memory_limit"
DASK_WORKER_LIMIT = "the largest Dask worker's memory limit"


def check_fits_alone(
    estimate: int | None,
    limit_bytes: int,
    *,
    force: bool = False,
    what: str = "this job",
    limit_name: str = SERVER_LIMIT,
) -> None:
    """409 ``insufficient_memory`` when ``estimate`` alone exceeds the limit (unless ``force``).

    ``limit_name`` says which limit it is (the server's ``memory_limit``, or the
    largest Dask worker's). The message gives both figures in human units and
    what to do about that limit.
    """
    if estimate is None or force or estimate <= limit_bytes:
        return
    if limit_name == DASK_WORKER_LIMIT:
        raise_it = "Start Dask workers with a larger --memory-limit"
    else:
        raise_it = "Raise c.JwstLabApp.memory_limit, run on a machine with more memory"
    raise Conflict(
        f"{what} needs about {format_bytes(estimate)} of memory at its peak, more than "
        f"{limit_name} ({format_bytes(limit_bytes)}). {raise_it}, or send force: true to "
        "run it anyway, alone.",
        reason="insufficient_memory",
    )


# --- the estimate ----------------------------------------------------------------------------

#: Python with jwst's pipelines imported, stpipe and CRDS state.
BASELINE_BYTES = 280 * MB
#: What a pipeline's own modules add to the baseline (gwcs, drizzle, photutils...).
PIPELINE_EXTRA = {2: 25 * MB, 3: 30 * MB}
RAMP_PIPELINES = frozenset({"calwebb_detector1", "calwebb_dark", "calwebb_guider"})
RAMP_STEPS = frozenset(
    {
        "dq_init",
        "saturation",
        "superbias",
        "refpix",
        "linearity",
        "dark_current",
        "jump",
        "ramp_fit",
        "group_scale",
        "ipc",
        "reset",
        "rscd",
        "firstframe",
        "lastframe",
        "emicorr",
        "persistence",
        "charge_migration",
        "clean_flicker_noise",
        "picture_frame",
    }
)
LEVEL2_PIPELINES = frozenset({"calwebb_image2", "calwebb_spec2", "calwebb_tso-image2"})
LEVEL3_PIPELINES = frozenset(
    {
        "calwebb_image3",
        "calwebb_spec3",
        "calwebb_coron3",
        "calwebb_ami3",
        "calwebb_tso3",
        "calwebb_wfs-image3",
    }
)
#: Bytes per pixel per group per integration, per pixel per integration, per pixel (ramps).
RAMP_PER_GROUP, RAMP_PER_INT, RAMP_PER_PIXEL = 46, 20, 90
#: Bytes per pixel per plane of the largest member (Level 2).
LEVEL2_PER_PIXEL = 150
#: Level 3: per member pixel, per output pixel per member, per output pixel; output grid size.
LEVEL3_PER_MEMBER_PIXEL, LEVEL3_PER_OUTPUT_MEMBER, LEVEL3_PER_OUTPUT = 24, 8, 44
LEVEL3_OUTPUT_GROWTH = 1.25
#: Other steps: this many times their input arrays.
GENERIC_FACTOR = 3
#: Size classes by the model's variable part.
SIZE_CLASSES = ((256 * MB, "S"), (2 * GB, "M"), (16 * GB, "L"))
CALIBRATION_WINDOW = 20
PEAKS_NAME = "memory_peaks.jsonl"
#: The store keeps this many measurements (the oldest go first).
PEAKS_KEPT = 2000


@dataclass(frozen=True)
class SizeFeatures:
    """What an exposure's headers say about its size."""

    instrument: str
    nints: int
    ngroups: int
    nrows: int
    ncols: int
    #: Time series (rateints/calints products keep one plane per integration).
    tso: bool = False
    #: Planes in the file's science array (1 for rate/cal; nints for *ints; the ramp for uncal).
    planes: int = 1

    @property
    def pixels(self) -> int:
        """Pixels of the science array (one plane)."""
        return self.nrows * self.ncols

    @classmethod
    def of_exposure(cls, exposure: Exposure) -> SizeFeatures:
        """The features of a planned exposure (the planner read its header)."""
        return cls(
            instrument=exposure.instrument.upper(),
            nints=max(1, exposure.nints),
            ngroups=max(1, exposure.ngroups),
            nrows=max(1, exposure.nrows),
            ncols=max(1, exposure.ncols),
            tso=exposure.tso,
            planes=max(1, exposure.nints) if exposure.suffix.endswith("ints") else 1,
        )


def _int(value: Any, default: int = 1) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


def read_features(path: Path) -> SizeFeatures:
    """Size features from an exposure file's primary and SCI headers (astropy, lazily)."""
    from astropy.io import fits as pyfits

    with pyfits.open(path, memmap=True, lazy_load_hdus=True) as hdus:
        primary = hdus[0].header
        try:
            science = hdus["SCI"].header
        except KeyError:
            science = primary
        naxis = int(science.get("NAXIS", 0) or 0)
        ncols = _int(science.get("NAXIS1") or primary.get("SUBSIZE1"))
        nrows = _int(science.get("NAXIS2") or primary.get("SUBSIZE2"))
        planes = 1
        if naxis >= 3:
            planes = _int(science.get("NAXIS3"))
        tso = bool(primary.get("TSOVISIT", False)) or path.name.endswith(("ints.fits", "ints.asdf"))
        return SizeFeatures(
            instrument=str(primary.get("INSTRUME", "UNKNOWN")).strip().upper(),
            nints=_int(primary.get("NINTS")),
            ngroups=_int(primary.get("NGROUPS")),
            nrows=nrows,
            ncols=ncols,
            tso=tso,
            planes=planes,
        )


def association_members(path: Path, root: Path | None = None) -> list[Path]:
    """The member files of an association (relative to its folder) that exist (inside ``root``)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    members = []
    for product in data.get("products", []):
        for member in product.get("members", []):
            expname = str(member.get("expname", ""))
            if not expname:
                continue
            target = (path.parent / expname).resolve()
            if root is not None and root.resolve() not in target.parents:
                continue
            if target.is_file() and target not in members:
                members.append(target)
    return members


def input_features(path: Path, root: Path | None = None) -> list[SizeFeatures]:
    """The features of a job's input: one exposure, or each member of an association."""
    files = association_members(path, root) if path.name.endswith(".json") else [path]
    features = []
    for file in files:
        try:
            features.append(read_features(file))
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.info("no size features from %s: %s", file, error)
    return features


def _level(pipeline: str) -> int | None:
    if pipeline in RAMP_PIPELINES or pipeline in RAMP_STEPS:
        return 1
    if pipeline in LEVEL2_PIPELINES or pipeline.endswith("2"):
        return 2 if pipeline.startswith("calwebb_") else None
    if pipeline in LEVEL3_PIPELINES or pipeline.endswith("3"):
        return 3 if pipeline.startswith("calwebb_") else None
    return None


@dataclass(frozen=True)
class PhysicalModel:
    """The physical model's answer: a fixed part and a part that grows with the data."""

    fixed: int
    variable: int

    @property
    def total(self) -> int:
        """Fixed plus variable bytes."""
        return self.fixed + self.variable

    @property
    def size_class(self) -> str:
        """``S``, ``M``, ``L`` or ``XL`` by the variable part."""
        for bound, name in SIZE_CLASSES:
            if self.variable < bound:
                return name
        return "XL"


def physical_model(pipeline: str, members: Sequence[SizeFeatures]) -> PhysicalModel:
    """The physical model (module docstring) for ``pipeline`` on ``members``."""
    level = _level(pipeline)
    fixed = BASELINE_BYTES + PIPELINE_EXTRA.get(level or 0, 0)
    if not members:
        return PhysicalModel(fixed, 0)
    if level == 1:
        variable = max(
            m.pixels * (m.nints * (m.ngroups * RAMP_PER_GROUP + RAMP_PER_INT) + RAMP_PER_PIXEL)
            for m in members
        )
    elif level == 2:
        variable = max(m.pixels * _planes(m) * LEVEL2_PER_PIXEL for m in members)
    elif level == 3:
        held = sum(m.pixels * _planes(m) * LEVEL3_PER_MEMBER_PIXEL for m in members)
        output = int(max(m.pixels for m in members) * LEVEL3_OUTPUT_GROWTH)
        per_output = LEVEL3_PER_OUTPUT_MEMBER * len(members) + LEVEL3_PER_OUTPUT
        variable = held + output * per_output
    else:
        variable = sum(GENERIC_FACTOR * m.pixels * _planes(m) * 4 for m in members)
    return PhysicalModel(fixed, int(variable))


def _planes(member: SizeFeatures) -> int:
    return max(member.planes, member.nints if member.tso else 1)


@dataclass(frozen=True)
class PeakSample:
    """One finished job's measured peak, with what the model said about it."""

    pipeline: str
    instrument: str
    size_class: str
    modelled: int
    peak_rss: int
    features: list[dict[str, Any]] = field(default_factory=list)
    job_id: str = ""
    time: float = 0.0


class PeakStore:
    """This server's measured peaks (``memory_peaks.jsonl`` in the root's state folder)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def beside_jobs(cls, jobs_dir: Path) -> PeakStore:
        """The store of the state folder holding ``jobs_dir`` (beside the job database)."""
        return cls(jobs_dir.parent / PEAKS_NAME)

    def samples(self) -> list[PeakSample]:
        """Every stored measurement, oldest first (unreadable lines are skipped)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            return []
        samples = []
        for line in text.splitlines():
            with contextlib.suppress(ValueError, TypeError):
                samples.append(PeakSample(**json.loads(line)))
        return samples

    def add(self, sample: PeakSample) -> None:
        """Append one measurement (under a file lock), keeping the newest :data:`PEAKS_KEPT`."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(asdict(sample)) + "\n"
        with self.path.open("a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.write(line)
            handle.flush()
            handle.seek(0)
            lines = handle.readlines()
            if len(lines) > PEAKS_KEPT:
                handle.seek(0)
                handle.truncate()
                handle.writelines(lines[-PEAKS_KEPT:])

    def ratio(self, pipeline: str, instrument: str, size_class: str) -> float | None:
        """Median measured/modelled ratio of the class's latest measurements; None: none yet."""
        ratios = [
            sample.peak_rss / sample.modelled
            for sample in self.samples()
            if (sample.pipeline, sample.instrument, sample.size_class)
            == (pipeline, instrument, size_class)
            and sample.modelled > 0
            and sample.peak_rss > 0
        ]
        if not ratios:
            return None
        return float(statistics.median(ratios[-CALIBRATION_WINDOW:]))


@dataclass(frozen=True)
class MemoryEstimate:
    """A job's estimate and how it was made."""

    bytes: int
    model: PhysicalModel
    instrument: str
    #: The calibration ratio applied (None: the physical model alone).
    ratio: float | None

    @property
    def size_class(self) -> str:
        """The model's size class."""
        return self.model.size_class


def _instrument(members: Sequence[SizeFeatures]) -> str:
    names = sorted({m.instrument for m in members})
    return names[0] if len(names) == 1 else "+".join(names) or "UNKNOWN"


def explain_estimate(
    pipeline: str,
    source: Path | Sequence[SizeFeatures | Exposure],
    *,
    store: PeakStore | None = None,
    root: Path | None = None,
) -> MemoryEstimate:
    """The estimate of :func:`estimate_job_memory`, with the model and calibration behind it."""
    if isinstance(source, Path):
        members = input_features(source, root)
    else:
        members = [
            SizeFeatures.of_exposure(item) if isinstance(item, Exposure) else item
            for item in source
        ]
    model = physical_model(pipeline, members)
    instrument = _instrument(members)
    ratio = store.ratio(pipeline, instrument, model.size_class) if store is not None else None
    total = model.total if ratio is None else int(model.total * ratio)
    return MemoryEstimate(total, model, instrument, ratio)


def estimate_job_memory(
    pipeline: str,
    source: Path | Sequence[SizeFeatures | Exposure],
    *,
    store: PeakStore | None = None,
    root: Path | None = None,
) -> int:
    """Bytes a ``pipeline`` job on ``source`` is expected to need at its peak.

    ``source``: the job's input file (an exposure, or an association whose
    members' headers are read; members outside ``root`` are ignored), or the
    planned exposures a job will process (:class:`~.planning.Exposure`,
    whose headers the planner read) when its inputs do not exist yet.
    ``store``: this server's measured peaks, which calibrate the model.
    """
    return explain_estimate(pipeline, source, store=store, root=root).bytes


def record_peak(
    store: PeakStore,
    pipeline: str,
    source: Path | Sequence[SizeFeatures | Exposure],
    peak_rss: int,
    *,
    job_id: str = "",
    root: Path | None = None,
) -> PeakSample | None:
    """Store a finished job's measured peak for calibration (None: nothing to store)."""
    if peak_rss <= 0:
        return None
    estimate = explain_estimate(pipeline, source, root=root)
    if estimate.model.variable <= 0:
        return None  # no features: nothing to calibrate against
    members = (
        input_features(source, root)
        if isinstance(source, Path)
        else [
            SizeFeatures.of_exposure(item) if isinstance(item, Exposure) else item
            for item in source
        ]
    )
    sample = PeakSample(
        pipeline=pipeline,
        instrument=estimate.instrument,
        size_class=estimate.size_class,
        modelled=estimate.model.total,
        peak_rss=int(peak_rss),
        features=[asdict(member) for member in members],
        job_id=job_id,
        time=time.time(),
    )
    store.add(sample)
    return sample


# --- measuring a process tree ------------------------------------------------------------------

SAMPLED_NAME = "resources.json"
_TICKS = os.sysconf("SC_CLK_TCK")


def _status_kb(text: str, key: str) -> int:
    for line in text.splitlines():
        if line.startswith(key + ":"):
            with contextlib.suppress(ValueError, IndexError):
                return int(line.split()[1])
    return 0


def _io_counter(text: str, key: str) -> int:
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name == key:
            with contextlib.suppress(ValueError):
                return int(value)
    return 0


def reset_peak_rss() -> bool:
    """Reset this process's high-water mark to its current RSS (after a fork); True if done."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def process_age() -> float | None:
    """Seconds since this process started (a forked child: since its fork), from ``/proc``."""
    try:
        stat = Path("/proc/self/stat").read_text()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    try:
        return max(0.0, uptime - int(fields[19]) / _TICKS)
    except (IndexError, ValueError):
        return None


def measure_self(started: float | None = None) -> dict[str, Any]:
    """What this process and its reaped children used, from its start (or ``started``).

    ``started``: a ``time.monotonic()`` reading; by default the process's own
    start (a forked child's fork). Peak RSS is this process's ``VmHWM``
    (reset at a warm fork) or its largest child's, whichever is larger.
    """
    wall = time.monotonic() - started if started is not None else process_age()
    own = children = 0
    with contextlib.suppress(OSError):
        own = _status_kb(Path("/proc/self/status").read_text(), "VmHWM") * 1024
    usage_self = resource.getrusage(resource.RUSAGE_SELF)
    usage_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    children = usage_children.ru_maxrss * 1024
    if not own:
        own = usage_self.ru_maxrss * 1024
    written = 0
    with contextlib.suppress(OSError):
        written = _io_counter(Path("/proc/self/io").read_text(), "write_bytes")
    cpu = sum(
        (
            usage_self.ru_utime,
            usage_self.ru_stime,
            usage_children.ru_utime,
            usage_children.ru_stime,
        )
    )
    return {
        "peak_rss_bytes": max(own, children),
        "cpu_seconds": round(cpu, 3),
        "wall_seconds": round(wall if wall is not None else 0.0, 3),
        "bytes_written": written,
    }


@dataclass
class TreeSampler:
    """Samples the process tree of a runner (its session) from outside, while it runs.

    Each :meth:`sample` reads ``/proc`` for the session's processes: their
    high-water marks, the sum of their current RSS, their CPU time and
    ``write_bytes``. The largest values seen stay, so a runner the kernel
    kills still has a measured peak.
    """

    session: int
    proc: Path = Path("/proc")
    peak_rss_bytes: int = 0
    cpu_seconds: float = 0.0
    bytes_written: int = 0
    started: float = field(default_factory=time.monotonic)
    samples: int = 0
    _cpu: dict[int, float] = field(default_factory=dict)
    _written: dict[int, int] = field(default_factory=dict)
    #: The memory cgroups the runner was seen in, with their ``oom_kill`` count when first seen.
    _cgroups: dict[Path, tuple[CgroupMemory, int | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A runner starts in its parent's cgroup: this process's (or the warm runner's, its own).
        self._note_cgroup(Path("/proc/self/cgroup"))

    def _note_cgroup(self, cgroup_file: Path) -> None:
        found = find_memory_cgroup(cgroup_file, self.proc / "self" / "mountinfo")
        if found is not None and found[0].path not in self._cgroups:
            self._cgroups[found[0].path] = (found[0], found[0].oom_kills())

    @property
    def oom_kills_before(self) -> int | None:
        """The ``oom_kill`` counts of the runner's cgroups when first seen, added up."""
        counts = [count for _, count in self._cgroups.values() if count is not None]
        return sum(counts) if counts else None

    def oom_kills_now(self) -> int | None:
        """The same cgroups' ``oom_kill`` counts now, added up (None: unreadable)."""
        counts = []
        for cgroup, before in self._cgroups.values():
            now = cgroup.oom_kills()
            if before is not None and now is not None:
                counts.append(now)
        return sum(counts) if counts else None

    def _members(self) -> list[int]:
        pids = []
        try:
            entries = list(os.scandir(self.proc))
        except OSError:
            return [self.session]
        for entry in entries:
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            if pid == self.session:
                pids.append(pid)
                continue
            try:
                stat = (self.proc / entry.name / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2 :].split()
            if len(fields) > 3 and fields[3] == str(self.session):
                pids.append(pid)
        return pids

    def sample(self) -> None:
        """Read the tree once; keep the largest values seen."""
        self._note_cgroup(self.proc / str(self.session) / "cgroup")
        total_rss = 0
        for pid in self._members():
            base = self.proc / str(pid)
            try:
                status = (base / "status").read_text()
                stat = (base / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2 :].split()
            if fields and fields[0] == "Z":
                continue
            self.peak_rss_bytes = max(self.peak_rss_bytes, _status_kb(status, "VmHWM") * 1024)
            total_rss += _status_kb(status, "VmRSS") * 1024
            with contextlib.suppress(IndexError, ValueError):
                ticks = sum(int(value) for value in fields[11:15])
                self._cpu[pid] = max(self._cpu.get(pid, 0.0), ticks / _TICKS)
            with contextlib.suppress(OSError):
                written = _io_counter((base / "io").read_text(), "write_bytes")
                self._written[pid] = max(self._written.get(pid, 0), written)
        self.peak_rss_bytes = max(self.peak_rss_bytes, total_rss)
        self.cpu_seconds = round(sum(self._cpu.values()), 3)
        self.bytes_written = sum(self._written.values())
        self.samples += 1

    def as_dict(self) -> dict[str, Any]:
        """The sampled resources (the ``resources.json`` a job folder gets)."""
        return {
            "peak_rss_bytes": self.peak_rss_bytes,
            "cpu_seconds": self.cpu_seconds,
            "wall_seconds": round(time.monotonic() - self.started, 3),
            "bytes_written": self.bytes_written,
            "samples": self.samples,
            "oom_kills_before": self.oom_kills_before,
        }

    def write(self, job_dir: Path) -> None:
        """Write what was sampled, and the cgroups' ``oom_kill`` count now, into the job folder."""
        data = {**self.as_dict(), "oom_kills_after": self.oom_kills_now()}
        temporary = job_dir / f".{SAMPLED_NAME}.{os.getpid()}.tmp"
        with contextlib.suppress(OSError):
            temporary.write_text(json.dumps(data), encoding="utf-8")
            temporary.replace(job_dir / SAMPLED_NAME)


def read_sampled(job_dir: Path) -> dict[str, Any]:
    """The executor's sampled resources of a job (``{}`` when there are none)."""
    try:
        data = json.loads((job_dir / SAMPLED_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


RESOURCE_KEYS = ("peak_rss_bytes", "cpu_seconds", "wall_seconds", "bytes_written")


def merge_resources(measured: dict[str, Any], sampled: dict[str, Any]) -> dict[str, Any] | None:
    """A job's ``resources``: the runner's own measurement, completed by the executor's samples.

    Each value is the larger of the two (the runner misses nothing of
    itself; the sampler sees a runner that was killed). None when neither
    measured anything.
    """
    if not any(isinstance(source.get("peak_rss_bytes"), int) for source in (measured, sampled)):
        return None
    merged: dict[str, Any] = {}
    for key in RESOURCE_KEYS:
        values = [
            source[key]
            for source in (measured, sampled)
            if isinstance(source.get(key), int | float) and not isinstance(source.get(key), bool)
        ]
        best = max(values) if values else 0
        merged[key] = int(best) if key in ("peak_rss_bytes", "bytes_written") else float(best)
    return merged


#: Exit code of a runner killed by SIGKILL, as a shell reports it.
EXIT_KILLED = 137


def out_of_memory(
    exit_code: int | None,
    *,
    stopped: bool,
    runner_error: str | None,
    sampled: dict[str, Any],
    available: int,
) -> bool:
    """True when a job ended because memory ran out.

    Either the runner reported a ``MemoryError``, or it was killed (SIGKILL)
    without a cancel or timeout asking for it and the kernel says it killed
    for memory (its cgroup's ``oom_kill`` count rose while the job ran), or,
    where that count is unreadable, its sampled peak came near the memory
    this process may use.
    """
    if runner_error and runner_error.startswith("MemoryError"):
        return True
    if exit_code != EXIT_KILLED or stopped:
        return False
    before, after = sampled.get("oom_kills_before"), sampled.get("oom_kills_after")
    if isinstance(before, int) and isinstance(after, int):
        return after > before
    peak = sampled.get("peak_rss_bytes")
    return isinstance(peak, int) and peak >= 0.5 * available


def out_of_memory_advice(peak: int | None, estimate: int | None, limit: int) -> str:
    """The error of a job killed for memory: what it used and what to do."""
    used = f"its measured peak was {format_bytes(peak)}" if peak else "its peak is unknown"
    guess = f" (estimated {format_bytes(estimate)})" if estimate else ""
    return (
        f"out of memory: the job was killed because the machine or its container ran out of "
        f"memory; {used}{guess}, memory_limit is {format_bytes(limit)}. Run fewer jobs at once "
        "(lower c.JwstLabApp.max_concurrent_jobs, or a memory_limit that matches what this "
        "server really has so fewer jobs are admitted together), give the server more memory "
        "(a bigger machine or container limit, then raise memory_limit), or process fewer "
        "members per job."
    )
