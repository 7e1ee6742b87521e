"""The run dialog's server side: effective parameters (CRDS ``pars-*``), applicable
pipelines by EXP_TYPE, parameter files in and out, and a ``strun`` line that runs.

The demo workspace's CRDS cache holds a ``pars-tweakregstep`` reference that
sets ``enforce_user_order = True`` (the code default is False): the dialog
must show what a job will really run with.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import asdf
import pytest

from jwst_lab.core.exp_types import (
    applicable_pipelines,
    header_exp_type,
    installed_table,
    parse_table,
)
from jwst_lab.core.pipeline import effective_parameters
from tests.api_helpers import call_api
from tests.demo_fixtures import (
    STRUN,
    crds_env,
    demo_workspace,
    fixture_path,
    jp_root_dir,
    jwst_lab_config,
    seeded_catalog,
    workspace,
)

__all__ = ["demo_workspace", "jp_root_dir", "jwst_lab_config", "seeded_catalog", "workspace"]

IMAGE3_ASN = "cal/jw09999-o001_20250401t130000_image3_00001_asn.json"
UNCAL = "uncal/jw09999001001_02101_00001_mirimage_uncal.fits"
RATE = "rate/jw09999001001_02101_00001_mirimage_rate.fits"
TWEAKREG_PARS = "jwst_miri_pars-tweakregstep_9000.asdf"


# --- the EXP_TYPE table -------------------------------------------------------------------


def test_the_installed_crdscfg_table_maps_exp_types_to_pipelines():
    table = installed_table()
    assert table is not None
    assert table.source.startswith("jwst_system_crdscfg_b")
    assert table.pipelines["MIR_IMAGE"] == ("calwebb_detector1", "calwebb_image2")
    assert table.pipelines["MIR_MRS"] == ("calwebb_detector1", "calwebb_spec2")
    assert table.pipelines["FGS_ACQ1"] == ("calwebb_guider",)
    assert table.pipelines["MIR_DARKIMG"] == ("calwebb_dark",)


def test_the_shared_crdscfg_fixture_parses_like_the_installed_one():
    text = fixture_path("crds-reftypes", "jwst_system_crdscfg_b7.8.yaml").read_text()
    table = parse_table(text, "jwst_system_crdscfg_b7.8.yaml")
    assert table.pipelines["NRC_CORON"] == ("calwebb_detector1", "calwebb_image2")
    assert table.pipelines["NRS_MSASPEC"] == ("calwebb_detector1", "calwebb_spec2")
    with pytest.raises(ValueError, match="exptypes_to_pipelines"):
        parse_table("meta: {}\n", "broken.yaml")


def test_a_miri_imaging_uncal_is_offered_detector1_only_not_dark_or_guider():
    table = installed_table()
    level1 = ["calwebb_dark", "calwebb_detector1", "calwebb_guider"]
    kept, reason = applicable_pipelines("MIR_IMAGE", level1, table)
    assert kept == ["calwebb_detector1"]
    assert "MIR_IMAGE" in reason
    kept, _ = applicable_pipelines("MIR_IMAGE", ["calwebb_image2", "calwebb_spec2"], table)
    assert kept == ["calwebb_image2"]
    kept, _ = applicable_pipelines("MIR_LRS-FIXEDSLIT", ["calwebb_image2", "calwebb_spec2"], table)
    assert kept == ["calwebb_spec2"]
    # Unknown or missing EXP_TYPE: nothing is hidden, and the reason says why.
    kept, reason = applicable_pipelines("XYZ_NEW", level1, table)
    assert kept == level1
    assert "not in" in reason
    assert applicable_pipelines(None, level1, table)[0] == level1


def test_real_flight_headers_give_their_exp_type():
    path = fixture_path("jwst", "uncal_headers", "jw01075001001_03105_00009_nrca2_uncal.fits")
    assert header_exp_type(path) == "NRC_CORON"
    kept, _ = applicable_pipelines(
        header_exp_type(path),
        ["calwebb_dark", "calwebb_detector1", "calwebb_guider"],
        installed_table(),
    )
    assert kept == ["calwebb_detector1"]


# --- merging defaults and references --------------------------------------------------------


def _spec(step_params):
    return {
        "alias": "calwebb_x",
        "class_name": "x.X",
        "params": {},
        "step_specs": [
            {"alias": step, "class_name": f"x.{step}", "params": params}
            for step, params in step_params.items()
        ],
    }


def test_a_pipeline_reference_wins_over_a_step_reference_like_stpipe():
    spec = _spec({"a": {"p": {"default": 1}, "q": {"default": "x"}}, "b": {"r": {"default": 0}}})
    pars = {
        "context": "jwst_9001.pmap",
        "pipeline": {"reference": "pipe.asdf", "steps": {"a": {"q": "from-pipeline"}}},
        "steps": {
            "a": {"reftype": "pars-a", "reference": "a.asdf", "parameters": {"p": 5, "q": "y"}},
            "b": {"reftype": "pars-b", "reference": None, "parameters": {}},
        },
    }
    merged = effective_parameters(spec, pars)
    a = merged["steps"]["a"]
    assert a["values"]["p"] == {"value": 5, "source": "crds", "reference": "a.asdf"}
    assert a["values"]["q"] == {
        "value": "from-pipeline",
        "source": "crds",
        "reference": "pipe.asdf",
    }
    assert merged["steps"]["b"]["values"]["r"] == {
        "value": 0,
        "source": "default",
        "reference": None,
    }
    assert merged["pipeline_reference"] == "pipe.asdf"


# --- through the API, on the demo -------------------------------------------------------------


async def test_image3_parameters_show_the_crds_pars_value_and_its_file(jp_fetch, seeded_catalog):
    status, answer = await call_api(
        jp_fetch, "GET", "pipelines", "calwebb_image3", "parameters", input=IMAGE3_ASN
    )
    assert status == 200, answer
    assert answer["context"] == "jwst_9001.pmap"
    assert answer["exp_type"] == "MIR_IMAGE"
    tweakreg = answer["steps"]["tweakreg"]
    assert tweakreg["reference"] == TWEAKREG_PARS
    order = tweakreg["values"]["enforce_user_order"]
    assert order == {"value": True, "source": "crds", "reference": TWEAKREG_PARS}
    pixfrac = answer["steps"]["resample"]["values"]["pixfrac"]
    assert pixfrac == {"value": 1.0, "source": "default", "reference": None}
    # An older context selects the same reference; a context not cached is a 404 on it.
    status, answer = await call_api(
        jp_fetch,
        "GET",
        "pipelines",
        "calwebb_image3",
        "parameters",
        input=IMAGE3_ASN,
        context="jwst_9000.pmap",
    )
    assert status == 200
    assert answer["context_reason"] == "requested"
    status, answer = await call_api(
        jp_fetch,
        "GET",
        "pipelines",
        "calwebb_image3",
        "parameters",
        input=IMAGE3_ASN,
        context="jwst_0001.pmap",
    )
    assert status == 404
    assert answer["field"] == "context"


async def test_parameters_refuse_inputs_outside_the_root(jp_fetch, seeded_catalog):
    for bad, field in (("../x.fits", "input"), ("/etc/passwd", "input"), ("", "input")):
        status, answer = await call_api(
            jp_fetch, "GET", "pipelines", "calwebb_image3", "parameters", input=bad
        )
        assert status == 400, (bad, answer)
        assert answer["field"] == field
    status, answer = await call_api(
        jp_fetch, "GET", "pipelines", "no_such", "parameters", input=IMAGE3_ASN
    )
    assert status == 404
    status, answer = await call_api(
        jp_fetch, "GET", "pipelines", "calwebb_image3", "parameters", input="cal"
    )
    assert status == 400


async def test_applicable_pipelines_follow_the_exp_type(jp_fetch, seeded_catalog):
    status, answer = await call_api(jp_fetch, "GET", "pipelines", "applicable", input=UNCAL)
    assert status == 200, answer
    assert answer["exp_type"] == "MIR_IMAGE"
    assert answer["pipelines"] == ["calwebb_detector1"]
    assert answer["table"].startswith("jwst_system_crdscfg_b")
    status, answer = await call_api(jp_fetch, "GET", "pipelines", "applicable", input=RATE)
    assert answer["pipelines"] == ["calwebb_image2"]
    status, answer = await call_api(jp_fetch, "GET", "pipelines", "applicable", input="../x")
    assert status == 400
    assert answer["field"] == "input"


async def test_a_parameter_file_round_trips(jp_fetch, seeded_catalog, workspace):
    steps = {
        "tweakreg": {"enforce_user_order": False, "snr_threshold": 12.5},
        "source_catalog": {"skip": True},
    }
    body = {"path": "params/mine.asdf", "pipeline": "calwebb_image3", "steps": steps}
    status, written = await call_api(jp_fetch, "POST", "pipelines", "parameter-files", body=body)
    assert status == 201, written
    assert written["alias"] == "calwebb_image3"
    assert written["steps"]["tweakreg"] == steps["tweakreg"]
    assert written["steps"]["source_catalog"] == {"skip": True}
    # stpipe reads it as a parameter file.
    with asdf.open(workspace / "params" / "mine.asdf") as handle:
        assert handle.tree["class"] == written["class_name"]
        assert written["class_name"].endswith("Image3Pipeline")
    status, again = await call_api(
        jp_fetch, "GET", "pipelines", "parameter-files", path="params/mine.asdf"
    )
    assert status == 200
    assert again == written
    # Not over an existing file unless asked; never outside the root; only .asdf.
    status, answer = await call_api(jp_fetch, "POST", "pipelines", "parameter-files", body=body)
    assert status == 409
    assert answer["field"] == "path"
    status, _ = await call_api(
        jp_fetch, "POST", "pipelines", "parameter-files", body={**body, "overwrite": True}
    )
    assert status == 201
    for bad in ("../out.asdf", "/tmp/out.asdf", "params/mine.txt"):
        status, answer = await call_api(
            jp_fetch, "POST", "pipelines", "parameter-files", body={**body, "path": bad}
        )
        assert status == 400, bad
        assert answer["field"] == "path"
    bad_steps = {**body, "path": "params/b.asdf", "steps": {"tweakreg": {"nope": 1}}}
    status, answer = await call_api(
        jp_fetch, "POST", "pipelines", "parameter-files", body=bad_steps
    )
    assert status == 400
    assert answer["field"] == "steps.tweakreg.nope"
    (workspace / "params" / "junk.asdf").write_text("not asdf")
    status, answer = await call_api(
        jp_fetch, "GET", "pipelines", "parameter-files", path="params/junk.asdf"
    )
    assert status == 400
    assert answer["field"] == "path"


async def test_strun_save_parameters_output_loads_into_the_dialog(
    jp_fetch, seeded_catalog, workspace
):
    """A file written by ``strun --save-parameters`` (stpipe's own writer) is read back."""
    target = workspace / "params" / "saved.asdf"
    target.parent.mkdir()

    completed = subprocess.run(
        [
            str(STRUN),
            "calwebb_image3",
            str(workspace / IMAGE3_ASN),
            f"--save-parameters={target}",
            "--steps.resample.pixfrac=0.7",
            f"--output_dir={target.parent}",
            *(
                f"--steps.{step}.skip=True"
                for step in (
                    "tweakreg",
                    "skymatch",
                    "outlier_detection",
                    "resample",
                    "source_catalog",
                )
            ),
        ],
        cwd=workspace / "cal",
        env=crds_env(workspace),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # strun saves the parameters and then runs; only the saved file matters here.
    assert target.is_file(), completed.stderr[-2000:]
    status, answer = await call_api(
        jp_fetch, "GET", "pipelines", "parameter-files", path="params/saved.asdf"
    )
    assert status == 200, answer
    assert answer["alias"] == "calwebb_image3"
    assert answer["steps"]["resample"]["pixfrac"] == 0.7
    # The merged CRDS pars value is in the saved file too.
    assert answer["steps"]["tweakreg"]["enforce_user_order"] is True
    assert "output_dir" not in answer["steps"]["resample"]


async def test_copy_as_strun_runs_from_any_folder(jp_fetch, seeded_catalog, workspace, tmp_path):
    skip = {"skip": True}
    body = {
        "input": IMAGE3_ASN,
        "output_dir": "strun_out",
        "steps": {
            "tweakreg": {"enforce_user_order": False},
            "skymatch": skip,
            "outlier_detection": skip,
            "resample": skip,
            "source_catalog": skip,
        },
    }
    status, answer = await call_api(
        jp_fetch, "POST", "pipelines", "calwebb_image3", "strun", body=body
    )
    assert status == 200, answer
    command = answer["command"]
    assert command.startswith("CRDS_PATH=")
    assert f"CRDS_PATH={workspace / 'crds_cache'}" in command
    assert "CRDS_CONTEXT=jwst_9001.pmap" in command
    assert str(workspace / IMAGE3_ASN) in command
    assert "--steps.tweakreg.enforce_user_order=False" in command
    assert answer["cwd"] is None

    # Run what a user would paste, from an unrelated folder, with only its assignments.
    words = shlex.split(command)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRDS_", "STPIPE_"))}
    while "=" in words[0] and not words[0].startswith("-"):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    assert words[0] == "strun"
    saved = tmp_path / "ran_params.asdf"
    argv = [shutil.which("strun", path=str(STRUN.parent)) or str(STRUN), *words[1:]]
    completed = subprocess.run(
        [*argv, f"--save-parameters={saved}"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    with asdf.open(saved) as handle:
        tweakreg = next(s for s in handle.tree["steps"] if s["name"] == "tweakreg")
        assert tweakreg["parameters"]["enforce_user_order"] is False
    # The pipeline ran its first steps (the later ones were skipped) from tmp_path.
    assert "Step tweakreg done" in completed.stdout + completed.stderr


async def test_copy_as_strun_refuses_paths_outside_the_root(jp_fetch, seeded_catalog):
    for body, field in (
        ({"input": "../x_asn.json"}, "input"),
        ({"input": IMAGE3_ASN, "output_dir": "../out"}, "output_dir"),
        ({"input": IMAGE3_ASN, "steps": {"tweakreg": {"abs_refcat": "/etc/passwd"}}}, None),
        ({"input": IMAGE3_ASN, "crds_context": "nope"}, "crds_context"),
    ):
        status, answer = await call_api(
            jp_fetch, "POST", "pipelines", "calwebb_image3", "strun", body=body
        )
        assert status == 400, (body, answer)
        if field:
            assert answer["field"] == field
    status, answer = await call_api(
        jp_fetch, "POST", "pipelines", "calwebb_image3", "strun", body={"input": 3}
    )
    assert status == 400


def test_demo_manifest_paths_are_the_ones_used_here(demo_workspace):
    manifest = demo_workspace.manifest
    assert IMAGE3_ASN in manifest["associations"]["image3"]
    assert UNCAL in manifest["files"]["uncal"]
    assert RATE in manifest["files"]["rate"]
    refs = Path(demo_workspace.path, "crds_cache", "references", "jwst", "miri")
    assert (refs / TWEAKREG_PARS).is_file()
    json.dumps(manifest)
