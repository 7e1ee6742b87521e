"""The one clock of jwst-lab: UTC timestamps as ISO 8601 text.

Every timestamp jwst-lab writes (job records, the job store, download
manifests) comes from :func:`now_iso`, so they all read alike and compare as
text: ``2026-01-02T03:04:05.678Z``. Milliseconds, because job records are
ordered and merged by these strings (a job that starts in the same second
another ends, the newer of two copies of a record); the width is fixed, so
text order is time order.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now_iso() -> str:
    """The current UTC time, ISO 8601 with milliseconds and a ``Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def epoch_seconds(timestamp: str | None) -> float | None:
    """Seconds since the epoch of an ISO 8601 timestamp; None for none or an unreadable one."""
    if not timestamp:
        return None
    try:
        return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
