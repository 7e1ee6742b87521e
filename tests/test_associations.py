"""Association files: schema validation, member existence, summary."""

from __future__ import annotations

import json
import shutil

import pytest

from jwst_lab.core.associations import (
    AssociationReader,
    asn_level,
    jwst_schema_dir,
    require_members,
)
from jwst_lab.errors import BadRequest

from .conftest import ASN_FIXTURES, ASN_SCHEMAS, require_fixture


@pytest.fixture
def reader(tmp_path):
    return AssociationReader(tmp_path, schema_dir=require_fixture(ASN_SCHEMAS))


def _copy(name, tmp_path):
    target = tmp_path / "obs" / name
    target.parent.mkdir(exist_ok=True)
    shutil.copy(require_fixture(ASN_FIXTURES / name), target)
    return target


def test_level3_association_with_members_present_and_missing(reader, tmp_path):
    path = _copy("test_image_asn.json", tmp_path)
    data = json.loads(path.read_text())
    members = [m["expname"] for m in data["products"][0]["members"]]
    (path.parent / members[0]).write_text("x")
    summary = reader.read(path)
    assert summary["path"] == "obs/test_image_asn.json"
    assert summary["level"] == 3
    assert summary["products"][0]["name"] == data["products"][0]["name"]
    assert summary["products"][0]["members"][0] == {
        "expname": members[0],
        "exptype": data["products"][0]["members"][0]["exptype"],
        "exists": True,
    }
    assert summary["members_total"] == sum(len(p["members"]) for p in data["products"])
    assert members[0] not in summary["members_missing"]
    assert members[1] in summary["members_missing"]
    with pytest.raises(BadRequest, match=r"member file\(s\) missing or refused: .*" + members[1]):
        require_members(summary)


def test_level2_association_is_recognised(reader, tmp_path):
    path = _copy("asn_level2.json", tmp_path)
    summary = reader.read(path)
    assert summary["asn_type"] == "image2"
    assert summary["level"] == 2
    assert summary["pipelines"] == ["calwebb_image2"]


def test_malformed_json_says_where(reader, tmp_path):
    path = tmp_path / "bad_asn.json"
    path.write_text('{"products": [\n  {"name": "x",, }\n]}')
    with pytest.raises(BadRequest, match=r"not valid JSON: .* line 2 column"):
        reader.read(path)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"asn_type": "image3"}, "'products' is a required property"),
        ({"asn_type": "image3", "products": "x"}, "at products"),
        (
            {"asn_type": "image3", "products": [{"name": "p", "members": [{}]}]},
            "products/0/members/0",
        ),
        ([1, 2], "JSON object"),
    ],
)
def test_schema_violations_name_the_location(reader, tmp_path, document, message):
    path = tmp_path / "x_asn.json"
    path.write_text(json.dumps(document))
    with pytest.raises(BadRequest, match=message):
        reader.read(path)


def test_members_outside_the_root_count_as_missing(reader, tmp_path):
    (tmp_path.parent / "outside_cal.fits").write_text("x")
    path = tmp_path / "x_asn.json"
    path.write_text(
        json.dumps(
            {
                "asn_type": "image3",
                "products": [
                    {
                        "name": "p",
                        "members": [{"expname": "../outside_cal.fits", "exptype": "science"}],
                    }
                ],
            }
        )
    )
    assert reader.read(path)["members_missing"] == ["../outside_cal.fits"]


def test_the_installed_jwst_ships_the_same_schemas():
    folder = jwst_schema_dir()
    for name in ("asn_schema_jw_level2b.json", "asn_schema_jw_level3.json"):
        assert (folder / name).is_file()
    assert asn_level("image2") == 2
    assert asn_level("tso-spec2") == 2
    assert asn_level("image3") == 3
    assert asn_level(None) == 3
