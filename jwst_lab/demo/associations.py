"""Level 2 and Level 3 associations, made with jwst's own association tools."""

from __future__ import annotations

from pathlib import Path

from . import instrument as inst

#: Association candidate id and the (fixed) creation stamp in the names.
ACID = "o001"
ASN_STAMP = "20250401t130000"
POOL_NAME = "jw09999_20250401t130000_pool.csv"


def level3_product_name(filter_name: str) -> str:
    """DMS name of the Level 3 product: ``jw<program>-o<obs>_t001_miri_<filter>``."""
    return f"jw{inst.PROGRAM}-o{inst.OBSERVATION}_t001_miri_{filter_name.lower()}"


def association_name(kind: str, counter: int) -> str:
    """``jw<program>-o<obs>_<stamp>_<kind>_<counter>_asn.json`` (kind: image2, image3)."""
    return f"jw{inst.PROGRAM}-{ACID}_{ASN_STAMP}_{kind}_{counter:05d}_asn.json"


def _meta() -> dict[str, str]:
    return {
        "program": inst.PROGRAM,
        "target": "t001",
        "asn_pool": POOL_NAME,
        "code_version": f"jwst-lab demo {inst.GENERATOR_VERSION} (synthetic)",
    }


def write_level2(rate_files: list[str], path: Path) -> None:
    """Write an ``image2`` association: one product per ``rate`` file (names relative)."""
    from jwst.associations.asn_from_list import asn_from_list
    from jwst.associations.lib.rules_level2_base import DMSLevel2bBase

    def _product_name(item: str, index: int) -> str:
        del index
        return item.rsplit("_", 1)[0]

    meta = {**_meta(), "asn_type": "image2", "asn_rule": "DMSLevel2bBase"}
    asn = asn_from_list(
        rate_files, rule=DMSLevel2bBase, meta=meta, product_name_func=_product_name, acid=ACID
    )
    asn.data["asn_id"] = ACID
    _, text = asn.dump(format="json")
    path.write_text(text, encoding="utf-8")


def write_level3(cal_files: list[str], filter_name: str, path: Path) -> None:
    """Write an ``image3`` association of ``cal`` files (names relative) for one filter."""
    from jwst.associations.asn_from_list import asn_from_list
    from jwst.associations.lib.rules_level3_base import DMS_Level3_Base

    asn = asn_from_list(
        cal_files, rule=DMS_Level3_Base, product_name=level3_product_name(filter_name)
    )
    asn.data.update({**_meta(), "asn_type": "image3", "asn_rule": "DMS_Level3_Base"})
    asn.data["asn_id"] = ACID
    _, text = asn.dump(format="json")
    path.write_text(text, encoding="utf-8")
