"""Memory limit, memory estimates and what jobs really use (``jwst_lab.jobs.resources``).

Limits are parsed and cgroups found from fake ``/proc`` files; estimates come
from real FITS headers; measurements are of real processes that allocate,
compute and write, forked ones included; a process is really killed by the
kernel for memory in a cgroup of its own where this machine allows one.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits
from traitlets import TraitError

from jwst_lab.app import JwstLabApp
from jwst_lab.core.associations import AssociationReader
from jwst_lab.errors import Conflict
from jwst_lab.jobs import resources
from jwst_lab.jobs.executors import LocalExecutor
from jwst_lab.jobs.executors.base import LaunchPlan
from jwst_lab.jobs.kinds.base import Ending, KindContext
from jwst_lab.jobs.kinds.pipeline import PipelineKind
from jwst_lab.jobs.planning import Exposure
from jwst_lab.jobs.resources import (
    CgroupMemory,
    PeakSample,
    PeakStore,
    SizeFeatures,
    check_fits_alone,
    estimate_job_memory,
    explain_estimate,
    find_memory_cgroup,
    memory_available,
    merge_resources,
    out_of_memory,
    parse_memory_limit,
    physical_memory,
    read_sampled,
    record_peak,
)

from .jobs_helpers import job_record, make_settings

memory_fits = resources.fits

MIB = 1024 * 1024
GIB = 1024**3


# --- the limit ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (8_000_000_000, 8_000_000_000),
        ("12G", 12 * GIB),
        ("12GiB", 12 * GIB),
        ("800MB", 800_000_000),
        ("1.5g", int(1.5 * GIB)),
        ("4096", 4096),
        ("80%", 800),
        ("100%", 1000),
        (" 25 % ", 250),
    ],
)
def test_memory_limits_are_bytes_sizes_or_shares(value, expected):
    assert parse_memory_limit(value, 1000) == expected


@pytest.mark.parametrize("value", [0, -5, "0%", "120%", "lots", "12 parsecs", "%", "", True])
def test_bad_memory_limits_say_what_is_accepted(value):
    with pytest.raises(ValueError, match="memory_limit"):
        parse_memory_limit(value, 1000)


def test_the_memory_limit_setting_is_checked_at_start_up_and_resolved():
    app = JwstLabApp()
    assert app.memory_limit == "80%"
    with pytest.raises(TraitError, match="not a size"):
        app.memory_limit = "plenty"
    with pytest.raises(TraitError, match="positive"):
        app.memory_limit = 0
    app.memory_limit = "1G"
    assert app.resolved_settings().memory_limit_bytes == GIB
    app.memory_limit = 123_456_789
    assert app.resolved_settings().memory_limit_bytes == 123_456_789
    default = JwstLabApp().resolved_settings().memory_limit_bytes
    assert default == int(memory_available() * 0.8)


def _fake_proc(tmp_path: Path, membership: str, mounts: list[str]) -> tuple[Path, Path]:
    cgroup_file = tmp_path / "cgroup"
    cgroup_file.write_text(membership)
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text("25 1 0:22 / / rw,relatime - ext4 /dev/vda rw\n" + "\n".join(mounts))
    return cgroup_file, mountinfo


def test_a_cgroup_v2_limit_is_the_smallest_on_the_path(tmp_path):
    mount = tmp_path / "sys" / "fs" / "cgroup"
    leaf = mount / "user.slice" / "lab"
    leaf.mkdir(parents=True)
    (mount / "user.slice" / "memory.max").write_text(f"{3 * GIB}\n")
    (leaf / "memory.max").write_text("max\n")
    (leaf / "memory.events").write_text("low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\n")
    cgroup_file, mountinfo = _fake_proc(
        tmp_path,
        "0::/user.slice/lab\n",
        [f"35 25 0:30 / {mount} rw,nosuid - cgroup2 cgroup2 rw,nsdelegate"],
    )
    found = find_memory_cgroup(cgroup_file, mountinfo)
    assert found == (CgroupMemory(leaf, 2), mount)
    assert found[0].limit(mount) == 3 * GIB
    assert found[0].oom_kills() == 2
    assert memory_available(cgroup_file, mountinfo) == min(3 * GIB, physical_memory())
    (leaf / "memory.max").write_text(f"{GIB}\n")
    assert memory_available(cgroup_file, mountinfo) == min(GIB, physical_memory())
    assert (
        parse_memory_limit("50%", memory_available(cgroup_file, mountinfo))
        == min(GIB, physical_memory()) // 2
    )


def test_a_cgroup_v1_memory_hierarchy_and_no_limit(tmp_path):
    mount = tmp_path / "memory"
    leaf = mount / "process_api" / "abc"
    leaf.mkdir(parents=True)
    (leaf / "memory.limit_in_bytes").write_text("9223372036854771712\n")
    (leaf / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 7\n")
    cgroup_file, mountinfo = _fake_proc(
        tmp_path,
        "5:devices:/\n4:memory:/process_api/abc\n3:cpuset:/\n0::/\n",
        [
            f"34 25 0:31 / {tmp_path / 'cpu'} rw,relatime - cgroup cgroup rw,cpu",
            f"35 25 0:32 / {mount} rw,relatime - cgroup cgroup rw,memory",
        ],
    )
    found = find_memory_cgroup(cgroup_file, mountinfo)
    assert found == (CgroupMemory(leaf, 1), mount)
    assert found[0].limit(mount) is None  # "unlimited" is a huge number in v1
    assert found[0].oom_kills() == 7
    assert memory_available(cgroup_file, mountinfo) == physical_memory()
    (leaf / "memory.limit_in_bytes").write_text(f"{2 * GIB}\n")
    assert memory_available(cgroup_file, mountinfo) == min(2 * GIB, physical_memory())


def test_a_namespaced_cgroup_view_and_no_cgroups_at_all(tmp_path):
    mount = tmp_path / "cg"
    mount.mkdir()
    (mount / "memory.max").write_text(f"{GIB}\n")
    # Inside a container the cgroup is shown as "/" (or a path above the mount's root).
    cgroup_file, mountinfo = _fake_proc(
        tmp_path, "0::/\n", [f"40 25 0:40 /docker/x {mount} rw - cgroup2 cgroup2 rw"]
    )
    assert find_memory_cgroup(cgroup_file, mountinfo) == (CgroupMemory(mount, 2), mount)
    assert memory_available(cgroup_file, mountinfo) == min(GIB, physical_memory())
    missing = tmp_path / "absent"
    assert find_memory_cgroup(missing, mountinfo) is None
    assert memory_available(missing, mountinfo) == physical_memory()


# --- admission ---------------------------------------------------------------------------------


def test_a_job_fits_when_the_running_estimates_leave_room():
    assert memory_fits(10 * GIB, [], 50 * GIB)  # nothing running: a forced job runs alone
    assert memory_fits(10 * GIB, [4 * GIB, 3 * GIB], 3 * GIB)
    assert not memory_fits(10 * GIB, [4 * GIB, 3 * GIB], 3 * GIB + 1)
    assert memory_fits(10 * GIB, [None, 9 * GIB], None)


def test_a_job_larger_than_the_limit_alone_is_refused_unless_forced():
    check_fits_alone(2 * GIB, 2 * GIB)
    check_fits_alone(None, 1)
    with pytest.raises(Conflict) as refused:
        check_fits_alone(12_300_000_000, 8_000_000_000, what="this calwebb_image3 job")
    assert refused.value.reason == "insufficient_memory"
    assert refused.value.status == 409
    assert "this calwebb_image3 job needs about 12.3 GB" in refused.value.message
    assert "more than memory_limit (8.0 GB)" in refused.value.message
    assert "c.JwstLabApp.memory_limit" in refused.value.message
    assert "force: true" in refused.value.message
    check_fits_alone(12_300_000_000, 8_000_000_000, force=True)


# --- the estimate ------------------------------------------------------------------------------


def _exposure_file(
    path: Path,
    *,
    instrument: str = "MIRI",
    nints: int = 1,
    ngroups: int = 5,
    shape: tuple[int, ...] = (64, 64),
) -> Path:
    primary = fits.PrimaryHDU()
    primary.header.update(INSTRUME=instrument, NINTS=nints, NGROUPS=ngroups)
    science = fits.ImageHDU(np.zeros(shape, dtype=np.float32), name="SCI")
    path.parent.mkdir(parents=True, exist_ok=True)
    fits.HDUList([primary, science]).writeto(path)
    return path


def _features(**changes) -> SizeFeatures:
    return replace(SizeFeatures("NIRCAM", nints=2, ngroups=8, nrows=2048, ncols=2048), **changes)


@pytest.mark.parametrize(
    "pipeline", ["calwebb_detector1", "calwebb_image2", "calwebb_image3", "calwebb_spec3", "jump"]
)
def test_estimates_grow_with_the_data(pipeline):
    def estimate(*members: SizeFeatures) -> int:
        return estimate_job_memory(pipeline, list(members))

    base = estimate(_features())
    assert base > resources.BASELINE_BYTES
    assert estimate(_features(nrows=4096)) > base
    assert estimate(_features(ncols=4096)) > base
    if pipeline in ("calwebb_detector1", "jump"):
        assert estimate(_features(ngroups=16)) > base
        assert estimate(_features(nints=4)) > base
    if pipeline in ("calwebb_image3", "calwebb_spec3"):
        assert estimate(_features(), _features()) > base
        assert estimate(_features(), _features(), _features()) > estimate(_features(), _features())
        assert estimate(_features(tso=True, nints=50)) > base


def test_a_detector1_estimate_follows_the_physical_model():
    member = _features(nints=3, ngroups=10, nrows=1024, ncols=1032)
    model = resources.physical_model("calwebb_detector1", [member])
    pixels = 1024 * 1032
    assert model.fixed == resources.BASELINE_BYTES
    assert model.variable == pixels * (3 * (10 * 46 + 20) + 90)
    assert model.size_class == "M"  # 1.5 GB of arrays
    assert resources.physical_model("calwebb_detector1", [_features(nrows=64)]).size_class == "S"


def test_an_estimate_from_files_equals_one_from_the_planned_exposures(tmp_path):
    outside, tmp_path = tmp_path, tmp_path / "root"
    members = []
    for index in range(3):
        name = f"jw01_0000{index}_nrca1_cal.fits"
        members.append(_exposure_file(tmp_path / "cal" / name, instrument="NIRCAM", shape=(96, 80)))
    asn = tmp_path / "cal" / "l3_asn.json"
    asn.write_text(
        json.dumps(
            {
                "asn_type": "image3",
                "products": [
                    {
                        "name": "l3",
                        "members": [{"expname": m.name, "exptype": "science"} for m in members[:2]]
                        + [{"expname": "../../outside_cal.fits", "exptype": "science"}],
                    }
                ],
            }
        )
    )
    _exposure_file(outside / "outside_cal.fits", shape=(4000, 4000))
    from_asn = estimate_job_memory("calwebb_image3", asn, root=tmp_path)
    planned = [
        Exposure(
            path=f"cal/{m.name}",
            suffix="cal",
            instrument="NIRCAM",
            exp_type="NRC_IMAGE",
            detector="NRCA1",
            nints=1,
            ngroups=5,
            nrows=96,
            ncols=80,
            size_bytes=m.stat().st_size,
        )
        for m in members[:2]
    ]
    assert from_asn == estimate_job_memory("calwebb_image3", planned)
    # The member outside the root is not read; a third member makes it bigger.
    three = [*planned, replace(planned[0], path="cal/x_cal.fits")]
    assert estimate_job_memory("calwebb_image3", three) > from_asn
    single = estimate_job_memory("calwebb_image2", members[0])
    assert single == estimate_job_memory("calwebb_image2", planned[:1])


def test_a_ramp_file_gives_its_groups_and_integrations(tmp_path):
    uncal = _exposure_file(
        tmp_path / "x_uncal.fits", nints=2, ngroups=7, shape=(2, 7, 32, 48), instrument="nirspec"
    )
    (features,) = resources.input_features(uncal)
    assert features == SizeFeatures("NIRSPEC", 2, 7, 32, 48, tso=False, planes=7)
    rateints = _exposure_file(tmp_path / "x_rateints.fits", nints=4, shape=(4, 32, 48))
    (features,) = resources.input_features(rateints)
    assert features.tso
    assert features.planes == 4


def test_measured_peaks_calibrate_the_estimates_of_their_class(tmp_path):
    store = PeakStore.beside_jobs(tmp_path / "state" / "jobs")
    assert store.path == tmp_path / "state" / "memory_peaks.jsonl"
    member = _features(instrument="MIRI", nrows=1024, ncols=1032, nints=1, ngroups=20)
    physical = estimate_job_memory("calwebb_detector1", [member], store=store)
    assert store.ratio("calwebb_detector1", "MIRI", "M") is None
    for peak_ratio in (1.4, 1.5, 1.6):
        record_peak(store, "calwebb_detector1", [member], int(physical * peak_ratio))
    calibrated = explain_estimate("calwebb_detector1", [member], store=store)
    assert calibrated.ratio == pytest.approx(1.5)
    assert calibrated.bytes == pytest.approx(physical * 1.5, rel=1e-6)
    # Another instrument, pipeline or size class keeps the physical model.
    other = replace(member, instrument="NIRCAM")
    assert estimate_job_memory("calwebb_detector1", [other], store=store) == (
        estimate_job_memory("calwebb_detector1", [other])
    )
    small = replace(member, nrows=64, ncols=64)
    assert estimate_job_memory("calwebb_detector1", [small], store=store) == (
        estimate_job_memory("calwebb_detector1", [small])
    )
    assert estimate_job_memory("calwebb_image2", [member], store=store) == (
        estimate_job_memory("calwebb_image2", [member])
    )
    samples = store.samples()
    assert [s.pipeline for s in samples] == ["calwebb_detector1"] * 3
    assert samples[0].features[0]["ngroups"] == 20


def test_the_peak_store_keeps_the_newest_and_skips_damage(tmp_path, monkeypatch):
    monkeypatch.setattr(resources, "PEAKS_KEPT", 5)
    store = PeakStore(tmp_path / "peaks.jsonl")
    store.path.write_text("not json\n")
    for index in range(8):
        store.add(PeakSample("calwebb_image2", "MIRI", "S", 100, 100 + index))
    samples = store.samples()
    assert [s.peak_rss for s in samples] == [103, 104, 105, 106, 107]


# --- measuring processes -----------------------------------------------------------------------

ALLOCATE = textwrap.dedent(
    """
    import json, os, sys, time
    from jwst_lab.jobs.resources import measure_self
    size, out = int(sys.argv[1]), sys.argv[2]
    block = b"x" * size  # written, so resident
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    with open(out, "wb") as handle:
        handle.write(os.urandom(3_000_000))
        handle.flush()
        os.fsync(handle.fileno())
    time.sleep(float(sys.argv[3]) if len(sys.argv) > 3 else 0)
    print(json.dumps(measure_self()))
    """
)


def _python(*args: str) -> list[str]:
    return [sys.executable, "-c", *args]


def test_a_process_measures_its_peak_cpu_and_writes(tmp_path):
    size = 200 * MIB
    done = subprocess.run(
        _python(ALLOCATE, str(size), str(tmp_path / "out.bin")),
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(done.stdout)
    assert measured["peak_rss_bytes"] >= size
    assert measured["cpu_seconds"] >= 0.3
    assert measured["bytes_written"] >= 3_000_000
    assert measured["wall_seconds"] > 0


def test_children_count_in_the_measurement(tmp_path):
    parent = textwrap.dedent(
        f"""
        import json, subprocess, sys
        from jwst_lab.jobs.resources import measure_self
        subprocess.run([sys.executable, "-c", {ALLOCATE!r}, str(150 * 2**20), sys.argv[1]],
                       check=True, stdout=subprocess.DEVNULL)
        print(json.dumps(measure_self()))
        """
    )
    done = subprocess.run(
        _python(parent, str(tmp_path / "child.bin")), capture_output=True, text=True, check=True
    )
    measured = json.loads(done.stdout)
    assert measured["peak_rss_bytes"] >= 150 * MIB
    assert measured["cpu_seconds"] >= 0.3
    assert measured["bytes_written"] >= 3_000_000


def test_a_forked_child_reports_its_own_peak_not_the_parents(tmp_path):
    script = textwrap.dedent(
        """
        import json, os
        from jwst_lab.jobs.resources import measure_self, reset_peak_rss
        held = b"h" * (120 * 2**20)  # shared with the child, as the warm runner's imports are
        spike = b"s" * (400 * 2**20)
        del spike  # the parent's high-water mark stays above 500 MiB
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            reset_peak_rss()
            own = b"c" * (60 * 2**20)
            os.write(write, json.dumps(measure_self()).encode())
            os._exit(0)
        os.waitpid(pid, 0)
        child = json.loads(os.read(read, 10000))
        status = open("/proc/self/status").read()
        hwm = [int(l.split()[1]) * 1024 for l in status.splitlines() if l.startswith("VmHWM")][0]
        print(json.dumps({"child": child, "parent_hwm": hwm}))
        """
    )
    done = subprocess.run(_python(script), capture_output=True, text=True, check=True)
    answer = json.loads(done.stdout)
    child = answer["child"]
    assert answer["parent_hwm"] >= 500 * MIB
    # Its own 60 MiB and the 120 MiB it shares with the parent, not the parent's 400 MiB spike.
    assert 180 * MIB <= child["peak_rss_bytes"] < 400 * MIB
    assert child["wall_seconds"] > 0


def test_the_executor_samples_a_runner_tree_and_records_it(tmp_path):
    job_dir = tmp_path / "job"
    script = textwrap.dedent(
        f"""
        import subprocess, sys
        subprocess.run([sys.executable, "-c", {ALLOCATE!r}, str(160 * 2**20), sys.argv[1], "1.5"],
                       check=True)
        """
    )
    plan = LaunchPlan(
        job_id="sampled",
        argv=[*_python(script, str(tmp_path / "w.bin"))],
        cwd=tmp_path,
        job_dir=job_dir,
        env=dict(os.environ),
    )

    async def run() -> int | None:
        handle = await LocalExecutor().start(plan)
        return await handle.wait()

    assert asyncio.run(run()) == 0
    sampled = read_sampled(job_dir)
    assert sampled["samples"] >= 2
    # The grandchild's memory, CPU and writes, seen from outside while it ran.
    assert sampled["peak_rss_bytes"] >= 160 * MIB
    assert sampled["cpu_seconds"] > 0
    assert sampled["wall_seconds"] >= 1.5
    merged = merge_resources({}, sampled)
    assert merged is not None
    assert merged["peak_rss_bytes"] == sampled["peak_rss_bytes"]


def test_resources_take_the_larger_of_measured_and_sampled():
    measured = {"peak_rss_bytes": 500, "cpu_seconds": 2.5, "wall_seconds": 3.0, "bytes_written": 9}
    sampled = {"peak_rss_bytes": 700, "cpu_seconds": 2.0, "wall_seconds": 3.2, "samples": 5}
    assert merge_resources(measured, sampled) == {
        "peak_rss_bytes": 700,
        "cpu_seconds": 2.5,
        "wall_seconds": 3.2,
        "bytes_written": 9,
    }
    assert merge_resources({}, {}) is None


# --- out of memory -----------------------------------------------------------------------------


def test_what_counts_as_out_of_memory():
    counted = {"oom_kills_before": 3, "oom_kills_after": 4, "peak_rss_bytes": 10}
    quiet = {"oom_kills_before": 3, "oom_kills_after": 3, "peak_rss_bytes": 10}
    big = 100 * GIB

    def oom(code, sampled, stopped=False, error=None) -> bool:
        return out_of_memory(
            code, stopped=stopped, runner_error=error, sampled=sampled, available=big
        )

    assert oom(137, counted)
    assert not oom(137, quiet)  # someone else's SIGKILL
    assert not oom(137, counted, stopped=True)  # a cancel or a timeout
    assert not oom(1, counted)
    assert oom(1, {}, error="MemoryError: Unable to allocate 80.0 GiB")
    # No readable counter: a peak near the memory this server may use.
    assert oom(137, {"peak_rss_bytes": 60 * GIB})
    assert not oom(137, {"peak_rss_bytes": GIB})


def _writable_memory_cgroup() -> tuple[Path, int] | str:
    """A folder where a child memory cgroup can be made, and its version; or why not."""
    found = find_memory_cgroup()
    if found is None:
        return "no memory cgroup on this machine"
    cgroup = found[0]
    if not os.access(cgroup.path, os.W_OK):
        return f"cannot create a cgroup under {cgroup.path} (needs root or a delegated cgroup)"
    if cgroup.version == 2:
        controllers = (cgroup.path / "cgroup.subtree_control").read_text()
        if "memory" not in controllers.split():
            return f"the memory controller is not enabled for children of {cgroup.path}"
    return cgroup.path, cgroup.version


def test_a_job_killed_by_the_kernel_for_memory_is_out_of_memory(tmp_path):
    """A real kernel OOM kill: a runner in a 96 MiB cgroup allocates until it is killed."""
    where = _writable_memory_cgroup()
    if isinstance(where, str):
        pytest.skip(f"cannot limit a process's memory here: {where}")
    parent, version = where
    cgroup = parent / f"jwst-lab-test-{os.getpid()}"
    try:
        cgroup.mkdir()
        limit_file = "memory.max" if version == 2 else "memory.limit_in_bytes"
        (cgroup / limit_file).write_text(str(96 * MIB))
        if version == 2:
            (cgroup / "memory.swap.max").write_text("0")
    except OSError as error:
        with_reason = f"cannot create a memory cgroup under {parent}: {error}"
        if cgroup.exists():
            cgroup.rmdir()
        pytest.skip(with_reason)
    script = textwrap.dedent(
        """
        import os, sys, time
        with open(sys.argv[1], "w") as procs:
            procs.write(str(os.getpid()))
        time.sleep(1.2)  # the executor samples it in its new cgroup
        blocks = []
        while True:
            blocks.append(b"x" * (4 * 2**20))
            time.sleep(0.01)
        """
    )
    job_dir = tmp_path / "job"
    plan = LaunchPlan(
        job_id="oom",
        argv=_python(script, str(cgroup / "cgroup.procs")),
        cwd=tmp_path,
        job_dir=job_dir,
        env=dict(os.environ),
    )

    async def run() -> int | None:
        handle = await LocalExecutor().start(plan)
        return await asyncio.wait_for(handle.wait(), 120)

    try:
        exit_code = asyncio.run(run())
    finally:
        for _ in range(50):
            try:
                cgroup.rmdir()
                break
            except OSError:
                time.sleep(0.1)
    assert exit_code == 137
    sampled = read_sampled(job_dir)
    assert sampled["oom_kills_after"] > sampled["oom_kills_before"]
    # Sampled every 0.5 s, so the last sample may come before the peak; RSS also counts
    # shared library pages the cgroup does not charge, so it may pass 96 MiB by a few MB.
    assert 0 < sampled["peak_rss_bytes"] <= 160 * MIB
    # The pipeline kind turns that into a failed job with the reason and what to do.
    kind = PipelineKind()
    settings = make_settings(tmp_path, tmp_path / "crds", memory_limit_bytes=8 * GIB)
    ctx = KindContext(
        root=tmp_path,
        settings=settings,
        jobs_dir=tmp_path,
        base_env={},
        catalog=None,  # type: ignore[arg-type]  # not used to finish a failed job
        associations=AssociationReader(tmp_path),
    )
    record = job_record("job", output_dir="out", memory_estimate_bytes=3 * GIB)
    finished = kind.finish(ctx, record, Ending(137, succeeded=False))
    assert finished.record.reason == "out_of_memory"
    assert finished.record.resources is not None
    assert finished.record.resources.peak_rss_bytes == sampled["peak_rss_bytes"]
    assert finished.error is not None
    assert finished.error.startswith("out of memory: ")
    assert "estimated 3.2 GB" in finished.error
    assert "memory_limit is 8.6 GB" in finished.error
    assert "max_concurrent_jobs" in finished.error
    # The same exit after a cancel is no memory problem.
    cancelled = kind.finish(ctx, record, Ending(137, succeeded=False, stopped=True))
    assert cancelled.record.reason is None
    # Nothing is calibrated from a job that did not finish.
    assert not PeakStore.beside_jobs(tmp_path).samples()
