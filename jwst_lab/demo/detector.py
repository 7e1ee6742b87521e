"""The synthetic detector: per-pixel truth that the data follow and the references describe.

The detector is the same for every seed (real instruments do not change with
the sky): bias, flats, bad pixels, dark, reset anomaly, gain and read noise
come from a fixed random stream. The seed changes only the sky and the noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from . import instrument as inst

#: The detector's own random stream (independent of the user's seed).
DETECTOR_SEED = 20220101

# DQ bits (jwst dqflags.pixel).
DO_NOT_USE = 1
SATURATED = 2
JUMP_DET = 4
DEAD = 1024
HOT = 2048
NO_FLAT_FIELD = 262144


@dataclass(frozen=True)
class Detector:
    """Per-pixel properties of the 512x512 subarray."""

    bias: np.ndarray  # DN
    gain: np.ndarray  # e-/DN
    read_noise: np.ndarray  # DN per read
    dark_rate: np.ndarray  # DN/s, hot pixels included
    dead: np.ndarray  # bool
    hot: np.ndarray  # bool
    saturation: np.ndarray  # DN (raw)
    flats: dict[str, np.ndarray]  # the true flat per filter (context 2)
    old_flats: dict[str, np.ndarray]  # the first, smooth-only flat (context 1)
    flat_error: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        """Image shape (rows, columns)."""
        return (inst.SUBARRAY_SIZE, inst.SUBARRAY_SIZE)

    @property
    def bad(self) -> np.ndarray:
        """Pixels flagged DO_NOT_USE in the bad-pixel mask."""
        return self.dead | self.hot

    def mask_dq(self) -> np.ndarray:
        """The MASK reference's DQ array."""
        dq = np.zeros(self.shape, dtype=np.uint32)
        dq[self.dead] |= DO_NOT_USE | DEAD
        dq[self.hot] |= DO_NOT_USE | HOT
        return dq

    def dark_ramp(self) -> np.ndarray:
        """Dark signal (DN) accumulated at each group: shape (ngroups, rows, columns)."""
        times = group_times()
        return (times[:, None, None] * self.dark_rate[None, :, :]).astype(np.float32)

    def reset_ramp(self) -> np.ndarray:
        """Reset anomaly (DN) of the first groups after reset: (RESET_GROUPS, rows, cols)."""
        groups = np.arange(inst.RESET_GROUPS, dtype=np.float64)
        decay = np.exp(-groups / inst.RESET_DECAY_GROUPS)
        ny, nx = self.shape
        column_pattern = 1.0 + 0.2 * np.sin(np.arange(nx) / 17.0)
        ramp = inst.RESET_AMPLITUDE * decay[:, None, None] * column_pattern[None, None, :]
        return np.broadcast_to(ramp, (inst.RESET_GROUPS, ny, nx)).astype(np.float32)


def group_times() -> np.ndarray:
    """Time (s) since reset at which each group is read."""
    return (np.arange(inst.NGROUPS, dtype=np.float64) + 1.0) * inst.FRAME_TIME


def ipc_deconvolution_kernel() -> np.ndarray:
    """The IPC reference kernel (3x3) that the ipc step convolves the raw data with."""
    a = inst.IPC_COUPLING / (1.0 - 4.0 * inst.IPC_COUPLING)
    kernel = np.zeros((3, 3), dtype=np.float32)
    kernel[1, 1] = 1.0 + 4.0 * a
    kernel[0, 1] = kernel[2, 1] = kernel[1, 0] = kernel[1, 2] = -a
    return kernel


def ipc_couple(image: np.ndarray) -> np.ndarray:
    """What the detector does: each pixel leaks IPC_COUPLING of its charge to 4 neighbours."""
    c = inst.IPC_COUPLING
    out = (1.0 - 4.0 * c) * image
    out[1:, :] += c * image[:-1, :]
    out[:-1, :] += c * image[1:, :]
    out[:, 1:] += c * image[:, :-1]
    out[:, :-1] += c * image[:, 1:]
    return out


def _smooth_flat(ny: int, nx: int, tilt: float, depth: float) -> np.ndarray:
    yy, xx = np.mgrid[0:ny, 0:nx]
    u = (xx - nx / 2.0) / nx
    v = (yy - ny / 2.0) / ny
    return 1.0 - depth * (u * u + v * v) + tilt * u


@cache
def detector() -> Detector:
    """The demo detector (computed once per process)."""
    rng = np.random.default_rng(DETECTOR_SEED)
    ny = nx = inst.SUBARRAY_SIZE
    n = ny * nx
    bias = inst.BIAS_LEVEL + inst.BIAS_SPREAD * rng.standard_normal((ny, nx))
    gain = inst.GAIN * (1.0 + 0.02 * rng.standard_normal((ny, nx)))
    read_noise = inst.READ_NOISE * (1.0 + 0.05 * rng.standard_normal((ny, nx)))
    dead_flat = np.zeros(n, dtype=bool)
    hot_flat = np.zeros(n, dtype=bool)
    order = rng.permutation(n)
    n_dead = int(n * inst.DEAD_FRACTION)
    n_hot = int(n * inst.HOT_FRACTION)
    dead_flat[order[:n_dead]] = True
    hot_flat[order[n_dead : n_dead + n_hot]] = True
    dead = dead_flat.reshape(ny, nx)
    hot = hot_flat.reshape(ny, nx)
    # A short dead column segment, as real detectors have.
    dead[300:340, 77] = True
    dark_rate = np.full((ny, nx), inst.DARK_RATE)
    low, high = inst.HOT_RATE_RANGE
    dark_rate[hot] = 10 ** rng.uniform(np.log10(low), np.log10(high), int(hot.sum()))
    saturation = np.full((ny, nx), inst.SATURATION_LEVEL) - 500.0 * rng.random((ny, nx))
    flats: dict[str, np.ndarray] = {}
    old_flats: dict[str, np.ndarray] = {}
    for position, spec in enumerate(inst.FILTERS):
        smooth = _smooth_flat(ny, nx, tilt=0.02 + 0.01 * position, depth=0.06)
        pixel = 1.0 + 0.015 * rng.standard_normal((ny, nx))
        flats[spec.name] = (smooth * pixel).astype(np.float32)
        old_flats[spec.name] = _smooth_flat(ny, nx, tilt=0.0, depth=0.05).astype(np.float32)
    flat_error = np.full((ny, nx), 0.005, dtype=np.float32)
    return Detector(
        bias=bias,
        gain=gain.astype(np.float32),
        read_noise=read_noise.astype(np.float32),
        dark_rate=dark_rate,
        dead=dead,
        hot=hot,
        saturation=saturation.astype(np.float32),
        flats=flats,
        old_flats=old_flats,
        flat_error=flat_error,
    )
