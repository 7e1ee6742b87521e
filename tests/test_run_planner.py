"""The run planner: inputs → exposures → jwst's associations → a graph of pipeline jobs.

Planning runs jwst's association generator in a subprocess
(:mod:`jwst_lab.jobs.plan_worker`); these tests run it for real. The
acceptance check plans from the pools jwst ships in its own tests and
compares the associations with those jwst's ``asn_generate`` command makes
from the same pool: same type, rule, product names and members.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from astropy.io import fits
from astropy.table import Table

from jwst_lab.core.pipeline import pipelines_for_asn_type
from jwst_lab.errors import BadRequest, Conflict, NotFound
from jwst_lab.jobs import planner
from jwst_lab.jobs.planning import Plan
from tests.demo_fixtures import DemoBuild, demo_workspace

__all__ = ["demo_workspace"]

BIN = Path(sys.executable).parent
#: Pools planned in every test run (the rest run with ``-m slow``): imaging and TSO.
FAST_POOLS = ("pool_002_image_miri", "pool_021_tso")
#: The other shipped pools: candidates, NIRCam imaging, WFS&C, NIRISS (spec, WFSS), NIRSpec
#: (FS, MSA, IFU, nods, imprints, Level 2 backgrounds), MIRI (LRS, MRS), NIRCam coronagraphy,
#: and every exposure type at once (AMI included).
SLOW_POOLS = (
    "pool_001_candidates",
    "pool_003_image_nircam",
    "pool_004_wfs",
    "pool_005_spec_niriss",
    "pool_006_spec_nirspec",
    "pool_007_spec_miri",
    "pool_010_spec_nirspec_lv2bkg",
    "pool_013_coron_nircam",
    "pool_017_spec_nirspec_lv2imprint",
    "pool_019_niriss_wfss",
    "pool_020_00009_image_miri",
    "pool_023_nirspec_msa_3nod",
    "pool_024_nirspec_fss_nods",
    "pool_025_nirspec_fss_nod_chop",
    "pool_018_all_exptypes",
)

_EXPAND = """
import sys
from collections.abc import Iterator
from pathlib import Path
from jwst.associations.tests.helpers import combine_pools
pool = combine_pools(sys.argv[1])
pool.write(sys.argv[2], delimiter="|", format="ascii", overwrite=True)
"""


#: Generates a pool's associations twice, with jwst's ``Main`` (what ``asn_generate`` runs) and
#: with the planner's :func:`~jwst_lab.jobs.plan_worker.generate_per_candidate`, and prints
#: both lists in full (names and JSON, in order) for the test to compare.
_BOTH_WAYS = """
import json, logging, re, sys, warnings
warnings.simplefilter("ignore")
logging.disable(logging.CRITICAL)
from jwst.associations import AssociationPool
from jwst_lab.jobs import plan_worker

def dumped(associations):
    listed = []
    for asn in associations:
        name, text = asn.dump(format="json")
        # Constraints print their lambdas with an address: not part of the association.
        listed.append([name, json.loads(re.sub(r" at 0x[0-9a-f]+", "", text))])
    return listed

pool = AssociationPool.read(sys.argv[1])
answer = {}
for merge in [word == "merge" for word in sys.argv[2:]]:
    main = plan_worker.generate_with_main(pool.copy(), merge, False)
    fast = plan_worker.generate_per_candidate(pool.copy(), merge)
    answer[str(merge)] = [dumped(main), dumped(fast)]
print(json.dumps(answer))
"""


@pytest.fixture(scope="module")
def warm() -> Iterator[planner.PlanningWorker]:
    """One warm planning process for the module's plans (jwst imported once)."""
    worker = planner.PlanningWorker()
    yield worker
    worker.close()


@pytest.fixture
def root(demo_workspace: DemoBuild, tmp_path: Path) -> Path:
    """A server root holding copies of the demo's uncal, rate and cal folders."""
    for name in ("uncal", "rate", "cal"):
        shutil.copytree(demo_workspace.path / name, tmp_path / name)
    return tmp_path


def _by_pipeline(plan: Plan) -> dict[str, int]:
    counts: dict[str, int] = {}
    for job in plan.jobs:
        counts[job.pipeline] = counts.get(job.pipeline, 0) + 1
    return counts


def _members(content: dict[str, Any]) -> list[str]:
    return [m["expname"] for product in content["products"] for m in product["members"]]


def test_uncal_folder_plans_detector1_image2_image3(
    root: Path, warm: planner.PlanningWorker
) -> None:
    plan = planner.plan_program(root, ["uncal"], output_dir="uncal/run_a", worker=warm)
    assert _by_pipeline(plan) == {"calwebb_detector1": 4, "calwebb_image2": 4, "calwebb_image3": 1}
    assert [s.folder for s in plan.stages] == [
        "uncal/run_a/stage1",
        "uncal/run_a/stage2",
        "uncal/run_a/stage3",
    ]
    stems = sorted(p.name.removesuffix("_uncal.fits") for p in (root / "uncal").glob("*.fits"))
    assert sorted(e.path for e in plan.exposures) == [f"uncal/{s}_uncal.fits" for s in stems]
    assert all(e.nrows == 512 and e.ncols == 512 and e.instrument == "MIRI" for e in plan.exposures)
    keys = [job.key for job in plan.jobs]
    assert len(set(keys)) == len(keys)
    position = {key: index for index, key in enumerate(keys)}
    jobs = {job.key: job for job in plan.jobs}
    for job in plan.jobs:
        assert all(position[d] < position[job.key] for d in job.depends_on)
    for stem in stems:
        detector1 = jobs[f"1:calwebb_detector1:{stem}"]
        assert detector1.input == f"uncal/{stem}_uncal.fits"
        assert detector1.products == (f"uncal/run_a/stage1/{stem}_rate.fits",)
        assert detector1.depends_on == ()
        image2 = jobs[f"2:calwebb_image2:{stem}"]
        assert image2.depends_on == (detector1.key,)
        assert image2.output_dir == "uncal/run_a/stage2"
        assert image2.input.startswith("uncal/run_a/stage2/")
        assert image2.input.endswith("_asn.json")
    image3 = next(job for job in plan.jobs if job.pipeline == "calwebb_image3")
    assert sorted(image3.depends_on) == sorted(f"2:calwebb_image2:{s}" for s in stems)
    assert image3.input.startswith("uncal/run_a/stage3/")
    by_path = {asn.path: asn for asn in plan.associations}
    level3 = by_path[image3.input]
    assert level3.asn_type == "image3"
    assert not level3.given
    assert sorted(_members(level3.content)) == [f"../stage2/{s}_cal.fits" for s in stems]
    assert sorted(level3.members) == [f"uncal/run_a/stage2/{s}_cal.fits" for s in stems]
    for stem in stems:
        level2 = by_path[jobs[f"2:calwebb_image2:{stem}"].input]
        assert level2.asn_type == "image2"
        assert _members(level2.content) == [f"../stage1/{stem}_rate.fits"]

    # The same inputs plan the same keys; target levels cut the graph.
    again = planner.plan_program(root, ["uncal"], output_dir="uncal/run_a", worker=warm)
    assert [job.key for job in again.jobs] == keys
    level1 = planner.plan_program(
        root, ["uncal"], output_dir="uncal/run_a", worker=warm, target_level=1
    )
    assert _by_pipeline(level1) == {"calwebb_detector1": 4}
    assert level1.associations == ()
    level2_plan = planner.plan_program(
        root, ["uncal"], output_dir="uncal/run_a", worker=warm, target_level=2
    )
    assert _by_pipeline(level2_plan) == {"calwebb_detector1": 4, "calwebb_image2": 4}
    assert {a.asn_type for a in level2_plan.associations} == {"image2"}


def test_rate_and_cal_inputs_skip_the_earlier_stages(
    root: Path, warm: planner.PlanningWorker
) -> None:
    rates = sorted((root / "rate").glob("*_rate.fits"))
    plan = planner.plan_program(
        root, [f"rate/{p.name}" for p in rates], output_dir="rate/run_b", worker=warm
    )
    assert _by_pipeline(plan) == {"calwebb_image2": 4, "calwebb_image3": 1}
    for job in plan.jobs:
        if job.pipeline == "calwebb_image2":
            assert job.depends_on == ()
            asn = next(a for a in plan.associations if a.path == job.input)
            (member,) = _members(asn.content)
            assert member.startswith("../../")
            assert member.endswith("_rate.fits")
            assert (root / "rate/run_b/stage2" / member).resolve().is_file()

    # The cal folder holds cal files and an image3 association (made by asn_from_list):
    # the association is used, its members pointed at the cal files.
    plan = planner.plan_program(root, ["cal"], output_dir="cal/run_c", worker=warm)
    assert _by_pipeline(plan) == {"calwebb_image3": 1}
    (asn,) = plan.associations
    given = json.loads(next((root / "cal").glob("*_asn.json")).read_text())
    assert asn.given
    assert asn.product == given["products"][0]["name"]
    assert asn.path == "cal/run_c/stage3/" + next((root / "cal").glob("*_asn.json")).name
    assert sorted(_members(asn.content)) == sorted(
        f"../../{p.name}" for p in (root / "cal").glob("*_cal.fits")
    )
    assert plan.jobs[0].key == f"3:calwebb_image3:{asn.product}"


def test_given_associations_that_do_not_match_are_reported(
    root: Path, warm: planner.PlanningWorker
) -> None:
    # The demo's rate folder holds one image2 association with four products;
    # asn_generate makes one association per exposure, so it is not used.
    plan = planner.plan_program(root, ["rate"], output_dir="rate/run_d", worker=warm)
    (given,) = (root / "rate").glob("*_asn.json")
    assert not any(a.given for a in plan.associations)
    assert any(w.startswith(f"rate/{given.name} not used") for w in plan.warnings)
    # An association of other exposures is not used either.
    other = json.loads((root / "cal").glob("*_asn.json").__next__().read_text())
    other["products"][0]["members"] = other["products"][0]["members"][:2]
    for member in other["products"][0]["members"]:
        member["expname"] = "../cal/" + member["expname"]
    (root / "uncal" / "jw09999-o001_subset_image3_00009_asn.json").write_text(json.dumps(other))
    plan = planner.plan_program(root, ["uncal"], output_dir="uncal/run_e", worker=warm)
    assert _by_pipeline(plan)["calwebb_image3"] == 1
    assert not any(a.given for a in plan.associations)
    assert any("jw09999-o001_subset_image3_00009_asn.json not used" in w for w in plan.warnings)


def test_bad_inputs_are_refused_with_their_field(root: Path, warm: planner.PlanningWorker) -> None:
    (root / "README.md").write_text("notes")
    (root / "empty").mkdir()
    hst = root / "hst" / "jw00001001001_01101_00001_nrca1_uncal.fits"
    hst.parent.mkdir()
    fits.PrimaryHDU(header=fits.Header({"TELESCOP": "HST", "EXP_TYPE": "X"})).writeto(hst)
    cases = [
        (["uncal", "README.md"], "inputs.1", "is not an exposure"),
        (["empty"], "inputs.0", "holds no exposures"),
        (["../outside"], "inputs.0", "inside the server root"),
        (["uncal/../../etc"], "inputs.0", "inside the server root"),
        ([f"hst/{hst.name}"], "inputs.0", "not a JWST exposure"),
    ]
    for inputs, field, words in cases:
        with pytest.raises(BadRequest) as caught:
            planner.plan_program(root, inputs, output_dir="run_x", worker=warm)
        assert caught.value.field == field, (inputs, caught.value.message)
        assert words in caught.value.message
    with pytest.raises(NotFound) as missing:
        planner.plan_program(root, ["nowhere"], output_dir="run_x", worker=warm)
    assert missing.value.field == "inputs.0"
    with pytest.raises(BadRequest) as outside:
        planner.plan_program(root, ["uncal"], output_dir="../run_x", worker=warm)
    assert outside.value.field == "output_dir"
    with pytest.raises(BadRequest) as not_a_pool:
        planner.plan_program(root, ["uncal"], output_dir="run_x", worker=warm, pool="README.md")
    assert not_a_pool.value.field == "pool"
    with pytest.raises(BadRequest) as done_already:
        planner.plan_program(root, ["cal"], output_dir="run_x", worker=warm, target_level=2)
    assert done_already.value.field == "target_level"
    # A folder's non-JWST file is skipped with a warning, the rest planned.
    shutil.copy(hst, root / "uncal" / hst.name)
    plan = planner.plan_program(root, ["uncal"], output_dir="uncal/run_f", worker=warm)
    assert any(hst.name in w and "not a JWST exposure" in w for w in plan.warnings)
    assert _by_pipeline(plan)["calwebb_detector1"] == 4


def test_a_plan_that_takes_too_long_ends_its_process(root: Path) -> None:
    worker = planner.PlanningWorker()
    try:
        with pytest.raises(Conflict) as caught:
            planner.plan_program(
                root, ["uncal"], output_dir="uncal/run_g", worker=worker, timeout=0.01
            )
        assert caught.value.reason == "planning_timeout"
        assert not worker.running
    finally:
        worker.close()


# --- the acceptance check: planning from jwst's own pools = asn_generate ---------------


def _pool_data() -> Path:
    found = subprocess.run(
        [sys.executable, "-c", "import jwst, pathlib; print(pathlib.Path(jwst.__file__).parent)"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(found.stdout.strip()) / "associations" / "tests" / "data"


def _expose_pool(name: str, folder: Path) -> Path:
    """jwst's test pool ``name`` expanded (its templates filled in by jwst's own helper).

    Every exposure the pool names gets a small FITS file with its pool values
    in the primary header, as a program's downloaded files would have.
    """
    folder.mkdir(parents=True)
    pool = folder / f"{name}.csv"
    subprocess.run(
        [sys.executable, "-c", _EXPAND, str(_pool_data() / f"{name}.csv"), str(pool)],
        check=True,
        capture_output=True,
    )
    table = Table.read(pool, format="ascii", delimiter="|")
    columns = {c.lower(): c for c in table.colnames}
    for row in table:
        header = fits.Header()
        header["TELESCOP"] = "JWST"
        for key in ("instrume", "exp_type", "detector", "observtn", "targname", "nints"):
            if key in columns:
                header[key.upper()] = str(row[columns[key]])
        for key in ("ngroups", "subsize1", "subsize2"):
            if key in columns and str(row[columns[key]]).isdigit():
                header[key.upper()] = int(row[columns[key]])
        header["TSOVISIT"] = (
            str(row[columns["tsovisit"]]).upper() == "T" if "tsovisit" in columns else False
        )
        filename = folder / str(row[columns["filename"]])
        if not filename.exists():
            fits.PrimaryHDU(data=np.zeros((1, 1), np.uint8), header=header).writeto(filename)
    return pool


def _reference(pool: Path, out: Path) -> set[tuple[Any, ...]]:
    """The associations ``asn_generate`` writes for ``pool``, described for comparison."""
    out.mkdir()
    done = subprocess.run(
        [str(BIN / "asn_generate"), str(pool), "-p", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {_describe(json.loads(path.read_text())) for path in out.glob("*.json")}


def _describe(content: dict[str, Any]) -> tuple[Any, ...]:
    products = tuple(
        (
            str(product.get("name", "")),
            frozenset((m["expname"].rsplit("/", 1)[-1], m["exptype"]) for m in product["members"]),
        )
        for product in content["products"]
    )
    return (content["asn_type"], content["asn_rule"], products)


def check_pool(
    name: str, tmp_path: Path, worker: planner.PlanningWorker | None = None
) -> tuple[int, int, list[str]]:
    """Planning from the pool gives asn_generate's associations (or says why one is left out).

    Answers how many associations asn_generate made, how many were planned,
    and the warnings about the others.
    """
    pool = _expose_pool(name, tmp_path / "root" / "data")
    expected = _reference(pool, tmp_path / "reference")
    plan = planner.plan_program(
        tmp_path / "root", ["data"], pool=f"data/{pool.name}", output_dir="data/run", worker=worker
    )
    planned = {_describe(asn.content) for asn in plan.associations}
    assert planned <= expected, sorted(map(str, planned - expected))[:3]
    for left_out in expected - planned:
        asn_type = left_out[0]
        assert any(f"({asn_type}) not planned" in w for w in plan.warnings), (
            left_out,
            plan.warnings,
        )
    assert len(planned) >= max(1, len(expected) // 2), (name, len(planned), len(expected))
    jobs = {job.key: job for job in plan.jobs}
    for asn in plan.associations:
        job = next(job for job in plan.jobs if job.input == asn.path)
        assert asn.path.startswith(f"data/run/stage{job.level}/")
        assert job.pipeline in pipelines_for_asn_type(asn.asn_type)
        # Every member is made by a job this one waits for (the inputs are all uncal).
        made = {path for key in job.depends_on for path in jobs[key].products}
        assert set(asn.members) <= made, (asn.path, set(asn.members) - made)
    return len(expected), len(planned), [w for w in plan.warnings if "not planned" in w]


@pytest.mark.parametrize("name", FAST_POOLS)
def test_planning_from_jwst_pools_matches_asn_generate(name: str, tmp_path: Path) -> None:
    expected, planned, left_out = check_pool(name, tmp_path)
    assert (planned, left_out) == (expected, [])


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW_POOLS)
def test_planning_from_more_jwst_pools_matches_asn_generate(name: str, tmp_path: Path) -> None:
    check_pool(name, tmp_path)


def _expanded(name: str, pool: Path) -> Path:
    """jwst's test pool ``name`` with its templates filled in, written to ``pool``."""
    subprocess.run(
        [sys.executable, "-c", _EXPAND, str(_pool_data() / f"{name}.csv"), str(pool)],
        check=True,
        capture_output=True,
    )
    return pool


def _program_pool(folder: Path, observations: int) -> Path:
    """jwst's MIRI imaging pool repeated over ``observations`` observations of one target.

    Discovery then finds Level 3 associations across observations (``a3001``)
    besides each observation's own, the case the planner's generation handles
    differently from ``Main``.
    """
    folder.mkdir(parents=True)
    shipped = _expanded("pool_002_image_miri", folder / "shipped.csv")
    rows = Table.read(shipped, format="ascii", delimiter="|")
    pool = Table(names=rows.colnames, dtype=[str] * len(rows.colnames))
    for observation in range(1, observations + 1):
        for number, row in enumerate(rows, start=1):
            values = {name: str(row[name]) for name in rows.colnames}
            values.update(
                filename=f"jw99009{observation:03d}001_02101_{number:05d}_mirimage_uncal.fits",
                obs_num=str(observation),
                asn_candidate=f"[('o{observation:03d}', 'observation')]",
            )
            pool.add_row([values[column] for column in rows.colnames])
    path = folder / "program_pool.csv"
    pool.write(path, format="ascii", delimiter="|")
    return path


def _generated_both_ways(pool: Path, merges: bool = True) -> dict[str, list[Any]]:
    """``Main``'s and the planner's associations, without merging and (``merges``) merged."""
    modes = ["no-merge", "merge"] if merges else ["no-merge"]
    done = subprocess.run(
        [sys.executable, "-c", _BOTH_WAYS, str(pool), *modes],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answer: dict[str, list[Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def _assert_same_generation(
    pool: Path, answer: dict[str, list[Any]] | None = None, merges: bool = True
) -> None:
    for merge, (main, fast) in (answer or _generated_both_ways(pool, merges)).items():
        assert main, (pool.name, merge)
        assert [name for name, _ in fast] == [name for name, _ in main], (pool.name, merge)
        for (name, expected), (_, got) in zip(main, fast, strict=True):
            assert got == expected, (pool.name, merge, name)


@pytest.mark.parametrize("name", FAST_POOLS)
def test_generation_is_main_s_association_for_association(name: str, tmp_path: Path) -> None:
    """The planner's generation = jwst's ``Main``: same associations, names, JSON and order."""
    _assert_same_generation(_expanded(name, tmp_path / f"{name}.csv"))


def test_generation_across_observations_is_main_s(tmp_path: Path) -> None:
    pool = _program_pool(tmp_path / "program", observations=3)
    answer = _generated_both_ways(pool)
    main = answer["False"][0]
    assert any(content["asn_id"] == "a3001" for _, content in main)  # discovered ones
    assert {content["asn_id"] for _, content in main} >= {"o001", "o002", "o003"}
    _assert_same_generation(pool, answer)


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW_POOLS)
def test_generation_on_more_pools_is_main_s(name: str, tmp_path: Path) -> None:
    # Unmerged only (as the planner asks): both ways and merged too would take minutes.
    _assert_same_generation(_expanded(name, tmp_path / f"{name}.csv"), merges=False)
