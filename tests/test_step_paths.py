"""Every step parameter that names a file stays in the root; hooks are never accepted.

The parameters come from the installed jwst's own specs (the session's
pipeline catalog), not from a list written here: a parameter jwst adds in a
new release is covered the day it appears.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jwst_lab.core.pipeline import PipelineCatalog
from jwst_lab.core.step_paths import (
    BYTES_PER_OUTPUT_PIXEL,
    check_launch_arguments,
    machine_memory,
    param_role,
    place_string,
)
from jwst_lab.errors import BadRequest


@pytest.fixture(scope="module")
def catalog(catalog_cache_dir) -> PipelineCatalog:
    return PipelineCatalog(catalog_cache_dir)


def _all_params(catalog: PipelineCatalog) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(alias, step, parameter, spec) for every parameter of every pipeline and step."""
    found = []
    for entry in catalog.load()["entries"]:
        if entry["steps"]:
            for step, params in entry["step_params"].items():
                found += [(entry["alias"], step, name, spec) for name, spec in params.items()]
        else:
            alias = entry["alias"]
            found += [(alias, alias, name, spec) for name, spec in entry["params"].items()]
    return found


def _file_params(catalog: PipelineCatalog) -> list[tuple[str, str, str, str]]:
    """One (alias, step, parameter, role) per distinct file parameter name."""
    seen: dict[str, tuple[str, str, str, str]] = {}
    for alias, step, name, spec in _all_params(catalog):
        role = param_role(name, spec)
        if role in ("read", "write") and name not in seen:
            seen[name] = (alias, step, name, role)
    return sorted(seen.values(), key=lambda item: item[2])


@pytest.fixture
def places(tmp_path) -> dict[str, Path]:
    """A root with an input folder, symbolic links out at three depths, and an outside folder."""
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "flat.fits").write_bytes(b"secret")
    (outside / "deep" / "flat.fits").write_bytes(b"secret")
    (root / "obs" / "sub").mkdir(parents=True)
    (root / "obs" / "a_cal.fits").write_bytes(b"data")
    (root / "flats").mkdir()
    (root / "flats" / "flat.fits").write_bytes(b"mine")
    (root / "link_out").symlink_to(outside)
    (root / "obs" / "sub" / "link_out").symlink_to(outside / "deep")
    (root / "obs" / "evil.fits").symlink_to(outside / "flat.fits")
    (root / "obs" / "inside_link.fits").symlink_to(root / "flats" / "flat.fits")
    return {"root": root.resolve(), "input": root / "obs", "output": root / "obs" / "out"}


def test_the_specs_give_the_file_parameters_the_issue_names(catalog):
    roles = {name: role for _, _, name, role in _file_params(catalog)}
    for name in (
        "user_supplied_flat",
        "user_supplied_dq",
        "override_flat",
        "override_apcorr",
        "abs_refcat",
        "output_wcs",
        "offset_file",
        "persistence_array_file",
        "bkg_list",
        "user_background",
        "user_mask",
        "soss_wave_grid_in",
    ):
        assert roles.get(name) == "read", name
    for name in ("dark_output", "save_persistence", "soss_modelname", "soss_wave_grid_out"):
        assert roles.get(name) == "write", name
    for name in ("catalog_format", "output_ext", "suffix", "good_bits", "maximum_cores"):
        assert name not in roles, name


def test_every_typed_file_parameter_has_a_role(catalog):
    for _, _, name, spec in _all_params(catalog):
        if spec["type"] in ("input_file", "output_file", "is_string_or_datamodel"):
            assert param_role(name, spec) in ("read", "write"), name


def test_every_step_has_hooks_and_they_are_refused_for_each(catalog):
    steps_with_hooks = [
        (alias, step, name)
        for alias, step, name, spec in _all_params(catalog)
        if param_role(name, spec) == "hook"
    ]
    assert len(steps_with_hooks) > 100  # pre_hooks and post_hooks of every step
    for alias, step, name in steps_with_hooks:
        for value in (["touch /tmp/A", "touch /tmp/B"], ["touch /tmp/A"], []):
            with pytest.raises(BadRequest, match="does not run step hooks") as caught:
                catalog.validate_steps(alias, {step: {name: value}})
            assert caught.value.field == f"steps.{step}.{name}"


ESCAPES = [
    "/etc/passwd",
    "../outside/flat.fits",
    "obs/../../outside/flat.fits",
    "link_out/flat.fits",
    "obs/sub/link_out/flat.fits",
    "$HOME/flat.fits",
    "${HOME}/flat.fits",
    "~/flat.fits",
    "~root/flat.fits",
    "flats/flat\x00.fits",
    "flats/" + "x" * 300 + ".fits",
    "flats\\..\\..\\outside\\flat.fits",
    "evil.fits",
]


def test_every_file_parameter_refuses_every_escape(catalog, places):
    params = _file_params(catalog)
    assert len(params) >= 30
    for _alias, step, name, role in params:
        for value in ESCAPES:
            where = f"steps.{step}.{name}"
            with pytest.raises(BadRequest) as caught:
                place_string(
                    where,
                    value,
                    root=places["root"],
                    folders=[places["input"], places["output"]],
                    role=role,  # type: ignore[arg-type]
                )
            assert caught.value.field == where, (name, value)


@pytest.mark.parametrize("name", ["suffix", "catalog_format", "good_bits", "kernel_size"])
def test_other_strings_cannot_carry_a_path_either(places, name):
    for value in ["../x", "a/b", "/etc/passwd", "$HOME", "evil.fits", "x\ny"]:
        with pytest.raises(BadRequest):
            place_string(
                f"steps.s.{name}",
                value,
                root=places["root"],
                folders=[places["input"]],
                role=None,
            )


def test_values_that_stay_inside_become_absolute_and_keywords_pass(places):
    root, folders = places["root"], [places["input"], places["output"]]
    flat = place_string("w", "flats/flat.fits", root=root, folders=folders, role="read")
    assert flat == str(root / "flats" / "flat.fits")
    assert place_string("w", "a_cal.fits", root=root, folders=folders, role="read") == "a_cal.fits"
    with pytest.raises(BadRequest, match="does not exist"):
        place_string("w", "flat.fits", root=root, folders=folders, role="read")
    linked = place_string("w", "obs/inside_link.fits", root=root, folders=folders, role="read")
    assert linked == str(root / "flats" / "flat.fits")
    for keyword in ("GAIADR3", "commissioning", "N/A", "n/a", ""):
        assert place_string("w", keyword, root=root, folders=folders, role="read") == keyword
    assert place_string("w", "~DO_NOT_USE", root=root, folders=folders, role=None) == "~DO_NOT_USE"
    written = place_string("w", "obs/out/dark.fits", root=root, folders=folders, role="write")
    assert written == str(root / "obs" / "out" / "dark.fits")
    with pytest.raises(BadRequest, match="does not exist"):
        place_string("w", "flats/none.fits", root=root, folders=folders, role="read")
    with pytest.raises(BadRequest, match="is a folder"):
        place_string("w", "flats/", root=root, folders=folders, role="write")


def test_launch_steps_places_list_items_and_refuses_commas(catalog, places):
    root = places["root"]
    steps = catalog.launch_steps(
        "calwebb_image3",
        {"resample": {"output_wcs": "flats/flat.fits"}, "tweakreg": {"abs_refcat": "GAIADR3"}},
        root=root,
        folders=[places["input"]],
    )
    assert steps["resample"]["output_wcs"] == str(root / "flats" / "flat.fits")
    assert steps["tweakreg"]["abs_refcat"] == "GAIADR3"
    spec2 = catalog.load()
    bkg = next(
        (e["alias"], s)
        for e in spec2["entries"]
        for s, params in e["step_params"].items()
        if "bkg_list" in params
    )
    placed = catalog.launch_steps(
        bkg[0], {bkg[1]: {"bkg_list": ["flats/flat.fits"]}}, root=root, folders=[]
    )
    assert placed[bkg[1]]["bkg_list"] == [str(root / "flats" / "flat.fits")]
    for bad in (["link_out/flat.fits"], ["a,b"]):
        with pytest.raises(BadRequest) as caught:
            catalog.launch_steps(bkg[0], {bkg[1]: {"bkg_list": bad}}, root=root, folders=[])
        assert caught.value.field == f"steps.{bkg[1]}.bkg_list[0]"


def test_an_output_shape_that_cannot_fit_in_memory_is_refused(catalog):
    with pytest.raises(BadRequest, match=r"needs at least .* of memory") as caught:
        catalog.validate_steps("calwebb_image3", {"resample": {"output_shape": [1e8, 1e8]}})
    assert caught.value.field == "steps.resample.output_shape"
    side = int((machine_memory() / BYTES_PER_OUTPUT_PIXEL) ** 0.5) // 2
    assert catalog.validate_steps("calwebb_image3", {"resample": {"output_shape": [side, side]}})
    for bad in ([0, 10], [-5, 10]):
        with pytest.raises(BadRequest, match="positive"):
            catalog.validate_steps("calwebb_image3", {"resample": {"output_shape": bad}})
    for bad_scale in (0, -1.0):
        with pytest.raises(BadRequest, match="greater than 0"):
            catalog.validate_steps("calwebb_image3", {"resample": {"pixel_scale_ratio": bad_scale}})


def test_the_spec_route_marks_file_parameters_and_hooks(catalog):
    spec = catalog.spec("calwebb_image2")
    assert spec is not None
    flat = next(s for s in spec["step_specs"] if s["alias"] == "flat_field")["params"]
    assert flat["user_supplied_flat"]["path"] == "read"
    assert flat["override_flat"]["path"] == "read"
    assert flat["pre_hooks"]["managed"] is True
    assert flat["pre_hooks"]["path"] is None
    assert flat["skip"]["path"] is None


def test_the_runner_check_catches_a_link_that_appeared_after_queuing(places, tmp_path):
    root = places["root"]
    (root / "late").mkdir()
    value = str(root / "late" / "flat.fits")
    arguments = ["calwebb_image2", "x_rate.fits", f"--steps.flat_field.user_supplied_flat={value}"]
    check_launch_arguments(root, arguments)
    (root / "late").rmdir()
    (root / "late").symlink_to(tmp_path / "outside")
    with pytest.raises(BadRequest, match="now leads outside") as caught:
        check_launch_arguments(root, arguments)
    assert caught.value.field == "steps.flat_field.user_supplied_flat"
    with pytest.raises(BadRequest, match="control character"):
        check_launch_arguments(root, ["--steps.a.b=x\ny"])
    assert (root / "late").is_symlink()
