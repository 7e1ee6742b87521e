"""The job kinds the server runs: name -> :class:`~.base.JobKind`.

Adding a kind is one new module here and one line in :data:`KINDS` (and, for
the REST contract, its name in ``JobRecord.kind`` and ``api/openapi.yaml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .base import JobKind
from .crds_fetch import CrdsFetchKind
from .download import DownloadKind
from .pipeline import PipelineKind

KINDS: Mapping[str, JobKind] = MappingProxyType(
    {
        kind.name: kind
        for kind in (
            PipelineKind(),
            DownloadKind(),
            CrdsFetchKind(),
        )
    }
)
#: The kind ``POST /jobs`` creates when the request names none.
DEFAULT_KIND = PipelineKind.name

__all__ = ["DEFAULT_KIND", "KINDS", "JobKind"]
