"""Pipelines, their parameter specs, association files and quick looks.

``GET /pipelines`` and ``GET /pipelines/{alias}/spec`` answer what
:class:`~jwst_lab.core.pipeline.PipelineCatalog` describes;
``GET /associations`` what :class:`~jwst_lab.core.associations.AssociationReader`
reads; ``GET /previews`` takes :class:`PreviewQuery` and answers a PNG.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator
from pydantic_core import PydanticUseDefault

from ..core.preview import (
    DEFAULT_MAX_SIZE,
    MAX_SIZE_LIMIT,
    MIN_SIZE,
    Stretch,
    check_stretch,
)
from .base import ApiModel, LenientQuery, as_field_error, integer_between, required_text

#: A path relative to the server root, from a query string (blank is missing).
QueryPath = Annotated[str, BeforeValidator(required_text)]


# --- GET /pipelines ---------------------------------------------------------------------------


class PipelineSummary(ApiModel):
    """A pipeline or step: alias, class, level and the inputs it accepts, its steps."""

    alias: str
    class_name: str
    is_pipeline: bool
    #: The calwebb stage (1, 2, 3); null for single steps and other pipelines.
    level: int | None
    #: Association types a calwebb pipeline runs.
    asn_types: list[str]
    #: File suffixes a calwebb pipeline runs (``_rate.fits``, ...).
    suffixes: list[str]
    #: Step aliases, in order (empty for a single step).
    steps: list[str]
    #: The first paragraph of the class's docstring.
    doc: str


class PipelineList(ApiModel):
    """``GET /pipelines``: every pipeline and step installed, and the versions described."""

    pipelines: list[PipelineSummary]
    #: jwst, stpipe and crds versions of the catalog.
    versions: dict[str, str]


# --- GET /pipelines/{alias}/spec --------------------------------------------------------------


class ParamSpec(ApiModel):
    """One parameter from stpipe's configobj spec."""

    #: configobj type: ``float``, ``integer``, ``boolean``, ``string``, ``option``, ...
    type: str
    default: Any
    #: The default as written in the spec.
    default_repr: Any
    min: int | float | None
    max: int | float | None
    choices: list[Any] | None
    help: str
    #: The raw spec line, e.g. ``float(min=0.0, max=1.0, default=1.0)``.
    check: str
    #: A parameter every stpipe step has (skip, save_results, ...).
    common: bool
    #: Set by jwst-lab itself (output_dir, ...) or never settable (hooks).
    managed: bool
    #: A file the step reads or writes: a path relative to the root.
    path: Literal["read", "write"] | None


class StepSpec(ApiModel):
    """One step of a pipeline and its parameters."""

    alias: str
    class_name: str
    doc: str
    params: dict[str, ParamSpec]


class PipelineSpec(PipelineSummary):
    """``GET /pipelines/{alias}/spec``: the pipeline's parameters and each step's."""

    params: dict[str, ParamSpec]
    step_specs: list[StepSpec]


# --- GET /associations ------------------------------------------------------------------------


def _text_or_none(value: Any) -> Any:
    """What an association says, as text: numbers written out; objects and arrays left out.

    Level 2 association schemas do not constrain ``asn_id`` or ``target``.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return None


#: A member of an association file shown as text (see :func:`_text_or_none`).
AsnText = Annotated[str | None, BeforeValidator(_text_or_none)]


class AssociationQuery(LenientQuery):
    """``GET /associations?path=``: the association file, relative to the server root."""

    path: QueryPath


class AssociationMember(ApiModel):
    """A member exposure of a product, and whether it can be used."""

    expname: str
    exptype: str
    exists: bool


class AssociationProduct(ApiModel):
    """A product of an association and its members."""

    name: str | None
    members: list[AssociationMember]


class RefusedMember(ApiModel):
    """A member that cannot be used, and why."""

    expname: str
    #: ``missing``, ``leads outside the server root``, ...
    problem: str


class AssociationSummary(ApiModel):
    """``GET /associations``: an association file read and validated."""

    #: The file, relative to the root.
    path: str
    asn_type: str | None
    asn_rule: AsnText
    asn_id: AsnText
    asn_pool: AsnText
    program: AsnText
    target: AsnText
    level: Literal[2, 3]
    #: The calwebb pipelines that run this association type.
    pipelines: list[str]
    products: list[AssociationProduct]
    members_total: int
    #: Members that are missing or refused (see ``members_refused``).
    members_missing: list[str]
    members_refused: list[RefusedMember]


# --- GET /previews ----------------------------------------------------------------------------


def _stretch(value: Any) -> Any:
    """One of the stretches; blank is the default (``asinh``)."""
    if isinstance(value, str):
        if not value.strip():
            raise PydanticUseDefault
        return as_field_error(check_stretch, value)
    return value


class PreviewQuery(LenientQuery):
    """``GET /previews?path=&stretch=&max_size=``: a quick look of a 2-D image."""

    #: A FITS file relative to the server root.
    path: QueryPath
    stretch: Annotated[Stretch, BeforeValidator(_stretch)] = "asinh"
    #: Longest side of the PNG, in pixels.
    max_size: Annotated[int, BeforeValidator(integer_between(MIN_SIZE, MAX_SIZE_LIMIT))] = (
        DEFAULT_MAX_SIZE
    )
