"""What the CRDS browser costs, on a copy of the real JWST CRDS cache (jwst_0541).

Figures (targets from issue 6, 2 cores), each printed with its same-run baseline:

- the whole jwst_0541 tree (6 imaps, 117 rmaps): cold <= 1.5 s, warm <= 50 ms;
  baseline: the crds library loading the same tree in a fresh Python process;
- best references for one real NIRCam uncal header: warm <= 150 ms and >= 10x
  faster than one ``crds bestrefs`` CLI run on the same file and cache;
- the diff jwst_0540 -> jwst_0541: cold <= 2 s; baseline: one ``crds diff`` CLI run.

"Cold" is given twice: a brand-new service (its worker process must start and
import crds), and a started worker that has not loaded the mappings yet.

Reference fetch (issue 15): 32 references of 4 MiB from the loopback CRDS
server (``tests/crds_rpc_server.py``) throttled to 4 MiB/s per connection (a
link whose connections are each limited, as crds issue 1059 saw), into two
copies of the cache: jwst-lab's parallel fetch (``crds_fetch_concurrency`` = 8)
vs the crds client's own ``dump_references`` (one file at a time), each in a
fresh process; target >= 4x. ``--fetch`` runs only this figure.
"""

from __future__ import annotations

import hashlib
import json
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
from tests.crds_rpc_server import crds_rpc_server, synthetic_body  # noqa: E402

FIXTURES = Path(os.environ.get("JWST_LAB_FIXTURES", REPO.parent / "shared" / "fixtures"))
UNCAL = FIXTURES / "jwst" / "uncal_headers" / "jw01075001001_03105_00009_nrca2_uncal.fits"
CONTEXT, OLD = "jwst_0541.pmap", "jwst_0540.pmap"
WARM_RUNS = 20
FETCH_FILES = 32
FETCH_SIZE = 4 * 1024 * 1024
FETCH_RATE = 4 * 1024 * 1024  # bytes per second per connection
FETCH_CONCURRENCY = 8

#: The crds client's own fetch: FileCacher, one reference after the other.
CRDS_CLIENT_FETCH = """
import json, sys, time
from crds.client import api
started = time.perf_counter()
api.dump_references(sys.argv[1], baserefs=json.loads(sys.argv[2]))
print(time.perf_counter() - started)
"""

#: jwst-lab's fetch (what a crds_fetch job runs once it knows the references).
JWST_LAB_FETCH = """
import json, sys, time
from crds.core import config
from jwst_lab.jobs.crds_fetch_runner import fetch_references, server_files
started = time.perf_counter()
todo, unknown = server_files(json.loads(sys.argv[2]))
assert not unknown, unknown
report = fetch_references(
    todo, int(sys.argv[3]), timeout=float(config.get_client_timeout_seconds())
)
assert not report.failed, report.failed
print(time.perf_counter() - started)
"""


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


def _fetch_in_child(code: str, cache: Path, server_url: str, *args: str) -> tuple[float, float]:
    """Seconds of the child process in all, and of its fetch alone (after imports)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRDS_")}
    env.update(
        CRDS_PATH=str(cache),
        CRDS_SERVER_URL=server_url,
        CRDS_MODE="remote",
        CRDS_OBSERVATORY="jwst",
        PYTHONPATH=str(REPO),
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, CONTEXT, *args],
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"the fetch failed: {done.stderr[-2000:]}")
    return seconds, float(done.stdout.strip().splitlines()[-1])


def _cache_digests(cache: Path, names: list[str]) -> dict[str, str]:
    folder = cache / "references" / "jwst" / "nircam"
    return {name: _sha1((folder / name).read_bytes()) for name in names}


def _sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()  # noqa: S324 - CRDS identifies files by sha1


def bench_fetch() -> None:
    """32 throttled references: jwst-lab's parallel fetch vs the crds client (same run)."""
    names = [f"jwst_nircam_dark_{8100 + i:04d}.fits" for i in range(FETCH_FILES)]
    with tempfile.TemporaryDirectory() as tmp, crds_rpc_server() as server:
        for name in names:
            server.add_reference(name, synthetic_body(name, FETCH_SIZE))
        server.throttle_bps = FETCH_RATE
        ours_cache, crds_cache = Path(tmp) / "ours", Path(tmp) / "crds"
        shutil.copytree(FIXTURES / "crds-cache", ours_cache)
        shutil.copytree(FIXTURES / "crds-cache", crds_cache)
        load_before = os.getloadavg()
        ours, ours_fetch = _fetch_in_child(
            JWST_LAB_FETCH, ours_cache, server.url, json.dumps(names), str(FETCH_CONCURRENCY)
        )
        parallel = server.max_in_flight
        connections = len(server.file_connections)
        server.max_in_flight = 0
        crds, crds_fetch = _fetch_in_child(
            CRDS_CLIENT_FETCH, crds_cache, server.url, json.dumps(names)
        )
        load_after = os.getloadavg()
        expected = {n: _sha1(synthetic_body(n, FETCH_SIZE)) for n in names}
        assert _cache_digests(ours_cache, names) == expected
        assert _cache_digests(crds_cache, names) == expected
    total = FETCH_FILES * FETCH_SIZE / 1024**2
    print(
        f"reference fetch, {FETCH_FILES} x {FETCH_SIZE // 1024**2} MiB at "
        f"{FETCH_RATE // 1024**2} MiB/s per connection: jwst-lab {ours:.1f} s "
        f"({total / ours:.1f} MiB/s, {parallel} in flight, {connections} connections) vs "
        f"crds client dump_references {crds:.1f} s ({total / crds:.1f} MiB/s) -> "
        f"{crds / ours:.1f}x faster (target >= 4x; the fetches alone, after imports: "
        f"{ours_fetch:.1f} s vs {crds_fetch:.1f} s, {crds_fetch / ours_fetch:.1f}x); load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after (1 min, 2 cores)"
    )


def main() -> int:
    """Print every figure with its baseline and target."""
    if not (FIXTURES / "crds-cache").exists():
        print(f"fixtures missing: {FIXTURES} (see ../shared/fixtures/README.md)")
        return 1
    if "--fetch" in sys.argv[1:]:
        bench_fetch()
        return 0
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
    bench_fetch()
    return 0


if __name__ == "__main__":
    sys.exit(main())
