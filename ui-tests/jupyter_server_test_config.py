"""Server configuration for the Galata tests (started by Playwright's webServer).

``JWST_LAB_GALATA_PROFILE`` picks one of two servers:

- ``demo`` (port 8899): the server root is a fresh copy of the offline demo
  workspace (built once by ``jwst-lab demo --no-launch`` into a template folder
  and reused), with the demo's CRDS cache and local archive, as ``make demo``
  serves it. Pipeline jobs write into the copy, never into the template. Cloud
  access is on (``cloud = "aws"``): the archive's FITS products are also in a
  loopback S3 server (moto) laid out as MAST's public bucket, for peeks.
- ``crds-fixture`` (port 8898): the same workspace copy as root, with a
  temporary copy of the real JWST CRDS cache in ``../shared/fixtures/crds-cache``
  (contexts up to jwst_0541.pmap) and no pinned context; its MAST is the replay
  server of the Python tests (``tests/mast_replay.py``: MAST's protocol on
  loopback, answering from astroquery's recorded MAST responses and the
  synthetic JWST answers), searched through astroquery as real MAST is.

Each server has its own job database, so tests never see jobs of other runs.
"""

import atexit
import logging
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
    # MAST's public bucket, offline: moto's S3 server holds the demo archive's FITS
    # products at the keys of MAST's layout, and a stand-in of MAST's path lookup
    # locates them (mast_url stays MAST's, as download scripts name it). Both are
    # threads of this process, so they end with it.
    from tests.s3_helpers import BUCKET, LookupMast, bucket_path, make_public_bucket, s3_admin
    from tests.s3_helpers import moto_s3 as _moto_s3

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto logs every request
    bucket = _moto_s3()
    endpoint = bucket.__enter__()
    atexit.register(bucket.__exit__, None, None, None)
    make_public_bucket(endpoint)
    uploader = s3_admin(endpoint)
    for product in sorted((workspace / "archive").rglob("*.fits")):
        key = bucket_path(f"mast:JWST/product/{product.name}").lstrip("/")
        uploader.upload_file(str(product), BUCKET, key)
    lookup = LookupMast({}).__enter__()
    atexit.register(lookup.__exit__, None, None, None)
    c.JwstLabApp.cloud = "aws"
    c.JwstLabApp.cloud_endpoint_url = endpoint
    c.JwstLabApp.cloud_lookup_url = lookup.url
else:
    c.JwstLabApp.archive_backend = "mast"
    c.JwstLabApp.mast_url = resolver.url
    fixtures = Path(os.environ.get("JWST_LAB_FIXTURES", HERE.parent.parent / "shared" / "fixtures"))
    crds_cache = scratch / "crds_cache"
    shutil.copytree(fixtures / "crds-cache", crds_cache)
    c.JwstLabApp.crds_path = str(crds_cache)
