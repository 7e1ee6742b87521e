"""What the three imaging stages do with the demo data: the steps that legitimately skip.

Steps skip for three reasons in MIRI imaging of a subarray: the step is off by
default in jwst (``skip = True``), the step decides by itself that it does not
apply (it records ``SKIPPED`` in ``meta.cal_step``), or the pipeline never
calls it for this kind of data. Every other step must run.
"""

from __future__ import annotations

#: stage alias -> step alias -> why it does not run for the demo's MIRI imaging.
SKIP_REASONS: dict[str, dict[str, str]] = {
    "calwebb_detector1": {
        "group_scale": "NFRAMES equals FRMDIVSR: no group rescaling needed",
        "emicorr": "off by default in jwst (skip = True)",
        "firstframe": "off by default in jwst; RSCD flags the first group instead",
        "superbias": "not part of the MIRI processing order",
        "refpix": "MIRI subarrays have no reference pixels",
        "charge_migration": "off by default in jwst (near-infrared detectors)",
        "picture_frame": "off by default in jwst (near-infrared detectors)",
        "clean_flicker_noise": "off by default in jwst",
        "persistence": "off by default in jwst (near-infrared detectors)",
        "gain_scale": "the GAIN reference has no GAINFACT: nothing to rescale",
    },
    "calwebb_image2": {
        "bkg_subtract": "the association has no background exposures",
    },
    "calwebb_image3": {
        "assign_mtwcs": "the target is fixed: moving-target WCS does not apply",
    },
}

#: stage alias -> the steps that legitimately skip (manifest key ``skipped_steps``).
SKIPPED_STEPS: dict[str, list[str]] = {
    stage: sorted(reasons) for stage, reasons in SKIP_REASONS.items()
}

#: step alias -> the ``meta.cal_step`` keyword it records, where the two differ.
CAL_STEP_NAMES: dict[str, str] = {
    "dark_current": "dark_sub",
    "bkg_subtract": "back_sub",
    "source_catalog": "",
}
