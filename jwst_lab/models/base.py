"""The base of every API model, the error body, and request parsing (bodies and query strings)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo
from pydantic_core import ErrorDetails, PydanticUseDefault

from ..errors import BadRequest

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

_INTEGER = re.compile(r"[+-]?[0-9]{1,24}")


class ApiModel(BaseModel):
    """Base of every model: unknown fields in requests are an error, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LenientQuery(ApiModel):
    """A query string whose unknown parameters are ignored, not refused.

    For the GET routes the front end calls with ``ServerConnection``'s default
    ``cache: 'no-store'``, which appends a bare timestamp parameter to the URL.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)


def is_none(value: Any) -> bool:
    """For ``Field(exclude_if=...)``: members left out of an answer when they are None."""
    return value is None


class ErrorResponse(ApiModel):
    """The body of every 4xx/5xx answer."""

    message: str
    reason: str | None
    #: The request field at fault as a dotted path (``steps.resample.pixfrac``), or the query
    #: or path parameter's name, when one is; absent otherwise.
    field: str | None = Field(default=None, exclude_if=is_none)
    #: What happened in full, for a disclosure under ``message`` (an error's ``detail``); absent
    #: otherwise.
    detail: str | None = Field(default=None, exclude_if=is_none)


class FieldError(ValueError):
    """A value a validator refuses, said in full for the user.

    The message is the 400's whole message. ``field`` names the field to
    blame when it is not the one being validated (a rule across fields).
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def quoted(text: str) -> str:
    """A user's text inside an error message: quoted, and cut after 60 characters."""
    return repr(text) if len(text) <= 60 else repr(text[:60]) + "..."


def _problem(item: ErrorDetails) -> tuple[str, str]:
    """``(field, message)`` of one pydantic error."""
    where = ".".join(str(part) for part in item["loc"]) or "body"
    cause = item.get("ctx", {}).get("error")
    if isinstance(cause, FieldError):
        return cause.field or where, str(cause)
    return where, f"{where}: {item['msg']}"


def parse_request(model: type[M], body: dict[str, Any]) -> M:
    """Validate a request body; every problem becomes one 400 naming the field."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        problems = [_problem(item) for item in error.errors()]
        raise BadRequest(
            "; ".join(message for _, message in problems),
            field=problems[0][0] if problems else None,
        ) from None


def parse_query(model: type[M], arguments: Mapping[str, str]) -> M:
    """Validate a query string's arguments (one text each) into ``model``.

    The model's fields are the query parameters. A parameter it does not
    know, or else the first value it refuses (fields are checked in the order
    they are declared), is a 400 whose ``field`` is that parameter.
    """
    known = sorted(model.model_fields)
    unknown = sorted(set(arguments) - set(known))
    if unknown and model.model_config.get("extra") == "forbid":
        raise BadRequest(
            f"unknown query parameter {quoted(unknown[0])}; known: {', '.join(known)}",
            field=unknown[0],
        )
    try:
        return model.model_validate(arguments)
    except ValidationError as error:
        item = error.errors()[0]
        field, message = _problem(item)
        if item["type"] == "missing":
            message = f"the query parameter {field} is required"
        raise BadRequest(message, field=field) from None


# --- checks shared by the query and body models ------------------------------------------


def field_name(info: ValidationInfo) -> str:
    """The name of the field a validator checks (the query parameter or body member)."""
    return info.field_name or "value"


def integer_between(low: int, high: int) -> Callable[[Any, ValidationInfo], Any]:
    """A before-validator: an integer in ``[low, high]`` written with ASCII digits.

    Blank text is the field's default. ``int()`` alone would take ``'1_000'``,
    non-ASCII digits and 5,000 digits (a ValueError): they are refused here.
    """

    def check(value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if not text:
                raise PydanticUseDefault
            if not _INTEGER.fullmatch(text):
                raise FieldError(
                    f"{field_name(info)} must be an integer between {low} and {high}, "
                    f"not {quoted(text)}"
                )
            value = int(text)
        if isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
            raise FieldError(f"{field_name(info)} must be between {low} and {high}, not {value}")
        return value

    return check


def required_text(value: Any, info: ValidationInfo) -> Any:
    """A before-validator: blank text is as good as no parameter at all."""
    if isinstance(value, str) and not value.strip():
        raise FieldError(f"the query parameter {field_name(info)} is required")
    return value


def as_field_error(check: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``check(*args, **kwargs)``, its :class:`BadRequest` turned into a validator's error.

    For the services' own checks (a CRDS context name, a MAST token) used inside
    models: the message and field stay the service's.
    """
    try:
        return check(*args, **kwargs)
    except BadRequest as error:
        raise FieldError(error.message, field=error.field) from None
