"""The pipeline catalog: computed in a subprocess once, cached, validated against."""

from __future__ import annotations

import json
import shlex

import pytest

from jwst_lab.core.pipeline import (
    PipelineCatalog,
    check_value,
    copy_as_python,
    copy_as_strun,
    format_value,
    pipelines_for_asn_type,
    strun_arguments,
)
from jwst_lab.errors import BadRequest


@pytest.fixture
def catalog(catalog_cache_dir):
    # A python that does not exist: the answer must come from the session's disk cache.
    return PipelineCatalog(catalog_cache_dir, python="/nonexistent/python")


def test_the_calwebb_pipelines_are_listed_with_level_and_inputs(catalog):
    summaries = {s["alias"]: s for s in catalog.summaries()}
    for alias in (
        "calwebb_detector1",
        "calwebb_image2",
        "calwebb_image3",
        "calwebb_spec2",
        "calwebb_spec3",
        "calwebb_coron3",
        "calwebb_ami3",
        "calwebb_tso3",
    ):
        assert summaries[alias]["is_pipeline"], alias
    image3 = summaries["calwebb_image3"]
    assert image3["level"] == 3
    assert image3["asn_types"] == ["image3"]
    assert image3["class_name"].endswith("Image3Pipeline")
    assert {"tweakreg", "skymatch", "outlier_detection", "resample", "source_catalog"} <= set(
        image3["steps"]
    )
    assert summaries["calwebb_detector1"]["level"] == 1
    assert summaries["calwebb_detector1"]["suffixes"] == ["_uncal.fits"]
    assert summaries["resample"]["is_pipeline"] is False
    assert summaries["resample"]["level"] is None
    assert catalog.versions()["jwst"]


def test_spec_gives_type_default_bounds_choices_and_help(catalog):
    spec = catalog.spec("calwebb_image3")
    resample = next(s for s in spec["step_specs"] if s["alias"] == "resample")
    pixfrac = resample["params"]["pixfrac"]
    assert pixfrac["type"] == "float"
    assert pixfrac["default"] == 1.0
    assert (pixfrac["min"], pixfrac["max"]) == (0.0, 1.0)
    assert pixfrac["help"] == "Pixel shrinkage factor"
    assert pixfrac["common"] is False
    kernel = resample["params"]["kernel"]
    assert kernel["type"] == "option"
    assert "square" in kernel["choices"]
    assert resample["params"]["skip"]["common"] is True
    assert resample["params"]["output_dir"]["managed"] is True
    assert catalog.spec("no_such_pipeline") is None
    json.dumps(spec, allow_nan=False)


def test_the_cache_is_keyed_by_versions_and_reused(catalog, catalog_cache_dir):
    path = catalog.cache_path()
    assert path.parent == catalog_cache_dir
    assert "jwst-" in path.name
    assert path.is_file()


def test_a_missing_interpreter_without_cache_is_a_clear_error(tmp_path):
    catalog = PipelineCatalog(tmp_path, python="/nonexistent/python")
    with pytest.raises(FileNotFoundError):
        catalog.load()


def test_validate_steps_accepts_good_values(catalog):
    steps = {"resample": {"pixfrac": 0.8, "kernel": "square"}, "source_catalog": {"skip": True}}
    assert catalog.validate_steps("calwebb_image3", steps) == steps
    assert catalog.validate_steps("calwebb_image3", None) == {}
    assert catalog.validate_steps("resample", {"resample": {"pixfrac": 1}}) == {
        "resample": {"pixfrac": 1}
    }


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ({"nosuchstep": {}}, "unknown step 'nosuchstep'"),
        ({"resample": {"nosuch": 1}}, "unknown parameter steps.resample.nosuch"),
        ({"resample": {"pixfrac": "big"}}, "steps.resample.pixfrac must be a number"),
        ({"resample": {"pixfrac": True}}, "steps.resample.pixfrac must be a number"),
        ({"resample": {"pixfrac": 1.5}}, "steps.resample.pixfrac = 1.5 is above its maximum 1"),
        ({"resample": {"pixfrac": -1}}, "below its minimum"),
        ({"resample": {"kernel": "circle"}}, "steps.resample.kernel must be one of"),
        ({"source_catalog": {"skip": "yes"}}, "steps.source_catalog.skip must be true or false"),
        ({"resample": {"output_dir": "x"}}, "set by jwst-lab"),
        ({"resample": 3}, "steps.resample must be an object"),
        ([1], "steps must be an object"),
    ],
)
def test_validate_steps_names_what_is_wrong(catalog, steps, message):
    with pytest.raises(BadRequest, match=message.replace(".", r"\.").replace("(", r"\(")):
        catalog.validate_steps("calwebb_image3", steps)


def test_unknown_pipeline_is_a_bad_request_listing_pipelines(catalog):
    with pytest.raises(BadRequest, match=r"unknown pipeline 'calwebb_image9'.*calwebb_image3"):
        catalog.require("calwebb_image9")


def test_check_value_lists_and_integers():
    # configobj's min/max of a list bound its length (resample's output_shape: 2 values).
    int_list = {"type": "int_list", "default": None, "default_repr": "None", "min": 2, "max": 2}
    assert check_value("p", int_list, [1000, 1000]) == [1000, 1000]
    assert check_value("p", int_list, None) is None
    with pytest.raises(BadRequest, match="at least 2 values, not 1"):
        check_value("p", int_list, [1])
    with pytest.raises(BadRequest, match="at most 2 values, not 3"):
        check_value("p", int_list, [1, 2, 3])
    with pytest.raises(BadRequest, match=r"p\[1\] must be an integer"):
        check_value("p", int_list, [1, 2.5])
    with pytest.raises(BadRequest, match="must be a list"):
        check_value("p", int_list, "1,2")
    integer = {"type": "integer", "default": 3, "default_repr": "3", "min": None, "max": None}
    assert check_value("n", integer, 4.0) == 4
    with pytest.raises(BadRequest, match="integer"):
        check_value("n", integer, 4.5)
    with pytest.raises(BadRequest, match="may not be null"):
        check_value("n", integer, None)


def test_argv_and_copy_strings():
    steps = {"resample": {"pixfrac": 0.8, "skip": False}, "tweakreg": {"abs_refcat": "my cat.ecsv"}}
    arguments = strun_arguments("calwebb_image3", "data/x_asn.json", "data/out", steps)
    assert arguments == [
        "calwebb_image3",
        "data/x_asn.json",
        "--output_dir=data/out",
        "--steps.resample.pixfrac=0.8",
        "--steps.resample.skip=False",
        "--steps.tweakreg.abs_refcat=my cat.ecsv",
    ]
    command = copy_as_strun(arguments, "jwst_1234.pmap")
    assert command.startswith("CRDS_CONTEXT=jwst_1234.pmap strun calwebb_image3 ")
    assert shlex.split(command)[-1] == "--steps.tweakreg.abs_refcat=my cat.ecsv"
    python = copy_as_python(
        "jwst.pipeline.Image3Pipeline", "data/x_asn.json", "data/out", steps, "jwst_1234.pmap"
    )
    compile(python, "<copy>", "exec")
    assert "from jwst.pipeline import Image3Pipeline" in python
    assert "os.environ['CRDS_CONTEXT'] = 'jwst_1234.pmap'" in python
    assert format_value([1.5, True, None]) == "1.5,True,None"
    assert pipelines_for_asn_type("image2") == ["calwebb_image2"]
