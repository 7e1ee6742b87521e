"""A run's plan: the exposures found, the associations to write and the graph of jobs.

The planner (:func:`plan_program`) reads the inputs' headers and groups the
exposures with jwst's own association rules in a subprocess (the server never
imports jwst); the run service (:mod:`.runs`) turns a :class:`Plan` into child
jobs. Every path here is relative to the server root, with ``/`` separators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Exposure levels a run accepts as inputs, by file-name suffix, and the level each is.
EXPOSURE_LEVELS: dict[str, int] = {
    "uncal": 0,
    "rate": 1,
    "rateints": 1,
    "cal": 2,
    "calints": 2,
}


@dataclass(frozen=True)
class Exposure:
    """One exposure the run starts from, with what its header says about its size."""

    path: str
    #: ``uncal``, ``rate``, ``rateints``, ``cal`` or ``calints``.
    suffix: str
    instrument: str
    exp_type: str
    detector: str
    nints: int
    ngroups: int
    #: Rows and columns of the science array (the subarray, not the full frame).
    nrows: int
    ncols: int
    size_bytes: int
    #: TSO exposures (``TSOVISIT``) go through the *ints products and tso3.
    tso: bool = False


@dataclass(frozen=True)
class PlannedAssociation:
    """An association the run writes, or one given with the inputs that it uses."""

    #: Where the run writes it (in its stage folder), given ones included: a given
    #: association is written as a copy whose members point at this run's files.
    path: str
    asn_type: str
    asn_rule: str
    product: str
    #: Member paths (root-relative): the files the association's jobs read.
    members: tuple[str, ...]
    #: The association's JSON as written; member ``expname``s are relative to its folder.
    content: dict[str, Any] = field(repr=False, hash=False, compare=False)
    #: True when it came with the inputs (its product names and metadata are kept).
    given: bool = False


@dataclass(frozen=True)
class PlannedJob:
    """One pipeline job of the graph."""

    #: Unique in the plan and stable across plans of the same inputs
    #: (``"<level>:<pipeline>:<product or exposure stem>"``).
    key: str
    #: Pipeline alias (``calwebb_detector1``, ``calwebb_image2``, ``calwebb_image3`` ...).
    pipeline: str
    #: The level the job produces (1, 2 or 3).
    level: int
    #: An exposure or an association path (root-relative).
    input: str
    #: The stage folder its outputs go to (root-relative).
    output_dir: str
    #: Keys of the jobs whose outputs it reads.
    depends_on: tuple[str, ...]
    #: The products the next stage reads (root-relative), e.g. ``stage1/x_rate.fits``.
    products: tuple[str, ...]
    #: The exposures whose data it processes (root-relative paths in :attr:`Plan.exposures`):
    #: its memory estimate is made from their headers.
    exposures: tuple[str, ...]


@dataclass(frozen=True)
class Stage:
    """The jobs of one pipeline, in one folder."""

    level: int
    pipeline: str
    folder: str
    jobs: int


@dataclass(frozen=True)
class Plan:
    """What a run does: everything needed to create its jobs, nothing created yet."""

    inputs: tuple[str, ...]
    target_level: int
    output_dir: str
    exposures: tuple[Exposure, ...]
    associations: tuple[PlannedAssociation, ...]
    stages: tuple[Stage, ...]
    #: In an order where every job comes after the jobs it depends on.
    jobs: tuple[PlannedJob, ...]
    warnings: tuple[str, ...] = ()
