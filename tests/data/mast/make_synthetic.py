"""Write the SYNTHETIC JWST-flavoured MAST responses in this folder (run once; output committed).

MAST's real captures (../shared/fixtures/mast/) hold no JWST rows, so these
files imitate MAST's JSON answers for JWST: ``Mast.Caom.Filtered`` rows
(``jwst_observations.json``), ``Mast.Caom.Products`` rows
(``jwst_products.json``), SANTA name-resolver answers (``jwst_resolver.json``)
and a ``whoami`` answer (``whoami.json``). Same keys, types and quirks (NaN,
nulls, obsid as a string field holding integers) as the real captures. Every
file says ``"_synthetic": true``; astroquery ignores the extra key.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

from jwst_lab.core.mast_vocabulary import OBS_FIELDS
from jwst_lab.core.mast_vocabulary import PRODUCT_FIELDS as MAST_PRODUCT_FIELDS

HERE = Path(__file__).resolve().parent
NOTE = "SYNTHETIC: written by tests/data/mast/make_synthetic.py, not captured from MAST"

TARGETS = [
    ("NGC-628", 24.1739458, 15.7836619, "GALAXY"),
    ("WASP-39", 217.3266977, -3.4444994, "EXOPLANET"),
    ("SMACS-0723", 110.8375, -73.4391667, "GALAXY CLUSTER"),
    ("ORION-BAR", 83.8370833, -5.4205556, "NEBULA"),
]
MODES = [
    ("MIRI/IMAGE", ["F560W", "F770W", "F1000W", "F2100W"], "image"),
    ("NIRCAM/IMAGE", ["F150W;CLEAR", "F200W;CLEAR", "F444W;CLEAR", "F335M;CLEAR"], "image"),
    ("NIRSPEC/IFU", ["F290LP;G395H", "F170LP;G235H"], "cube"),
    ("NIRISS/SOSS", ["CLEAR;GR700XD"], "timeseries"),
]
# MAST's CAOM observation and product columns (the real captures' order and types),
# the same lists both backends answer with.
FIELDS = list(OBS_FIELDS)
PRODUCT_FIELDS = list(MAST_PRODUCT_FIELDS)


def observations(n: int = 240) -> list[dict]:
    rng = random.Random(5)  # noqa: S311 - reproducible synthetic data
    rows = []
    for i in range(n):
        target, ra, dec, klass = TARGETS[i % len(TARGETS)]
        instrument, filters, kind = MODES[(i // 4) % len(MODES)]
        program = 1000 + (i % 7) * 311
        level = 3 if i % 3 == 0 else (2 if i % 3 == 1 else 1)
        filt = filters[i % len(filters)]
        detector = instrument.split("/")[0].lower()
        token = filt.split(";")[0].lower()
        if level == 3:
            obs_id = f"jw{program:05d}-o{i % 40 + 1:03d}_t{i % 9 + 1:03d}_{detector}_{token}"
        else:
            obs_id = f"jw{program:05d}{i % 40 + 1:03d}001_02101_{i:05d}_{detector}"
        t_min = 59770.0 + i * 2.5 + rng.random()
        exptime = round(rng.uniform(100.0, 4000.0), 3)
        ra_i = (ra + rng.uniform(-0.05, 0.05) / max(0.1, math.cos(math.radians(dec)))) % 360
        dec_i = dec + rng.uniform(-0.05, 0.05)
        obsid = 87000000 + i
        rows.append(
            {
                "intentType": "science",
                "obs_collection": "JWST",
                "provenance_name": "CALJWST",
                "instrument_name": instrument,
                "project": "JWST",
                "filters": filt,
                "wavelength_region": "INFRARED",
                "target_name": target,
                "target_classification": klass,
                "obs_id": obs_id,
                "s_ra": ra_i,
                "s_dec": dec_i,
                "dataproduct_type": kind,
                "proposal_pi": "Synthetic, Pat",
                "calib_level": level,
                "t_min": t_min,
                "t_max": t_min + exptime / 86400.0,
                "t_exptime": exptime,
                "em_min": None,
                "em_max": None,
                "obs_title": f"SYNTHETIC {target} with {instrument}",
                "t_obs_release": t_min + (10000.0 if i % 10 == 9 else 365.0),
                "proposal_id": str(program),
                "proposal_type": "GO",
                "sequence_number": None,
                "s_region": f"POLYGON ICRS {ra_i - 0.01:.6f} {dec_i - 0.01:.6f} {ra_i + 0.01:.6f} "
                f"{dec_i - 0.01:.6f} {ra_i + 0.01:.6f} {dec_i + 0.01:.6f}",
                "jpegURL": None,
                "dataURL": f"mast:JWST/product/{obs_id}_{'i2d' if level == 3 else 'cal'}.fits",
                "dataRights": "EXCLUSIVE_ACCESS" if i % 10 == 9 else "PUBLIC",
                "mtFlag": False,
                "srcDen": float("nan"),
                "obsid": obsid,
                "objID": 1000000000 + i,
            }
        )
    return rows


def products(rows: list[dict]) -> list[dict]:
    out = []
    for row in rows[:12]:
        obs_id, obsid = row["obs_id"], str(row["obsid"])
        level3 = row["calib_level"] == 3
        detector = row["instrument_name"].split("/")[0].lower()
        exposure = f"jw{row['proposal_id'].zfill(5)}001001_02101_00001_{detector}"
        items = []
        if level3:
            items += [
                (obs_id, "i2d", 3, "SCIENCE", True),
                (obs_id, "cat", 3, "SCIENCE", True),
                (obs_id, "segm", 3, "SCIENCE", True),
            ]
        items += [
            (exposure, "uncal", 1, "SCIENCE", False),
            (exposure, "rate", 2, "SCIENCE", False),
            (exposure, "cal", 2, "SCIENCE", not level3),
        ]
        for name, suffix, level, ptype, mrp in items:
            filename = f"{name}_{suffix}.fits"
            out.append(_product(row, obsid, name, filename, suffix.upper(), level, ptype, mrp))
        asn = f"jw{row['proposal_id'].zfill(5)}-o001_20230101t000000_image3_00001_asn.json"
        out.append(_product(row, obsid, obs_id, asn, "ASN", 3, "INFO", False))
        for gs in ("gs-fg", "gs-track", "gs-acq1"):
            filename = f"jw{row['proposal_id'].zfill(5)}001001_{gs}_2023001000000_cal.fits"
            out.append(_product(row, obsid, exposure, filename, gs.upper(), 2, "AUXILIARY", False))
    return out


def _product(row, obsid, obs_id, filename, subgroup, level, ptype, mrp):
    return {
        "obsID": obsid,
        "obs_collection": "JWST",
        "dataproduct_type": row["dataproduct_type"],
        "obs_id": obs_id,
        "description": f"SYNTHETIC {subgroup} product",
        "type": "S" if ptype == "SCIENCE" else "C",
        "dataURI": f"mast:JWST/product/{filename}",
        "productType": ptype,
        "productGroupDescription": "Minimum Recommended Products" if mrp else None,
        "productSubGroupDescription": subgroup,
        "productDocumentationURL": None,
        "project": "CALJWST",
        "prvversion": "1.12.5",
        "proposal_id": row["proposal_id"],
        "productFilename": filename,
        "size": 1000 + 7919 * len(filename) * level,
        "parent_obsid": obsid,
        "dataRights": row["dataRights"],
        "calib_level": level,
        "filters": row["filters"],
    }


def response(rows: list[dict], fields: list[tuple[str, str]]) -> dict:
    return {
        "_synthetic": NOTE,
        "status": "COMPLETE",
        "msg": "",
        "data": rows,
        "fields": [{"name": n, "type": t} for n, t in fields],
        "paging": {
            "page": 1,
            "pageSize": len(rows),
            "pagesFiltered": 1,
            "rows": len(rows),
            "rowsFiltered": len(rows),
            "rowsTotal": len(rows),
        },
    }


def main() -> None:
    rows = observations()
    (HERE / "jwst_observations.json").write_text(json.dumps(response(rows, FIELDS), indent=1))
    (HERE / "jwst_products.json").write_text(
        json.dumps(response(products(rows), PRODUCT_FIELDS), indent=1)
    )
    resolver = {
        "_synthetic": NOTE,
        "resolvedCoordinate": [
            {
                "searchString": name.lower(),
                "resolver": "SIMBAD",
                "cached": True,
                "resolverTime": 12,
                "searchRadius": -1.0,
                "canonicalName": canonical,
                "ra": ra,
                "decl": dec,
                "objectType": kind,
            }
            for name, canonical, ra, dec, kind in [
                ("NGC 628", "M  74", 24.1739458, 15.7836619, "SyG"),
                ("WASP-39", "WASP-39", 217.3266977, -3.4444994, "Star"),
                ("SMACS 0723", "SMACS J0723.3-7327", 110.8375, -73.4391667, "ClG"),
                ("Orion Bar", "NAME Orion Bar", 83.8370833, -5.4205556, "PDR"),
                ("DEMO-FIELD", "jwst-lab demo field", 269.7275, 66.045, "Field"),
            ]
        ],
        "status": "",
    }
    (HERE / "jwst_resolver.json").write_text(json.dumps(resolver, indent=1))
    whoami = {
        "_synthetic": NOTE,
        "ezid": "synthetic_user",
        "anon": False,
        "scopes": ["mast:exclusive_access"],
        "session": None,
        "token": None,
        "attrib": {"display_name": "Synthetic User"},
    }
    (HERE / "whoami.json").write_text(json.dumps(whoami, indent=1))


if __name__ == "__main__":
    main()
