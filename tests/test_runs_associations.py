"""Association members a run writes (``../stage1/x_rate.fits``) pass jwst-lab's member checks.

A run's Level 2 and Level 3 associations live in their stage folder and name
their members relative to it, in the sibling stage folder; the member checks
(``members_refused``) accept those and still refuse members that leave the
root, with ``$`` or ``~``, or that are missing.
"""

from __future__ import annotations

import json
from pathlib import Path

from jwst_lab.core.associations import AssociationReader

from .conftest import ASN_SCHEMAS


def write_image2_asn(folder: Path, members: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    asn = {
        "asn_type": "image2",
        "asn_rule": "candidate_Asn_Lv2Image",
        "asn_id": "o001",
        "asn_pool": "pool.csv",
        "program": "09999",
        "products": [
            {
                "name": "jw09999001001_02101_00001_mirimage",
                "members": [{"expname": name, "exptype": "science"} for name in members],
            }
        ],
    }
    path = folder / "jw09999-o001_image2_00001_asn.json"
    path.write_text(json.dumps(asn))
    return path


def test_members_in_a_sibling_stage_folder_are_accepted_and_escapes_refused(tmp_path):
    root = tmp_path / "root"
    run = root / "uncal" / "run_x"
    (run / "stage1").mkdir(parents=True)
    (run / "stage1" / "a_rate.fits").write_bytes(b"SIMPLE")
    (tmp_path / "outside_rate.fits").write_bytes(b"SIMPLE")
    members = [
        "../stage1/a_rate.fits",
        "../stage1/b_rate.fits",
        "../../../../outside_rate.fits",
        "$HOME/c_rate.fits",
        "~/d_rate.fits",
    ]
    path = write_image2_asn(run / "stage2", members)
    summary = AssociationReader(root, schema_dir=ASN_SCHEMAS).read(path)
    exists = {m["expname"]: m["exists"] for m in summary["products"][0]["members"]}
    assert exists["../stage1/a_rate.fits"] is True
    refused = {item["expname"]: item["problem"] for item in summary["members_refused"]}
    assert "../stage1/a_rate.fits" not in refused
    assert refused["../stage1/b_rate.fits"] == "missing"
    assert refused["../../../../outside_rate.fits"] == "leads outside the server root"
    assert "'$'" in refused["$HOME/c_rate.fits"]
    assert "'~'" in refused["~/d_rate.fits"]
    assert summary["members_missing"] == members[1:]
