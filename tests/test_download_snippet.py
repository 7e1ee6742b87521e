"""Issue 14, defect 7: a download's "Copy as Python" writes exactly where the job wrote.

A real download job runs against a local HTTP server; its snippet is then
executed (from the server root, as in a notebook there) with an
``astroquery.mast`` stand-in that records where each file would be written,
and those paths are compared with the job's outputs.
"""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from .download_server import DownloadServer
from .downloads_helpers import OBS_ID, product_row, rows_for, served_files
from .jobs_helpers import make_manager, make_settings, wait_status


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "root"
    folder.mkdir()
    return folder


class RecordingObservations:
    """What the snippet calls of ``astroquery.mast.Observations``; records the writes."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.writes: list[tuple[str, str]] = []

    def get_product_list(self, obsids: Any) -> list[dict[str, Any]]:
        del obsids
        return list(self.rows)

    def filter_products(self, products: Any, **filters: Any) -> Any:
        del filters
        return products

    def download_file(self, uri: str, local_path: str) -> None:
        self.writes.append((uri, local_path))


def _run_snippet(
    code: str, root: Path, rows: list[dict[str, Any]], monkeypatch
) -> list[tuple[str, str]]:
    observations = RecordingObservations(rows)
    package = types.ModuleType("astroquery")
    mast = types.ModuleType("astroquery.mast")
    mast.Observations = observations  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "astroquery", package)
    monkeypatch.setitem(sys.modules, "astroquery.mast", mast)
    monkeypatch.chdir(root)
    # Running the copied code is what is tested; it is the server's own snippet.
    exec(compile(code, "<Copy as Python>", "exec"), {})  # noqa: S102
    return observations.writes


@pytest.mark.parametrize("asked", ["products", "obsids"])
async def test_the_python_snippet_writes_the_jobs_layout(
    root, crds_cache, tmp_path, monkeypatch, asked
):
    files = served_files(3, 1000)
    with DownloadServer(files) as server:
        settings = make_settings(root, crds_cache, mast_url=server.url)
        manager = make_manager(settings, tmp_path / "catalog", token_provider=lambda: None)
        rows = rows_for(server)
        request: dict[str, Any] = {"source": "mast", "rows": rows, "dest": "data/mast"}
        if asked == "obsids":
            request["obsids"] = [OBS_ID]
        else:
            request["products"] = [row["dataURI"] for row in rows]
        await manager.start()
        try:
            job = await manager.submit("download", request)
            done = await wait_status(manager, job["id"], timeout=60)
        finally:
            await manager.stop()
    assert done["status"] == "succeeded", done["error"]
    written = sorted(done["outputs"])
    assert len(written) == 3
    assert all(path.startswith(f"data/mast/JWST/{OBS_ID}/") for path in written)

    writes = _run_snippet(done["commands"]["python"], root, rows, monkeypatch)
    assert sorted(os.path.normpath(path) for _, path in writes) == written
    assert {uri for uri, _ in writes} == {row["dataURI"] for row in rows}
    # The folders it names exist (the snippet makes them), as the job's did.
    assert (root / "data" / "mast" / "JWST" / OBS_ID).is_dir()


def test_rows_of_several_observations_keep_their_own_folders(root, monkeypatch):
    from jwst_lab.jobs.download_jobs import plan_files, snippet

    rows = [
        product_row("jw01234001001_02101_00001_nrca1_cal.fits", 10, obs_id="jw01234-o001_t001"),
        product_row("jw01234002001_02101_00001_nrca1_cal.fits", 10, obs_id="jw01234-o002_t001"),
    ]
    folder, planned, _ = plan_files(
        root=root,
        dest="dl",
        rows=rows,
        source="mast",
        mast_url="https://mast.stsci.edu",
        token=None,
    )
    code = snippet(
        products=[row["dataURI"] for row in rows],
        obsids=None,
        product_filters=None,
        dest="dl",
        mast_url="https://mast.stsci.edu",
        protected=False,
        files=planned,
        folder=folder,
    )
    writes = _run_snippet(code, root, rows, monkeypatch)
    expected = sorted(os.path.relpath(entry["dest"], root.resolve()) for entry in planned)
    assert sorted(path for _, path in writes) == expected
    assert expected[0].startswith("dl/JWST/jw01234-o001_t001/")
