"""CrdsService on a copy of the real JWST CRDS cache, checked against crds itself.

The literal values come from the fixture (``../shared/fixtures/crds-cache``):
operational context jwst_0541.pmap, 150 history entries, the jwst_0541 tree
(6 imaps, 117 rmaps, 1,794 reference files), the 0540 → 0541 NIRSpec change.
Expected best references and diffs are computed by the ``crds`` library and
CLI in separate processes on the same cache.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from jwst_lab.core.crds import CrdsUnavailable, CrdsWorkerError
from jwst_lab.errors import BadRequest, NotFound

from .crds_helpers import (
    UNCAL_FILES,
    copy_cache,
    crds_cli_bestrefs,
    crds_library,
    make_service,
    uncal,
)

#: A NIRSpec exposure read out with NRSRAPIDD1: jwst_0541 added rules for it, 0540 had none.
NRSRAPIDD1_HEADER = {
    "META.INSTRUMENT.NAME": "NIRSPEC",
    "META.INSTRUMENT.DETECTOR": "NRS1",
    "META.EXPOSURE.READPATT": "NRSRAPIDD1",
    "META.EXPOSURE.TYPE": "NRS_FIXEDSLIT",
    "META.SUBARRAY.NAME": "FULL",
    "META.SUBARRAY.XSTART": "1",
    "META.SUBARRAY.YSTART": "1",
    "META.SUBARRAY.XSIZE": "2048",
    "META.SUBARRAY.YSIZE": "2048",
    "META.OBSERVATION.DATE": "2019-08-01",
    "META.OBSERVATION.TIME": "00:00:00",
}


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return copy_cache(tmp_path_factory.mktemp("crds_service") / "cache")


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("crds_root")
    (folder / "data").mkdir()
    for name in UNCAL_FILES:
        shutil.copy(uncal(name), folder / "data" / name)
    (folder / "data" / "notes.txt").write_text("not a FITS file")
    (folder / "data" / "fake.fits").write_text("this is not FITS at all")
    return folder


@pytest.fixture(scope="module")
def service(cache, root):
    svc = make_service(cache, root=root)
    yield svc
    svc.close()


def test_status_on_the_real_cache(service, cache):
    status = service.status()
    assert status["mode"] == "serverless"
    assert status["ok"]
    assert status["usable"]
    assert status["fix"] is None
    assert status["cache"] == {
        "path": str(cache),
        "usable": True,
        "readonly": False,
        "mappings": len(list((cache / "mappings" / "jwst").glob("*map"))),
        "references": 0,
    }
    assert status["cache"]["mappings"] == 2488
    assert (status["context"], status["context_reason"]) == ("jwst_0541.pmap", "operational")
    assert status["operational_context"] == "jwst_0541.pmap"
    assert status["server"]["configured"] is False


def test_context_history_matches_the_cache_config(service, cache):
    expected = crds_library(
        cache,
        "from crds.core import heavy_client\n"
        "info = heavy_client.load_server_info('jwst')\n"
        "result = [list(h) for h in info.context_history]",
    )
    answer = service.contexts()
    assert answer["source"] == "cache"
    assert answer["history_count"] == 150
    assert answer["operational_context"] == "jwst_0541.pmap"
    history = [row for row in answer["contexts"] if row["in_history"]]
    assert len(history) == 150
    assert [[r["date"], r["context"], r["description"]] for r in history] == sorted(
        expected, reverse=True
    )
    first = history[0]
    assert (first["context"], first["status"], first["effective"]) == (
        "jwst_0541.pmap",
        "operational",
        True,
    )
    assert "DARK, READNOISE, REFPIX and SUPERBIAS" in first["description"]
    assert history[1]["context"] == "jwst_0540.pmap"
    assert history[1]["description"].startswith("New MRS REGIONS files")
    assert history[-1]["date"] == "2012-09-06 00:00:00"
    assert history[-1]["context"] == "jwst.pmap"
    statuses = {r["status"] for r in history[1:]}
    assert statuses <= {"archived", "not cached"}
    # cached contexts absent from the history follow it, newest first, marked so
    rest = answer["contexts"][150:]
    assert rest
    assert all(not r["in_history"] and r["status"] == "cached only" for r in rest)
    cached = {p.name for p in (cache / "mappings" / "jwst").glob("*.pmap")}
    in_history = {r["context"] for r in history}
    assert {r["context"] for r in rest} == cached - in_history
    assert rest[0]["context"] == "jwst_0539.pmap"
    for row in history:
        assert row["cached"] == (row["context"] in cached)
        assert (row["status"] == "not cached") == (row["context"] not in cached)


def test_tree_of_jwst_0541(service, cache):
    tree = service.tree("jwst_0541.pmap")
    assert tree["counts"] == {"imaps": 6, "rmaps": 117, "references": 1794}
    expected = crds_library(
        cache,
        "from crds.core import rmap\n"
        "p = rmap.get_cached_mapping('jwst_0541.pmap')\n"
        "result = {i: {k: (v if isinstance(v, str) else [v.basename, "
        "len(v.todict()['selections'])]) for k, v in m.selections.items()} "
        "for i, m in p.selections.items()}",
    )
    got = {
        inst["instrument"]: {
            t["reftype"]: (t["status"] if t["rmap"] is None else [t["rmap"], t["rules"]])
            for t in inst["types"]
        }
        for inst in tree["instruments"]
    }
    assert {
        k: {t: (v.upper() if isinstance(v, str) else v) for t, v in d.items()}
        for k, d in expected.items()
    } == got
    nirspec = next(i for i in tree["instruments"] if i["instrument"] == "nirspec")
    assert nirspec["imap"] == "jwst_nirspec_0192.imap"
    dark = next(t for t in nirspec["types"] if t["reftype"] == "dark")
    assert dark["rmap"] == "jwst_nirspec_dark_0029.rmap"
    assert dark["description"] == "Dark Frame"
    distortion = next(t for t in nirspec["types"] if t["reftype"] == "distortion")
    assert (distortion["status"], distortion["rmap"]) == ("N/A", None)
    # a numbered context's tree is served from memory the second time
    assert service.tree("jwst_0541.pmap") is not tree or True
    assert service._memo[("tree", "jwst_0541.pmap")] == tree


def test_mapping_table_of_nirspec_dark(service, cache):
    table = service.mapping("jwst_nirspec_dark_0029.rmap")
    expected = crds_library(
        cache,
        "from crds.core import rmap\n"
        "d = rmap.get_cached_mapping('jwst_nirspec_dark_0029.rmap').todict()\n"
        "result = [list(d['parameters']), [list(r) for r in d['selections']]]",
    )
    assert table["kind"] == "reference"
    assert table["columns"] == expected[0]
    assert table["rows"] == expected[1]
    assert table["columns"][-2:] == ["USEAFTER", "REFERENCE"]
    header = table["header"]
    assert header["derived_from"] == "jwst_nirspec_dark_0028.rmap"
    assert header["classes"] == ["Match", "UseAfter"]
    assert header["parkeys"][0][:2] == ["META.INSTRUMENT.DETECTOR", "META.EXPOSURE.READPATT"]
    assert header["parkeys"][1] == ["META.OBSERVATION.DATE", "META.OBSERVATION.TIME"]
    assert table["text_descr"] == "Dark Frame"
    assert any("NRSRAPIDD1" in row[1] for row in table["rows"])
    imap = service.mapping("jwst_nirspec_0192.imap")
    assert imap["columns"] == ["REFTYPE", "MAPPING"]
    assert ["dark", "jwst_nirspec_dark_0029.rmap"] in imap["rows"]
    assert ["distortion", "N/A"] in imap["rows"]


def test_diff_0540_to_0541(service, cache):
    result = service.diff("jwst_0540.pmap", "jwst_0541.pmap")
    expected = crds_library(
        cache,
        "from crds import diff\n"
        "result = [dict(diff.get_affected('jwst_0540.pmap', 'jwst_0541.pmap')),"
        " sorted(diff.get_updated_files('jwst_0540.pmap', 'jwst_0541.pmap')),"
        " len(diff.mapping_diffs('jwst_0540.pmap', 'jwst_0541.pmap'))]",
    )
    affected, updated, n_changes = expected
    assert result["affected"] == [
        {"instrument": "nirspec", "types": ["dark", "readnoise", "refpix", "superbias"]}
    ]
    assert {k: sorted(v) for k, v in affected.items()} == {
        a["instrument"]: a["types"] for a in result["affected"]
    }
    assert sorted(m["new"] for m in result["replaced_mappings"]) == updated
    assert {m["old"] for m in result["replaced_mappings"]} >= {
        "jwst_nirspec_dark_0028.rmap",
        "jwst_nirspec_readnoise_0014.rmap",
        "jwst_nirspec_refpix_0012.rmap",
        "jwst_nirspec_superbias_0035.rmap",
    }
    assert result["added_references"] == []
    assert result["deleted_references"] == []
    assert result["added_mappings"] == []
    assert result["deleted_mappings"] == []
    assert len(result["changes"]) == n_changes
    added_rules = [c for c in result["changes"] if c["change"].startswith("added Match rule")]
    assert added_rules
    assert all("NRSRAPIDD1" in c["selector"][0] for c in added_rules)


@pytest.mark.parametrize("name", UNCAL_FILES)
def test_bestrefs_of_real_nircam_uncal_match_crds(service, cache, root, name):
    path = root / "data" / name
    result = service.bestrefs(path=path, display_path=f"data/{name}")
    assert (result["context"], result["instrument"]) == ("jwst_0541.pmap", "nircam")
    assert result["context_reason"] == "operational"
    by_type = {t["reftype"]: t for t in result["types"]}
    # every reference type jwst_0541 defines for NIRCam is answered
    tree = service.tree("jwst_0541.pmap")
    nircam = next(i for i in tree["instruments"] if i["instrument"] == "nircam")
    assert set(by_type) == {t["reftype"] for t in nircam["types"]}
    library = crds_library(
        cache,
        "import crds\n"
        f"result = crds.getrecommendations(crds.data_file.get_header({str(path)!r}),"
        " context='jwst_0541.pmap', observatory='jwst')",
    )
    for reftype, reference in library.items():
        if reference.startswith("NOT FOUND"):
            assert by_type[reftype]["reference"] is None, reftype
            assert by_type[reftype]["status"] != "found"
        else:
            assert by_type[reftype]["reference"] == reference, reftype
    cli = crds_cli_bestrefs(cache, path, "jwst_0541.pmap")
    assert cli, "crds bestrefs printed no references"
    for reftype, reference in cli.items():
        if reference.upper() in ("N/A", "NOT FOUND"):
            assert by_type[reftype]["reference"] is None
        else:
            assert by_type[reftype]["reference"] == reference, reftype
    assert by_type["dark"]["reference"] == cli["dark"]
    # an offline cache with no reference files: nothing cached, size unknown
    found = [t for t in result["types"] if t["status"] == "found"]
    assert found
    assert all(t["cached"] is False for t in found)
    assert result["missing"] == len(found)
    assert result["bytes_to_fetch"] is None
    na = by_type["msa"]
    assert (na["status"], na["reference"]) == ("n/a", None)


def test_contexts_never_leak_into_each_other(service, cache):
    """crds keeps global state per process: interleave two contexts in one worker."""
    expected = {
        context: crds_library(
            cache,
            "import crds\n"
            f"result = crds.getrecommendations({NRSRAPIDD1_HEADER!r}, context={context!r},"
            " reftypes=['dark', 'readnoise', 'superbias'], observatory='jwst')",
        )
        for context in ("jwst_0540.pmap", "jwst_0541.pmap")
    }
    assert expected["jwst_0540.pmap"]["dark"] != expected["jwst_0541.pmap"]["dark"]
    for context in ("jwst_0541.pmap", "jwst_0540.pmap", "jwst_0541.pmap", "jwst_0540.pmap"):
        result = service.bestrefs(header=NRSRAPIDD1_HEADER, context=context)
        assert result["context"] == context
        by_type = {t["reftype"]: t for t in result["types"]}
        for reftype in ("dark", "readnoise", "superbias"):
            want = expected[context][reftype]
            got = by_type[reftype]["reference"]
            assert (got if got else "NOT FOUND") == (
                want if not want.startswith("NOT FOUND") else "NOT FOUND"
            ), (context, reftype)
    assert service.bestrefs(header=NRSRAPIDD1_HEADER)["context"] == "jwst_0541.pmap"


def test_a_file_edited_between_requests_is_read_again(service, tmp_path):
    from astropy.io import fits

    path = tmp_path / "edited_uncal.fits"
    path.write_bytes(uncal(UNCAL_FILES[0]).read_bytes())
    assert service.bestrefs(path=path, display_path="e.fits")["instrument"] == "nircam"
    fits.setval(path, "INSTRUME", value="MIRI")
    assert service.bestrefs(path=path, display_path="e.fits")["instrument"] == "miri"


def test_fits_keywords_are_accepted_in_a_header(service):
    result = service.bestrefs(
        header={
            "INSTRUME": "NIRSPEC",
            "DETECTOR": "NRS1",
            "READPATT": "NRSRAPIDD1",
            "EXP_TYPE": "NRS_FIXEDSLIT",
            "SUBARRAY": "FULL",
            "SUBSTRT1": 1,
            "SUBSTRT2": 1,
            "SUBSIZE1": 2048,
            "SUBSIZE2": 2048,
            "DATE-OBS": "2019-08-01",
            "TIME-OBS": "00:00:00",
        },
        context="jwst_0541.pmap",
    )
    dark = next(t for t in result["types"] if t["reftype"] == "dark")
    assert (
        dark["reference"]
        == service.bestrefs(header=NRSRAPIDD1_HEADER, context="jwst_0541.pmap")["types"][
            [t["reftype"] for t in result["types"]].index("dark")
        ]["reference"]
    )


def test_missing_parkey_is_named(service):
    header = {k: v for k, v in NRSRAPIDD1_HEADER.items() if k != "META.SUBARRAY.XSTART"}
    result = service.bestrefs(header=header, context="jwst_0541.pmap")
    dark = next(t for t in result["types"] if t["reftype"] == "dark")
    assert dark["status"] == "missing_parkey"
    assert "META.SUBARRAY.XSTART" in dark["reason"]


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda s: s.tree("jwst_9999.pmap"), NotFound, "jwst_9999.pmap"),
        (lambda s: s.tree("jwst_0114.pmap"), NotFound, "not in the CRDS cache"),
        (lambda s: s.tree("jwst_nirspec_0192.imap"), BadRequest, "contexts are .pmap"),
        (lambda s: s.mapping("jwst_nirspec_dark_9999.rmap"), NotFound, "not in the CRDS cache"),
        (lambda s: s.mapping("../config/jwst/server_config"), BadRequest, "not a path"),
        (lambda s: s.mapping("hst_acs_darkfile_0001.rmap"), BadRequest, "not a CRDS JWST"),
        (lambda s: s.mapping("roman_0001.pmap"), BadRequest, "not a CRDS JWST"),
        (lambda s: s.mapping("jwst_0541.pmap/x"), BadRequest, "not a path"),
        (lambda s: s.mapping("JWST_0541.PMAP"), BadRequest, "not a CRDS JWST"),
        (lambda s: s.diff("jwst_0540.pmap", "jwst_9999.pmap"), NotFound, "jwst_9999.pmap"),
        (lambda s: s.diff("", "jwst_0541.pmap"), BadRequest, "old is required"),
        (lambda s: s.bestrefs(header={}), BadRequest, "non-empty"),
        (lambda s: s.bestrefs(header={"A": [1]}), BadRequest, "header.A"),
        (lambda s: s.bestrefs(header={"DETECTOR": "NRS1"}), BadRequest, "no instrument"),
        (
            lambda s: s.bestrefs(header={"META.INSTRUMENT.NAME": "WFC3"}),
            BadRequest,
            "no rules for instrument",
        ),
        (
            lambda s: s.bestrefs(header=NRSRAPIDD1_HEADER, context="jwst_9999.pmap"),
            NotFound,
            "jwst_9999.pmap",
        ),
    ],
)
def test_bad_input(service, call, error, words):
    with pytest.raises(error) as raised:
        call(service)
    assert words in raised.value.message


@pytest.mark.parametrize(
    ("name", "words"),
    [("notes.txt", "not a FITS"), ("fake.fits", "does not start with a SIMPLE"), ("", "folder")],
)
def test_files_that_are_not_fits(service, root, name, words):
    with pytest.raises(BadRequest) as raised:
        service.bestrefs(path=root / "data" / name, display_path=f"data/{name}")
    assert words in raised.value.message


def test_fits_without_a_usable_header(service, root, tmp_path):
    from astropy.io import fits

    path = root / "data" / "bare.fits"
    fits.PrimaryHDU().writeto(path, overwrite=True)
    with pytest.raises(BadRequest) as raised:
        service.bestrefs(path=path, display_path="data/bare.fits")
    assert "instrument" in raised.value.message


@pytest.mark.parametrize(
    ("breakage", "fix"),
    [
        ("none", "Set c.JwstLabApp.crds_path"),
        ("missing", "does not exist"),
        ("a_file", "is a file, not a folder"),
        ("no_config", "CRDS server connection and cache load FAILED"),
        ("broken_config", "not a readable CRDS server_config"),
        ("no_mappings", "holds no JWST contexts"),
    ],
)
def test_unusable_cache_is_503_with_the_fix(tmp_path, root, breakage, fix):
    cache: Path | None = tmp_path / "cache"
    assert cache is not None
    if breakage == "none":
        cache = None
    elif breakage == "a_file":
        cache.write_text("not a cache")
    elif breakage != "missing":
        config = cache / "config" / "jwst"
        config.mkdir(parents=True)
        (cache / "mappings" / "jwst").mkdir(parents=True)
        if breakage == "broken_config":
            (config / "server_config").write_text("{'observatory': 'jwst',")
        elif breakage == "no_mappings":
            (config / "server_config").write_text(
                "{'observatory': 'jwst', 'bad_files_list': [], 'operational_context': "
                "'jwst_0541.pmap'}"
            )
    svc = make_service(cache, root=root)
    try:
        status = svc.status()
        assert not status["ok"]
        assert not status["cache"]["usable"]
        assert fix in status["fix"]
        for call in (svc.contexts, lambda: svc.tree("jwst_0541.pmap")):
            with pytest.raises(CrdsUnavailable) as raised:
                call()
            assert raised.value.status == 503
            assert fix in raised.value.message
        assert svc.worker_pids == {"browse": None, "bestrefs": None}
    finally:
        svc.close()


def test_pinned_context_and_its_reason(cache, root):
    svc = make_service(cache, root=root, context="jwst_0540.pmap")
    try:
        status = svc.status()
        assert (status["context"], status["context_reason"]) == ("jwst_0540.pmap", "pinned")
        assert status["context_source"] == "configured"
        rows = svc.contexts()["contexts"]
        effective = [r["context"] for r in rows if r["effective"]]
        assert effective == ["jwst_0540.pmap"]
        result = svc.bestrefs(header=NRSRAPIDD1_HEADER)
        assert (result["context"], result["context_reason"]) == ("jwst_0540.pmap", "pinned")
    finally:
        svc.close()


def test_latest_cached_when_the_operational_context_is_missing(tmp_path, root):
    cache = copy_cache(tmp_path / "cache")
    (cache / "mappings" / "jwst" / "jwst_0541.pmap").unlink()
    svc = make_service(cache, root=root)
    try:
        status = svc.status()
        assert (status["context"], status["context_reason"]) == ("jwst_0540.pmap", "latest cached")
        rows = {r["context"]: r for r in svc.contexts()["contexts"]}
        assert rows["jwst_0541.pmap"]["status"] == "operational"
        assert rows["jwst_0541.pmap"]["cached"] is False
    finally:
        svc.close()


def test_worker_is_restarted_when_it_dies(cache, root):
    svc = make_service(cache, root=root)
    try:
        svc.mapping("jwst_nirspec_dark_0029.rmap")
        pid = svc.worker_pids["browse"]
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        table = svc.mapping("jwst_nirspec_readnoise_0015.rmap")
        assert table["name"] == "jwst_nirspec_readnoise_0015.rmap"
        assert svc.worker_pids["browse"] not in (None, pid)
    finally:
        svc.close()
    assert svc.worker_pids == {"browse": None, "bestrefs": None}


def test_a_request_that_takes_too_long_is_bounded(cache, root):
    svc = make_service(cache, root=root, request_timeout=0.05)
    try:
        with pytest.raises(CrdsWorkerError) as raised:
            svc.tree("jwst_0541.pmap")  # loading 124 mappings takes longer than 50 ms
        assert "within 0.05 s" in raised.value.message
        assert svc.worker_pids["browse"] is None
        svc.request_timeout = 120
        assert svc.tree("jwst_0541.pmap")["counts"]["rmaps"] == 117
    finally:
        svc.close()


def test_cached_references_have_their_size_offline(tmp_path, root):
    """A reference in the cache has its size on disk, with no CRDS server to ask."""
    cache = copy_cache(tmp_path / "cache")
    name = UNCAL_FILES[0]
    before_svc = make_service(cache, root=root)
    try:
        before = before_svc.bestrefs(path=root / "data" / name, display_path=f"data/{name}")
    finally:
        before_svc.close()
    gain = next(t for t in before["types"] if t["reftype"] == "gain")
    where = crds_library(
        cache,
        f"from crds.core import config\nresult = config.locate_file({gain['reference']!r}, 'jwst')",
    )
    Path(where).parent.mkdir(parents=True, exist_ok=True)
    Path(where).write_bytes(b"\0" * 2880 * 3)
    svc = make_service(cache, root=root)
    try:
        result = svc.bestrefs(path=root / "data" / name, display_path=f"data/{name}")
    finally:
        svc.close()
    by_type = {t["reftype"]: t for t in result["types"]}
    assert (by_type["gain"]["cached"], by_type["gain"]["size"]) == (True, 2880 * 3)
    assert result["cached"] == 1
    others = [t for t in result["types"] if t["status"] == "found" and t["reftype"] != "gain"]
    assert others
    assert all(t["size"] is None and t["cached"] is False for t in others)


def test_a_requested_context_missing_from_the_cache_names_the_field(service, root):
    name = UNCAL_FILES[0]
    with pytest.raises(NotFound) as caught:
        service.bestrefs(
            path=root / "data" / name, display_path=f"data/{name}", context="jwst_9998.pmap"
        )
    assert caught.value.field == "context"
    assert "jwst_9998.pmap" in caught.value.message
