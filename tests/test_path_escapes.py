"""The path-escape suite: every route, every path-valued field, every way out of the root.

Each case sends a value that would lead outside the server root (``..``,
absolute paths, encoded forms, NUL, over-long names, ``~`` and ``$``, and
symbolic links placed at each depth inside the root) through a real Jupyter
server, and checks that the answer is a 4xx JSON error (never a 2xx, never a
500) and that a folder outside the root is byte-for-byte unchanged after it.
The step parameters are every file-valued parameter of every installed step,
read from jwst's own specs.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from jwst_lab.core.pipeline import PipelineCatalog
from jwst_lab.core.step_paths import param_role

from .api_helpers import call_api
from .downloads_helpers import OBS_ID, FakeMast, product_row
from .jobs_helpers import place_uncal

SECRET = "secret_uncal.fits"


@pytest.fixture
def jwst_lab_config(crds_cache) -> dict[str, Any]:
    return {
        "crds_context": "jwst_0541.pmap",
        "crds_path": str(crds_cache),
        "archive_backend": "local",
        "download_dir": "downloads",
    }


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder outside the root holding files worth stealing or overwriting."""
    folder = tmp_path / "outside"
    (folder / "deep" / "deeper").mkdir(parents=True)
    for where in (folder, folder / "deep", folder / "deep" / "deeper"):
        (where / SECRET).write_bytes(b"SIMPLE  =                    T" + b" " * 2850)
        (where / "x_asn.json").write_text(json.dumps({"asn_type": "image3", "products": []}))
    return folder


@pytest.fixture
def workspace(
    jp_serverapp, jp_root_dir, jp_data_dir, catalog_cache_dir, tiny_uncal_template, outside
):
    """The root: a tiny exposure and symbolic links out at every depth; a seeded catalog."""
    shutil.copytree(catalog_cache_dir, jp_data_dir / "jwst_lab" / "catalog", dirs_exist_ok=True)
    place_uncal(tiny_uncal_template, jp_root_dir, "obs/a_uncal.fits")
    (jp_root_dir / "obs" / "deep" / "deeper").mkdir(parents=True)
    (jp_root_dir / "link_out").symlink_to(outside)
    (jp_root_dir / "obs" / "link_out").symlink_to(outside / "deep")
    (jp_root_dir / "obs" / "deep" / "deeper" / "link_out").symlink_to(outside / "deep" / "deeper")
    (jp_root_dir / "obs" / "b_uncal.fits").symlink_to(outside / SECRET)
    (jp_root_dir / "obs" / "deep" / "c_uncal.fits").symlink_to(outside / "deep" / SECRET)
    (jp_root_dir / "loop").symlink_to(jp_root_dir / "loop")
    return jp_root_dir


@pytest.fixture
def fake_mast(jp_serverapp, outside):
    """One local-archive product for ``POST /downloads`` (the download side of MAST only)."""
    (app,) = jp_serverapp.extension_manager.extension_apps["jwst_lab"]
    previous = app.services.mast
    name = "jw01234001001_00001_mirimage_cal.fits"
    archived = outside.parent / "archive" / name
    archived.parent.mkdir()
    archived.write_bytes(b"A" * 2000)
    app.services.mast = FakeMast([product_row(name, 2000, local_path=archived)])
    yield
    app.services.mast = previous


def escapes(name: str) -> list[str]:
    """Values naming ``name`` outside the root, in every form a path can take."""
    return [
        f"../outside/{name}",
        f"obs/../../outside/{name}",
        f"/tmp/{name}",
        f"//etc/{name}",
        f"link_out/{name}",
        f"obs/link_out/{name}",
        f"obs/deep/deeper/link_out/{name}",
        f"link_out/deep/deeper/{name}",
        f"obs\\..\\..\\outside\\{name}",
        f"~/{name}",
        f"$HOME/{name}",
        f"obs/{name}\x00.fits",
        "obs/" + "x" * 300 + f"/{name}",
        "x" * 5000,
        "loop/a",
    ]


FILE_LINKS = ["obs/b_uncal.fits", "obs/deep/c_uncal.fits"]


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Relative path → (size, sha256) of every file under ``folder``."""
    return {
        path.relative_to(folder).as_posix(): (
            path.stat().st_size,
            hashlib.sha256(path.read_bytes()).hexdigest(),
        )
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


_call = call_api


def _refused(case: str, code: int, body: Any) -> None:
    assert 400 <= code < 500, f"{case}: answered {code} {body}"
    assert isinstance(body, dict), (case, body)
    assert body.get("message"), (case, body)
    assert body.get("reason"), (case, body)


def _file_step_params(catalog_dir: Path) -> list[tuple[str, str, str]]:
    """(step alias, parameter, role) of every file parameter of every installed step."""
    found = []
    for entry in PipelineCatalog(catalog_dir).load()["entries"]:
        if entry["is_pipeline"] or entry["steps"]:
            continue  # only steps' own parameters can be set through the API
        for name, spec in entry["params"].items():
            role = param_role(name, spec)
            if role in ("read", "write") and name not in ("output_dir", "output_file", "input_dir"):
                found.append((entry["alias"], name, role))
    return found


async def test_query_and_body_paths_never_leave_the_root(jp_fetch, workspace, outside, fake_mast):
    before = snapshot(outside)
    requests = []
    for value in [*escapes(SECRET), *FILE_LINKS]:
        if not value.startswith("$"):
            # A download writes exactly where it is told: '$HOME' there is a folder name.
            requests.append(
                (
                    "POST",
                    ("downloads",),
                    {
                        "products": ["mast:JWST/product/jw01234001001_00001_mirimage_cal.fits"],
                        "dest": value,
                    },
                    {},
                )
            )
        requests += [
            ("GET", ("associations",), None, {"path": value}),
            ("GET", ("previews",), None, {"path": value}),
            ("GET", ("images", "info"), None, {"path": value}),
            ("GET", ("images", "pixel"), None, {"path": value, "x": "0", "y": "0"}),
            ("GET", ("catalogs",), None, {"path": value}),
            ("POST", ("crds", "bestrefs"), {"path": value}, {}),
            ("POST", ("crds", "fetch"), {"path": value}, {}),
            ("POST", ("jobs",), {"pipeline": "group_scale", "input": value}, {}),
            (
                "POST",
                ("jobs",),
                {"pipeline": "group_scale", "input": "obs/a_uncal.fits", "output_dir": value},
                {},
            ),
        ]
    for method, parts, body, params in requests:
        code, answer = await _call(jp_fetch, method, *parts, body=body, **params)
        _refused(f"{method} {'/'.join(parts)} {body or params}", code, answer)
    assert snapshot(outside) == before
    code, page = await _call(jp_fetch, "GET", "jobs")
    assert (code, page["total"]) == (200, 0)


async def test_every_file_step_parameter_is_refused_every_way_out(
    jp_fetch, workspace, outside, catalog_cache_dir
):
    before = snapshot(outside)
    params = _file_step_params(catalog_dir=catalog_cache_dir)
    assert len(params) >= 40, params
    values = [*escapes("flat.fits"), "obs/link_out/" + SECRET]
    for step, name, _role in params:
        for value in values:
            body = {
                "pipeline": step,
                "input": "obs/a_uncal.fits",
                "steps": {step: {name: value}},
            }
            code, answer = await _call(jp_fetch, "POST", "jobs", body=body)
            _refused(f"{step}.{name}={value!r}", code, answer)
            assert answer.get("field", "").startswith(f"steps.{step}.{name}"), (name, value, answer)
    assert snapshot(outside) == before
    code, page = await _call(jp_fetch, "GET", "jobs")
    assert (code, page["total"]) == (200, 0)


async def test_no_hook_can_be_set_on_any_step(jp_fetch, workspace, outside, catalog_cache_dir):
    before = snapshot(outside)
    steps = [e["alias"] for e in PipelineCatalog(catalog_cache_dir).load()["entries"]]
    assert len(steps) > 50
    for step in steps:
        for hook in ("pre_hooks", "post_hooks"):
            for value in (
                [f"touch {outside}/A", f"touch {outside}/B"],
                [f"touch {outside}/A"],
                "jwst.group_scale.GroupScaleStep",
            ):
                body = {
                    "pipeline": step,
                    "input": "obs/a_uncal.fits",
                    "steps": {step: {hook: value}},
                }
                code, answer = await _call(jp_fetch, "POST", "jobs", body=body)
                _refused(f"{step}.{hook}", code, answer)
    assert snapshot(outside) == before
    assert not (outside / "A").exists()


async def test_encoded_forms_are_decoded_once_and_then_refused(
    http_server_client, jp_auth_header, jp_base_url, workspace, outside
):
    before = snapshot(outside)
    base = f"{jp_base_url.rstrip('/')}/jwst-lab"
    for route in ("associations", "previews", "images/info", "catalogs"):
        for query in (
            f"path=%2e%2e%2foutside%2f{SECRET}",
            f"path=..%2Foutside%2F{SECRET}",
            f"path=%2Ftmp%2F{SECRET}",
            f"path=link_out%2F{SECRET}",
            "path=obs%2Fa_uncal.fits%00.json",
            f"path=%252e%252e%252foutside%252f{SECRET}",  # decoded once: a literal name, absent
        ):
            response = await http_server_client.fetch(
                f"{base}/{route}?{query}", headers=jp_auth_header, raise_error=False
            )
            _refused(f"{route}?{query}", response.code, json.loads(response.body))
    # JSON's own escapes decode to the same characters, and are refused the same way.
    for raw in (
        '{"pipeline": "group_scale", "input": "\\u002e\\u002e/outside/' + SECRET + '"}',
        '{"pipeline": "group_scale", "input": "obs/a_uncal.fits", '
        '"output_dir": "\\u002e\\u002e/x"}',
        '{"path": "\\u002fetc\\u002fpasswd"}',
    ):
        route = "crds/bestrefs" if raw.startswith('{"path"') else "jobs"
        response = await http_server_client.fetch(
            f"{base}/{route}",
            method="POST",
            headers=jp_auth_header,
            body=raw,
            raise_error=False,
        )
        _refused(raw, response.code, json.loads(response.body))
    assert snapshot(outside) == before


async def test_download_destinations_at_every_depth(jp_fetch, workspace, outside, fake_mast):
    before = snapshot(outside)
    name = "jw01234001001_00001_mirimage_cal.fits"
    chain = ["JWST", OBS_ID, name]
    for depth in range(len(chain)):
        dest = f"dl{depth}"
        folder = workspace / dest
        for part in chain[:depth]:
            folder = folder / part
        folder.mkdir(parents=True, exist_ok=True)
        (folder / chain[depth]).symlink_to(outside / ("deep" if depth < 2 else SECRET))
        body = {"products": [f"mast:JWST/product/{name}"], "dest": dest}
        code, answer = await _call(jp_fetch, "POST", "downloads", body=body)
        _refused(f"dest with a link at {'/'.join(chain[: depth + 1])}", code, answer)
        assert answer.get("field") == "dest", answer
    assert snapshot(outside) == before


@pytest.mark.parametrize(
    "template",
    [
        "crds/contexts/{}",
        "crds/mappings/{}",
        "jobs/{}",
        "jobs/{}/log",
        "jobs/{}/cancel",
        "pipelines/{}/spec",
        "mast/observations/{}/products",
    ],
)
async def test_path_segments_cannot_walk_out(
    http_server_client, jp_auth_header, jp_base_url, workspace, outside, template
):
    before = snapshot(outside)
    for value in [
        "../../../../etc/passwd",
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "..%252F..%252Fetc",
        quote(str(outside / "x_asn.json"), safe=""),
        "jwst_0541.pmap%00.json",
        "x" * 5000,
    ]:
        method = "POST" if template.endswith("cancel") else "GET"
        url = f"{jp_base_url.rstrip('/')}/jwst-lab/{template.format(value)}"
        response = await http_server_client.fetch(
            url,
            method=method,
            headers=jp_auth_header,
            body=b"" if method == "POST" else None,
            raise_error=False,
        )
        assert 400 <= response.code < 500, f"{url}: {response.code}"
        assert json.loads(response.body).get("reason"), url
    assert snapshot(outside) == before
