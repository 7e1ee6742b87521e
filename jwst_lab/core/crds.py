"""CrdsService: the CRDS browser's answers, from the real ``crds`` library in a worker.

The ``crds`` client reads its configuration from ``os.environ`` and keeps
per-process state (loaded mappings, server info, processing mode), and
computing best references imports jwst. The Jupyter server must change
neither its environment nor import jwst, so every ``crds`` call runs in a
warm child process (:mod:`jwst_lab.core.crds_worker`) whose environment
carries this service's CRDS settings. The service itself only:

- validates names and paths (400 / 404 before anything runs),
- checks the cache folder on disk and says exactly what to set when it is
  unusable (503),
- decides the effective context and why (pinned, operational, latest cached),
- caches answers about numbered mappings (their content never changes),
- restarts the worker when it dies and bounds every request with a timeout.

Nothing here imports tornado or crds. Methods are blocking: handlers call
them off the event loop (``anyio.to_thread``).
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import metrics
from ..config import SERVERLESS_MARKER, CrdsSettings
from ..errors import BadRequest, Conflict, JwstLabError, NotFound, UpstreamError
from .json_worker import JsonLineWorker

OBSERVATORY = "jwst"
#: A server URL containing "serverless": crds makes no network call at all.
SERVERLESS_URL = "https://jwst-serverless-mode.stsci.edu"
DEFAULT_SERVER_URL = "https://jwst-crds.stsci.edu"

#: A plain CRDS JWST mapping name: ``jwst_0541.pmap``, ``jwst_nirspec_dark_0029.rmap``.
MAPPING_NAME = re.compile(r"^jwst(_[a-z0-9]+)*\.(pmap|imap|rmap)$")
#: A JWST pipeline context (a ``.pmap``): ``jwst_0541.pmap``. ``api/openapi.yaml`` gives the
#: same pattern to ``CrdsContextName`` (a test checks), so the front end checks names alike.
CONTEXT_NAME = re.compile(r"^jwst(_[a-z0-9]+)*\.pmap$")
#: Mappings with a serial number are never edited once published: cacheable forever.
NUMBERED = re.compile(r"_\d{4}\.(pmap|imap|rmap)$")
#: Longest mapping name accepted (real ones are under 50 characters; a file name is at most 255).
MAX_MAPPING_NAME = 128
FITS_SUFFIXES = (".fits", ".fit", ".fts")
ASDF_SUFFIXES = (".asdf",)
MAX_HEADER_KEYS = 5000


class CrdsUnavailable(JwstLabError):
    """The CRDS cache cannot be used; the message says what to set to fix it."""

    status = 503
    reason = "crds_unavailable"


class CrdsWorkerError(JwstLabError):
    """The crds worker process failed or took too long."""

    status = 503
    reason = "crds_worker_failed"


# --- the worker --------------------------------------------------------------------


class CrdsWorker(JsonLineWorker):
    """One warm ``python -m jwst_lab.core.crds_worker`` child, started on first use.

    Requests are serialised (one at a time); a request that outlives its
    timeout kills the child, which is restarted by the next request; a request
    whose worker died is sent once more. No child starts after :meth:`close`.
    """

    def __init__(self, env: Mapping[str, str], *, name: str, start_timeout: float = 60.0) -> None:
        super().__init__(
            "jwst_lab.core.crds_worker", name=name, env=env, start_timeout=start_timeout
        )
        self._closed = False

    def failure(self, message: str) -> Exception:
        """A 503 :class:`CrdsWorkerError`."""
        return CrdsWorkerError(message)

    def died_message(self, op: str, tail: str) -> str:
        """Text of the failure when the worker died twice during ``op``."""
        return f"the crds worker died during {op}: {tail}"

    def timeout_message(self, op: str, timeout: float) -> str:
        """Text of the failure when ``op`` outlived ``timeout`` seconds."""
        return f"crds did not answer {op} within {timeout:g} s; the worker was restarted"

    def start_message(self, tail: str) -> str:
        """Text of the failure when the worker did not start."""
        return f"the crds worker did not start: {tail}"

    def check_open(self) -> None:
        """A 503 once the service is closing: no worker is started again."""
        if self._closed:
            raise CrdsWorkerError("the CRDS service is shutting down")

    def close(self) -> None:
        """Stop the child (closing its stdin ends it; kill if it lingers); no restart after."""
        self._closed = True
        super().close()


# --- the service -------------------------------------------------------------------


def worker_environment(
    base: Mapping[str, str], crds: CrdsSettings, timeout: float
) -> dict[str, str]:
    """The worker's environment: ``base`` without ``CRDS_*`` plus this service's settings.

    ``CRDS_CONTEXT`` is never set: every request names its context.
    """
    env = {key: value for key, value in base.items() if not key.startswith("CRDS_")}
    if "CRDS_READONLY_CACHE" in base:
        env["CRDS_READONLY_CACHE"] = base["CRDS_READONLY_CACHE"]
    if crds.path is not None:
        env["CRDS_PATH"] = str(crds.path)
    env["CRDS_SERVER_URL"] = (
        crds.server_url
        if not crds.serverless
        else (crds.server_url if SERVERLESS_MARKER in crds.server_url else SERVERLESS_URL)
    )
    env["CRDS_MODE"] = "local" if crds.serverless else crds.mode
    env["CRDS_OBSERVATORY"] = OBSERVATORY
    env["CRDS_CLIENT_TIMEOUT_SECONDS"] = str(max(1, round(timeout)))
    env["CRDS_CLIENT_RETRY_COUNT"] = "1"
    # crds runs gc.collect() before and after every FITS open; in a worker that
    # holds jwst and every loaded mapping that is ~0.3 s per best-references call.
    env["CRDS_EXPLICIT_GARBAGE_COLLECTION"] = "0"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def check_mapping_name(name: str, field: str = "mapping") -> str:
    """``name`` if it is a plain CRDS JWST mapping name, else a 400 naming ``field``."""
    if not isinstance(name, str) or not name:
        raise BadRequest(f"{field} is required (e.g. jwst_0541.pmap)", field=field)
    shown = repr(name) if len(name) <= 80 else repr(name[:80]) + "..."
    if len(name) > MAX_MAPPING_NAME:
        raise BadRequest(
            f"{field} {shown} is longer than {MAX_MAPPING_NAME} characters: not a mapping name",
            field=field,
        )
    if "/" in name or "\\" in name or ".." in name or "\x00" in name:
        raise BadRequest(
            f"{field} {shown} must be a plain CRDS mapping name, not a path", field=field
        )
    if not MAPPING_NAME.match(name):
        raise BadRequest(
            f"{field} {shown} is not a CRDS JWST mapping name "
            "(jwst_<serial>.pmap, jwst_<instrument>_<serial>.imap, "
            "jwst_<instrument>_<type>_<serial>.rmap)",
            field=field,
        )
    return name


def check_context_name(name: str, field: str = "context") -> str:
    """``name`` if it is a JWST pipeline context (``.pmap``), else a 400 naming ``field``."""
    check_mapping_name(name, field)
    if not CONTEXT_NAME.match(name):
        raise BadRequest(
            f"{field} {name!r} is not a context: contexts are .pmap files", field=field
        )
    return name


def _serial(name: str) -> int:
    match = re.search(r"_(\d{4})\.pmap$", name)
    return int(match.group(1)) if match else -1


class CrdsService:
    """Status, context history, mapping trees and tables, best references, diffs."""

    def __init__(
        self,
        settings: CrdsSettings,
        *,
        root_dir: Path,
        base_env: Mapping[str, str],
        request_timeout: float = 120.0,
        server_timeout: float = 10.0,
    ) -> None:
        self.settings = settings
        self.root_dir = root_dir
        self.request_timeout = request_timeout
        self.server_timeout = server_timeout
        env = worker_environment(base_env, settings, server_timeout)
        self.readonly = bool(base_env.get("CRDS_READONLY_CACHE", "").strip() not in ("", "0"))
        # Browsing (crds only) and best references (imports jwst) in separate
        # workers, so a first bestrefs call never delays the tree.
        self._browse = CrdsWorker(env, name="crds-browse")
        self._bestrefs = CrdsWorker(env, name="crds-bestrefs")
        self._memo: dict[tuple[str, ...], Any] = {}
        self._memo_lock = threading.Lock()
        self._warming: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------

    def warm_up(self) -> None:
        """Start the browse worker and load the effective context's tree, in the background.

        Called when the status is first asked for (the sidebar opened), so the
        first tree a person opens is already in memory. Never raises.
        """
        if self._warming is not None or self.cache_problem() is not None:
            return

        def work() -> None:
            with contextlib.suppress(Exception):
                context, _why, _operational = self.effective_context(None)
                if context:
                    self.tree(context)

        self._warming = threading.Thread(target=work, name="crds-warm-up", daemon=True)
        self._warming.start()

    def close(self) -> None:
        """Stop the worker processes."""
        self._browse.close()
        self._bestrefs.close()

    @property
    def worker_pids(self) -> dict[str, int | None]:
        """Process ids of the running workers (None when not started)."""
        return {"browse": self._browse.pid, "bestrefs": self._bestrefs.pid}

    # --- the cache on disk -----------------------------------------------------

    @property
    def uses_server(self) -> bool:
        """True when a CRDS server is configured (remote or auto mode)."""
        return not self.settings.serverless

    def _mapping_dir(self) -> Path | None:
        path = self.settings.path
        return path / "mappings" / OBSERVATORY if path is not None else None

    def cache_problem(self) -> str | None:
        """Why the cache cannot be used, with what to set to fix it; None when usable."""
        path = self.settings.path
        if path is None:
            return (
                "No CRDS cache is configured. Set c.JwstLabApp.crds_path (or the CRDS_PATH "
                "environment variable) to a CRDS cache folder and restart the server."
            )
        if path.exists() and not path.is_dir():
            return (
                f"The CRDS cache {path} is a file, not a folder. Set c.JwstLabApp.crds_path "
                "(or CRDS_PATH) to the cache folder (the one holding mappings/ and config/)."
            )
        if not path.is_dir():
            return (
                f"The CRDS cache {path} does not exist. Set c.JwstLabApp.crds_path (or "
                "CRDS_PATH) to an existing cache, or create one with "
                f"`CRDS_PATH={path} CRDS_SERVER_URL={DEFAULT_SERVER_URL} crds sync --last 1`."
            )
        config = path / "config" / OBSERVATORY / "server_config"
        if not config.is_file():
            return (
                f"The CRDS cache {path} has no config/{OBSERVATORY}/server_config, so crds "
                "stops with 'CRDS server connection and cache load FAILED'. Sync it once "
                f"with `CRDS_PATH={path} CRDS_SERVER_URL={DEFAULT_SERVER_URL} crds sync "
                "--last 1`, or set c.JwstLabApp.crds_path to a complete cache."
            )
        try:
            info = self._server_config()
        except CrdsUnavailable as error:
            return error.message
        for key in ("observatory", "bad_files_list"):
            if key not in info:
                return (
                    f"{config} lacks {key!r} (crds fails with AttributeError). Sync the cache "
                    "again, or set c.JwstLabApp.crds_path to a complete cache."
                )
        if info.get("observatory") != OBSERVATORY:
            return (
                f"The CRDS cache {path} is for {info.get('observatory')!r}, not JWST. "
                "Set c.JwstLabApp.crds_path to a JWST cache."
            )
        mappings = self._mapping_dir()
        if mappings is None or not any(mappings.glob("jwst*.pmap")):
            return (
                f"The CRDS cache {path} holds no JWST contexts (mappings/jwst/*.pmap). "
                f"Sync them with `CRDS_PATH={path} CRDS_SERVER_URL={DEFAULT_SERVER_URL} "
                "crds sync --last 1`."
            )
        return None

    def _require_cache(self) -> None:
        problem = self.cache_problem()
        if problem is not None:
            raise CrdsUnavailable(problem)

    def _server_config(self) -> dict[str, Any]:
        path = self.settings.path
        assert path is not None
        config = path / "config" / OBSERVATORY / "server_config"
        try:
            stat = config.stat()
            key = ("server_config", str(config), str(stat.st_mtime_ns), str(stat.st_size))
        except OSError as error:
            raise CrdsUnavailable(f"cannot read {config}: {error}") from None
        with self._memo_lock:
            if key in self._memo:
                return dict(self._memo[key])
        try:
            info = ast.literal_eval(config.read_text(encoding="utf-8"))
        except (OSError, ValueError, SyntaxError, MemoryError) as error:
            raise CrdsUnavailable(
                f"{config} is not a readable CRDS server_config ({type(error).__name__}); "
                "sync the cache again or point c.JwstLabApp.crds_path at a good cache."
            ) from None
        if not isinstance(info, dict):
            raise CrdsUnavailable(f"{config} is not a CRDS server_config dictionary")
        with self._memo_lock:
            self._memo[key] = info
        return dict(info)

    def cached_contexts(self) -> list[str]:
        """Context files (``jwst*.pmap``) present in the cache."""
        folder = self._mapping_dir()
        if folder is None or not folder.is_dir():
            return []
        return sorted(
            (
                entry.name
                for entry in os.scandir(folder)
                if MAPPING_NAME.match(entry.name) and entry.name.endswith(".pmap")
            ),
            key=lambda n: (_serial(n), n),
        )

    def _counts(self) -> dict[str, int]:
        path = self.settings.path
        counts = {"mappings": 0, "references": 0}
        if path is None:
            return counts
        folder = self._mapping_dir()
        if folder is not None and folder.is_dir():
            counts["mappings"] = sum(1 for e in os.scandir(folder) if MAPPING_NAME.match(e.name))
        references = path / "references" / OBSERVATORY
        if references.is_dir():
            for _dirpath, _dirs, files in os.walk(references):
                counts["references"] += sum(
                    1 for f in files if f.startswith("jwst_") and not f.startswith(".")
                )
        return counts

    def _writable(self) -> bool:
        path = self.settings.path
        return bool(path is not None and path.is_dir() and os.access(path, os.W_OK))

    # --- the worker ------------------------------------------------------------

    def _call(
        self,
        op: str,
        args: dict[str, Any],
        *,
        bestrefs: bool = False,
        timeout: float | None = None,
        field: str | None = None,
    ) -> dict[str, Any]:
        """Run ``op`` in a worker; its errors as ours (a bad input is a 400 naming ``field``)."""
        worker = self._bestrefs if bestrefs else self._browse
        with metrics.crds_request(op) as failed:
            answer = worker.call(op, args, timeout or self.request_timeout)
            if not answer.get("ok"):
                failed(str((answer.get("error") or {}).get("kind") or "failed"))
        if answer.get("ok"):
            return dict(answer["result"])
        error = answer.get("error") or {}
        kind, message = error.get("kind"), str(error.get("message", "crds failed"))
        if kind == "not_found":
            raise NotFound(message)
        if kind == "bad_input":
            raise BadRequest(message, field=field)
        if kind == "upstream":
            raise UpstreamError(f"CRDS server {self.settings.server_url}: {message}")
        if kind == "unavailable":
            raise CrdsUnavailable(message)
        raise CrdsWorkerError(f"crds failed: {message}")

    def _memoised(self, key: tuple[str, ...], compute: Any) -> Any:
        cacheable = all(NUMBERED.search(part) for part in key[1:])
        if cacheable:
            with self._memo_lock:
                if key in self._memo:
                    return self._memo[key]
        result = compute()
        if cacheable:
            with self._memo_lock:
                self._memo[key] = result
        return result

    def server_probe(self) -> dict[str, Any]:
        """Whether the configured CRDS server answers (never raises)."""
        if not self.uses_server:
            return {"reachable": None, "error": None}
        try:
            return self._call("server", {"max_age": 10.0}, timeout=self.server_timeout + 15)
        except JwstLabError as error:
            return {"reachable": False, "error": error.message}

    # --- answers ---------------------------------------------------------------

    def effective_context(
        self, probe: dict[str, Any] | None = None
    ) -> tuple[str | None, str, str | None]:
        """``(context, why, operational)``: why is pinned / operational / latest cached."""
        operational: str | None = None
        if probe and probe.get("reachable"):
            operational = probe.get("operational_context")
        cached = self.cached_contexts()
        if operational is None and self.settings.path is not None:
            with contextlib.suppress(JwstLabError):
                info = self._server_config()
                operational = info.get("operational_context") or info.get("latest_context")
        if self.settings.context:
            return self.settings.context, "pinned", operational
        if operational and (operational in cached or (probe and probe.get("reachable"))):
            return operational, "operational", operational
        numbered = [c for c in cached if _serial(c) >= 0]
        if numbered:
            return numbered[-1], "latest cached", operational
        return None, "none", operational

    def status(self) -> dict[str, Any]:
        """Mode, cache, server, effective context and why; a fix when unusable."""
        settings = self.settings
        problem = self.cache_problem()
        probe = self.server_probe()
        context, why, operational = self.effective_context(probe)
        counts = self._counts()
        problems = [problem] if problem else []
        if self.uses_server and probe.get("reachable") is False:
            problems.append(
                f"The CRDS server {settings.server_url} does not answer ({probe.get('error')}). "
                + (
                    "In remote mode nothing works without it: check the URL and network, or set "
                    "CRDS_MODE=local (or c.JwstLabApp.crds_server_url to a 'serverless' URL) "
                    "to work from the cache."
                    if settings.mode == "remote"
                    else "Working from the cache."
                )
            )
        if context and problem is None and context not in self.cached_contexts():
            problems.append(
                f"The context {context} is not in the cache {settings.path}: sync it with "
                f"`crds sync --contexts {context}` or pin a cached context with "
                "c.JwstLabApp.crds_context."
            )
        if problem is None and not (self.uses_server and probe.get("reachable") is False):
            self.warm_up()
        usable = problem is None and not (
            settings.mode == "remote" and self.uses_server and probe.get("reachable") is False
        )
        return {
            "mode": settings.mode,
            "cache": {
                "path": str(settings.path) if settings.path else None,
                "usable": problem is None,
                "readonly": self.readonly or not self._writable(),
                "mappings": counts["mappings"],
                "references": counts["references"],
            },
            "server": {
                "url": settings.server_url or None,
                "configured": self.uses_server,
                "reachable": probe.get("reachable"),
                "error": probe.get("error"),
            },
            "context": context,
            "context_reason": why,
            "context_source": settings.context_source if why == "pinned" else why,
            "operational_context": operational,
            "ok": usable and not problems,
            "usable": usable,
            "problems": problems,
            "fix": problems[0] if problems else None,
        }

    def contexts(self) -> dict[str, Any]:
        """The context history (server when reachable, else the cache), then cached-only ones."""
        history: list[list[str]] | None = None
        operational: str | None = None
        source = "cache"
        if self.uses_server:
            probe = self.server_probe()
            if probe.get("reachable"):
                answer = self._call("history", {})
                history, operational, source = (
                    answer["history"],
                    answer["operational_context"],
                    "server",
                )
            elif self.settings.mode == "remote":
                raise UpstreamError(
                    f"CRDS server {self.settings.server_url} does not answer: {probe.get('error')}"
                )
        if history is None:
            self._require_cache()
            info = self._server_config()
            history = [list(map(str, h[:3])) for h in info.get("context_history", [])]
            operational = info.get("operational_context")
        cached = set(self.cached_contexts())
        effective, _why, _op = self.effective_context(None)
        rows = []
        seen: set[str] = set()
        for entry in sorted(history, key=lambda h: (h[0], _serial(h[1])), reverse=True):
            date, name, description = entry[0], entry[1], entry[2] if len(entry) > 2 else ""
            seen.add(name)
            status = (
                "operational"
                if name == operational
                else "archived"
                if name in cached
                else "not cached"
            )
            rows.append(
                {
                    "context": name,
                    "date": date,
                    "description": description,
                    "status": status,
                    "cached": name in cached,
                    "in_history": True,
                    "effective": name == effective,
                }
            )
        extra = sorted(cached - seen, key=lambda n: (_serial(n), n), reverse=True)
        for name in extra:
            rows.append(
                {
                    "context": name,
                    "date": None,
                    "description": self._pmap_description(name),
                    "status": "operational" if name == operational else "cached only",
                    "cached": True,
                    "in_history": False,
                    "effective": name == effective,
                }
            )
        return {
            "source": source,
            "operational_context": operational,
            "effective_context": effective,
            "history_count": len(history),
            "contexts": rows,
        }

    def _pmap_description(self, name: str) -> str | None:
        folder = self._mapping_dir()
        if folder is None:
            return None
        key = ("pmap_description", name)
        with self._memo_lock:
            if key in self._memo:
                return self._memo[key]
        description = None
        with contextlib.suppress(OSError, UnicodeDecodeError):
            with (folder / name).open(encoding="utf-8") as handle:
                head = handle.read(4096)
            match = re.search(r"'description'\s*:\s*'((?:[^'\\]|\\.)*)'", head)
            if match:
                description = match.group(1)
        if NUMBERED.search(name):
            with self._memo_lock:
                self._memo[key] = description
        return description

    def _require_cached(self, name: str, field: str | None = None) -> None:
        folder = self._mapping_dir()
        try:
            cached = folder is not None and (folder / name).is_file()
        except (OSError, ValueError):
            cached = False  # a name no file system holds (names are checked first)
        if not cached:
            raise NotFound(f"{name} is not in the CRDS cache {self.settings.path}", field=field)

    def tree(self, context: str) -> dict[str, Any]:
        """pmap → instruments (imaps) → reference types (rmaps) with descriptions and rules."""
        check_context_name(context)
        self._require_cache()
        self._require_cached(context)
        result = self._memoised(
            ("tree", context), lambda: self._call("tree", {"context": context}, field="context")
        )
        return dict(result)

    def mapping(self, name: str) -> dict[str, Any]:
        """One mapping parsed into a table: header, columns, one row per rule."""
        check_mapping_name(name)
        self._require_cache()
        self._require_cached(name)
        return dict(
            self._memoised(
                ("mapping", name), lambda: self._call("mapping", {"name": name}, field="mapping")
            )
        )

    def diff(self, old: str, new: str) -> dict[str, Any]:
        """Added, deleted and replaced references and mappings; affected instruments and types."""
        check_context_name(old, "old")
        check_context_name(new, "new")
        self._require_cache()
        self._require_cached(old)
        self._require_cached(new)
        return dict(
            self._memoised(("diff", old, new), lambda: self._call("diff", {"old": old, "new": new}))
        )

    def bestrefs(
        self,
        *,
        path: Path | None = None,
        header: Mapping[str, Any] | None = None,
        context: str | None = None,
        display_path: str | None = None,
    ) -> dict[str, Any]:
        """Best references of a file (already resolved inside the root) or a header dict."""
        if (path is None) == (header is None):
            raise BadRequest(
                "give exactly one of path (a FITS/ASDF file) or header (a dict)",
                field="path" if path is None else "header",
            )
        if context is not None:
            check_context_name(context)
        self._require_cache()
        probe = self.server_probe() if self.uses_server else {"reachable": None}
        if self.settings.mode == "remote" and self.uses_server and not probe.get("reachable"):
            raise UpstreamError(
                f"CRDS server {self.settings.server_url} does not answer: {probe.get('error')}"
            )
        chosen = context
        why = "requested"
        if chosen is None:
            chosen, why, _op = self.effective_context(probe)
            if chosen is None:
                raise CrdsUnavailable("no context is cached; sync one with `crds sync --last 1`")
        if not (self.uses_server and probe.get("reachable")):
            self._require_cached(chosen, "context" if context is not None else None)
        args: dict[str, Any] = {"context": chosen, "connected": bool(probe.get("reachable"))}
        if path is not None:
            check_data_file(path, display_path or path.name)
            args["path"] = str(path)
        else:
            args["header"] = check_header(header)
        result = self._call(
            "bestrefs", args, bestrefs=True, field="path" if path is not None else "header"
        )
        result["context_reason"] = why
        result["source"] = (
            {"path": display_path} if path is not None else {"header_keys": len(args["header"])}
        )
        result["cache_path"] = str(self.settings.path) if self.settings.path else None
        result["readonly"] = self.readonly or not self._writable()
        return result

    def step_parameters(
        self, *, path: Path, class_name: str, context: str | None, display_path: str
    ) -> dict[str, Any]:
        """The ``pars-*`` references CRDS selects for ``class_name`` (and its steps) on ``path``.

        ``path`` is already resolved inside the root; ``context`` None means the
        one a job would use (pinned, else operational, else the latest cached).
        """
        if context is not None:
            check_context_name(context)
        self._require_cache()
        probe = self.server_probe() if self.uses_server else {"reachable": None}
        chosen, why = context, "requested"
        if chosen is None:
            chosen, why, _operational = self.effective_context(probe)
            if chosen is None:
                raise CrdsUnavailable("no context is cached; sync one with `crds sync --last 1`")
        if not (self.uses_server and probe.get("reachable")):
            self._require_cached(chosen, "context")
        args = {"context": chosen, "path": str(path), "class_name": class_name}
        result = self._call("step_pars", args, bestrefs=True, field="input")
        result["context_reason"] = why
        result["input"] = display_path
        return result

    def fetch_plan(self, files: list[tuple[Path, str]], context: str | None) -> dict[str, Any]:
        """Check that references can be fetched for ``files`` (``(path, shown)``); the plan.

        409 when no CRDS server is configured (serverless: nothing to fetch
        from) or when the cache is read-only (``CRDS_READONLY_CACHE`` or not
        writable); 400 for a file that is not FITS/ASDF; 503 for an unusable
        cache; 502 when the server does not answer. Answers
        ``{"context", "context_reason", "files", "environment"}``.
        """
        if not self.uses_server:
            raise Conflict(
                "Fetching references needs a CRDS server, and none is configured (serverless "
                "mode). Set c.JwstLabApp.crds_server_url (or CRDS_SERVER_URL) to a CRDS server, "
                f"e.g. {DEFAULT_SERVER_URL}, and restart the server.",
                reason="crds_serverless",
            )
        if not self.readonly:
            self._require_cache()  # a missing cache is a 503 with its fix, not "read-only"
        if self.readonly or not self._writable():
            why = (
                "CRDS_READONLY_CACHE is set" if self.readonly else "this server cannot write to it"
            )
            raise Conflict(
                f"The CRDS cache {self.settings.path} is read-only ({why}): references must "
                "come from whoever manages that cache (on a science platform, its "
                "administrators). Set c.JwstLabApp.crds_path to a writable cache to fetch "
                "them yourself.",
                reason="crds_readonly",
            )
        if not files:
            raise BadRequest("path names no file to fetch references for", field="path")
        if context is not None:
            check_context_name(context)
        for path, shown in files:
            check_data_file(path, shown)
        self._require_cache()
        probe = self.server_probe()
        if not probe.get("reachable"):
            raise UpstreamError(
                f"CRDS server {self.settings.server_url} does not answer: {probe.get('error')}"
            )
        chosen, why = context, "requested"
        if chosen is None:
            chosen, why, _op = self.effective_context(probe)
            if chosen is None:
                raise CrdsUnavailable("no context is known; sync one with `crds sync --last 1`")
        return {
            "context": chosen,
            "context_reason": why,
            "files": [str(path) for path, _shown in files],
            "environment": worker_environment({}, self.settings, self.server_timeout),
        }


def check_data_file(path: Path, shown: str, field: str = "path") -> None:
    """A 400 naming ``field`` unless ``path`` is a FITS or ASDF file (by name and first bytes)."""
    name = path.name.lower()
    if path.is_dir():
        raise BadRequest(f"{field} {shown!r} is a folder, not a FITS or ASDF file", field=field)
    if not name.endswith(FITS_SUFFIXES + ASDF_SUFFIXES):
        raise BadRequest(
            f"{field} {shown!r} is not a FITS (.fits) or ASDF (.asdf) file", field=field
        )
    if not path.is_file():
        # Opening a FIFO or a device would block this thread (and crds's worker) forever.
        raise BadRequest(f"{field} {shown!r} is not a regular file", field=field)
    try:
        with path.open("rb") as handle:
            start = handle.read(80)
    except OSError as error:
        raise BadRequest(
            f"{field} {shown!r} cannot be read: {error.strerror}", field=field
        ) from None
    if name.endswith(FITS_SUFFIXES) and not start.startswith(b"SIMPLE  ="):
        raise BadRequest(
            f"{field} {shown!r} is not a FITS file: it does not start with a SIMPLE card",
            field=field,
        )
    if name.endswith(ASDF_SUFFIXES) and not start.startswith(b"#ASDF"):
        raise BadRequest(
            f"{field} {shown!r} is not an ASDF file: it does not start with #ASDF", field=field
        )


def check_header(header: Mapping[str, Any] | None) -> dict[str, Any]:
    """A header dict of scalar values, or a 400 naming the field at fault."""
    if not isinstance(header, Mapping) or not header:
        raise BadRequest("header must be a non-empty object of keyword: value", field="header")
    if len(header) > MAX_HEADER_KEYS:
        raise BadRequest(
            f"header has {len(header)} keys; at most {MAX_HEADER_KEYS} are accepted",
            field="header",
        )
    clean: dict[str, Any] = {}
    for key, value in header.items():
        if not isinstance(key, str) or not key.strip():
            raise BadRequest("header keys must be non-empty strings", field="header")
        if value is not None and not isinstance(value, str | int | float | bool):
            raise BadRequest(
                f"header.{key}: values must be strings, numbers or booleans",
                field=f"header.{key}",
            )
        clean[key.strip()] = "UNDEFINED" if value is None else value
    return clean
