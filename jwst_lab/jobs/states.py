"""The job state machine and the bounds of a job list; pure, shared by the engine and routes."""

from __future__ import annotations

from ..errors import BadRequest, Conflict

STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "interrupted")
TERMINAL = frozenset({"succeeded", "failed", "cancelled", "interrupted"})
#: The statuses each status may become (recovery alone puts a lost ``running`` job back in
#: the queue, when its kind resumes it).
TRANSITIONS: dict[str, frozenset[str]] = {
    "queued": frozenset({"running", "cancelled"}),
    "running": frozenset({"succeeded", "failed", "cancelled", "interrupted"}),
}
MAX_PAGE_SIZE = 500
#: Highest page of a job list: (page - 1) * page_size stays far inside SQLite's 64 bits.
MAX_PAGE = 10_000_000


def check_transition(job_id: str, old: str, new: str) -> None:
    """Raise :class:`Conflict` unless the state machine allows ``old`` → ``new``."""
    if new not in TRANSITIONS.get(old, frozenset()):
        raise Conflict(f"job {job_id} is {old}; it cannot become {new}")


def check_page(statuses: tuple[str, ...], page: int, page_size: int) -> None:
    """400 (naming the field) for an unknown status or a page out of bounds."""
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise BadRequest(
            f"unknown status {unknown[0]!r}; statuses: {', '.join(STATUSES)}", field="status"
        )
    if not 1 <= page <= MAX_PAGE:
        raise BadRequest(f"page must be between 1 and {MAX_PAGE}", field="page")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise BadRequest(f"page_size must be between 1 and {MAX_PAGE_SIZE}", field="page_size")


def final_status(
    exit_code: int | None,
    *,
    cancelled: bool,
    timed_out: str | None,
    lost_track: str | None,
    recovered: bool,
    failure: str | None,
) -> tuple[str, str | None]:
    """How a job whose runner ended ends: its status and error.

    ``timed_out``: the error of a job stopped by ``job_timeout``; ``lost_track``:
    why the engine stopped following its log; ``failure``: its kind's account of
    a non-zero exit code.
    """
    if cancelled:
        return "cancelled", "cancelled by the user"
    if timed_out:
        return "failed", timed_out
    if lost_track and exit_code != 0:
        return "failed", lost_track
    if exit_code is None:
        return "interrupted", (
            "the server stopped while this job ran and its runner is gone; the log is kept"
            if recovered
            else "the runner process ended without recording an exit status"
        )
    if exit_code == 0:
        return "succeeded", None
    return "failed", failure or f"the job exited with status {exit_code}"
