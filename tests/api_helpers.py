"""Small helpers shared by tests that talk to a real jwst-lab server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tornado.httpclient import HTTPClientError


async def call_api(jp_fetch: Any, method: str, *parts: str, body: Any = None, **params: Any):
    """``(status, decoded JSON body)`` of a request to ``/jwst-lab/<parts>``; errors included."""
    payload = None if body is None else (body if isinstance(body, str) else json.dumps(body))
    try:
        response = await jp_fetch(
            "jwst-lab", *parts, method=method, body=payload, params=params or None
        )
    except HTTPClientError as error:
        raw = error.response.body if error.response is not None else b""
        return error.code, json.loads(raw or b"null")
    return response.code, (json.loads(response.body) if response.body else None)


def write_jwst_fits(path: Path, target: str, *, size: int = 32, seed: int = 0) -> Path:
    """A small NIRCam image FITS file with the primary keywords the local archive indexes."""
    import numpy as np
    from astropy.io import fits

    header = fits.Header()
    for key, value in {
        "TELESCOP": "JWST",
        "INSTRUME": "NIRCAM",
        "FILTER": "F150W",
        "PUPIL": "CLEAR",
        "EXP_TYPE": "NRC_IMAGE",
        "TARGPROP": target,
        "TARG_RA": 150.0,
        "TARG_DEC": 2.0,
        "PROGRAM": "01234",
        "EXPSTART": 60000.0,
        "EXPEND": 60000.01,
    }.items():
        header[key] = value
    data = np.random.default_rng(seed).normal(size=(size, size)).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fits.HDUList([fits.PrimaryHDU(header=header), fits.ImageHDU(data, name="SCI")]).writeto(path)
    return path


def dead_url() -> str:
    """A loopback URL nothing listens on (MAST that never answers)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"
