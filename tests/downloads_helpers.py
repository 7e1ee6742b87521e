"""Helpers for download tests: product rows for the loopback server, file bodies, a fake MAST."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from jwst_lab.errors import NotFound
from jwst_lab.jobs.runfiles import process_state

from .download_server import DownloadServer

OBS_ID = "jw01234-o001_t001_miri_f770w"


def body(name: str, size: int) -> bytes:
    """Deterministic, non-repeating-enough bytes for a file."""
    seed = hashlib.sha256(name.encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


def served_files(count: int, size: int, prefix: str = "jw01234001001") -> dict[str, bytes | Path]:
    """``count`` files of about ``size`` bytes named like JWST products."""
    return {
        f"{prefix}_{i:05d}_mirimage_cal.fits": body(f"{prefix}{i}", size + 17 * i)
        for i in range(count)
    }


def product_row(
    name: str,
    size: int,
    *,
    obs_id: str = OBS_ID,
    rights: str = "PUBLIC",
    local_path: Path | None = None,
) -> dict[str, Any]:
    """A product row shaped like MAST's (and the local archive's)."""
    row: dict[str, Any] = {
        "obsID": "87600001",
        "obs_collection": "JWST",
        "obs_id": obs_id,
        "dataURI": f"mast:JWST/product/{name}",
        "productFilename": name,
        "size": size,
        "dataRights": rights,
        "productType": "SCIENCE",
        "calib_level": 2,
    }
    if local_path is not None:
        row["local_path"] = str(local_path)
    return row


def rows_for(server: DownloadServer, names: Iterable[str] | None = None, **kw: Any) -> list[dict]:
    """Product rows for files the server serves."""
    return [product_row(n, server.size(n), **kw) for n in (names or server.files)]


class FakeMast:
    """A product catalogue answering ``MastService``'s two download-side calls.

    Only for route tests of ``POST /downloads``: the search side has its own
    tests against the real astroquery client.
    """

    #: ``product_filters`` keys (as ``MastService`` takes them) → row columns.
    COLUMNS: ClassVar[dict[str, str]] = {
        "product_type": "productType",
        "calib_level": "calib_level",
    }

    #: The configured backend: ``auto``, and with no local archive that means MAST.
    backend = "auto"

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.calls: list[tuple[str, Any]] = []

    def local_available(self) -> bool:
        """No local archive here."""
        return False

    async def products_for_uris(self, source: str | None, uris: list[str]) -> list[dict]:
        """Rows whose dataURI is in ``uris`` (unknown ones left out)."""
        self.calls.append(("products_for_uris", source))
        return [dict(r) for r in self.rows if r["dataURI"] in uris]

    async def list_products(
        self, source: str | None, obsid: str, filters: dict[str, Any] | None
    ) -> list[dict]:
        """Rows of one observation, filtered by exact column values."""
        self.calls.append(("list_products", source))
        rows = [dict(r) for r in self.rows if obsid in (r["obs_id"], r["obsID"])]
        if not rows:
            raise NotFound(f"no observation {obsid!r}")
        for key, wanted in (filters or {}).items():
            allowed = wanted if isinstance(wanted, list) else [wanted]
            rows = [r for r in rows if r.get(self.COLUMNS[key]) in allowed]
        return rows


async def wait_gone(pid: int, timeout: float = 20) -> None:
    """Wait until process ``pid`` has ended (gone, or a zombie nobody reaped yet)."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while (state := process_state(pid)) is not None and state[0] not in ("Z", "X"):
        assert time.monotonic() < deadline, f"process {pid} still runs"
        await asyncio.sleep(0.05)


def snapshot(folder: Path) -> dict[str, tuple[int, int, str] | str]:
    """Every entry below ``folder``: relative path → (size, mtime_ns, sha256), or ``-> target``
    for a link (never followed)."""
    entries: dict[str, tuple[int, int, str] | str] = {}
    for path in sorted(folder.rglob("*")):
        key = path.relative_to(folder).as_posix()
        if path.is_symlink():
            entries[key] = f"-> {path.readlink()}"
        elif path.is_file():
            info = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            entries[key] = (info.st_size, info.st_mtime_ns, digest)
    return entries


def run_download_spec(spec_path: Path, *, subprocess_run: bool = False) -> tuple[int, dict, str]:
    """Run the download runner on ``spec_path``: ``(exit code, result.json, log text)``.

    In this process (``download_runner.run``, its printed lines captured), or
    as the real subprocess the manager starts (``python -m
    jwst_lab.jobs.download_runner``).
    """
    import contextlib
    import io
    import json
    import subprocess
    import sys

    from jwst_lab.jobs import download_runner

    spec = json.loads(spec_path.read_text())
    if subprocess_run:
        done = subprocess.run(
            [sys.executable, "-m", "jwst_lab.jobs.download_runner", str(spec_path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        code, log = done.returncode, done.stdout + done.stderr
    else:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = download_runner.run(spec, None)
        log = out.getvalue()
    return code, json.loads(Path(spec["result_file"]).read_text()), log
