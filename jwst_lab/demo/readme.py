"""The README.md written at the root of every demo workspace."""

from __future__ import annotations

from typing import Any

from . import instrument as inst
from .crds_context import SERVERLESS_URL


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- `{item}`" for item in items)


def _dither_text(n_exposures: int) -> tuple[str, str]:
    """How the README names the program's dither and its pointing errors."""
    if n_exposures == 1:
        pattern = "a single pointing (no dither)"
        errors = (
            "The exposure is where guide-star acquisition left the telescope: tweakreg has\n"
            "nothing to align."
        )
    elif n_exposures == 2:
        pattern = "a 2-point dither"
        errors = (
            "Exposure 2 carries a small pointing error that tweakreg removes by\n"
            "aligning it to exposure 1."
        )
    else:
        pattern = f"a {n_exposures}-point dither"
        errors = (
            f"Exposures 2-{n_exposures} carry a small pointing error that tweakreg removes by\n"
            "aligning them to exposure 1."
        )
    if n_exposures != inst.DEFAULT_EXPOSURES:
        errors += (
            f"\nThis program was made with `jwst-lab demo --exposures {n_exposures}` (the default\n"
            f"is {inst.DEFAULT_EXPOSURES}); the stars lie inside every exposure."
        )
    return pattern, errors


def readme_text(manifest: dict[str, Any]) -> str:
    """Describe the workspace a user just opened, from its manifest."""
    files = manifest["files"]
    asns = manifest["associations"]
    contexts = "\n".join(
        f"- `{c['name']}` ({c['date']}): {c['description']}" for c in manifest["contexts"]
    )
    skipped = "\n".join(
        f"- {stage}: {', '.join(steps) if steps else 'none'}"
        for stage, steps in manifest["skipped_steps"].items()
    )
    image2 = asns["image2"][0]
    image3 = asns["image3"][0]
    uncal = files["uncal"][0]
    n_uncal, n_rate, n_cal = len(files["uncal"]), len(files["rate"]), len(files["cal"])
    image2_name = image2.split("/")[-1]
    image3_name = image3.split("/")[-1]
    target, ra, dec = manifest["target"], manifest["ra"], manifest["dec"]
    filters = ", ".join(manifest["filters"])
    subarray = inst.SUBARRAY_NAME
    n_stars = manifest["n_stars"]
    limit = manifest["completeness_limit_njy"]
    dither, pointing_errors = _dither_text(int(manifest.get("n_exposures", inst.DEFAULT_EXPOSURES)))
    return f"""# jwst-lab demo workspace (SYNTHETIC DATA)

> **{inst.SYNTHETIC_NOTICE}.**
> Every file here was made by `jwst-lab demo` (generator version {manifest["version"]},
> seed {manifest["seed"]}). The target, the stars, the detector and the reference files
> are invented; only the formats are real.
> FITS headers say so too: `SYNTHETC = T`, a `HISTORY` card, and the program title.

This workspace lets you try every jwst-lab feature with no network: search an
archive, browse CRDS contexts, and run the real JWST pipeline stages.

## What is here

- `uncal/`: {n_uncal} raw ramps (`*_uncal.fits`), the input of `calwebb_detector1`.
- `rate/`: {n_rate} slope images (`*_rate.fits`) and the Level 2 association
  `{image2_name}`.
- `cal/`: {n_cal} calibrated images (`*_cal.fits`, MJy/sr) and the Level 3 association
  `{image3_name}`.
- `truth/`: what was injected: the star catalog (`ra`, `dec` in deg, `flux` in nJy)
  and the cosmic rays of each exposure.
- `crds_cache/`: a CRDS cache with its own contexts and synthetic reference files.
- `archive/`: a local archive laid out as MAST organises products,
  `archive/JWST/<obs_id>/<files>`.
- `jwst_lab_demo.json`: the manifest (what was generated, paths relative to this
  folder, checksums).

The program is MIRI imaging of the target `{target}` (RA {ra:.4f}, Dec {dec:.4f}):
{dither} in {filters} on the {subarray} 512x512 subarray. The field holds
{n_stars} stars with known positions and fluxes; every star brighter than
{limit:.0f} nJy is meant to appear in the image3 source catalog. Each exposure has
its own sky level, cosmic rays (jumps in the ramps, plus a few residual hits left in
the `rate`/`cal` images for outlier detection) and the detector's dead and hot
pixels. {pointing_errors}

Each level was produced directly by the generator from the same simulated scene, not by
running the pipeline, and each is accepted by the real pipeline: the `rate` images are
what `calwebb_detector1` makes of the ramps, and the `cal` images are what
`calwebb_image2` makes of the `rate` images.

## CRDS contexts

{contexts}

The operational context is `{manifest["operational_context"]}`. The second context replaces the
{filters} flat; `crds diff` (or the jwst-lab CRDS panel) shows what changed. Reference types
that do not apply to MIRI imaging are declared `N/A`. `pars-*` references pin the step
parameters the demo needs (tweakreg: no network catalog, first exposure as reference).

## Run the pipeline here

From a terminal in this folder (JupyterLab's terminals already have these variables):

```bash
export CRDS_PATH=$PWD/crds_cache CRDS_MODE=local CRDS_SERVER_URL={SERVERLESS_URL}
strun calwebb_detector1 {uncal} --output_dir=rate_out
(cd rate && strun calwebb_image2 {image2_name})
(cd cal && strun calwebb_image3 {image3_name})
```

Steps that skip for this kind of data:

{skipped}

## Use real MAST and CRDS instead

The demo is one configuration of jwst-lab; nothing in it is built in. To work with
real data, start JupyterLab without the demo and configure the extension, e.g. in
`jupyter_server_config.py` or on the command line:

```
--JwstLabApp.archive_backend=mast              # search the real MAST archive
--JwstLabApp.crds_server_url=https://jwst-crds.stsci.edu
--JwstLabApp.crds_path=$HOME/crds_cache        # your own CRDS cache
```

or set `CRDS_SERVER_URL`, `CRDS_PATH` (and unset `CRDS_MODE`) in the environment before
starting `jupyter lab`. Set a MAST token in the MAST panel for exclusive-access data.
Do not point real work at this workspace's `crds_cache`: its references are synthetic.

## Rebuild

`jwst-lab demo --no-launch` checks this folder against the manifest's checksums and
rebuilds it if anything is missing or changed; `--seed N` makes a different sky. A
rebuild happens in a new folder next to this one; if this folder holds files of
yours (pipeline outputs, notebooks), it is kept as `<name>.replaced-<time>` rather
than deleted.
"""
