"""``jwst-lab demo --exposures N``: programs of other sizes than the default 4-point dither.

Each size is built once per module by the real command; the checks read the
files it wrote (FITS headers, associations, archive) rather than trusting the
manifest alone.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from tests.demo_fixtures import SEED, DemoBuild, demo_workspace, run_demo

__all__ = ["demo_workspace"]

pytestmark = pytest.mark.filterwarnings("ignore::Warning")

SIZES = (1, 6)
_BUILT: dict[int, DemoBuild] = {}


@pytest.fixture(scope="module", params=SIZES, ids=[f"exposures={n}" for n in SIZES])
def program(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    """A workspace built by ``jwst-lab demo --no-launch --exposures N``."""
    n = int(request.param)
    if n not in _BUILT:
        workspace = tmp_path_factory.mktemp(f"demo{n}") / "ws"
        started = time.monotonic()
        result = run_demo("--no-launch", "--workspace", str(workspace), "--exposures", str(n))
        assert result.returncode == 0, result.stderr[-3000:]
        manifest = json.loads((workspace / "jwst_lab_demo.json").read_text())
        _BUILT[n] = DemoBuild(
            workspace,
            manifest,
            time.monotonic() - started,
            result.stdout,
            result.stderr,
            extra={"n": n},
        )
    return _BUILT[n]


def _headers(path: Path) -> dict:
    from astropy.io import fits

    with fits.open(path) as hdus:
        return dict(hdus[0].header)


# --- the command line -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "65", "-3", "four", "2.5"])
def test_exposures_outside_the_bounds_are_usage_errors(value: str, tmp_path: Path) -> None:
    result = run_demo("--no-launch", "--workspace", str(tmp_path / "ws"), "--exposures", value)
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert "--exposures" in result.stderr
    assert "between 1 and 64" in result.stderr or "whole number" in result.stderr
    assert not (tmp_path / "ws").exists()


def test_ensure_workspace_refuses_a_size_out_of_bounds(tmp_path: Path) -> None:
    from jwst_lab.demo.workspace import WorkspaceError, ensure_workspace

    for n in (0, 65):
        with pytest.raises(WorkspaceError, match="1 to 64 exposures"):
            ensure_workspace(tmp_path / "ws", exposures=n)
    assert not (tmp_path / "ws").exists()


def test_dither_positions_are_distinct_and_longer_programs_extend_shorter_ones() -> None:
    from jwst_lab.demo import instrument as inst

    longest = inst.dither_offsets(inst.MAX_EXPOSURES)
    assert len(set(longest)) == inst.MAX_EXPOSURES
    assert inst.dither_offsets(4) == inst.DITHER_OFFSETS
    for n in (1, 5, 16, 33):
        assert inst.dither_offsets(n) == longest[:n]
    radii = np.hypot(*np.array(longest).T)
    assert radii.max() <= inst.SPIRAL_RADII_ARCSEC[1] + 1e-3  # offsets are rounded to 1 mas
    # Positions are not a pixel-aligned grid: sub-pixel phases differ.
    phases = {
        (round(x / inst.PIXEL_SCALE % 1, 2), round(y / inst.PIXEL_SCALE % 1, 2)) for x, y in longest
    }
    assert len(phases) > inst.MAX_EXPOSURES // 2
    with pytest.raises(ValueError, match="1 to 64 exposures, not 0"):
        inst.dither_offsets(0)
    with pytest.raises(ValueError, match="1 to 64 exposures, not 65"):
        inst.dither_offsets(inst.MAX_EXPOSURES + 1)


# --- what a program of N exposures holds ----------------------------------------------------


def test_every_level_holds_n_exposures_with_distinct_ids_and_a_cadence(program: DemoBuild) -> None:
    build = program
    n = build.extra["n"]
    assert build.manifest["n_exposures"] == n
    assert f"({n} exposures)" in build.stdout
    if n != 4:
        assert f"--exposures {n}" in build.stdout  # the launch hint keeps the size
    for level in ("uncal", "rate", "cal"):
        names = sorted(p.name for p in (build.path / level).glob(f"*_{level}.fits"))
        assert len(names) == n, level
        assert names == sorted(Path(f).name for f in build.manifest["files"][level])
    starts = []
    for index, relative in enumerate(build.manifest["files"]["uncal"], start=1):
        header = _headers(build.file(relative))
        assert header["SYNTHETC"] is True
        assert header["EXPOSURE"] == str(index)
        assert header["PATT_NUM"] == index
        assert header["NUMDTHPT"] == n
        assert header["PATTTYPE"] == ("NONE" if n == 1 else "CYCLING")
        assert f"_{index:05d}_mirimage_uncal" in relative
        starts.append(header["EXPSTART"])
    assert np.all(np.diff(starts) > 0)  # one exposure after another
    if n > 1:
        assert (
            len(
                {
                    round(_headers(build.file(r))["EXPSTART"], 9)
                    for r in build.manifest["files"]["cal"]
                }
            )
            == n
        )
    ids = {_headers(build.file(r))["EXPOSURE"] for r in build.manifest["files"]["rate"]}
    assert len(ids) == n


def test_the_associations_have_n_members(program: DemoBuild) -> None:
    build = program
    n = build.extra["n"]
    (image2,) = build.manifest["associations"]["image2"]
    level2 = json.loads(build.file(image2).read_text())
    assert len(level2["products"]) == n
    for product in level2["products"]:
        (member,) = product["members"]
        assert (build.file(image2).parent / member["expname"]).is_file()
    (image3,) = build.manifest["associations"]["image3"]
    level3 = json.loads(build.file(image3).read_text())
    members = [m["expname"] for m in level3["products"][0]["members"]]
    assert members == [Path(f).name for f in build.manifest["files"]["cal"]]
    assert len(members) == n


def test_jwst_association_rules_group_the_n_exposures_into_one_image3(program: DemoBuild) -> None:
    """What a run's planner sees: jwst's pool and Level 3 rules make one N-member image3."""
    from jwst.associations import AssociationRegistry, generate
    from jwst.associations.mkpool import mkpool

    build = program
    n = build.extra["n"]
    pool = mkpool(sorted(str(build.file(f)) for f in build.manifest["files"]["uncal"]))
    assert len(pool) == n
    assert len(set(pool["exposure"])) == n
    image3 = [a for a in generate(pool, AssociationRegistry()) if a["asn_type"] == "image3"]
    assert len(image3) == 1
    assert len(image3[0]["products"][0]["members"]) == n


def test_the_stars_fall_inside_every_exposure(program: DemoBuild) -> None:
    """Through each cal file's own WCS, every truth star is well inside the subarray."""
    import astropy.units as u
    from astropy.table import QTable
    from stdatamodels.jwst import datamodels

    from jwst_lab.demo import instrument as inst

    build = program
    truth = QTable.read(build.file(build.manifest["truth_catalog"]))
    assert len(truth) == build.manifest["n_stars"]
    ra = truth["ra"].to_value(u.deg)
    dec = truth["dec"].to_value(u.deg)
    # The headers' pointing is off by at most MAX_POINTING_ERROR from the truth.
    margin = inst.STAR_EDGE_MARGIN_PIX - inst.MAX_POINTING_ERROR / inst.PIXEL_SCALE - 1.0
    for relative in build.manifest["files"]["cal"]:
        with datamodels.open(build.file(relative)) as model:
            x, y = model.meta.wcs.invert(ra, dec, with_bounding_box=False)
        size = inst.SUBARRAY_SIZE - 1
        assert np.all((x > margin) & (x < size - margin)), relative
        assert np.all((y > margin) & (y < size - margin)), relative


def test_the_archive_and_readme_describe_the_program(program: DemoBuild) -> None:
    from jwst_lab.core.jwst_filenames import obs_id_from_name
    from jwst_lab.core.mast_vocabulary import JWST_COLLECTION

    build = program
    n = build.extra["n"]
    archive = build.path / build.manifest["archive_dir"] / JWST_COLLECTION
    exposure_folders = {obs_id_from_name(f) for f in build.manifest["files"]["uncal"]}
    assert len(exposure_folders) == n
    for folder in exposure_folders:
        assert len(list((archive / folder).glob("*.fits"))) == 3
    assert "Indexed the demo archive: " + str(n + 1) + " observations" in build.stdout
    readme = (build.path / "README.md").read_text()
    assert f"`uncal/`: {n} raw ramps" in readme
    assert f"--exposures {n}" in readme
    assert ("single pointing" in readme) == (n == 1)


# --- reuse ----------------------------------------------------------------------------------


def test_the_exposure_count_is_part_of_the_reuse_check(
    program: DemoBuild, demo_workspace: DemoBuild
) -> None:
    from jwst_lab.demo.workspace import check_workspace

    n = program.extra["n"]
    assert check_workspace(program.path, SEED, n) == (True, "complete and current")
    current, reason = check_workspace(program.path, SEED, 4)
    assert current is False
    assert f"made with {n} exposures, asked for 4" == reason
    assert check_workspace(demo_workspace.path, SEED, n)[0] is False
    result = run_demo("--no-launch", "--workspace", str(program.path), "--exposures", str(n))
    assert result.returncode == 0, result.stderr
    assert "Reusing the demo workspace" in result.stdout


def test_a_manifest_from_before_exposures_is_the_default_program(
    demo_workspace: DemoBuild, tmp_path: Path
) -> None:
    """Workspaces made before ``--exposures`` (no ``n_exposures``) stay valid 4-exposure ones."""
    from jwst_lab.demo.workspace import MANIFEST_NAME, check_workspace

    copy = tmp_path / "ws"
    shutil.copytree(demo_workspace.path, copy, copy_function=os.link)
    manifest = json.loads((copy / MANIFEST_NAME).read_text())
    assert manifest.pop("n_exposures") == 4
    (copy / MANIFEST_NAME).unlink()  # a hard link: never write through to the session's
    (copy / MANIFEST_NAME).write_text(json.dumps(manifest))
    assert check_workspace(copy, SEED) == (True, "complete and current")
    assert check_workspace(copy, SEED, 6)[0] is False
