"""The environment of a job's runner process: the server's plus the job's CRDS settings.

Built as a new dict and passed to the subprocess with ``env=``; the server's
own ``os.environ`` is only ever read.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..config import CrdsSettings


def job_environment(
    base: Mapping[str, str], crds: CrdsSettings, context: str | None
) -> dict[str, str]:
    """A copy of ``base`` with ``CRDS_PATH``, ``CRDS_SERVER_URL``, ``CRDS_MODE``, ``CRDS_CONTEXT``.

    ``context`` (the job's) wins over the server's pinned context; with
    neither, ``CRDS_CONTEXT`` is removed so CRDS uses the operational one.
    """
    env = dict(base)
    if crds.path is not None:
        env["CRDS_PATH"] = str(crds.path)
    if crds.server_url:
        env["CRDS_SERVER_URL"] = crds.server_url
    env["CRDS_MODE"] = "local" if crds.serverless else crds.mode
    chosen = context or crds.context
    if chosen:
        env["CRDS_CONTEXT"] = chosen
    else:
        env.pop("CRDS_CONTEXT", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env
