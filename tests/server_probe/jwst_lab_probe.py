"""A test-only server extension that reports what the server process has imported.

Loaded beside jwst_lab in a real ``jupyter server`` subprocess by
``tests/test_server_process.py``; never installed.
"""

from __future__ import annotations

import json
import os
import sys

from jupyter_server.base.handlers import APIHandler
from tornado import web

WATCHED = ("jwst", "stpipe", "stdatamodels", "astroquery", "crds", "dask", "distributed")


class ProbeHandler(APIHandler):
    @web.authenticated
    def get(self) -> None:
        loaded = sorted(name for name in sys.modules if name.split(".")[0] in WATCHED)
        self.finish(json.dumps({"modules": loaded, "environ": dict(os.environ)}))


def _jupyter_server_extension_points():
    return [{"module": "jwst_lab_probe"}]


def _load_jupyter_server_extension(serverapp):
    base = serverapp.web_app.settings["base_url"]
    serverapp.web_app.add_handlers(".*$", [(base + "jwst-lab-probe/state", ProbeHandler)])
