"""World coordinates of the synthetic MIRI imager.

The demo's DISTORTION reference holds :func:`full_frame_distortion`, and the
``cal`` files carry the same chain that ``assign_wcs`` builds from that
reference: ``detector -> v2v3 -> v2v3vacorr -> world``. Building it here, from
the same pieces, keeps the generator's ``cal`` files and the pipeline's own
``cal`` files interchangeable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from . import instrument as inst


@dataclass(frozen=True)
class Pointing:
    """Where the telescope points: the sky position of the aperture reference point."""

    ra_ref: float
    dec_ref: float
    roll_ref: float = inst.ROLL_REF

    def wcsinfo(self) -> dict[str, Any]:
        """The ``meta.wcsinfo`` values that describe this pointing."""
        v2_ref, v3_ref = subarray_v2v3_ref()
        return {
            "v2_ref": v2_ref,
            "v3_ref": v3_ref,
            "vparity": inst.VIDL_PARITY,
            "v3yangle": inst.V3_IDL_YANGLE,
            "ra_ref": self.ra_ref,
            "dec_ref": self.dec_ref,
            "roll_ref": self.roll_ref,
        }


def full_frame_distortion() -> Any:
    """Full-frame detector pixel (0-based x, y) to telescope V2, V3 (arcsec).

    A plate scale, the imager's rotation and parity in the V2/V3 plane, no
    optical distortion: an affine map, so its inverse is exact.
    """
    from astropy.modeling import models

    theta = math.radians(inst.V3_IDL_YANGLE)
    parity = inst.VIDL_PARITY
    scale = inst.PIXEL_SCALE
    matrix = scale * np.array(
        [
            [parity * math.cos(theta), math.sin(theta)],
            [-parity * math.sin(theta), math.cos(theta)],
        ]
    )
    x0, y0 = inst.FULL_FRAME_REF_PIXEL
    to_ref = models.Shift(-x0) & models.Shift(-y0)
    affine = models.AffineTransformation2D(matrix=matrix, translation=[inst.V2_FULL, inst.V3_FULL])
    model = to_ref | affine
    model.name = "miri_imager_demo_distortion"
    model.inputs = ("x", "y")
    model.outputs = ("v2", "v3")
    return model


def subarray_center_full_frame() -> tuple[float, float]:
    """0-based full-frame pixel at the centre of the demo subarray."""
    half = (inst.SUBARRAY_SIZE - 1) / 2.0
    return (inst.SUBARRAY_XSTART - 1 + half, inst.SUBARRAY_YSTART - 1 + half)


def subarray_v2v3_ref() -> tuple[float, float]:
    """V2, V3 (arcsec) of the subarray centre: the aperture reference point."""
    x, y = subarray_center_full_frame()
    v2, v3 = full_frame_distortion()(x, y)
    return float(v2), float(v3)


def tel2sky(pointing: Pointing) -> Any:
    """The V2, V3 (arcsec) -> RA, Dec (deg) transform of ``pointing`` (jwst's own)."""
    from jwst.assign_wcs import pointing as jwst_pointing

    info = pointing.wcsinfo()
    stand_in = SimpleNamespace(meta=SimpleNamespace(wcsinfo=SimpleNamespace(**info)))
    return jwst_pointing.v23tosky(stand_in)


def detector_to_v2v3(filter_name: str) -> Any:
    """Subarray pixel -> V2, V3: subarray offset, filter offset, distortion; bounded."""
    from astropy.modeling import bind_bounding_box, models

    spec = next(f for f in inst.FILTERS if f.name == filter_name)
    distortion = full_frame_distortion()
    if spec.column_offset or spec.row_offset:
        distortion = models.Shift(spec.column_offset) & models.Shift(spec.row_offset) | distortion
    subarray = models.Shift(inst.SUBARRAY_XSTART - 1) & models.Shift(inst.SUBARRAY_YSTART - 1)
    transform = subarray | distortion
    edge = inst.SUBARRAY_SIZE - 0.5
    bind_bounding_box(transform, ((-0.5, edge), (-0.5, edge)), order="F")
    return transform


def imaging_wcs(pointing: Pointing, filter_name: str) -> Any:
    """The gwcs a ``cal`` file of this pointing carries (same frames as ``assign_wcs``)."""
    import gwcs.coordinate_frames as cf
    from astropy import coordinates as coord
    from astropy import units as u
    from gwcs.wcs import WCS
    from jwst.assign_wcs import pointing as jwst_pointing

    v2_ref, v3_ref = subarray_v2v3_ref()
    detector = cf.Frame2D(name="detector", axes_order=(0, 1), unit=(u.pix, u.pix))
    v2v3 = cf.Frame2D(
        name="v2v3", axes_order=(0, 1), axes_names=("v2", "v3"), unit=(u.arcsec, u.arcsec)
    )
    v2v3vacorr = cf.Frame2D(
        name="v2v3vacorr", axes_order=(0, 1), axes_names=("v2", "v3"), unit=(u.arcsec, u.arcsec)
    )
    world = cf.CelestialFrame(reference_frame=coord.ICRS(), name="world")
    va_corr = jwst_pointing.dva_corr_model(va_scale=1.0, v2_ref=v2_ref, v3_ref=v3_ref)
    pipeline = [
        (detector, detector_to_v2v3(filter_name)),
        (v2v3, va_corr),
        (v2v3vacorr, tel2sky(pointing)),
        (world, None),
    ]
    return WCS(pipeline)


def dithered_pointing(
    base: Pointing, offset_arcsec: tuple[float, float], error_arcsec: tuple[float, float]
) -> tuple[Pointing, Pointing]:
    """(true, commanded) pointings of a dither position.

    ``offset_arcsec`` moves the aperture in its ideal frame (x, y); the true
    pointing puts the reference point where the offset says, the commanded one
    (written in the headers) is off by ``error_arcsec`` on the sky (east, north).
    """
    theta = math.radians(inst.V3_IDL_YANGLE)
    parity = inst.VIDL_PARITY
    dx, dy = offset_arcsec
    dv2 = parity * dx * math.cos(theta) + dy * math.sin(theta)
    dv3 = -parity * dx * math.sin(theta) + dy * math.cos(theta)
    v2_ref, v3_ref = subarray_v2v3_ref()
    ra, dec = tel2sky(base)(v2_ref + dv2, v3_ref + dv3)
    true = Pointing(ra_ref=float(ra), dec_ref=float(dec), roll_ref=base.roll_ref)
    east, north = error_arcsec
    commanded = Pointing(
        ra_ref=true.ra_ref + east / 3600.0 / math.cos(math.radians(true.dec_ref)),
        dec_ref=true.dec_ref + north / 3600.0,
        roll_ref=base.roll_ref,
    )
    return true, commanded


def v1_pointing(pointing: Pointing) -> tuple[float, float, float]:
    """RA, Dec of the telescope V1 axis and the V3 position angle, for ``meta.pointing``."""
    transform = tel2sky(pointing)
    ra_v1, dec_v1 = transform(0.0, 0.0)
    # V3 axis direction at V1: a point a little along +V3.
    ra_up, dec_up = transform(0.0, 60.0)
    d_ra = math.radians(float(ra_up) - float(ra_v1)) * math.cos(math.radians(float(dec_v1)))
    d_dec = math.radians(float(dec_up) - float(dec_v1))
    pa_v3 = math.degrees(math.atan2(d_ra, d_dec)) % 360.0
    return float(ra_v1), float(dec_v1), pa_v3
