"""What ``jwst-lab demo`` generates: deterministic data, manifest, labels, CRDS cache, archive."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.demo_fixtures import SEED, DemoBuild, crds_env, demo_workspace, fixture_path

__all__ = ["demo_workspace"]

pytestmark = pytest.mark.filterwarnings("ignore::Warning")

MANIFEST_KEYS = {
    "version",
    "seed",
    "crds_path",
    "contexts",
    "archive_dir",
    "target",
    "ra",
    "dec",
    "files",
    "associations",
    "truth_catalog",
    "skipped_steps",
}
EXPOSURE_NAME = re.compile(r"^jw\d{5}\d{3}\d{3}_\d{5}_\d{5}_mirimage_(uncal|rate|cal)\.fits$")
ASN_NAME = re.compile(r"^jw\d{5}-o\d{3}_\d{8}t\d{6}_image[23]_\d{5}_asn\.json$")


def _manifest_paths(manifest: dict) -> list[str]:
    paths = [manifest["crds_path"], manifest["archive_dir"], manifest["truth_catalog"]]
    for group in ("files", "associations"):
        for values in manifest[group].values():
            paths.extend(values)
    paths.extend(manifest["cosmic_ray_catalogs"].values())
    return paths


def _arrays(path: Path) -> dict[str, np.ndarray]:
    from stdatamodels.jwst import datamodels

    with datamodels.open(path) as model:
        names = ["data", "dq", "err", "var_poisson", "var_rnoise", "var_flat"]
        arrays = {n: np.asarray(getattr(model, n)) for n in names if model.hasattr(n)}
    # FITS stores big-endian numbers: compare the bytes of the native-order values.
    return {n: a.astype(a.dtype.newbyteorder("=")) for n, a in arrays.items()}


# --- determinism -------------------------------------------------------------------


def test_same_seed_gives_byte_identical_science_arrays(demo_workspace: DemoBuild) -> None:
    """Re-simulating the exposures in this process reproduces the files' arrays exactly."""
    from jwst_lab.demo import exposures

    build = demo_workspace
    plans, stars = exposures.plan_field(SEED)
    for plan in (plans[0], plans[2]):
        arrays = exposures.simulate_exposure(plan, stars, SEED)
        uncal = _arrays(build.file(f"uncal/{plan.filename('uncal')}"))
        rate = _arrays(build.file(f"rate/{plan.filename('rate')}"))
        cal = _arrays(build.file(f"cal/{plan.filename('cal')}"))
        assert uncal["data"].tobytes() == arrays.uncal.tobytes()
        assert rate["data"].tobytes() == arrays.rate.tobytes()
        assert rate["dq"].tobytes() == arrays.rate_dq.tobytes()
        assert cal["data"].tobytes() == arrays.cal.tobytes()
        assert cal["var_flat"].tobytes() == arrays.cal_var_flat.tobytes()


def test_another_seed_gives_another_sky() -> None:
    from jwst_lab.demo import exposures

    plans_1, stars_1 = exposures.plan_field(SEED)
    plans_2, stars_2 = exposures.plan_field(SEED + 1)
    assert not np.allclose(stars_1.ra, stars_2.ra)
    one = exposures.simulate_exposure(plans_1[1], stars_1, SEED)
    two = exposures.simulate_exposure(plans_2[1], stars_2, SEED + 1)
    assert one.uncal.tobytes() != two.uncal.tobytes()
    assert not np.array_equal(one.rate, two.rate, equal_nan=True)
    # The detector is the same instrument whatever the sky: its bad pixels do not move.
    assert np.array_equal(np.isnan(one.rate) & np.isnan(two.rate), np.isnan(one.rate))


# --- manifest, names, labels ---------------------------------------------------------


def test_manifest_has_the_promised_keys_and_relative_paths(demo_workspace: DemoBuild) -> None:
    build = demo_workspace
    manifest = build.manifest
    assert set(manifest) >= MANIFEST_KEYS
    assert manifest["seed"] == SEED
    assert manifest["complete"] is True
    assert manifest["synthetic"] is True
    assert set(manifest["files"]) == {"uncal", "rate", "cal"}
    assert all(len(files) == 4 for files in manifest["files"].values())
    assert set(manifest["associations"]) == {"image2", "image3"}
    assert len(manifest["contexts"]) >= 2
    assert manifest["operational_context"] == manifest["contexts"][-1]["name"]
    for context in manifest["contexts"]:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", context["date"])
        assert context["description"]
    assert set(manifest["skipped_steps"]) == {
        "calwebb_detector1",
        "calwebb_image2",
        "calwebb_image3",
    }
    assert isinstance(manifest["ra"], float)
    assert isinstance(manifest["dec"], float)
    assert manifest["target"]
    for relative in _manifest_paths(manifest):
        assert not Path(relative).is_absolute(), relative
        assert ".." not in Path(relative).parts, relative
        assert (build.path / relative).exists(), relative
    # The manifest is the last word: it lists every generated file with its size and hash.
    listed = set(manifest["contents"])
    on_disk = {
        p.relative_to(build.path).as_posix()
        for p in build.path.rglob("*")
        if p.is_file()
        and p.name not in ("jwst_lab_demo.json", ".jwst-lab-demo")
        # The local-archive index `jwst-lab demo` builds is state, not generated data.
        and p.relative_to(build.path).parts[0] != ".jwst_lab"
    }
    assert listed == on_disk
    for relative, entry in manifest["contents"].items():
        assert (build.path / relative).stat().st_size == entry["size"]
        assert re.fullmatch(r"[0-9a-f]{64}", entry["sha256"])


def test_file_names_follow_jwst_conventions(demo_workspace: DemoBuild) -> None:
    manifest = demo_workspace.manifest
    for level, files in manifest["files"].items():
        for relative in files:
            name = Path(relative).name
            assert EXPOSURE_NAME.match(name), name
            assert name.endswith(f"_{level}.fits")
    for files in manifest["associations"].values():
        for relative in files:
            assert ASN_NAME.match(Path(relative).name), relative


def test_everything_a_user_sees_says_synthetic(demo_workspace: DemoBuild) -> None:
    from astropy.io import fits

    build = demo_workspace
    for files in build.manifest["files"].values():
        for relative in files:
            header = fits.getheader(build.file(relative))
            assert header["SYNTHETC"] is True
            assert "SYNTHETIC" in header["TITLE"]
            assert "SYNTHETIC" in str(header["HISTORY"])
            assert header["TARGPROP"] == build.manifest["target"]
    references = build.path / "crds_cache" / "references" / "jwst" / "miri"
    for path in references.glob("*.fits"):
        header = fits.getheader(path)
        assert header["SYNTHETC"] is True
        assert header["DESCRIP"].startswith("SYNTHETIC")
        assert header["PEDIGREE"] == "SIMULATION"
    readme = (build.path / "README.md").read_text()
    assert "SYNTHETIC" in readme
    assert "real MAST" in readme
    assert "CRDS_SERVER_URL" in readme
    assert "synthetic" in build.manifest["notice"].lower()


def test_generation_shows_progress_and_fits_the_budget(demo_workspace: DemoBuild) -> None:
    from jwst_lab.demo.workspace import workspace_size

    build = demo_workspace
    assert "100%" in build.stderr
    assert "Built the demo workspace" in build.stdout
    assert build.seconds < 90, f"generation took {build.seconds:.1f} s"
    size = workspace_size(build.path)
    assert size < 400 * 2**20, f"workspace holds {size / 2**20:.0f} MB"


# --- truth -------------------------------------------------------------------------


def test_truth_catalog_is_an_ecsv_in_degrees_and_nanojansky(demo_workspace: DemoBuild) -> None:
    import astropy.units as u
    from astropy.table import QTable

    build = demo_workspace
    truth = QTable.read(build.file(build.manifest["truth_catalog"]), format="ascii.ecsv")
    assert truth["ra"].unit == u.deg
    assert truth["dec"].unit == u.deg
    assert truth["flux"].unit == u.nJy
    limit = build.manifest["completeness_limit_njy"]
    assert np.sum(truth["flux"].to_value(u.nJy) >= limit) >= 50
    assert len(truth) == build.manifest["n_stars"]
    centre_distance = np.hypot(
        (truth["ra"].to_value(u.deg) - build.manifest["ra"]) * np.cos(np.radians(66.0)),
        truth["dec"].to_value(u.deg) - build.manifest["dec"],
    )
    assert centre_distance.max() * 3600 < 45


# --- associations and archive ---------------------------------------------------------


def test_associations_follow_the_jwst_schemas(demo_workspace: DemoBuild) -> None:
    import jsonschema
    from jwst.associations import load_asn

    build = demo_workspace
    schemas = {
        "image2": fixture_path("jwst", "association_schemas", "asn_schema_jw_level2b.json"),
        "image3": fixture_path("jwst", "association_schemas", "asn_schema_jw_level3.json"),
    }
    for kind, files in build.manifest["associations"].items():
        schema = json.loads(schemas[kind].read_text())
        for relative in files:
            path = build.file(relative)
            data = json.loads(path.read_text())
            jsonschema.validate(data, schema)
            assert data["asn_type"] == kind
            with path.open() as handle:
                asn = load_asn(handle)
            for product in asn["products"]:
                for member in product["members"]:
                    assert (path.parent / member["expname"]).is_file()
    image3 = json.loads(build.file(build.manifest["associations"]["image3"][0]).read_text())
    members = [m["expname"] for m in image3["products"][0]["members"]]
    assert members == [Path(f).name for f in build.manifest["files"]["cal"]]


def test_archive_holds_its_own_copies_of_every_level(demo_workspace: DemoBuild) -> None:
    from jwst_lab.core.jwst_filenames import obs_id_from_name as exposure_obs_id
    from jwst_lab.core.mast_vocabulary import JWST_COLLECTION as COLLECTION

    build = demo_workspace
    archive = build.path / build.manifest["archive_dir"] / COLLECTION
    for files in build.manifest["files"].values():
        for relative in files:
            working = build.file(relative)
            copy = archive / exposure_obs_id(relative) / working.name
            assert copy.is_file()
            assert copy.stat().st_ino != working.stat().st_ino
            assert copy.read_bytes() == working.read_bytes()
    for relative in build.manifest["associations"]["image3"]:
        level3 = [p for p in archive.iterdir() if p.name.startswith("jw09999-o001_t001")]
        assert any((folder / Path(relative).name).is_file() for folder in level3)


# --- CRDS ----------------------------------------------------------------------------

CRDS_CHECK = r"""
import json, sys
import crds
from crds.core import rmap, heavy_client
from crds import diff

contexts = sys.argv[1:]
header = {
    "META.INSTRUMENT.NAME": "MIRI", "META.INSTRUMENT.DETECTOR": "MIRIMAGE",
    "META.INSTRUMENT.FILTER": "F770W", "META.EXPOSURE.TYPE": "MIR_IMAGE",
    "META.SUBARRAY.NAME": "BRIGHTSKY", "META.EXPOSURE.READPATT": "FASTR1",
    "META.INSTRUMENT.BAND": "UNDEFINED", "META.INSTRUMENT.CHANNEL": "UNDEFINED",
    "META.OBSERVATION.DATE": "2025-04-01", "META.OBSERVATION.TIME": "12:00:00",
}
out = {"default": crds.get_context_name("jwst"),
       "mode": heavy_client.get_processing_mode("jwst")[0]}
for name in contexts:
    mapping = rmap.load_mapping(name)
    mapping.validate_mapping()
    out[name] = {
        "references": sorted(mapping.reference_names()),
        "mappings": sorted(mapping.mapping_names()),
        "imap": sorted(mapping.get_imap("miri").selections),
        "bestrefs": crds.getrecommendations(
            header, reftypes=["flat", "dark", "gain", "apcorr", "pars-tweakregstep", "camera"],
            context=name, observatory="jwst"),
    }
paths = [rmap.locate_mapping(n) for n in contexts[:2]]
out["diff"] = [str(d) for d in diff.mapping_diffs(paths[0], paths[1])]
print(json.dumps(out))
"""


def _crds_report(build: DemoBuild) -> dict:
    names = [c["name"] for c in build.manifest["contexts"]]
    result = subprocess.run(
        [sys.executable, "-c", CRDS_CHECK, *names],
        env=crds_env(build.path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_crds_contexts_validate_resolve_and_differ(demo_workspace: DemoBuild) -> None:
    build = demo_workspace
    first, second = (c["name"] for c in build.manifest["contexts"][:2])
    report = _crds_report(build)
    assert report["default"] == build.manifest["operational_context"]
    assert report["mode"] == "local"
    old, new = report[first]["bestrefs"], report[second]["bestrefs"]
    assert old["flat"] != new["flat"], "the second context must replace the flat"
    for reftype in ("dark", "gain", "apcorr", "pars-tweakregstep"):
        assert old[reftype] == new[reftype]
        assert old[reftype].startswith("jwst_miri_")
    assert new["camera"].upper().startswith("NOT FOUND N/A")
    assert any("replaced" in line and "flat" in line for line in report["diff"])
    references = build.path / "crds_cache" / "references" / "jwst" / "miri"
    for name in (first, second):
        for reference in report[name]["references"]:
            assert (references / reference).is_file(), reference


def test_imaps_declare_every_type_the_stages_ask_for(demo_workspace: DemoBuild) -> None:
    from jwst_lab.demo.crds_context import pipeline_reference_types

    report = _crds_report(demo_workspace)
    declared = {t.lower() for t in report[demo_workspace.manifest["operational_context"]]["imap"]}
    assert pipeline_reference_types() <= declared


def test_server_config_tells_the_dated_history(demo_workspace: DemoBuild) -> None:
    import ast

    build = demo_workspace
    config = ast.literal_eval(
        (build.path / "crds_cache" / "config" / "jwst" / "server_config").read_text()
    )
    history = config["context_history"]
    names = [entry[1] for entry in history]
    assert names == [c["name"] for c in reversed(build.manifest["contexts"])]
    assert all(entry[0] and entry[2] for entry in history)
    assert config["operational_context"] == build.manifest["operational_context"]


def test_crds_certify_accepts_the_mappings(demo_workspace: DemoBuild) -> None:
    build = demo_workspace
    mappings = sorted((build.path / "crds_cache" / "mappings" / "jwst").glob("*map"))
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "crds"),
            "certify",
            *map(str, mappings),
            f"--comparison-context={build.manifest['contexts'][0]['name']}",
        ],
        env=crds_env(build.path),
        capture_output=True,
        text=True,
        timeout=200,
        check=False,
    )
    assert "0 errors" in result.stdout + result.stderr, (result.stdout + result.stderr)[-3000:]


@pytest.mark.slow
def test_crds_certify_accepts_the_references(demo_workspace: DemoBuild) -> None:
    """Slow (about a minute): crds certify on every reference of the operational context."""
    build = demo_workspace
    report = _crds_report(build)
    references = build.path / "crds_cache" / "references" / "jwst" / "miri"
    files = [references / n for n in report[build.manifest["operational_context"]]["references"]]
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "crds"),
            "certify",
            *map(str, files),
            f"--comparison-context={build.manifest['contexts'][0]['name']}",
        ],
        env=crds_env(build.path),
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert "0 errors" in result.stdout + result.stderr, (result.stdout + result.stderr)[-3000:]


def test_reference_files_are_valid_stdatamodels(demo_workspace: DemoBuild) -> None:
    import asdf
    from stdatamodels.jwst import datamodels

    references = demo_workspace.path / "crds_cache" / "references" / "jwst" / "miri"
    names = sorted(p.name for p in references.iterdir())
    assert names
    for path in sorted(references.iterdir()):
        if path.name.startswith("jwst_miri_pars-"):
            with asdf.open(path) as af:
                assert af.tree["class"].startswith("jwst.")
                assert af.tree["meta"]["reftype"].startswith("pars-")
            continue
        with datamodels.open(path) as model:
            model.validate()
            assert model.meta.pedigree == "SIMULATION"
            assert model.meta.instrument.name == "MIRI"
