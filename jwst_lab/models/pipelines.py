"""Pipelines, their parameter specs, association files and quick looks.

``GET /pipelines`` and ``GET /pipelines/{alias}/spec`` answer what
:class:`~jwst_lab.core.pipeline.PipelineCatalog` describes;
``GET /associations`` what :class:`~jwst_lab.core.associations.AssociationReader`
reads; ``GET /previews`` takes :class:`PreviewQuery` and answers a PNG.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticUseDefault

from ..core.preview import (
    DEFAULT_MAX_SIZE,
    MAX_SIZE_LIMIT,
    MIN_SIZE,
    Stretch,
    check_stretch,
    parse_region,
)
from .base import ApiModel, LenientQuery, as_field_error, integer_between, required_text
from .crds import OptionalContextName

#: Largest coordinate of a preview region (beyond any FITS image a server holds).
MAX_REGION = 10**9

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


def _region(value: Any) -> Any:
    """``x0,y0,x1,y1`` checked for form (the image's size is checked when it is read)."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        as_field_error(parse_region, text, MAX_REGION, MAX_REGION)
        return text
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
    #: ``x0,y0,x1,y1``: only this part of the image (0-based pixels, ends excluded).
    region: Annotated[str | None, BeforeValidator(_region)] = None


# --- GET /pipelines/{alias}/parameters --------------------------------------------------------


class ParametersQuery(LenientQuery):
    """``GET /pipelines/{alias}/parameters?input=&context=``: an input and a CRDS context."""

    #: The pipeline's input (an exposure or an association), relative to the server root.
    input: QueryPath
    #: The CRDS context the job will pin; blank for the one a job would use.
    context: OptionalContextName = None


class EffectiveValue(ApiModel):
    """A parameter's value as a job would get it, and where it comes from."""

    value: Any
    #: ``default``: the code's default; ``crds``: a ``pars-*`` reference (``reference``).
    source: Literal["default", "crds"]
    #: The ``pars-*`` reference file that sets it, for ``crds``.
    reference: str | None


class StepParameters(ApiModel):
    """A step's effective parameters and the ``pars-*`` reference CRDS selects for it."""

    #: ``pars-<stepclass>``.
    reftype: str | None
    #: The reference file name, or null when CRDS has none for this input.
    reference: str | None
    values: dict[str, EffectiveValue]


class PipelineParameters(ApiModel):
    """``GET /pipelines/{alias}/parameters``: the values a job on this input would run with."""

    alias: str
    #: The input, relative to the root.
    input: str
    #: The CRDS context used to select the ``pars-*`` references.
    context: str | None
    #: ``requested``, ``pinned``, ``operational`` or ``latest cached``.
    context_reason: str
    #: True when ``STPIPE_DISABLE_CRDS_STEPPARS`` turns parameter references off.
    disabled: bool
    exp_type: str | None
    #: The pipeline's own ``pars-*`` reference (its ``steps`` section wins), or null.
    pipeline_reference: str | None
    steps: dict[str, StepParameters]


# --- GET /pipelines/applicable ----------------------------------------------------------------


class ApplicableQuery(LenientQuery):
    """``GET /pipelines/applicable?input=``: an exposure relative to the server root."""

    input: QueryPath


class ApplicablePipelines(ApiModel):
    """``GET /pipelines/applicable``: the installed pipelines that apply to an exposure."""

    input: str
    #: ``EXP_TYPE`` of the primary header, or null.
    exp_type: str | None
    #: Aliases of the pipelines that take this file, in catalog order.
    pipelines: list[str]
    #: The table's answer in words (or why nothing was filtered).
    reason: str
    #: The CRDSCFG table file the answer comes from, or null.
    table: str | None


# --- /pipelines/parameter-files, /pipelines/{alias}/strun -------------------------------------


class ParameterFileQuery(LenientQuery):
    """``GET /pipelines/parameter-files?path=``: an ASDF parameter file under the root."""

    path: QueryPath


class ParameterFile(ApiModel):
    """A parameter file's values as the run dialog shows them."""

    #: The file, relative to the root.
    path: str
    #: The step or pipeline class the file is for.
    class_name: str
    #: Its alias, or null when that class is not installed.
    alias: str | None
    #: ``{step: {parameter: value}}`` of the parameters the dialog shows (and ``skip``).
    steps: dict[str, dict[str, Any]]
    #: ``step.parameter`` names the installed version does not know (left out).
    ignored: list[str]


class ParameterFileWrite(ApiModel):
    """``POST /pipelines/parameter-files``: write the dialog's values as a parameter file."""

    #: An ``.asdf`` file to write, relative to the root.
    path: str
    pipeline: str
    steps: dict[str, dict[str, Any]] = Field(default_factory=dict)
    #: Replace an existing file.
    overwrite: bool = False


class StrunRequest(ApiModel):
    """``POST /pipelines/{alias}/strun``: the dialog's values, to copy as a shell command."""

    input: str
    steps: dict[str, dict[str, Any]] = Field(default_factory=dict)
    crds_context: OptionalContextName = None
    output_dir: str | None = None


class StrunCommand(ApiModel):
    """A ``strun`` command that runs from any folder: absolute paths and CRDS settings."""

    #: One shell line: ``CRDS_PATH=… CRDS_SERVER_URL=… strun …`` (with a ``cd`` when needed).
    command: str
    #: ``strun``'s argument list, ``strun`` first.
    argv: list[str]
    #: The environment assignments of the line.
    env: dict[str, str]
    #: The folder the command must run in (Level 2 associations), or null.
    cwd: str | None
