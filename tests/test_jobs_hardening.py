"""Pipeline jobs end, whatever their outputs look like; requests that would fail are refused.

Real runner subprocesses run ``group_scale`` on a tiny ramp (about 8 s each,
mostly importing jwst); everything else is checked before any runner starts.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from jwst_lab.errors import BadRequest, Conflict
from jwst_lab.jobs import outputs as outputs_module
from jwst_lab.jobs import runfiles
from jwst_lab.jobs.outputs import list_outputs

from .jobs_helpers import make_manager, make_settings, place_uncal, wait_status


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    return root


@pytest.fixture
def outside(tmp_path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.fits").write_bytes(b"do not touch")
    return folder


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``folder``: size and sha256 (what must not change)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found[path.relative_to(folder).as_posix()] = (
                path.stat().st_size,
                hashlib.sha256(path.read_bytes()).hexdigest(),
            )
    return found


# --- the output listing ------------------------------------------------------------


def test_the_output_listing_never_follows_links_and_never_raises(root, outside):
    out = root / "obs" / "out"
    (out / "sub").mkdir(parents=True)
    (out / "a_i2d.fits").write_bytes(b"x")
    (out / "sub" / "b_crf.fits").write_bytes(b"y")
    (out / ".asdf_tmp1234").write_bytes(b"t")
    (out / "c_cal.fits.part").write_bytes(b"p")
    (out / "to_outside_file.fits").symlink_to(outside / "secret.fits")
    (out / "to_outside_dir").symlink_to(outside)
    (out / "broken").symlink_to(root / "nothing")
    (out / "loop").symlink_to(out / "loop")
    os.mkfifo(out / "pipe")
    listing = list_outputs(root, "obs/out")
    assert listing.files == ["obs/out/a_i2d.fits", "obs/out/sub/b_crf.fits"]
    assert sorted(p.name for p in listing.temporaries) == [".asdf_tmp1234", "c_cal.fits.part"]
    joined = "\n".join(listing.warnings)
    for name in ("to_outside_file.fits", "to_outside_dir", "broken", "loop"):
        assert f"obs/out/{name} is a symbolic link" in joined
    assert "outside the server root" in joined
    # The output folder itself a link, or gone: nothing listed, nothing raised.
    (root / "obs" / "out2").symlink_to(outside)
    assert list_outputs(root, "obs/out2").files == []
    assert "not a folder" in list_outputs(root, "obs/out2").warnings[0]
    assert list_outputs(root, "obs/none").files == []


# --- jobs that end whatever their outputs look like -------------------------------


async def test_a_link_out_of_the_output_folder_does_not_stall_the_queue(
    root, outside, crds_cache, catalog_cache_dir, tiny_uncal_template
):
    place_uncal(tiny_uncal_template, root, "obs/a_uncal.fits")
    before = snapshot(outside)
    manager = make_manager(
        make_settings(root, crds_cache, max_concurrent_jobs=1), catalog_cache_dir
    )
    await manager.start()
    try:
        first = await manager.create({"pipeline": "group_scale", "input": "obs/a_uncal.fits"})
        second = await manager.create({"pipeline": "group_scale", "input": "obs/a_uncal.fits"})
        out = root / first["output_dir"]
        out.mkdir(parents=True, exist_ok=True)
        (out / "escape").symlink_to(outside)
        (out / "escape_file.fits").symlink_to(outside / "secret.fits")
        ended = await wait_status(manager, first["id"], timeout=90)
        assert ended["status"] == "succeeded", ended["error"]
        assert not any("escape" in path for path in ended["outputs"])
        assert any("escape is a symbolic link" in w for w in ended["warnings"])
        # The queue moved: the second job ran after the first ended.
        later = await wait_status(manager, second["id"], timeout=90)
        assert later["status"] == "succeeded", later["error"]
        assert later["started"] >= ended["finished"]
    finally:
        await manager.stop()
    assert snapshot(outside) == before


async def test_a_job_ends_even_when_recording_its_results_fails(
    root, crds_cache, catalog_cache_dir, tiny_uncal_template, monkeypatch
):
    place_uncal(tiny_uncal_template, root, "obs/a_uncal.fits")

    def broken_listing(root: Path, output_dir: str) -> Any:
        raise OSError(36, "File name too long", output_dir)

    monkeypatch.setattr("jwst_lab.jobs.kinds.pipeline.list_outputs", broken_listing)
    manager = make_manager(make_settings(root, crds_cache), catalog_cache_dir)
    await manager.start()
    try:
        job = await manager.create({"pipeline": "group_scale", "input": "obs/a_uncal.fits"})
        ended = await wait_status(manager, job["id"], timeout=90)
        assert ended["status"] == "failed"
        assert "could not record its results" in ended["error"]
        assert "File name too long" in ended["error"]
        # The list and the queue still work.
        page = await manager.list_jobs()
        assert [j["id"] for j in page["jobs"]] == [job["id"]]
    finally:
        await manager.stop()


async def test_after_a_restart_a_lost_job_with_a_hostile_output_folder_is_finished(
    root, outside, crds_cache, catalog_cache_dir, tiny_uncal_template
):
    place_uncal(tiny_uncal_template, root, "obs/a_uncal.fits")
    settings = make_settings(root, crds_cache)
    first = make_manager(settings, catalog_cache_dir)
    await first.start()
    job = await first.create({"pipeline": "group_scale", "input": "obs/a_uncal.fits"})
    await wait_status(first, job["id"], {"running"})
    deadline = time.monotonic() + 60
    while (recorded := runfiles.read_pid(first.job_dir(job["id"]))) is None:
        assert time.monotonic() < deadline, "the runner never recorded its pid"
        time.sleep(0.05)
    await first.stop()
    os.kill(recorded.pid, 9)
    out = root / job["output_dir"]
    out.mkdir(parents=True, exist_ok=True)
    (out / "escape").symlink_to(outside)
    (out / ("x" * 200)).mkdir()
    second = make_manager(settings, catalog_cache_dir)
    await second.start()
    try:
        ended = await wait_status(second, job["id"], timeout=30)
        assert ended["status"] in ("interrupted", "failed")
        page = await second.list_jobs()
        assert page["total"] == 1
        assert page["jobs"][0]["status"] == ended["status"]
    finally:
        await second.stop()


# --- requests refused before any job ----------------------------------------------


def _image3_asn(product: str, member: str) -> str:
    """A schema-valid Level 3 association with one product and one member."""
    return json.dumps(
        {
            "asn_type": "image3",
            "asn_rule": "x",
            "asn_id": "a",
            "asn_pool": "p",
            "program": "1",
            "target": "t",
            "version_id": None,
            "code_version": "1",
            "degraded_status": "none",
            "constraints": "none",
            "products": [{"name": product, "members": [{"expname": member, "exptype": "science"}]}],
        }
    )


async def test_requests_that_would_fail_later_are_refused_up_front(
    root, crds_cache, catalog_cache_dir, tiny_uncal_template
):
    place_uncal(tiny_uncal_template, root, "obs/a_uncal.fits")
    (root / "README.md").write_text("# notes\n")
    (root / "obs" / "m_image3_asn.json").write_text(_image3_asn("mosaic", "a_uncal.fits"))
    manager = make_manager(make_settings(root, crds_cache), catalog_cache_dir)
    await manager.start()
    cases = [
        ({"pipeline": "calwebb_detector1", "input": "obs/m_image3_asn.json"}, "not associations"),
        ({"pipeline": "calwebb_image3", "input": "README.md"}, "takes image3 associations"),
        ({"pipeline": "calwebb_image2", "input": "obs/a_uncal.fits"}, "_rate.fits"),
        ({"pipeline": "group_scale", "input": "README.md"}, "FITS or ASDF"),
        ({"pipeline": "group_scale", "input": "obs"}, "is a folder"),
        (
            {
                "pipeline": "calwebb_image3",
                "input": "obs/m_image3_asn.json",
                "steps": {"resample": {"output_shape": [100000000, 100000000]}},
            },
            "of memory",
        ),
        (
            {"pipeline": "group_scale", "input": "obs/a_uncal.fits", "output_dir": "o$HOME"},
            r"uses '\$'",
        ),
    ]
    try:
        for body, message in cases:
            with pytest.raises(BadRequest, match=message):
                await manager.create(body)
        assert (await manager.list_jobs())["total"] == 0
    finally:
        await manager.stop()


@pytest.mark.parametrize(
    ("member", "product"),
    [
        ("../outside_cal.fits", "mosaic"),
        ("/etc/passwd", "mosaic"),
        ("$HOME/x_cal.fits", "mosaic"),
        ("link/x_cal.fits", "mosaic"),
        ("a_cal.fits", "../../escaped"),
        ("a_cal.fits", "sub/name"),
        ("a_cal.fits", "$HOME"),
    ],
)
async def test_association_members_and_product_names_stay_in_the_root(
    root, outside, crds_cache, catalog_cache_dir, member, product
):
    (root / "obs").mkdir()
    (root / "obs" / "a_cal.fits").write_bytes(b"x")
    (outside / "x_cal.fits").write_bytes(b"x")
    (root / "obs" / "link").symlink_to(outside)
    (root / "obs" / "m_image3_asn.json").write_text(_image3_asn(product, member))
    manager = make_manager(make_settings(root, crds_cache), catalog_cache_dir)
    await manager.start()
    try:
        with pytest.raises(BadRequest) as caught:
            await manager.create({"pipeline": "calwebb_image3", "input": "obs/m_image3_asn.json"})
        assert caught.value.field in ("input", "path")
        assert (await manager.list_jobs())["total"] == 0
    finally:
        await manager.stop()


async def test_jobs_are_refused_while_the_crds_cache_is_unusable(
    root, tmp_path, catalog_cache_dir, tiny_uncal_template
):
    place_uncal(tiny_uncal_template, root, "obs/a_uncal.fits")
    broken = tmp_path / "empty_cache"
    broken.mkdir()
    settings = make_settings(root, broken)
    problem = f"The CRDS cache {broken} has no config/jwst/server_config"
    manager = make_manager(settings, catalog_cache_dir, crds_problem=lambda: problem)
    await manager.start()
    try:
        with pytest.raises(
            Conflict, match="CRDS has no server and its cache is unusable"
        ) as caught:
            await manager.create({"pipeline": "group_scale", "input": "obs/a_uncal.fits"})
        assert caught.value.reason == "crds_unusable"
        assert problem in caught.value.message
    finally:
        await manager.stop()


# --- the runner refuses hooks from any source -------------------------------------


def test_the_runner_refuses_hooks_set_by_a_parameter_file(
    root, outside, crds_cache, tiny_uncal_template, tmp_path
):
    import asdf

    place_uncal(tiny_uncal_template, root, "obs/a_uncal.fits")
    marker = outside / "hooked"
    config = root / "obs" / "group_scale_pars.asdf"
    asdf.AsdfFile(
        {
            "class": "jwst.group_scale.group_scale_step.GroupScaleStep",
            "name": "group_scale",
            "parameters": {"pre_hooks": [f"touch {marker}"], "post_hooks": [f"touch {marker}"]},
        }
    ).write_to(config)
    job_dir = tmp_path / "job"
    job_dir.mkdir()
    out = root / "obs" / "out"
    out.mkdir()
    spec = {
        "job_id": "hooks",
        "job_dir": str(job_dir),
        "root": str(root),
        "arguments": [str(config), str(root / "obs" / "a_uncal.fits"), f"--output_dir={out}"],
        "param_file": str(out / "params.asdf"),
        "result_file": str(job_dir / "result.json"),
    }
    (job_dir / "job.json").write_text(json.dumps(spec))
    env = {
        **os.environ,
        "CRDS_PATH": str(crds_cache),
        "CRDS_SERVER_URL": "https://jwst-serverless-mode.stsci.edu",
        "CRDS_CONTEXT": "jwst_0541.pmap",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "jwst_lab.jobs.runner", str(job_dir / "job.json")],
        cwd=root / "obs",
        env=env,
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert completed.returncode != 0
    result = json.loads((job_dir / "result.json").read_text())
    assert "does not run step hooks" in result["error"]
    assert not marker.exists()


# --- a full disk -------------------------------------------------------------------


@pytest.fixture
def small_disk(root):
    """A 64 kB tmpfs mounted at ``root/small`` (CI runs as root), unmounted afterwards."""
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    folder = root / "small"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"mount refused here: {mounted.stderr.decode().strip()}")
    yield folder
    for _ in range(50):
        if subprocess.run(["umount", str(folder)], check=False).returncode == 0:
            break
        time.sleep(0.1)


async def test_a_job_that_fills_the_disk_says_so_and_presents_no_partial_output(
    root, small_disk, crds_cache, catalog_cache_dir, tiny_uncal_template
):
    place_uncal(tiny_uncal_template, root, "obs/a_uncal.fits")
    # Leave less room than group_scale's output needs.
    filler = small_disk / "filler.bin"
    filler.write_bytes(b"\0" * (40 * 1024))
    manager = make_manager(make_settings(root, crds_cache), catalog_cache_dir)
    await manager.start()
    try:
        job = await manager.create(
            {"pipeline": "group_scale", "input": "obs/a_uncal.fits", "output_dir": "small/out"}
        )
        ended = await wait_status(manager, job["id"], timeout=120)
    finally:
        await manager.stop()
    assert ended["status"] == "failed"
    assert ended["error"].startswith("disk full: no space left in small/out (")
    assert " free)" in ended["error"].splitlines()[0]
    assert ended["outputs"] == []
    leftovers = [p.name for p in (small_disk / "out").iterdir()]
    assert all(not outputs_module.TEMPORARY.search(name) for name in leftovers), leftovers
    assert sorted(Path(p).name for p in ended["partial_outputs"]) == sorted(leftovers)
