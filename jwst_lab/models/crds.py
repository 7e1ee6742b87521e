"""The CRDS browser routes: requests, queries and answers.

The answers are what :class:`~jwst_lab.core.crds.CrdsService` computes (in
its crds worker process); the routes validate them into these models before
they are written.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, model_validator

from ..config import CrdsMode
from ..core.crds import CONTEXT_NAME, MAX_MAPPING_NAME, check_context_name
from .base import ApiModel, FieldError, LenientQuery, as_field_error, field_name, is_none

# --- context names --------------------------------------------------------------------------


def _context(value: Any, info: ValidationInfo) -> Any:
    """A JWST context name (``jwst_0541.pmap``), checked by CRDS's own rules and messages."""
    if isinstance(value, str):
        as_field_error(check_context_name, value, field_name(info))
    return value


def _optional_context(value: Any, info: ValidationInfo) -> Any:
    """A context name, or blank/null for the server's effective context."""
    if isinstance(value, str) and not value.strip():
        return None
    return _context(value, info)


#: The spec's ``CrdsContextName``: :data:`~jwst_lab.core.crds.CONTEXT_NAME`, at most
#: :data:`~jwst_lab.core.crds.MAX_MAPPING_NAME` characters (checked first by
#: :func:`~jwst_lab.core.crds.check_context_name`, for its messages).
_CONTEXT_NAME = Field(pattern=CONTEXT_NAME.pattern, max_length=MAX_MAPPING_NAME)
#: A CRDS JWST pipeline context name.
ContextName = Annotated[str, _CONTEXT_NAME, BeforeValidator(_context)]
#: A context name, or null (or blank) for the server's default.
OptionalContextName = Annotated[str | None, _CONTEXT_NAME, BeforeValidator(_optional_context)]


# --- requests -------------------------------------------------------------------------------


class CrdsBestrefsRequest(ApiModel):
    """``POST /crds/bestrefs``: a file under the server root or a header, at a context."""

    path: str | None = None
    header: dict[str, Any] | None = None
    context: OptionalContextName = None

    @model_validator(mode="after")
    def _one_source(self) -> CrdsBestrefsRequest:
        """Exactly one of ``path`` and ``header``."""
        if (self.path is None) == (self.header is None):
            raise FieldError(
                "give exactly one of path (a FITS/ASDF file) or header (an object)",
                field="path" if self.path is None else "header",
            )
        return self


class CrdsFetchRequest(ApiModel):
    """``POST /crds/fetch``: sync the references a file or association needs into the cache."""

    path: str
    context: OptionalContextName = None


class CrdsDiffQuery(LenientQuery):
    """``GET /crds/diff?old=&new=``: the two contexts to compare."""

    old: ContextName
    new: ContextName


# --- GET /crds/status -----------------------------------------------------------------------


class CrdsCacheStatus(ApiModel):
    """The CRDS cache folder: usable or not, writable or not, what it holds."""

    path: str | None
    usable: bool
    readonly: bool
    mappings: int
    references: int


class CrdsServerStatus(ApiModel):
    """The CRDS server: configured or not, and whether it answered (null: not asked)."""

    url: str | None
    configured: bool
    reachable: bool | None
    error: str | None


#: Why the effective context is the one it is.
ContextReason = Literal["pinned", "operational", "latest cached", "none"]


class CrdsStatus(ApiModel):
    """``GET /crds/status``: mode, cache, server, effective context and why; the fix."""

    mode: CrdsMode
    cache: CrdsCacheStatus
    server: CrdsServerStatus
    context: str | None
    context_reason: ContextReason
    #: Where a pinned context comes from (``configured``, ``environment``), else the reason.
    context_source: Literal["configured", "environment", "operational", "latest cached", "none"]
    operational_context: str | None
    ok: bool
    usable: bool
    problems: list[str]
    fix: str | None


# --- GET /crds/contexts ---------------------------------------------------------------------


class CrdsContext(ApiModel):
    """One context of the history (or only in the cache)."""

    context: str
    date: str | None
    description: str | None
    status: Literal["operational", "archived", "not cached", "cached only"]
    cached: bool
    in_history: bool
    effective: bool


class CrdsContextList(ApiModel):
    """``GET /crds/contexts``: the history newest first, then cached contexts absent from it."""

    source: Literal["server", "cache"]
    operational_context: str | None
    effective_context: str | None
    history_count: int
    contexts: list[CrdsContext]


# --- GET /crds/contexts/{context} -----------------------------------------------------------


class CrdsTreeType(ApiModel):
    """A reference type of an instrument: its rmap, or why it has none."""

    reftype: str
    description: str
    rmap: str | None
    #: ``rmap``, or ``N/A`` / ``OMIT`` when the type does not apply.
    status: str
    rules: int
    references: int


class CrdsTreeInstrument(ApiModel):
    """An instrument of a context and its reference types."""

    instrument: str
    imap: str
    types: list[CrdsTreeType]


class CrdsTreeCounts(ApiModel):
    """How many instrument mappings, reference mappings and references a context has."""

    imaps: int
    rmaps: int
    references: int


class CrdsTree(ApiModel):
    """``GET /crds/contexts/{context}``: instruments → reference types → rmaps."""

    context: str
    header: dict[str, Any]
    instruments: list[CrdsTreeInstrument]
    counts: CrdsTreeCounts


# --- GET /crds/mappings/{mapping} -----------------------------------------------------------


class CrdsMapping(ApiModel):
    """``GET /crds/mappings/{mapping}``: header, columns, one row per selector rule."""

    name: str
    kind: Literal["pipeline", "instrument", "reference"]
    header: dict[str, Any]
    columns: list[str]
    rows: list[list[str]]
    text_descr: str | None


# --- POST /crds/bestrefs --------------------------------------------------------------------


class CrdsBestrefsType(ApiModel):
    """One reference type: its best reference or why there is none, cached or not, its size."""

    reftype: str
    description: str
    reference: str | None
    status: Literal["found", "n/a", "no_match", "missing_parkey", "error"]
    reason: str | None
    cached: bool | None
    size: int | None


class CrdsBestrefsSource(ApiModel):
    """What the references were computed for: a file (``path``) or a header (its key count)."""

    path: str | None = Field(default=None, exclude_if=is_none)
    header_keys: int | None = Field(default=None, exclude_if=is_none)


class CrdsBestrefs(ApiModel):
    """``POST /crds/bestrefs``: every reference type of the instrument at a context."""

    context: str
    instrument: str
    #: crds's processing mode (``local``: rules from the cache, ``remote``: the server's).
    mode: str
    types: list[CrdsBestrefsType]
    found: int
    cached: int
    missing: int
    #: Bytes of the missing references; null when unknown (offline).
    bytes_to_fetch: int | None
    #: Why this context (``requested``, ``pinned``, ``operational``, ``latest cached``).
    context_reason: str
    source: CrdsBestrefsSource
    cache_path: str | None
    readonly: bool


# --- GET /crds/diff -------------------------------------------------------------------------


class CrdsReplacedReference(ApiModel):
    """A reference file replaced by another in one rmap's rule."""

    old: str
    new: str
    rmap: str | None
    selector: list[str]


class CrdsReplacedMapping(ApiModel):
    """A mapping replaced by a newer one."""

    old: str
    new: str


class CrdsAffected(ApiModel):
    """An instrument and the reference types whose rules changed."""

    instrument: str
    types: list[str]


class CrdsChange(ApiModel):
    """One difference crds reports, in its words."""

    mappings: list[str]
    rmap: str | None
    selector: list[str]
    change: str


class CrdsDiff(ApiModel):
    """``GET /crds/diff``: what changed between two contexts."""

    old: str
    new: str
    added_references: list[str]
    deleted_references: list[str]
    replaced_references: list[CrdsReplacedReference]
    added_mappings: list[str]
    deleted_mappings: list[str]
    replaced_mappings: list[CrdsReplacedMapping]
    affected: list[CrdsAffected]
    changes: list[CrdsChange]
