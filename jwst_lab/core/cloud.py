"""MAST's public data in the cloud: locate products in the bucket, read them with range requests.

Products are located the way astroquery's own cloud support does it
(``Observations.enable_cloud_dataset`` / ``get_cloud_uris``, in
``astroquery/mast/cloud.py``): MAST's ``path_lookup`` service maps each
dataURI to a path in the bucket (astroquery's ``utils.mast_relative_path``),
and a ``HEAD`` of that key says whether the object is there. astroquery's
``CloudAccess`` cannot be pointed at another endpoint (it builds a plain
``boto3.client('s3')``) and its path lookup always asks
``https://mast.stsci.edu``; so with the real MAST the lookup is astroquery's
own function, and with another ``mast_url`` (a mirror, the tests' loopback
MAST) the same service is asked at that URL with astroquery's rules. The
objects are then read with boto3 pointed at ``endpoint_url`` (empty: AWS),
anonymously (``botocore.UNSIGNED``): the bucket is public.

boto3 and astroquery are imported on first use only: the server process
imports this module for the peek route and must stay light.

:func:`peek` reads a product's headers (and a small quick look of its
science image) with range requests, never the whole object, and says how
many bytes it read.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

#: MAST's public bucket (astroquery's ``CloudAccess.pubdata_bucket``).
PUBLIC_BUCKET = "stpubdata"
#: Cloud providers a setting or a request may name.
PROVIDERS = ("aws",)
#: Where astroquery's path lookup goes (hard-coded there).
MAST_HOST = "mast.stsci.edu"
#: MAST's dataURI → bucket path service, below ``mast_url``.
PATH_LOOKUP = "/api/v0.1/path_lookup/"
#: URIs per path-lookup request (astroquery's chunk size: longer URLs get a 414).
LOOKUP_CHUNK = 50
#: Bytes of each range request of a download (one connection's share of a file).
RANGE_SIZE = 4 * 1024 * 1024
#: Range requests in flight per file.
RANGES_PER_FILE = 4
#: Smallest read of :class:`RangedObject`; sequential reads double it up to :data:`MAX_READAHEAD`.
MIN_READ = 16 * 1024
MAX_READAHEAD = 1024 * 1024
#: Longest side of a peek's quick look, and how many rows of the image it reads at most.
PEEK_IMAGE_SIZE = 256
PEEK_MAX_ROWS = 128
#: Range requests in flight for a quick look.
PEEK_PARALLEL = 16
#: A peek answers a person waiting in the browser: seconds to connect to the bucket, to wait
#: for each answer, and how many times a request is tried in all (so a dead or silent bucket
#: is a 502 in about ``PEEK_ATTEMPTS * (PEEK_CONNECT_TIMEOUT + PEEK_READ_TIMEOUT)`` at most).
PEEK_CONNECT_TIMEOUT = 5.0
PEEK_READ_TIMEOUT = 20.0
PEEK_ATTEMPTS = 2


class CloudError(Exception):
    """The bucket could not be reached or answered an error (the message says which)."""


class NotInBucket(CloudError):
    """The object is not in the bucket (404 / NoSuchKey)."""


class CloudUnavailable(CloudError):
    """The bucket answered, with a server error (5xx: an outage, throttling)."""


@dataclass(frozen=True)
class CloudObject:
    """Where a product is in the bucket, its size and ETag."""

    bucket: str
    key: str
    size: int
    etag: str

    @property
    def single_part_md5(self) -> str | None:
        """The object's md5 when its ETag is one (single-part uploads), else None."""
        tag = self.etag.strip('"')
        if len(tag) == 32 and "-" not in tag and all(c in "0123456789abcdef" for c in tag):
            return tag
        return None


def check_provider(value: str | None, field: str = "cloud") -> str:
    """``""`` (off) or a provider of :data:`PROVIDERS`; ``ValueError`` otherwise."""
    text = (value or "").strip().lower()
    if text and text not in PROVIDERS:
        raise ValueError(f"{field} must be '' (off) or one of {', '.join(PROVIDERS)}")
    return text


def _is_real_mast(mast_url: str) -> bool:
    return urlsplit(mast_url).netloc.lower() == MAST_HOST


def _bucket_path(path: str) -> str:
    """astroquery's rules (``mast_relative_path``) from a path_lookup path to a bucket key."""
    if "galex" in path:
        return path.lstrip("/mast/")  # noqa: B005 (astroquery's own rule, kept as it is)
    if "/ps1/" in path:
        return path.replace("/ps1/", "panstarrs/ps1/public/")
    if "hlsp" in path:
        return path.replace("/hlsp_local/public/", "mast/")
    return path.lstrip("/")


def relative_paths(uris: Sequence[str], mast_url: str, timeout: float = 30.0) -> list[str | None]:
    """Blocking: the bucket key of each dataURI (None: MAST knows no cloud path for it).

    With the real MAST this is astroquery's ``mast_relative_path``; with
    another ``mast_url`` the same service at that URL. Raises
    :class:`CloudError` when the service cannot be asked.
    """
    if not uris:
        return []
    if _is_real_mast(mast_url):
        from astroquery.mast import utils

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                found = utils.mast_relative_path(list(uris), verbose=False)
        except Exception as error:  # astroquery raises requests' and its own errors
            raise CloudError(f"MAST's path lookup failed: {type(error).__name__}") from None
        return [found] if isinstance(found, str) else list(found)
    import json

    import urllib3

    http = urllib3.PoolManager(timeout=urllib3.Timeout(total=timeout), retries=2)
    url = mast_url.rstrip("/") + PATH_LOOKUP
    paths: list[str | None] = []
    for start in range(0, len(uris), LOOKUP_CHUNK):
        chunk = list(uris[start : start + LOOKUP_CHUNK])
        try:
            response = http.request("GET", url, fields=[("uri", uri) for uri in chunk])
        except urllib3.exceptions.HTTPError as error:
            raise CloudError(f"MAST's path lookup failed: {type(error).__name__}") from None
        if response.status != 200:
            raise CloudError(f"MAST's path lookup answered HTTP {response.status}")
        try:
            answer = json.loads(response.data)
        except ValueError:
            raise CloudError("MAST's path lookup answered something that is not JSON") from None
        for uri in chunk:
            item = answer.get(uri) if isinstance(answer, dict) else None
            path = item.get("path") if isinstance(item, dict) else None
            paths.append(_bucket_path(path) if isinstance(path, str) and path else None)
    return paths


def s3_client(
    endpoint_url: str | None = None,
    *,
    connections: int = 10,
    connect_timeout: float = 30.0,
    read_timeout: float = 60.0,
    attempts: int = 3,
) -> Any:
    """An anonymous boto3 S3 client on ``endpoint_url`` (None or empty: AWS).

    Every request it makes has a connect and a read timeout (seconds) and is
    tried ``attempts`` times in all (the first try included), never more.
    """
    import boto3
    import botocore
    from botocore.config import Config

    config = Config(
        signature_version=botocore.UNSIGNED,
        max_pool_connections=max(10, connections),
        retries={"total_max_attempts": max(1, attempts), "mode": "standard"},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        s3={"addressing_style": "path"} if endpoint_url else {},
    )
    return boto3.client(
        "s3", endpoint_url=endpoint_url or None, region_name="us-east-1", config=config
    )


def error_code(error: BaseException) -> str:
    """The S3 error code of a botocore ``ClientError`` ("" for other errors)."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def is_missing(error: BaseException) -> bool:
    """True when ``error`` says the object (or bucket) does not exist."""
    return error_code(error) in ("404", "NoSuchKey", "NotFound", "NoSuchBucket")


def _client_error(error: BaseException, bucket: str, key: str) -> CloudError:
    """The :class:`CloudError` a botocore ``ClientError`` on ``bucket/key`` stands for."""
    if is_missing(error):
        return NotInBucket(f"s3://{bucket}/{key} is not in the bucket")
    response = getattr(error, "response", None)
    meta = response.get("ResponseMetadata", {}) if isinstance(response, dict) else {}
    status = int(meta.get("HTTPStatusCode") or 0)
    what = error_code(error) or (f"HTTP {status}" if status else "error")
    if status >= 500:
        return CloudUnavailable(f"s3://{bucket} answered {what} (HTTP {status})")
    return CloudError(f"s3://{bucket}/{key}: {what}")


def head(client: Any, bucket: str, key: str) -> CloudObject:
    """Blocking: the object at ``bucket/key``; :class:`NotInBucket` or :class:`CloudError`."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = client.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        raise _client_error(error, bucket, key) from None
    except BotoCoreError as error:
        raise CloudError(f"the bucket could not be reached: {type(error).__name__}") from None
    return CloudObject(bucket, key, int(answer["ContentLength"]), str(answer.get("ETag") or ""))


def locate(
    uris: Sequence[str],
    *,
    mast_url: str,
    client: Any,
    bucket: str = PUBLIC_BUCKET,
    parallel: int = 8,
) -> list[CloudObject | None]:
    """Blocking: each dataURI's object in the bucket, or None when it is not there.

    Like astroquery's ``get_cloud_uris``: the path lookup, then a ``HEAD`` of
    each key (in parallel). Raises :class:`CloudError` when the lookup or the
    bucket fails (not for a missing object).
    """
    keys = relative_paths(uris, mast_url)

    def one(key: str | None) -> CloudObject | None:
        if key is None:
            return None
        try:
            return head(client, bucket, key)
        except NotInBucket:
            return None

    if not keys:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(keys)))) as pool:
        return list(pool.map(one, keys))


def read_range(client: Any, obj: CloudObject, start: int, end: int) -> bytes:
    """Blocking: bytes ``start..end`` (inclusive) of ``obj``, checked against its ETag."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = client.get_object(
            Bucket=obj.bucket, Key=obj.key, Range=f"bytes={start}-{end}", IfMatch=obj.etag
        )
        data: bytes = answer["Body"].read()
    except ClientError as error:
        raise _client_error(error, obj.bucket, obj.key) from None
    except (BotoCoreError, OSError) as error:
        raise CloudError(f"the read broke off: {type(error).__name__}") from None
    if len(data) != end - start + 1:
        raise CloudError(f"asked for {end - start + 1} bytes at {start}, got {len(data)}")
    return data


class RangedObject(io.RawIOBase):
    """A read-only, seekable file over one object, read with range requests; counts bytes.

    Reads fetch what is asked (at least :data:`MIN_READ`); sequential reads
    double the read-ahead up to :data:`MAX_READAHEAD`, a seek resets it.
    ``bytes_read``: bytes fetched from the bucket so far; ``requests``: how
    many range requests.
    """

    def __init__(self, client: Any, obj: CloudObject) -> None:
        super().__init__()
        self._client = client
        self.obj = obj
        self._pos = 0
        self._buffer = b""
        self._buffer_at = 0
        self._readahead = MIN_READ
        self._lock = threading.Lock()
        self.bytes_read = 0
        self.requests = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._pos
        elif whence == io.SEEK_END:
            offset += self.obj.size
        if offset != self._pos:
            self._readahead = MIN_READ
        self._pos = max(0, offset)
        return self._pos

    def readinto(self, target: Any) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def read(self, size: int | None = -1) -> bytes:
        if self._pos >= self.obj.size:
            return b""
        if size is None or size < 0:
            size = self.obj.size - self._pos
        size = min(size, self.obj.size - self._pos)
        with self._lock:
            end = self._pos + size
            inside = self._buffer_at <= self._pos and end <= self._buffer_at + len(self._buffer)
            if not inside:
                want = max(size, self._readahead)
                last = min(self.obj.size, self._pos + want) - 1
                self._buffer = read_range(self._client, self.obj, self._pos, last)
                self._buffer_at = self._pos
                self.bytes_read += len(self._buffer)
                self.requests += 1
                self._readahead = min(MAX_READAHEAD, self._readahead * 2)
            start = self._pos - self._buffer_at
            data = self._buffer[start : start + size]
            self._pos += len(data)
            return data


def _header_cards(header: Any) -> list[list[str]]:
    cards = []
    for card in header.cards:
        value = card.value
        cards.append([card.keyword, "" if value is None else str(value), card.comment or ""])
    return cards


_BITPIX = {8: ">u1", 16: ">i2", 32: ">i4", 64: ">i8", -32: ">f4", -64: ">f8"}


def _quick_look(hdu: Any, reader: RangedObject) -> tuple[bytes | None, list[int] | None]:
    """A PNG of ``hdu``'s image from every n-th row (of its first plane), and the image shape.

    The rows are fetched with one range request each, :data:`PEEK_PARALLEL` at a
    time, from where the header says the data starts: a few MB of a large
    image, in about a second, instead of the whole object.
    """
    import numpy as np

    from .preview import downsample, scale_to_png

    header = hdu.header
    shape = [int(header.get(f"NAXIS{i}", 0)) for i in range(int(header["NAXIS"]), 0, -1)]
    dtype = _BITPIX.get(int(header.get("BITPIX", 0)))
    offset = getattr(hdu, "_data_offset", None)
    if len(shape) < 2 or min(shape) == 0 or dtype is None or offset is None:
        return None, shape
    rows, cols = shape[-2], shape[-1]
    row_bytes = cols * np.dtype(dtype).itemsize
    # One stride for rows and columns, so the quick look keeps the image's proportions.
    step = max(1, -(-rows // PEEK_MAX_ROWS), -(-cols // PEEK_IMAGE_SIZE))
    starts = [int(offset) + row * row_bytes for row in range(0, rows, step)]

    def fetch(start: int) -> bytes:
        return read_range(reader._client, reader.obj, start, start + row_bytes - 1)

    with ThreadPoolExecutor(max_workers=PEEK_PARALLEL) as pool:
        blocks = list(pool.map(fetch, starts))
    reader.bytes_read += row_bytes * len(blocks)
    reader.requests += len(blocks)
    data = np.frombuffer(b"".join(blocks), dtype=dtype).reshape(len(blocks), cols)
    data = data.astype(np.float32) * float(header.get("BSCALE", 1.0)) + float(
        header.get("BZERO", 0.0)
    )
    data = downsample(np.ascontiguousarray(data[:, ::step]), PEEK_IMAGE_SIZE)
    return scale_to_png(data, "asinh"), shape


def peek(
    obj: CloudObject, client: Any, *, image: bool = True, max_hdus: int = 32
) -> dict[str, Any]:
    """Blocking: the headers of ``obj`` (a FITS file in the bucket) and a quick look.

    Answers ``{headers: [{index, name, cards}], science, image_png, shape,
    bytes_read, requests, size}``: the primary header and the science
    extension's (``SCI``, else the first image extension) as cards, and when
    ``image`` a PNG (bytes) of the science image from every n-th row (at
    most :data:`PEEK_MAX_ROWS`, fetched in parallel), so only a part of it
    is read. Raises :class:`CloudError`, or
    ``ValueError`` for an object that is not FITS.
    """
    from astropy.io import fits

    reader = RangedObject(client, obj)
    headers: list[dict[str, Any]] = []
    png: bytes | None = None
    shape: list[int] | None = None
    science_name: str | None = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            hdus = fits.open(reader, mode="readonly", lazy_load_hdus=True, memmap=False)
        except OSError as error:
            raise ValueError(f"{obj.key.rsplit('/', 1)[-1]} is not a FITS file: {error}") from None
        with hdus:
            try:
                primary = hdus[0]
                headers.append(
                    {"index": 0, "name": primary.name, "cards": _header_cards(primary.header)}
                )
                science: Any = None
                for index in range(1, max_hdus):
                    try:
                        hdu = hdus[index]
                    except IndexError:
                        break
                    if hdu.name == "SCI" or (
                        science is None and hdu.is_image and hdu.header.get("NAXIS")
                    ):
                        science = (index, hdu)
                        if hdu.name == "SCI":
                            break
                if science is not None:
                    index, hdu = science
                    science_name = hdu.name
                    headers.append(
                        {"index": index, "name": hdu.name, "cards": _header_cards(hdu.header)}
                    )
                    if image:
                        png, shape = _quick_look(hdu, reader)
            except CloudError:
                raise
            except Exception as error:  # astropy raises many kinds on a damaged header
                name = obj.key.rsplit("/", 1)[-1]
                raise ValueError(f"{name} cannot be read as FITS: {error}") from None
    return {
        "headers": headers,
        "science": science_name,
        "image_png": png,
        "shape": shape,
        "bytes_read": reader.bytes_read,
        "requests": reader.requests,
        "size": obj.size,
    }


def fetched_origins(results: Iterable[Any]) -> dict[str, int]:
    """How many files came from each origin (``s3``, ``https``, ``local``)."""
    counts: dict[str, int] = {}
    for result in results:
        origin = getattr(result, "origin", None)
        if origin and getattr(result, "ok", False):
            counts[origin] = counts.get(origin, 0) + 1
    return counts


def peek_product(
    uri: str,
    *,
    mast_url: str,
    endpoint_url: str,
    image: bool = True,
    connect_timeout: float = PEEK_CONNECT_TIMEOUT,
    read_timeout: float = PEEK_READ_TIMEOUT,
    attempts: int = PEEK_ATTEMPTS,
) -> dict[str, Any]:
    """Blocking: :func:`peek` of the product ``uri`` in the public bucket, as the route answers.

    Every request (the path lookup, each read of the bucket) has a timeout
    and is tried at most ``attempts`` times. 404 (reason ``not_in_bucket``)
    when MAST knows no cloud path for it or the object is not in the bucket,
    400 (field ``uri``) when it is not a FITS file, 502 when the lookup or
    the bucket cannot be reached or fails, 503 when the bucket answers a
    server error (an outage).
    """
    import base64

    from ..errors import BadRequest, NotFound, ServiceUnavailable, UpstreamError

    advice = "download the product instead"
    try:
        (key,) = relative_paths([uri], mast_url, timeout=connect_timeout + read_timeout)
        if key is None:
            raise NotInBucket(f"MAST knows no cloud copy of {uri}")
        client = s3_client(
            endpoint_url or None,
            connections=PEEK_PARALLEL,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            attempts=attempts,
        )
        obj = head(client, PUBLIC_BUCKET, key)
        answer = peek(obj, client, image=image)
    except NotInBucket:
        raise NotFound(
            f"{uri} is not in MAST's cloud bucket (s3://{PUBLIC_BUCKET}): {advice}",
            reason="not_in_bucket",
        ) from None
    except CloudUnavailable as error:
        raise ServiceUnavailable(
            f"MAST's cloud bucket is unavailable ({error}): try again later, or {advice}",
            reason="cloud_unavailable",
        ) from None
    except CloudError as error:
        raise UpstreamError(
            f"MAST's cloud bucket could not be read ({error}): {advice}", reason="cloud_error"
        ) from None
    except ValueError as error:
        raise BadRequest(str(error), field="uri") from None
    png = answer.pop("image_png")
    return {
        **answer,
        "uri": uri,
        "cloud_uri": f"s3://{obj.bucket}/{obj.key}",
        "image_png": base64.b64encode(png).decode("ascii") if png else None,
    }
