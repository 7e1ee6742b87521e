"""The local archive: indexing (incremental), searches with MAST's row shapes, the routes on it.

Uses the session's demo workspace (built once by ``jwst-lab demo --no-launch``,
see ``tests/demo_fixtures.py``), small FITS files written here for the
incremental indexing, and a synthetic 20,000-row index whose cone and criteria
answers are checked against brute force.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jwst_lab.core.archive import LocalArchive, Query
from jwst_lab.core.mast_vocabulary import OBS_COLUMNS, PRODUCT_COLUMNS

from .api_helpers import dead_url
from .archive_synth import angular_distance, synthetic_rows
from .demo_fixtures import DemoBuild, demo_workspace  # noqa: F401 - the session fixture

BIN = Path(sys.executable).parent
DEMO_OBS = "jw09999-o001_t001_miri_f770w"


# --- the demo archive ------------------------------------------------------------------


def test_demo_command_indexed_its_archive(demo_workspace: DemoBuild, tmp_path: Path) -> None:  # noqa: F811
    index = demo_workspace.path / ".jwst_lab" / "archive_index.sqlite"
    assert index.is_file(), demo_workspace.stdout
    assert "Indexed the demo archive" in demo_workspace.stdout
    # A copy: opening the shared workspace's index would leave -wal/-shm files beside it,
    # which the demo-workspace tests (any order) see as a changed workspace.
    copy = tmp_path / "archive_index.sqlite"
    shutil.copy(index, copy)
    archive = LocalArchive(copy, readonly=True)
    assert archive.count_observations() == 5
    from jwst_lab.demo.launch import lab_argv

    assert f"--JwstLabApp.local_archive_index={index}" in lab_argv(demo_workspace.path)


def test_demo_archive_rows_have_mast_shapes(demo_workspace: DemoBuild, tmp_path: Path) -> None:  # noqa: F811
    archive = LocalArchive(tmp_path / "index.sqlite")
    report = archive.index(demo_workspace.path / "archive")
    assert report.read == 14
    assert not report.failed
    rows, total = archive.search(Query(instrument="MIRI"))
    assert total == 5
    assert all(list(row) == list(OBS_COLUMNS) for row in rows)
    level3 = next(row for row in rows if row["obs_id"] == DEMO_OBS)
    assert level3["calib_level"] == 3
    assert level3["instrument_name"] == "MIRI/IMAGE"
    assert level3["filters"] == "F770W"
    assert level3["target_name"] == "DEMO-FIELD"
    assert level3["proposal_id"] == "9999"
    assert level3["obs_collection"] == "JWST"
    assert level3["dataRights"] == "PUBLIC"
    assert 60766 < level3["t_min"] < level3["t_max"] < 60767  # 2025-04-01, MJD
    exposures = [row for row in rows if row["obs_id"] != DEMO_OBS]
    assert {row["calib_level"] for row in exposures} == {2}
    products = archive.products(level3["obsid"])
    assert products is not None
    assert all(list(p)[: len(PRODUCT_COLUMNS)] == list(PRODUCT_COLUMNS) for p in products)
    by_group: dict[str, list[str]] = {}
    for product in products:
        by_group.setdefault(product["productSubGroupDescription"], []).append(
            product["productFilename"]
        )
        assert Path(product["local_path"]).is_file()
        assert product["size"] == Path(product["local_path"]).stat().st_size
        assert product["dataURI"] == f"mast:JWST/product/{product['productFilename']}"
        assert product["parent_obsid"] == level3["obsid"]
    assert len(by_group["ASN"]) == 2
    assert len(by_group["CAL"]) == len(by_group["RATE"]) == len(by_group["UNCAL"]) == 4
    recommended = [
        p for p in products if p["productGroupDescription"] == "Minimum Recommended Products"
    ]
    assert sorted(p["productSubGroupDescription"] for p in recommended) == ["CAL"] * 4
    types = {p["productSubGroupDescription"]: p["productType"] for p in products}
    assert types["ASN"] == "INFO"
    assert types["CAL"] == "SCIENCE"
    # The same searches by name (any case, spaces), cone, filter, level and date.
    assert archive.search(Query(target_name="demo field"))[1] == 5
    assert archive.search(Query(ra=269.7275, dec=66.045, radius=0.01))[1] == 5
    assert archive.search(Query(ra=269.7275, dec=67.1, radius=1.0))[1] == 0
    assert archive.search(Query(filters=("f770w",), calib_level=(3,)))[1] == 1
    assert archive.search(Query(instrument="NIRCAM"))[1] == 0
    assert archive.search(Query(instrument="MIR"))[1] == 0  # a prefix of a name, not of a mode
    assert archive.search(Query(t_min=60767.0, instrument="MIRI"))[1] == 0
    uri = f"mast:JWST/product/{by_group['CAL'][0]}"
    found = archive.products_for_uris([uri, "mast:JWST/product/unknown.fits"])
    assert [p["dataURI"] for p in found] == [uri]
    assert Path(found[0]["local_path"]).is_file()


def _write_fits(path: Path, **cards: Any) -> Path:
    from astropy.io import fits

    header = fits.Header()
    defaults = {
        "TELESCOP": "JWST",
        "INSTRUME": "NIRCAM",
        "FILTER": "F150W",
        "PUPIL": "CLEAR",
        "EXP_TYPE": "NRC_IMAGE",
        "TARGPROP": "TEST TARGET",
        "TARG_RA": 150.0,
        "TARG_DEC": 2.0,
        "PROGRAM": "01234",
        "EXPSTART": 60000.0,
        "EXPEND": 60000.01,
    }
    for key, value in {**defaults, **cards}.items():
        header[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    fits.PrimaryHDU(header=header).writeto(path, overwrite=True)
    return path


def test_indexing_is_incremental(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    first = _write_fits(
        root
        / "JWST"
        / "jw01234001001_02101_00001_nrca1"
        / "jw01234001001_02101_00001_nrca1_cal.fits"
    )
    _write_fits(
        root
        / "JWST"
        / "jw01234001001_02101_00001_nrca1"
        / "jw01234001001_02101_00001_nrca1_rate.fits"
    )
    archive = LocalArchive(tmp_path / "index.sqlite")
    report = archive.index(root)
    assert (report.read, report.unchanged, report.removed) == (2, 0, 0)
    rows, total = archive.search(Query(instrument="NIRCAM"))
    assert total == 1
    assert rows[0]["filters"] == "F150W;CLEAR"
    assert rows[0]["instrument_name"] == "NIRCAM/IMAGE"
    # Unchanged: nothing is read again.
    assert archive.index(root).read == 0
    # A new file: only it is read.
    _write_fits(
        root
        / "JWST"
        / "jw01234002001_02101_00001_mirimage"
        / "jw01234002001_02101_00001_mirimage_cal.fits",
        INSTRUME="MIRI",
        FILTER="F770W",
        PUPIL="N/A",
        EXP_TYPE="MIR_IMAGE",
    )
    report = archive.index(root)
    assert (report.read, report.unchanged) == (1, 2)
    assert archive.search(Query(instrument="MIRI"))[1] == 1
    # Changed files (new size and mtime) are read again and their observation updated.
    for path in first.parent.iterdir():
        _write_fits(path, TARGPROP="RENAMED", PADDING="x" * 60)
        os.utime(path, ns=(time.time_ns(), time.time_ns() + 10_000_000))
    report = archive.index(root)
    assert (report.read, report.unchanged) == (2, 1)
    assert archive.search(Query(target_name="renamed"))[1] == 1
    assert archive.search(Query(target_name="test target"))[1] == 1  # the MIRI one
    # A removed observation disappears; an unreadable file is reported, not fatal.
    for path in (root / "JWST" / "jw01234002001_02101_00001_mirimage").iterdir():
        path.unlink()
    (root / "JWST" / "broken_cal.fits").write_text("not FITS")
    report = archive.index(root)
    assert report.removed == 1
    assert len(report.failed) == 1
    assert "broken_cal.fits" in report.failed[0]
    assert archive.search(Query(instrument="MIRI"))[1] == 0
    assert archive.count_observations() == 1


def test_index_command(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    _write_fits(
        root
        / "JWST"
        / "jw01234001001_02101_00001_nrca1"
        / "jw01234001001_02101_00001_nrca1_cal.fits"
    )
    index = tmp_path / "idx" / "archive.sqlite"
    command = [str(BIN / "jwst-lab"), "index", str(root), "--index", str(index), "--json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["read"] == 1
    assert report["observations"] == 1
    again = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert json.loads(again.stdout)["read"] == 0
    missing = subprocess.run(
        [str(BIN / "jwst-lab"), "index", str(tmp_path / "nope"), "--index", str(index)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert missing.returncode == 2
    assert "not a folder" in missing.stderr


# --- a large synthetic index against brute force -----------------------------------------


@pytest.fixture(scope="module")
def big_archive(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[LocalArchive, list[dict[str, Any]]]:
    rows = list(synthetic_rows(20_000, seed=11))
    archive = LocalArchive(tmp_path_factory.mktemp("big") / "index.sqlite")
    assert archive.bulk_insert_observations(rows) == len(rows)
    return archive, rows


def test_cone_search_matches_brute_force(big_archive) -> None:
    archive, rows = big_archive
    rng = random.Random(4)  # noqa: S311 - reproducible test positions
    centres = [(rng.uniform(0, 360), rng.uniform(-89.9, 89.9)) for _ in range(25)]
    centres += [(0.05, 10.0), (359.95, -10.0), (10.0, 89.95), (200.0, -89.95)]  # wrap, poles
    for ra, dec in centres:
        radius = rng.choice([0.5, 1.5, 3.0])
        expected = {
            r["obs_id"] for r in rows if angular_distance(ra, dec, r["s_ra"], r["s_dec"]) <= radius
        }
        found, total = archive.search(Query(ra=ra, dec=dec, radius=radius, limit=10_000))
        assert total == len(expected)
        assert {r["obs_id"] for r in found} == expected


def test_criteria_search_matches_brute_force_and_pages(big_archive) -> None:
    archive, rows = big_archive
    checks = [
        (Query(instrument="MIRI"), lambda r: r["instrument_name"].startswith("MIRI/")),
        (
            Query(instrument="NIRCAM/IMAGE", filters=("F150W",), calib_level=(2, 3)),
            lambda r: (
                r["instrument_name"] == "NIRCAM/IMAGE"
                and "F150W" in r["filters"].split(";")
                and r["calib_level"] in (2, 3)
            ),
        ),
        (
            Query(filters=("CLEAR", "F770W"), data_rights="EXCLUSIVE_ACCESS"),
            lambda r: (
                bool({"CLEAR", "F770W"} & set(r["filters"].split(";")))
                and r["dataRights"] == "EXCLUSIVE_ACCESS"
            ),
        ),
        (
            Query(t_min=60000.0, t_max=60010.0),
            lambda r: r["t_max"] >= 60000.0 and r["t_min"] <= 60010.0,
        ),
        (Query(proposal_id="02345"), lambda r: r["proposal_id"] == "2345"),
        (Query(target_name="synth-0042"), lambda r: r["target_name"] == "SYNTH-0042"),
    ]
    for query, keep in checks:
        expected = sorted(int(_obsid(r)) for r in rows if keep(r))
        _, total = archive.search(query)
        assert total == len(expected), query
        seen: list[int] = []
        page = 0
        while True:
            found, _ = archive.search(
                Query(**{**query.__dict__, "offset": page * 700, "limit": 700})
            )
            if not found:
                break
            seen.extend(int(r["obsid"]) for r in found)
            page += 1
        assert seen == expected, query  # default order: obsid, every row exactly once
    found, _ = archive.search(Query(instrument="MIRI", sort="t_min", descending=True, limit=50))
    times = [r["t_min"] for r in found]
    assert times == sorted(times, reverse=True)
    assert times[0] == max(r["t_min"] for r in rows if r["instrument_name"].startswith("MIRI/"))


def _obsid(row: dict[str, Any]) -> int:
    from jwst_lab.core.archive import stable_obsid

    return stable_obsid(row["obs_collection"], row["obs_id"])


# --- the routes on the local archive -------------------------------------------------------


@pytest.fixture
def jwst_lab_config(demo_workspace: DemoBuild, tmp_path: Path) -> dict[str, Any]:  # noqa: F811
    return {
        "crds_context": "jwst_0541.pmap",
        "crds_path": "/nonexistent/crds_cache",
        "archive_backend": "auto",
        "mast_url": dead_url(),
        "mast_resolver_url": dead_url() + "/Santa-war/query",
        "mast_timeout": 3.0,
        "local_archive_dir": str(demo_workspace.path / "archive"),
        "local_archive_index": str(tmp_path / "served_index.sqlite"),
    }


async def _get(jp_fetch, *parts: str, **params: Any) -> tuple[int, Any]:
    try:
        response = await jp_fetch("jwst-lab", *parts, params=params or None)
    except HTTPClientError as error:
        raw = error.response.body if error.response is not None else b""
        return error.code, json.loads(raw or b"null")
    return response.code, json.loads(response.body)


async def test_local_source_searches_the_demo_archive_offline(jp_fetch) -> None:
    code, body = await _get(jp_fetch, "mast", "observations", target="Demo Field", source="local")
    assert code == 200, body
    assert body["source"] == "local"
    assert body["total"] == 5
    assert "objectname='Demo Field'" in body["python"]
    assert body["cone"] is None  # matched by name: the resolver is not reachable
    assert all(row["s_region"].startswith("POLYGON") for row in body["rows"])
    level3 = next(r for r in body["rows"] if r["obs_id"] == DEMO_OBS)
    code, products = await _get(
        jp_fetch,
        "mast",
        "observations",
        level3["obsid"],
        "products",
        source="local",
        mrp_only="true",
    )
    assert code == 200
    assert products["source"] == "local"
    assert [p["productSubGroupDescription"] for p in products["rows"]] == ["CAL"] * 4
    assert all(Path(p["local_path"]).is_file() for p in products["rows"])
    assert "local_path" in [c["name"] for c in products["columns"]]
    code, body = await _get(jp_fetch, "mast", "observations", "12345", "products", source="local")
    assert code == 404
    code, body = await _get(jp_fetch, "mast", "observations", target="Nowhere 1", source="local")
    assert code == 404
    assert body["message"] == (
        "No observation in the local archive is named 'Nowhere 1', and MAST's name resolver "
        "could not be reached to look it up"
    )
    assert (body["reason"], body["field"]) == ("unknown_target", "target")
    assert "Santa-war/query" in body["detail"]


async def test_auto_falls_back_to_the_local_archive_when_mast_is_down(jp_fetch) -> None:
    code, body = await _get(jp_fetch, "mast", "observations", instrument="MIRI", calib_level="2")
    assert code == 200, body
    assert body["source"] == "local"
    assert "MAST did not answer" in body["notice"]
    assert body["total"] == 4
    code, body = await _get(jp_fetch, "mast", "observations", instrument="MIRI", source="mast")
    assert code == 502


async def test_downloads_engine_calls_on_the_local_archive(jp_fetch, jp_serverapp) -> None:
    code, _ = await _get(jp_fetch, "mast", "observations", instrument="MIRI", source="local")
    assert code == 200
    service = next(iter(jp_serverapp.extension_manager.extension_apps["jwst_lab"])).services.mast
    rows = await service.list_products("local", DEMO_OBS, {"mrp_only": True})
    assert len(rows) == 4
    for row in rows:
        assert Path(row["local_path"]).is_absolute()
        assert Path(row["local_path"]).stat().st_size == row["size"]
        assert row["obs_collection"] == "JWST"
        assert row["dataRights"] == "PUBLIC"
    uris = [row["dataURI"] for row in rows]
    found = await service.products_for_uris("local", [*uris, "mast:JWST/product/missing.fits"])
    assert [row["dataURI"] for row in found] == uris
    assert [row["local_path"] for row in found] == [row["local_path"] for row in rows]
