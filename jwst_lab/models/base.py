"""The base of every API model, the error body, and request parsing."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import BadRequest

M = TypeVar("M", bound=BaseModel)


class ApiModel(BaseModel):
    """Base of every model: unknown fields in requests are an error, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ErrorResponse(ApiModel):
    """The body of every 4xx/5xx answer."""

    message: str
    reason: str | None
    #: The request field at fault as a dotted path (``steps.resample.pixfrac``), when one is.
    field: str | None = None


def parse_request(model: type[M], body: dict[str, Any]) -> M:
    """Validate a request body; every problem becomes one 400 naming the field."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        problems = []
        fields = []
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"]) or "body"
            fields.append(where)
            problems.append(f"{where}: {item['msg']}")
        raise BadRequest("; ".join(problems), field=fields[0] if fields else None) from None
