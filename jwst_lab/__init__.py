"""jwst-lab: a JupyterLab extension for JWST data reduction.

This module stays light on purpose: the Jupyter server imports it to find the
extension, and the ``jwst-lab`` command imports it for ``--version``.
"""

from __future__ import annotations

from typing import Any

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - only in a source tree never built
    from importlib.metadata import PackageNotFoundError, version

    try:
        __version__ = version("jwst-lab")
    except PackageNotFoundError:
        __version__ = "0.0.0+unknown"

__all__ = ["__version__"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jwst-lab"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .app import JwstLabApp

    return [{"module": "jwst_lab", "app": JwstLabApp}]
