"""Download jobs' files: the layout and checks of a download, its runner's spec, its snippet.

The ``download`` job kind (:mod:`.kinds.download`) builds its jobs from
these; the runner (:mod:`.download_runner`) reads the spec. Blocking
functions (file system checks, size probes) are called from a worker thread.

A download job's files live in ``<job dir>/download.json`` (the runner's
spec), not in the job record, so a record stays small with thousands of
products. Nothing here keeps the MAST token: it goes into the runner's
environment only (:data:`TOKEN_ENV`).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..core.cloud import PUBLIC_BUCKET
from ..core.downloads import PART_SUFFIX, TransferEngine, mast_download_url
from ..core.paths import resolve_in_root
from ..core.safe_fs import SafeRoot, UnsafePath
from ..errors import BadRequest, Forbidden, NotFound, PayloadTooLarge

#: The runner's spec file in the job folder.
DOWNLOAD_SPEC_NAME = "download.json"
#: The environment variable that carries the MAST token to the runner (never argv).
TOKEN_ENV = "JWST_LAB_MAST_TOKEN"  # noqa: S105 (a variable name, not a secret)
#: ``dataRights`` values that need a token.
PROTECTED_RIGHTS = frozenset({"EXCLUSIVE_ACCESS", "RESTRICTED"})
#: Most files one download job takes.
MAX_FILES = 20000
#: Seconds one HEAD request (learning a size) may take.
PROBE_TIMEOUT = 15.0
#: Room kept free beyond the download itself.
DISK_MARGIN = 16 * 1024 * 1024
#: Most predecessor job folders a spec lists in ``resume_ledgers``.
MAX_RESUME_LEDGERS = 32

#: ``product_filters`` keys → the column (or argument) astroquery's ``filter_products`` takes.
ASTROQUERY_FILTERS = {
    "product_type": "productType",
    "calib_level": "calib_level",
    "subgroup": "productSubGroupDescription",
    "mrp_only": "mrp_only",
}

_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+\-]*$")


def _safe_part(value: Any, what: str) -> str:
    text = str(value or "").strip()
    if not _SAFE_PART.match(text) or text in (".", ".."):
        raise BadRequest(
            f"product {what} {value!r} cannot be used as a folder or file name", field="products"
        )
    return text


def _size(row: Mapping[str, Any]) -> int | None:
    value = row.get("size")
    try:
        size = int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    return size if size is not None and size >= 0 else None


def _free_space(path: Path) -> int:
    probe = path
    while not probe.exists():
        probe = probe.parent
    return shutil.disk_usage(probe).free


def plan_files(
    *,
    root: Path,
    dest: str,
    rows: Sequence[Mapping[str, Any]],
    source: str,
    mast_url: str,
    token: str | None,
    parallel: int = 8,
) -> tuple[Path, list[dict[str, Any]], int]:
    """Blocking: check a download and lay its files out. ``(dest folder, files, bytes to fetch)``.

    Files go to ``dest/<obs_collection>/<obs_id>/<productFilename>``. Raises
    :class:`BadRequest` (field ``dest``) for a destination outside the root
    or a target any of whose folders, or the target itself, is a symbolic
    link leading outside the root (at any depth; links that stay inside are
    followed), :class:`BadRequest` for a product that cannot be named
    safely, :class:`Forbidden`
    (reason ``token_required``) for exclusive-access MAST products without a
    token, and :class:`PayloadTooLarge` (reason ``insufficient_storage``) when
    the disk has less free space than the download needs.

    MAST products whose size the rows do not give (products named by dataURI)
    are asked for it with ``HEAD`` requests, so the disk check counts them and
    missing (404) or refused (401/403) products are reported before any job.
    """
    has_token = bool(token)
    folder = resolve_in_root(root, dest, field="dest", must_exist=False)
    if folder.exists() and not folder.is_dir():
        raise BadRequest(f"dest {dest!r} is a file, not a folder", field="dest")
    if not rows:
        raise BadRequest("no products to download: the selection is empty", field="products")
    if len(rows) > MAX_FILES:
        raise BadRequest(
            f"one download takes at most {MAX_FILES} files, not {len(rows)}", field="products"
        )
    if source == "mast" and not has_token:
        protected = [
            str(row.get("productFilename"))
            for row in rows
            if str(row.get("dataRights") or "").upper() in PROTECTED_RIGHTS
        ]
        if protected:
            raise Forbidden(
                f"{len(protected)} of the products are exclusive-access data "
                f"({', '.join(protected[:3])}{', ...' if len(protected) > 3 else ''}); "
                "set a MAST token first (PUT /jwst-lab/mast/token)",
                reason="token_required",
            )
    files: list[dict[str, Any]] = []
    seen: set[Path] = set()
    for row in rows:
        uri = str(row.get("dataURI") or "")
        if not uri:
            raise BadRequest("a product has no dataURI", field="products")
        name = _safe_part(row.get("productFilename") or uri.rsplit("/", 1)[-1], "file name")
        collection = _safe_part(row.get("obs_collection") or "JWST", "collection")
        obs_id = _safe_part(row.get("obs_id"), "obs_id")
        target = folder / collection / obs_id / name
        if target in seen:
            continue
        seen.add(target)
        local = row.get("local_path")
        entry: dict[str, Any] = {
            "uri": uri,
            "dest": str(target),
            "size": _size(row),
            "checksum": row.get("checksum") or None,
        }
        if source == "local" or local:
            if not local:
                raise BadRequest(f"{name} has no local archive file", field="source")
            entry["source_path"] = str(local)
        else:
            entry["url"] = mast_download_url(mast_url, uri)
        files.append(entry)
    check_targets(root, dest, files)
    _probe_sizes(files, mast_url=mast_url, token=token, parallel=parallel)
    needed = check_disk(folder, files, dest)
    return folder, files, needed


def check_targets(root: Path, dest: str, files: Sequence[Mapping[str, Any]]) -> None:
    """Blocking: :class:`BadRequest` (field ``dest``) when a target's path leaves the root.

    Every folder from the root to each target, and the target itself, is
    checked as it is now; symbolic links that stay inside the root are
    followed. The runner checks again as it writes (this check can be raced).
    """
    try:
        SafeRoot(root).check(Path(entry["dest"]) for entry in files)
    except UnsafePath as error:
        raise BadRequest(
            f"dest {dest!r} cannot be written safely: {error}; remove the link or choose "
            "another dest",
            field="dest",
        ) from None


def _probe_sizes(
    files: list[dict[str, Any]], *, mast_url: str, token: str | None, parallel: int
) -> None:
    """Blocking: fill in unknown sizes of MAST files with HEAD requests; refuse what MAST does."""
    unknown = [entry for entry in files if entry.get("url") and entry.get("size") is None]
    if not unknown:
        return
    engine = TransferEngine(
        parallel=parallel, token=token, token_host=urlsplit(mast_url).netloc, timeout=PROBE_TIMEOUT
    )
    # Imported here: the download runner imports this module and needs no Prometheus.
    from .. import metrics

    with metrics.mast_request("probe", "mast"):
        probes = engine.probe_all([entry["url"] for entry in unknown])
    for probe in probes:
        if probe.status is None or probe.status >= 500:
            metrics.mast_error("probe", "mast", "upstream_error")
    missing = [e["uri"] for e, p in zip(unknown, probes, strict=True) if p.status == 404]
    refused = [e["uri"] for e, p in zip(unknown, probes, strict=True) if p.status in (401, 403)]
    if missing:
        raise NotFound(
            f"{len(missing)} products are not on MAST: {', '.join(missing[:3])}"
            + (", ..." if len(missing) > 3 else "")
        )
    if refused:
        names = ", ".join(uri.rsplit("/", 1)[-1] for uri in refused[:3])
        if not token:
            raise Forbidden(
                f"MAST says {len(refused)} of the products are exclusive-access data ({names}); "
                "set a MAST token first (PUT /jwst-lab/mast/token)",
                reason="token_required",
            )
        raise Forbidden(
            f"MAST refused {len(refused)} of the products ({names}) with the token that is set: "
            "it has no access to them, or it expired",
            reason="token_refused",
        )
    for entry, probe in zip(unknown, probes, strict=True):
        if probe.size is not None:
            entry["size"] = probe.size


def check_disk(folder: Path, files: Sequence[Mapping[str, Any]], dest: str) -> int:
    """Blocking: the bytes still to fetch; :class:`PayloadTooLarge` when the disk lacks them."""
    needed = 0
    for entry in files:
        target = Path(entry["dest"])
        size = entry.get("size")
        if size is not None and _regular_size(target) == size:
            continue
        partial = _regular_size(target.with_name(target.name + PART_SUFFIX)) or 0
        needed += max(0, int(size or 0) - partial)
    free = _free_space(folder)
    if needed + DISK_MARGIN > free:
        raise PayloadTooLarge(
            f"not enough free disk space for this download: it needs {_mb(needed)} but "
            f"{_mb(free)} are free under {dest!r}",
            reason="insufficient_storage",
        )
    return needed


def _regular_size(path: Path) -> int | None:
    """The size of ``path`` if it is a regular file (a link is not followed: it counts as none)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def snippet(
    *,
    products: Sequence[str] | None,
    obsids: Sequence[str] | None,
    product_filters: Mapping[str, Any] | None,
    dest: str,
    mast_url: str,
    protected: bool,
    files: Sequence[Mapping[str, Any]] = (),
    folder: Path | None = None,
    cloud: str = "",
) -> str:
    """The astroquery code that downloads the same products (for "Copy as Python").

    It writes the layout the job writes, ``dest/<obs_collection>/<obs_id>/<file>``
    (see :func:`plan_files`), run from the server root: products asked by
    observation are laid out from their product rows by that rule; products
    named by URI are listed with the paths the job gave them (``files`` as
    planned, under ``folder``, the resolved ``dest``). With ``cloud`` ("aws")
    astroquery's cloud download is enabled first, as the job fetches from the
    bucket first.
    """
    lines = ["import os", "", "from astroquery.mast import Observations", ""]
    if mast_url.rstrip("/") != "https://mast.stsci.edu":
        lines.insert(0, f"# MAST at {mast_url}: set astroquery.mast.conf.server before importing")
    if protected:
        lines.append("Observations.login(token=None)  # asks for your MAST token")
    if cloud == "aws":
        lines.append("Observations.enable_cloud_dataset(provider='AWS')  # s3://stpubdata first")
    if obsids:
        lines.append(f"products = Observations.get_product_list({list(obsids)!r})")
        arguments = ", ".join(
            f"{ASTROQUERY_FILTERS[key]}={value!r}"
            for key, value in (product_filters or {}).items()
            if key in ASTROQUERY_FILTERS
        )
        if arguments:
            lines.append(f"products = Observations.filter_products(products, {arguments})")
        lines += [
            "# jwst-lab's layout: <dest>/<obs_collection>/<obs_id>/<productFilename>",
            "for row in products:",
            "    path = os.path.join(",
            f"        {dest!r},",
            "        str(row['obs_collection'] or 'JWST'),",
            "        str(row['obs_id']),",
            "        str(row['productFilename']),",
            "    )",
            "    os.makedirs(os.path.dirname(path), exist_ok=True)",
            "    Observations.download_file(row['dataURI'], local_path=path)",
        ]
    else:
        pairs = [
            (str(entry["uri"]), posixpath.join(dest, *_below(folder, entry["dest"])))
            for entry in files
        ]
        if not pairs:  # the files were not planned: the job's rule, from the URI alone
            pairs = [(uri, posixpath.join(dest, uri.rsplit("/", 1)[-1])) for uri in products or []]
        lines.append("# (product URI, where jwst-lab's download put it)")
        lines.append("files = [")
        lines += [f"    ({uri!r}, {path!r})," for uri, path in pairs]
        lines.append("]")
        lines.append("for uri, path in files:")
        lines.append("    os.makedirs(os.path.dirname(path), exist_ok=True)")
        lines.append("    Observations.download_file(uri, local_path=path)")
    return "\n".join(lines) + "\n"


def _below(folder: Path | None, target: str) -> tuple[str, ...]:
    """The parts of ``target`` under ``folder`` (its name alone when it is not under it)."""
    path = Path(target)
    if folder is not None:
        try:
            return path.relative_to(folder).parts
        except ValueError:
            pass
    return (path.name,)


def input_label(products: Sequence[str] | None, obsids: Sequence[str] | None) -> str:
    """What a download job fetches, in one line for the Jobs panel."""
    names = list(obsids or []) or [uri.rsplit("/", 1)[-1] for uri in products or []]
    label = ", ".join(names[:2])
    if len(names) > 2:
        label += f" (+{len(names) - 2} more)"
    return label


def write_spec(
    job_dir: Path,
    *,
    job_id: str,
    root: Path,
    folder: Path,
    files: Sequence[Mapping[str, Any]],
    parallel: int,
    mast_url: str,
    resume_from: Sequence[Path | str] = (),
    cloud: Mapping[str, Any] | None = None,
) -> Path:
    """Blocking: write the runner's spec (the file list) into the job folder.

    ``resume_from``: job folders of jobs whose ``.part`` files this job may
    resume (the job it reruns). They go into the spec's ``resume_ledgers``
    with the ones their own specs list, so a rerun of a rerun still trusts
    the parts of the first job; the runner resumes no other partial file.
    ``cloud``: ``{provider, endpoint_url, bucket, mast_url}`` when the MAST
    products are to be fetched from the public bucket first (see
    :func:`cloud_spec`).
    """
    job_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "job_id": job_id,
        "job_dir": str(job_dir),
        "root": str(root),
        "dest": str(folder),
        "parallel": parallel,
        "token_host": urlsplit(mast_url).netloc,
        "result_file": str(job_dir / "result.json"),
        "files": list(files),
    }
    if cloud:
        spec["cloud"] = dict(cloud)
    ledgers = _resume_ledgers(job_dir, resume_from)
    if ledgers:
        spec["resume_ledgers"] = ledgers
    path = job_dir / DOWNLOAD_SPEC_NAME
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    temporary.replace(path)
    return path


def cloud_spec(provider: str, *, endpoint_url: str, mast_url: str) -> dict[str, Any] | None:
    """The spec's ``cloud`` entry for ``provider`` ("" or None: off)."""
    if not provider:
        return None
    return {
        "provider": provider,
        "endpoint_url": endpoint_url,
        "bucket": PUBLIC_BUCKET,
        "mast_url": mast_url,
    }


def _resume_ledgers(job_dir: Path, resume_from: Sequence[Path | str]) -> list[str]:
    """The job folders whose part ledgers a new job trusts: ``resume_from`` and their own."""
    folders: list[str] = []
    for folder in resume_from:
        candidates = [str(folder)]
        try:
            earlier = read_spec(Path(folder)).get("resume_ledgers") or []
        except (OSError, ValueError):
            earlier = []
        candidates += [str(item) for item in earlier if isinstance(item, str)]
        for candidate in candidates:
            if candidate != str(job_dir) and candidate not in folders:
                folders.append(candidate)
    return folders[:MAX_RESUME_LEDGERS]


def read_spec(job_dir: Path) -> dict[str, Any]:
    """The runner's spec of a download job."""
    data = json.loads((job_dir / DOWNLOAD_SPEC_NAME).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("download spec is not an object")
    return data


def runner_env(base: Mapping[str, str], token: str | None) -> dict[str, str]:
    """The runner's environment: the server's, plus the token (never in argv)."""
    env = {k: v for k, v in base.items() if k != TOKEN_ENV}
    env["PYTHONUNBUFFERED"] = "1"
    if token:
        env[TOKEN_ENV] = token
    return env
