"""Server configuration for the Galata tests (started by Playwright's webServer).

``JWST_LAB_GALATA_PROFILE`` picks one of two servers:

- ``demo`` (port 8899): the server root is a fresh copy of the offline demo
  workspace (built once by ``jwst-lab demo --no-launch`` into a template folder
  and reused), with the demo's CRDS cache and local archive, as ``make demo``
  serves it. Pipeline jobs write into the copy, never into the template.
- ``crds-fixture`` (port 8898): the same workspace copy as root, with a
  temporary copy of the real JWST CRDS cache in ``../shared/fixtures/crds-cache``
  (contexts up to jwst_0541.pmap) and no pinned context.

Each server has its own job database, so tests never see jobs of other runs.
"""

import atexit
import os
import shutil
import sys
from pathlib import Path
from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

from jwst_lab.demo.crds_context import SERVERLESS_URL
from jwst_lab.demo.workspace import ensure_workspace

c = get_config()  # noqa: F821 - provided by the Jupyter config loader
configure_jupyter_server(c)

HERE = Path(__file__).resolve().parent
PROFILES = {"demo": 8899, "crds-fixture": 8898}
profile = os.environ.get("JWST_LAB_GALATA_PROFILE", "demo")
if profile not in PROFILES:
    raise SystemExit(f"JWST_LAB_GALATA_PROFILE must be one of {sorted(PROFILES)}, not {profile!r}")

# CI runs as root; tests only listen on loopback, on ports `make demo` does not use.
c.ServerApp.allow_root = True
c.ServerApp.ip = "127.0.0.1"
c.ServerApp.port = PROFILES[profile]

scratch = Path(mkdtemp(prefix=f"galata-jwst-lab-{profile}-"))
atexit.register(shutil.rmtree, scratch, ignore_errors=True)

template = Path(os.environ.get("JWST_LAB_GALATA_TEMPLATE", HERE / ".demo-workspace"))
ensure_workspace(template)
workspace = scratch / "workspace"
shutil.copytree(template, workspace, symlinks=True)
c.ServerApp.root_dir = str(workspace)
c.JwstLabApp.local_archive_dir = str(workspace / "archive")
c.JwstLabApp.local_archive_index = str(scratch / "archive_index.sqlite")
c.JwstLabApp.archive_backend = "local"
c.JwstLabApp.crds_server_url = SERVERLESS_URL
c.JwstLabApp.db_url = f"sqlite:///{scratch / 'jobs.sqlite'}"

# MAST's name resolver, offline: the replay server of the Python tests answers its
# protocol (its fixtures' names resolve, any other name is unknown, as at MAST).
sys.path.insert(0, str(HERE.parent))
from tests.mast_replay import ReplayServer  # noqa: E402

resolver = ReplayServer().start()
atexit.register(resolver.stop)
c.JwstLabApp.mast_resolver_url = resolver.resolver_url

if profile == "demo":
    c.JwstLabApp.crds_path = str(workspace / "crds_cache")
else:
    fixtures = Path(os.environ.get("JWST_LAB_FIXTURES", HERE.parent.parent / "shared" / "fixtures"))
    crds_cache = scratch / "crds_cache"
    shutil.copytree(fixtures / "crds-cache", crds_cache)
    c.JwstLabApp.crds_path = str(crds_cache)
