"""Build, check and reuse a demo workspace.

A workspace is built in a fresh hidden folder next to its final place and
renamed into place only when complete, so an interrupted generation never
leaves a half-written workspace where one is expected. The manifest
``jwst_lab_demo.json`` is written last (atomically) and records the generator
version, the seed, the number of exposures and the size and SHA-256 of every
generated file: a workspace is reused only when all of them match; otherwise
it is rebuilt.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import instrument as inst
from .progress import Progress

MANIFEST_NAME = "jwst_lab_demo.json"
MARKER_NAME = ".jwst-lab-demo"
MARKER_TEXT = "jwst-lab demo workspace (synthetic data); see jwst_lab_demo.json\n"
DEFAULT_WORKSPACE = Path("demo-workspace")
DEFAULT_SEED = 1
DEFAULT_EXPOSURES = inst.DEFAULT_EXPOSURES
#: Top-level folders of a workspace.
LEVEL_DIRS = {"uncal": "uncal", "rate": "rate", "cal": "cal"}
TRUTH_DIR = "truth"
CRDS_DIR = "crds_cache"
ARCHIVE_DIR = "archive"


class WorkspaceError(Exception):
    """The requested workspace cannot be used (the command exits with status 2)."""


@dataclass(frozen=True)
class WorkspaceResult:
    """What :func:`ensure_workspace` did."""

    path: Path
    reused: bool
    manifest: dict[str, Any]
    seconds: float
    moved_aside: Path | None = None
    reason: str = ""


# --- checks ---------------------------------------------------------------------


def _probe_writable(folder: Path) -> bool:
    """Whether files can really be created in ``folder`` (root ignores mode bits)."""
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    try:
        handle, name = tempfile.mkstemp(prefix=".jwst-lab-probe-", dir=folder)
    except OSError:
        return False
    os.close(handle)
    with contextlib.suppress(OSError):
        Path(name).unlink()
    return True


def validate_workspace(path: Path) -> Path:
    """Resolve ``path`` and check that a workspace can live there, touching nothing.

    Raises :class:`WorkspaceError` with a one-line message when it is a file,
    an unwritable folder, or lies under something that is not a writable folder.
    """
    path = Path(path).expanduser().resolve()
    if path.exists() or path.is_symlink():
        if not path.is_dir():
            raise WorkspaceError(f"workspace {str(path)!r} exists and is not a folder")
        if not _probe_writable(path):
            raise WorkspaceError(f"workspace folder {str(path)!r} is not writable")
        if not _probe_writable(path.parent):
            raise WorkspaceError(
                f"the folder containing the workspace, {str(path.parent)!r}, is not writable"
            )
        return path
    ancestor = path.parent
    while not ancestor.exists():
        if ancestor.parent == ancestor:
            break
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise WorkspaceError(f"cannot create workspace {str(path)!r}: {str(ancestor)!r} is a file")
    if not _probe_writable(ancestor):
        raise WorkspaceError(
            f"cannot create workspace {str(path)!r}: {str(ancestor)!r} is not writable"
        )
    return path


def read_manifest(workspace: Path) -> dict[str, Any] | None:
    """The workspace's manifest, or None when it is missing or unreadable."""
    try:
        data = json.loads((workspace / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_workspace(
    workspace: Path, seed: int, exposures: int = DEFAULT_EXPOSURES
) -> tuple[bool, str]:
    """Whether ``workspace`` is complete and current for ``seed`` and ``exposures``.

    Returns the reason when it is not.
    """
    if not workspace.is_dir():
        return False, "no workspace yet"
    manifest = read_manifest(workspace)
    if manifest is None:
        return False, "no readable manifest (interrupted or damaged workspace)"
    if manifest.get("complete") is not True:
        return False, "the manifest does not mark the workspace complete"
    if manifest.get("version") != inst.GENERATOR_VERSION:
        return False, (
            f"made by generator version {manifest.get('version')!r}, "
            f"this is {inst.GENERATOR_VERSION!r}"
        )
    if manifest.get("seed") != seed:
        return False, f"made with seed {manifest.get('seed')!r}, asked for {seed}"
    # Manifests from before ``--exposures`` describe the 4-point program.
    made_with = manifest.get("n_exposures", inst.DEFAULT_EXPOSURES)
    if made_with != exposures:
        return False, f"made with {made_with!r} exposures, asked for {exposures}"
    contents = manifest.get("contents")
    if not isinstance(contents, dict) or not contents:
        return False, "the manifest lists no contents"
    for relative, expected in sorted(contents.items()):
        path = workspace / relative
        try:
            size = path.stat().st_size
        except OSError:
            return False, f"{relative} is missing"
        if size != expected.get("size"):
            return False, f"{relative} has the wrong size"
    for relative, expected in sorted(contents.items()):
        if file_digest(workspace / relative) != expected.get("sha256"):
            return False, f"{relative} does not match its checksum"
    return True, "complete and current"


def _user_files(workspace: Path, manifest: dict[str, Any] | None) -> list[Path]:
    """Files in ``workspace`` the generator did not write (pipeline outputs, notebooks)."""
    generated = set((manifest or {}).get("contents", {})) | {MANIFEST_NAME, MARKER_NAME}
    found: list[Path] = []
    for path in sorted(workspace.rglob("*")):
        relative = path.relative_to(workspace)
        if not path.is_file() or relative.parts[0] == CRDS_DIR:
            continue
        if any(part.startswith(".") for part in relative.parts):
            continue
        if relative.as_posix() not in generated:
            found.append(path)
    return found


# --- locking and swapping ---------------------------------------------------------


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` itself (no lock file is left behind)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _building_prefix(workspace: Path) -> str:
    return f".{workspace.name}.building-"


def _remove_leftovers(workspace: Path) -> None:
    """Delete build folders that an interrupted run left next to the workspace."""
    for leftover in workspace.parent.glob(_building_prefix(workspace) + "*"):
        if leftover.is_dir() and (leftover / MARKER_NAME).is_file():
            shutil.rmtree(leftover, ignore_errors=True)


def _swap_in(built: Path, workspace: Path, keep_old: bool) -> Path | None:
    """Put ``built`` at ``workspace``; the old one is deleted or, if ``keep_old``, moved aside."""
    moved: Path | None = None
    if workspace.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        if keep_old:
            moved = workspace.with_name(f"{workspace.name}.replaced-{stamp}")
            workspace.rename(moved)
        else:
            trash = workspace.with_name(f"{_building_prefix(workspace)}old-{stamp}-{os.getpid()}")
            workspace.rename(trash)
            shutil.rmtree(trash, ignore_errors=True)
    built.rename(workspace)
    return moved


# --- generation -------------------------------------------------------------------


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=False)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


def _relative_files(root: Path) -> list[str]:
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and path.name not in (MANIFEST_NAME, MARKER_NAME)
    )


def generate(
    target: Path, seed: int, progress: Progress, exposures: int = DEFAULT_EXPOSURES
) -> dict[str, Any]:
    """Write a complete workspace into the empty folder ``target``; return its manifest.

    The program has ``exposures`` dithered exposures per filter.
    """
    from ..core.jwst_filenames import obs_id_from_name
    from ..core.mast_vocabulary import JWST_COLLECTION
    from . import archive, associations, crds_context, sky, stages
    from . import exposures as exposure_sim
    from . import references as refs
    from .readme import readme_text

    (target / MARKER_NAME).write_text(MARKER_TEXT, encoding="utf-8")
    for name in (*LEVEL_DIRS.values(), TRUTH_DIR, CRDS_DIR, ARCHIVE_DIR):
        (target / name).mkdir(parents=True, exist_ok=True)

    # The observing plan and the sky.
    plans, stars = exposure_sim.plan_field(seed, exposures)
    truth: dict[str, str] = {}
    for spec in inst.FILTERS:
        relative = f"{TRUTH_DIR}/{associations.level3_product_name(spec.name)}_truth.ecsv"
        sky.write_truth_catalog(stars, spec.name, target / relative)
        truth[spec.name] = relative
    progress.advance(2, "star field")

    # The exposures, level by level.
    files: dict[str, list[str]] = {level: [] for level in LEVEL_DIRS}
    cosmic_rays: dict[str, str] = {}
    for plan in plans:
        arrays = exposure_sim.simulate_exposure(plan, stars, seed)
        progress.advance(2, f"simulated {plan.basename}")
        writers = {
            "uncal": exposure_sim.write_uncal,
            "rate": exposure_sim.write_rate,
            "cal": exposure_sim.write_cal,
        }
        for level, writer in writers.items():
            relative = f"{LEVEL_DIRS[level]}/{plan.filename(level)}"
            writer(plan, arrays, seed, target / relative)
            files[level].append(relative)
        relative = f"{TRUTH_DIR}/{plan.basename}_cosmic_rays.ecsv"
        exposure_sim.write_cosmic_ray_table(arrays, target / relative)
        cosmic_rays[plan.basename] = relative
        progress.advance(3, f"wrote {plan.basename} uncal, rate, cal")

    # Associations, made with jwst's own tools (members relative to the association).
    image2 = f"{LEVEL_DIRS['rate']}/{associations.association_name('image2', 1)}"
    associations.write_level2([Path(f).name for f in files["rate"]], target / image2)
    image3: list[str] = []
    for counter, spec in enumerate(inst.FILTERS, start=1):
        relative = f"{LEVEL_DIRS['cal']}/{associations.association_name('image3', counter)}"
        members = [
            Path(f).name
            for f, p in zip(files["cal"], plans, strict=True)
            if p.filter_name == spec.name
        ]
        associations.write_level3(members, spec.name, target / relative)
        image3.append(relative)
    progress.advance(1, "associations")

    # The CRDS cache: references, two contexts, checksums and validation by crds.
    cache = target / CRDS_DIR
    dirs = crds_context.cache_dirs(cache)
    for folder in dirs.values():
        folder.mkdir(parents=True, exist_ok=True)
    (dirs["config"] / "ref_cache_subdir_mode").write_text("instrument", encoding="utf-8")
    base = inst.CRDS_SERIAL_BASE
    common = [writer(dirs["references"], base) for writer in refs.WRITERS.values()]
    common += [
        refs.write_parameters(dirs["references"], base, *p) for p in refs.PARAMETER_REFERENCES
    ]
    n_filters = len(inst.FILTERS)
    first_flats = [
        refs.write_flat(dirs["references"], base + i, f.name, old=True)
        for i, f in enumerate(inst.FILTERS)
    ]
    new_flats = [
        refs.write_flat(dirs["references"], base + n_filters + i, f.name, old=False)
        for i, f in enumerate(inst.FILTERS)
    ]
    flat_filters = ", ".join(f.name for f in inst.FILTERS)
    progress.advance(5, "synthetic reference files")
    releases = [
        crds_context.Release(
            serial=base,
            date="2025-01-15 10:00:00",
            description="jwst-lab demo: first rules for the synthetic MIRI imager "
            "(pre-flight smooth flat)",
            references=tuple(common + first_flats),
        ),
        crds_context.Release(
            serial=base + 1,
            date="2025-03-01 10:00:00",
            description=f"jwst-lab demo: new in-flight {flat_filters} flat with pixel-to-pixel "
            "structure replaces the pre-flight flat",
            references=tuple(common + new_flats),
        ),
    ]
    requested = crds_context.pipeline_reference_types()
    mapping_names = crds_context.write_mappings(cache, releases, requested)
    crds_context.finalize(cache, mapping_names)
    progress.advance(3, "CRDS contexts checked by crds")

    # The local archive: copies of every level, filed by MAST observation id.
    archive_root = target / ARCHIVE_DIR
    for level in LEVEL_DIRS:
        for relative in files[level]:
            archive.add_product(archive_root, obs_id_from_name(relative), target / relative)
    for counter, spec in enumerate(inst.FILTERS, start=1):
        obs_id = associations.level3_product_name(spec.name)
        archive.add_product(archive_root, obs_id, target / image3[counter - 1])
        archive.add_product(archive_root, obs_id, target / image2)
    progress.advance(2, "local archive")

    manifest: dict[str, Any] = {
        "name": "jwst-lab demo workspace",
        "synthetic": True,
        "notice": inst.SYNTHETIC_NOTICE,
        "version": inst.GENERATOR_VERSION,
        "seed": seed,
        "complete": True,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "program": inst.PROGRAM,
        "program_title": inst.PROGRAM_TITLE,
        "instrument": inst.INSTRUMENT,
        "detector": inst.DETECTOR,
        "subarray": inst.SUBARRAY_NAME,
        "filters": [f.name for f in inst.FILTERS],
        "n_exposures": exposures,
        "dither_pattern": inst.dither_pattern(exposures),
        "target": inst.TARGET_NAME,
        "ra": inst.TARGET_RA,
        "dec": inst.TARGET_DEC,
        "crds_path": CRDS_DIR,
        "crds_mode": "local",
        "crds_server_url": crds_context.SERVERLESS_URL,
        "contexts": [
            {"name": r.pmap, "date": r.date, "description": r.description} for r in releases
        ],
        "operational_context": releases[-1].pmap,
        "archive_dir": ARCHIVE_DIR,
        "archive_collection": JWST_COLLECTION,
        "files": files,
        "associations": {"image2": [image2], "image3": image3},
        "truth_catalog": truth[inst.FILTERS[0].name],
        "truth_catalogs": truth,
        "cosmic_ray_catalogs": cosmic_rays,
        "n_stars": len(stars),
        "completeness_limit_njy": inst.COMPLETENESS_LIMIT_NJY,
        "skipped_steps": stages.SKIPPED_STEPS,
        "skip_reasons": stages.SKIP_REASONS,
    }
    (target / "README.md").write_text(readme_text(manifest), encoding="utf-8")
    contents = {}
    for relative in _relative_files(target):
        path = target / relative
        contents[relative] = {"size": path.stat().st_size, "sha256": file_digest(path)}
    manifest["contents"] = contents
    progress.advance(1, "checksums")
    _write_json_atomic(target / MANIFEST_NAME, manifest)
    return manifest


def _total_work(exposures: int) -> float:
    """Relative amount of work of a generation, for the progress bar."""
    exposures_per_run = len(inst.FILTERS) * exposures
    return 2 + 5 * exposures_per_run + 1 + 5 + 3 + 2 + 1


def ensure_workspace(
    path: Path,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
    exposures: int = DEFAULT_EXPOSURES,
) -> WorkspaceResult:
    """Reuse the workspace at ``path`` if current for ``seed`` and ``exposures``, else build it.

    Raises :class:`WorkspaceError` for a path that cannot hold a workspace, a
    non-empty folder that is not a demo workspace (it is never overwritten), or
    a number of exposures outside :data:`~.instrument.MIN_EXPOSURES` ..
    :data:`~.instrument.MAX_EXPOSURES`.
    """
    started = time.monotonic()
    if not inst.MIN_EXPOSURES <= exposures <= inst.MAX_EXPOSURES:
        raise WorkspaceError(
            f"the demo program has {inst.MIN_EXPOSURES} to {inst.MAX_EXPOSURES} exposures, "
            f"not {exposures}"
        )
    workspace = validate_workspace(path)
    current, reason = check_workspace(workspace, seed, exposures)
    if current:
        manifest = read_manifest(workspace) or {}
        return WorkspaceResult(workspace, True, manifest, time.monotonic() - started)
    if workspace.is_dir() and any(workspace.iterdir()):
        ours = (workspace / MARKER_NAME).is_file() or (workspace / MANIFEST_NAME).is_file()
        if not ours:
            raise WorkspaceError(
                f"workspace folder {str(workspace)!r} is not empty and is not a jwst-lab demo "
                "workspace; choose a new or empty folder"
            )
    workspace.parent.mkdir(parents=True, exist_ok=True)
    progress = progress or Progress(_total_work(exposures))
    progress.total = _total_work(exposures)
    with _locked(workspace.parent):
        # Another run may have finished the job while we waited for the lock.
        current, _ = check_workspace(workspace, seed, exposures)
        if current:
            manifest = read_manifest(workspace) or {}
            return WorkspaceResult(workspace, True, manifest, time.monotonic() - started)
        _remove_leftovers(workspace)
        progress.note(f"building {workspace} ({reason})")
        built = workspace.with_name(_building_prefix(workspace) + secrets.token_hex(4))
        built.mkdir()  # not mkdtemp: the workspace gets the user's usual permissions
        try:
            manifest = generate(built, seed, progress, exposures)
            old_manifest = read_manifest(workspace) if workspace.is_dir() else None
            keep_old = workspace.is_dir() and bool(_user_files(workspace, old_manifest))
            moved = _swap_in(built, workspace, keep_old)
        except BaseException:
            shutil.rmtree(built, ignore_errors=True)
            raise
    progress.finish(f"built in {time.monotonic() - started:.1f} s")
    return WorkspaceResult(
        workspace, False, manifest, time.monotonic() - started, moved_aside=moved, reason=reason
    )


def workspace_size(workspace: Path) -> int:
    """Bytes of all regular files under ``workspace``."""
    return sum(p.stat().st_size for p in workspace.rglob("*") if p.is_file())


def is_enospc(error: BaseException) -> bool:
    """Whether ``error`` is a full disk (for a clearer message)."""
    return isinstance(error, OSError) and error.errno == errno.ENOSPC
