"""Where job runner subprocesses run: the local machine or a Dask cluster."""

from __future__ import annotations

from .base import Executor, LaunchPlan, RunHandle
from .local import LocalExecutor

__all__ = ["Executor", "LaunchPlan", "LocalExecutor", "RunHandle"]
