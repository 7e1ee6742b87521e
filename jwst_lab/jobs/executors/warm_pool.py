"""The server's side of the pre-warmed runner (:mod:`jwst_lab.jobs.warm`).

:class:`WarmRunner` keeps one ``python -m jwst_lab.jobs.warm`` process that
has jwst imported, and asks it to fork the runner of a job. Anything that
goes wrong (still starting after its timeout, died, a bad answer) makes
:meth:`WarmRunner.fork` answer None and the executor starts a cold runner
instead: the warm path only ever makes a job start sooner.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .base import LaunchPlan

log = logging.getLogger(__name__)

#: Seconds to wait for the imports of a starting warm runner before going cold.
READY_TIMEOUT = 90.0
#: Seconds to wait for the answer to one fork request.
FORK_TIMEOUT = 10.0


def warm_environment(base: Mapping[str, str]) -> dict[str, str]:
    """The warm runner's own environment: ``base`` without any CRDS setting.

    Each job's CRDS settings are given to its forked child; the parent has
    none, so nothing it imported can have read one.
    """
    env = {key: value for key, value in base.items() if not key.startswith("CRDS_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


class WarmRunner:
    """One pre-warmed runner process, started on :meth:`open`, restarted when it dies."""

    def __init__(
        self, python: str, env: Mapping[str, str], log_path: Path, cwd: Path | None = None
    ) -> None:
        self._python = python
        self._env = warm_environment(env)
        self._log_path = log_path
        self._cwd = cwd
        self._process: asyncio.subprocess.Process | None = None
        self._ready: asyncio.Task[bool] | None = None
        self._lock = asyncio.Lock()
        self.info: dict[str, Any] = {}

    @property
    def pid(self) -> int | None:
        """The warm runner's process id while it runs."""
        process = self._process
        return process.pid if process is not None and process.returncode is None else None

    async def open(self) -> None:
        """Start the warm runner (returns at once; the imports go on in the background)."""
        if self._process is not None and self._process.returncode is None:
            return
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._process = await self._spawn()
        except OSError as error:
            log.warning("jwst-lab: cannot start the warm runner (%s); jobs start cold", error)
            self._process = self._ready = None
            return
        self._ready = asyncio.create_task(self._wait_ready(self._process))

    async def _spawn(self) -> asyncio.subprocess.Process:
        with self._log_path.open("ab") as errors:
            return await asyncio.create_subprocess_exec(
                self._python,
                "-m",
                "jwst_lab.jobs.warm",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=errors,
                env=self._env,
                cwd=self._cwd,
                start_new_session=True,
            )

    async def _wait_ready(self, process: asyncio.subprocess.Process) -> bool:
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), READY_TIMEOUT)
            answer = json.loads(line) if line else {}
        except (TimeoutError, ValueError):
            answer = {}
        if not answer.get("ready"):
            log.warning("jwst-lab: the warm runner did not start; jobs start cold")
            await self._stop(process)
            return False
        self.info = answer
        log.info("jwst-lab: warm runner %s ready in %.1f s", process.pid, answer.get("seconds", 0))
        return True

    async def fork(self, plan: LaunchPlan) -> int | None:
        """The pid of the job's runner forked from the warm process, or None to start cold."""
        if plan.runner_spec is None:
            return None
        async with self._lock:
            if self._process is None or self._process.returncode is not None:
                await self.open()
            process, ready = self._process, self._ready
            if process is None or ready is None or not await ready:
                self._process = None
                return None
            request = {
                "spec": str(plan.runner_spec),
                "cwd": str(plan.cwd),
                "env": dict(plan.env),
                "log": str(plan.log_path),
            }
            assert process.stdin is not None
            assert process.stdout is not None
            try:
                process.stdin.write((json.dumps(request) + "\n").encode())
                await process.stdin.drain()
                line = await asyncio.wait_for(process.stdout.readline(), FORK_TIMEOUT)
                answer = json.loads(line) if line else {}
            except (OSError, TimeoutError, ValueError) as error:
                log.warning("jwst-lab: warm runner failed (%s); restarting it", error)
                await self._stop(process)
                self._process = None
                return None
            pid = answer.get("pid")
            if not isinstance(pid, int):
                log.warning("jwst-lab: warm runner could not fork: %s", answer.get("error"))
                return None
            return pid

    async def _stop(self, process: asyncio.subprocess.Process) -> None:
        if process.returncode is not None:
            return
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 5)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()

    async def close(self) -> None:
        """Stop the warm runner; jobs it forked keep running (their own sessions)."""
        process, ready = self._process, self._ready
        self._process = None
        if ready is not None and not ready.done():
            ready.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await ready
            if process is not None and process.returncode is None:
                # Still importing: it has forked nothing and would only read its
                # closed standard input once the imports are done.
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
        if process is not None:
            await self._stop(process)
