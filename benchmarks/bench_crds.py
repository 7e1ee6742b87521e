"""What the CRDS browser costs, on a copy of the real JWST CRDS cache (jwst_0541).

Figures (targets from issue 6, 2 cores), each printed with its same-run baseline:

- the whole jwst_0541 tree (6 imaps, 117 rmaps): cold <= 1.5 s, warm <= 50 ms;
  baseline: the crds library loading the same tree in a fresh Python process;
- best references for one real NIRCam uncal header: warm <= 150 ms and >= 10x
  faster than one ``crds bestrefs`` CLI run on the same file and cache;
- the diff jwst_0540 -> jwst_0541: cold <= 2 s; baseline: one ``crds diff`` CLI run.

"Cold" is given twice: a brand-new service (its worker process must start and
import crds), and a started worker that has not loaded the mappings yet.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from jwst_lab.config import resolve_crds  # noqa: E402
from jwst_lab.core.crds import SERVERLESS_URL, CrdsService  # noqa: E402

FIXTURES = Path(os.environ.get("JWST_LAB_FIXTURES", REPO.parent / "shared" / "fixtures"))
UNCAL = FIXTURES / "jwst" / "uncal_headers" / "jw01075001001_03105_00009_nrca2_uncal.fits"
CONTEXT, OLD = "jwst_0541.pmap", "jwst_0540.pmap"
WARM_RUNS = 20


def _env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRDS_")}
    env.update(
        CRDS_PATH=str(cache),
        CRDS_SERVER_URL=SERVERLESS_URL,
        CRDS_MODE="local",
        CRDS_OBSERVATORY="jwst",
    )
    return env


def _service(cache: Path, root: Path) -> CrdsService:
    settings = resolve_crds(path=str(cache), server_url="", context="", environ={})
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRDS_")}
    return CrdsService(settings, root_dir=root, base_env=env)


def _timed(func) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def _run(argv: list[str], cache: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        argv, env=_env(cache), check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def main() -> int:
    """Print every figure with its baseline and target."""
    if not UNCAL.exists():
        print(f"fixtures missing: {UNCAL} (see ../shared/fixtures/README.md)")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        shutil.copytree(FIXTURES / "crds-cache", cache)
        root = Path(tmp) / "root"
        root.mkdir()
        shutil.copy(UNCAL, root / UNCAL.name)
        crds_bin = str(Path(sys.executable).parent / "crds")

        # --- tree --------------------------------------------------------------
        library_tree = _run(
            [
                sys.executable,
                "-c",
                "from crds.core import rmap\n"
                f"p = rmap.get_cached_mapping({CONTEXT!r})\n"
                "[len(r.todict()['selections']) for i in p.selections.values() "
                "for r in i.selections.values() if not isinstance(r, str)]",
            ],
            cache,
        )
        service = _service(cache, root)
        try:
            tree_new = _timed(lambda: service.tree(CONTEXT))
            tree_warm = statistics.median(
                _timed(lambda: service.tree(CONTEXT)) for _ in range(WARM_RUNS)
            )
        finally:
            service.close()
        service = _service(cache, root)
        try:
            service._browse.call("ping", {}, 60)  # start the worker only
            tree_worker_warm = _timed(lambda: service.tree(CONTEXT))
            # --- diff (worker started, 0540 not loaded yet) ------------------------
            diff_worker_warm = _timed(lambda: service.diff(OLD, CONTEXT))
        finally:
            service.close()
        service = _service(cache, root)
        try:
            service.status()  # what opening the sidebar does: warms the worker up
            assert service._warming is not None
            service._warming.join(timeout=120)
            tree_after_status = _timed(lambda: service.tree(CONTEXT))
        finally:
            service.close()
        print(
            f"jwst_0541 tree after the sidebar asked for the status (background warm-up): "
            f"{tree_after_status * 1000:.1f} ms"
        )
        print(
            f"jwst_0541 tree cold: {tree_new:.2f} s for a new service (worker start + crds "
            f"import included), {tree_worker_warm:.2f} s with the worker started "
            f"(target <= 1.5 s); baseline crds library in a fresh process {library_tree:.2f} s"
        )
        print(
            f"jwst_0541 tree warm: {tree_warm * 1000:.2f} ms median of {WARM_RUNS} "
            f"(target <= 50 ms); baseline cold {tree_new:.2f} s "
            f"({tree_new / tree_warm:.0f}x)"
        )

        # --- diff cold (new service) ------------------------------------------
        service = _service(cache, root)
        try:
            diff_new = _timed(lambda: service.diff(OLD, CONTEXT))
        finally:
            service.close()
        diff_cli = _run([crds_bin, "diff", OLD, CONTEXT], cache)
        print(
            f"diff {OLD} -> {CONTEXT} cold: {diff_new:.2f} s for a new service, "
            f"{diff_worker_warm:.2f} s with the worker started (target <= 2 s); "
            f"baseline `crds diff` CLI {diff_cli:.2f} s"
        )

        # --- best references --------------------------------------------------
        service = _service(cache, root)
        try:
            first = _timed(lambda: service.bestrefs(path=root / UNCAL.name, display_path="f"))
            warm = statistics.median(
                _timed(lambda: service.bestrefs(path=root / UNCAL.name, display_path="f"))
                for _ in range(WARM_RUNS)
            )
        finally:
            service.close()
        cli = _run(
            [
                crds_bin,
                "bestrefs",
                "--files",
                str(root / UNCAL.name),
                "--new-context",
                CONTEXT,
                "--print-new-references",
            ],
            cache,
        )
        print(
            f"best references, one real NIRCam uncal: warm {warm * 1000:.1f} ms median of "
            f"{WARM_RUNS} (target <= 150 ms), first {first:.2f} s (worker start + jwst import); "
            f"baseline `crds bestrefs` CLI {cli:.2f} s -> {cli / warm:.0f}x faster "
            "(target >= 10x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
