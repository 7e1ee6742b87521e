"""The real JWST pipeline accepts the demo data, offline, with only the demo's CRDS cache.

Each stage runs as ``strun`` in a subprocess whose environment holds just
``CRDS_PATH=<workspace>/crds_cache``, ``CRDS_MODE=local`` and a serverless
``CRDS_SERVER_URL``; no reference or parameter overrides are passed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.demo_fixtures import DemoBuild, StageRun, demo_workspace, run_stage

__all__ = ["demo_workspace"]

pytestmark = pytest.mark.filterwarnings("ignore::Warning")

JUMP_DET = 4
DO_NOT_USE = 1
#: step alias -> meta.cal_step keyword, where they differ.
CAL_STEP = {"dark_current": "dark_sub", "bkg_subtract": "back_sub", "source_catalog": None}


def _step_defs(stage: str) -> list[str]:
    from jwst.pipeline import Detector1Pipeline, Image2Pipeline, Image3Pipeline

    pipelines = {
        "calwebb_detector1": Detector1Pipeline,
        "calwebb_image2": Image2Pipeline,
        "calwebb_image3": Image3Pipeline,
    }
    return list(pipelines[stage].step_defs)


def _cal_steps(path: Path) -> dict[str, str]:
    from stdatamodels.jwst import datamodels

    with datamodels.open(path) as model:
        return dict(model.meta.cal_step.instance)


def _check_steps(stage: str, run: StageRun, outputs: list[Path], build: DemoBuild) -> None:
    """Every step ran and completed, except those the manifest lists as skipping."""
    allowed = set(build.manifest["skipped_steps"][stage])
    ran = set(run.steps_run())
    skipped_by_flag = set(run.steps_skipped())
    recorded: dict[str, str] = {}
    for output in outputs:
        recorded.update(_cal_steps(output))
    skipped_by_step = set()
    for step in _step_defs(stage):
        keyword = CAL_STEP.get(step, step)
        if keyword and recorded.get(keyword) == "SKIPPED":
            skipped_by_step.add(step)
    not_run = {step for step in _step_defs(stage) if step not in ran}
    skipped = skipped_by_flag | skipped_by_step | not_run
    assert skipped <= allowed, f"{stage}: unexpected skips {sorted(skipped - allowed)}"
    for step in set(_step_defs(stage)) - allowed:
        keyword = CAL_STEP.get(step, step)
        if keyword and keyword in recorded:
            assert recorded[keyword] == "COMPLETE", f"{stage}: {step} is {recorded[keyword]}"
    assert f"Step {_pipeline_class(stage)} done" in run.log


def _pipeline_class(stage: str) -> str:
    return {
        "calwebb_detector1": "Detector1Pipeline",
        "calwebb_image2": "Image2Pipeline",
        "calwebb_image3": "Image3Pipeline",
    }[stage]


def _assert_offline_demo_context(run: StageRun, build: DemoBuild, output: Path | None) -> None:
    """The run took its references from the demo cache (under the operational context)."""
    from stdatamodels.jwst import datamodels

    assert f"{build.path}/crds_cache/references/jwst/miri/jwst_miri_" in run.log
    if output is not None:
        with datamodels.open(output) as model:
            used = model.meta.ref_file.crds.context_used
        assert used == build.manifest["operational_context"]


def _copy(build: DemoBuild, relatives: list[str], target: Path) -> list[Path]:
    copies = []
    for relative in relatives:
        copies.append(Path(shutil.copy2(build.file(relative), target)))
    return copies


def test_detector1_turns_an_uncal_into_a_rate_and_flags_the_jumps(
    demo_workspace: DemoBuild, tmp_path: Path
) -> None:
    from astropy.table import Table
    from stdatamodels.jwst import datamodels

    build = demo_workspace
    uncal_rel = build.manifest["files"]["uncal"][1]
    (uncal,) = _copy(build, [uncal_rel], tmp_path)
    run = run_stage("calwebb_detector1", uncal.name, tmp_path, build.path)
    assert run.returncode == 0, run.log[-4000:]
    rate = tmp_path / uncal.name.replace("_uncal", "_rate")
    assert rate.is_file()
    _assert_offline_demo_context(run, build, rate)
    _check_steps("calwebb_detector1", run, [rate], build)

    basename = uncal.name.rsplit("_", 1)[0]
    cosmic = Table.read(build.file(build.manifest["cosmic_ray_catalogs"][basename]))
    flagged = cosmic[cosmic["flagged"]]
    assert len(flagged) >= 100
    with datamodels.open(rate) as pipeline_rate:
        dq = pipeline_rate.dq
        found = (dq[flagged["y"], flagged["x"]] & JUMP_DET) > 0
        assert found.mean() >= 0.95, f"only {found.sum()} of {len(flagged)} jumps flagged"
        # False alarms stay rare: the injected hits and their 4 neighbours make up most flags.
        assert (dq & JUMP_DET).astype(bool).sum() <= 12 * len(cosmic)
        # The generator's rate is what detector1 makes of the same ramps.
        rate_rel = next(r for r in build.manifest["files"]["rate"] if basename in r)
        with datamodels.open(build.file(rate_rel)) as shipped:
            good = np.isfinite(pipeline_rate.data) & np.isfinite(shipped.data)
            good &= ((pipeline_rate.dq | shipped.dq) & (JUMP_DET | DO_NOT_USE)) == 0
            residual = (pipeline_rate.data - shipped.data)[good] / shipped.err[good]
            assert abs(np.median(residual)) < 0.05
            assert np.percentile(np.abs(residual), 99) < 1.0
            bad = (shipped.dq & DO_NOT_USE) > 0
            assert np.all((pipeline_rate.dq[bad] & DO_NOT_USE) > 0)


def test_image2_turns_the_level2_association_into_cal_files(
    demo_workspace: DemoBuild, tmp_path: Path
) -> None:
    from stdatamodels.jwst import datamodels

    build = demo_workspace
    (asn,) = _copy(build, build.manifest["associations"]["image2"], tmp_path)
    _copy(build, build.manifest["files"]["rate"], tmp_path)
    # A Level 2 association runs from its own folder (its members are relative).
    run = run_stage("calwebb_image2", asn.name, tmp_path, build.path)
    assert run.returncode == 0, run.log[-4000:]
    outputs = sorted(tmp_path.glob("*_cal.fits"))
    assert len(outputs) == len(build.manifest["files"]["rate"])
    _assert_offline_demo_context(run, build, outputs[0])
    _check_steps("calwebb_image2", run, outputs, build)
    for output in outputs:
        shipped = build.file(f"cal/{output.name}")
        with datamodels.open(output) as made, datamodels.open(shipped) as ours:
            assert made.meta.bunit_data == "MJy/sr"
            assert made.meta.bunit_err == "MJy/sr"
            assert ours.meta.bunit_data == "MJy/sr"
            both = np.isfinite(made.data) & np.isfinite(ours.data)
            assert np.array_equal(np.isfinite(made.data), np.isfinite(ours.data))
            np.testing.assert_allclose(made.data[both], ours.data[both], rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(made.err[both], ours.err[both], rtol=1e-4)
            for x, y in ((0.0, 0.0), (255.5, 255.5), (511.0, 400.0)):
                np.testing.assert_allclose(made.meta.wcs(x, y), ours.meta.wcs(x, y), atol=1e-9)


def test_image3_on_the_level3_association_recovers_the_injected_stars(
    demo_workspace: DemoBuild, tmp_path: Path
) -> None:
    from jwst_lab.demo.truth import match_catalog, truth_catalog_for

    build = demo_workspace
    (asn,) = _copy(build, build.manifest["associations"]["image3"][:1], tmp_path)
    cals = _copy(build, build.manifest["files"]["cal"], tmp_path)
    run = run_stage("calwebb_image3", asn.name, tmp_path, build.path)
    assert run.returncode == 0, run.log[-4000:]
    assert "PARS-TWEAKREGSTEP parameters found" in run.log
    i2d = sorted(tmp_path.glob("*_i2d.fits"))
    catalogs = sorted(tmp_path.glob("*_cat.ecsv"))
    assert len(i2d) == 1
    assert len(catalogs) == 1
    # Level 3 products do not record the context; the references show where they came from.
    _assert_offline_demo_context(run, build, None)
    crf = sorted(tmp_path.glob("*_crf.fits"))
    assert len(crf) == len(cals)
    _check_steps("calwebb_image3", run, [i2d[0], *crf], build)

    truth = truth_catalog_for(build.path, catalogs[0])
    assert truth == build.file(build.manifest["truth_catalog"])
    result = match_catalog(catalogs[0], truth, radius_arcsec=0.05)
    assert result.limit_njy == build.manifest["completeness_limit_njy"]
    assert result.n_truth >= 50
    assert result.fraction >= 0.90, result.summary()
    assert result.median_separation_arcsec is not None
    assert result.median_separation_arcsec < 0.01, result.summary()
    assert result.median_flux_error is not None
    assert result.median_flux_error < 0.10, f"median flux error {result.median_flux_error:.3f}"
