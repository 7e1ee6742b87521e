"""Claims: what an active job writes that no other active job may write at the same time.

A kind says what its jobs claim (a pipeline job its output folder, a download
every file it writes); the engine holds the claims of every queued or running
job and refuses a new job that claims something held (409), so two jobs never
write the same outputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import Conflict


@dataclass(frozen=True)
class Claim:
    """One thing a job writes."""

    #: Equal keys conflict (e.g. ``folder:obs/out``, ``file:/abs/path``).
    key: str
    #: How to name it in the 409: ``output_dir 'obs/out'``.
    text: str


class HeldClaims:
    """The claims of the active jobs, by job id."""

    def __init__(self) -> None:
        self._held: dict[str, frozenset[str]] = {}

    def take(self, job_id: str, claims: Iterable[Claim]) -> None:
        """Hold ``claims`` for ``job_id``; :class:`Conflict` when another job holds one."""
        wanted = {claim.key: claim.text for claim in claims}
        for other, keys in self._held.items():
            common = wanted.keys() & keys
            if common and other != job_id:
                raise Conflict(
                    f"{wanted[min(common)]} belongs to job {other}, which has not ended; a job "
                    "never overwrites another job's outputs"
                )
        self._held[job_id] = frozenset(wanted)

    def keep(self, job_id: str, claims: Iterable[Claim]) -> None:
        """Hold ``claims`` without checking (jobs a previous server left active)."""
        self._held[job_id] = frozenset(claim.key for claim in claims)

    def release(self, job_id: str) -> None:
        """The job ended: what it held is free."""
        self._held.pop(job_id, None)
