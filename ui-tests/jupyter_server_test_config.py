"""Server configuration for the Galata tests (started by Playwright's webServer)."""

from pathlib import Path
from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

c = get_config()  # noqa: F821 - provided by the Jupyter config loader
configure_jupyter_server(c)

# CI runs as root; tests only listen on loopback, on a port `make demo` does not use.
c.ServerApp.allow_root = True
c.ServerApp.ip = "127.0.0.1"
c.ServerApp.port = 8899

# A pinned CRDS context and cache path, so the CRDS panel's status line has
# something definite to show.
crds_cache = Path(c.ServerApp.root_dir) / "crds_cache"
crds_cache.mkdir(parents=True, exist_ok=True)
c.JwstLabApp.crds_path = str(crds_cache)
c.JwstLabApp.crds_context = "jwst_0541.pmap"

# A job database of this server's own, so tests never see jobs of other runs.
c.JwstLabApp.db_url = f"sqlite:///{mkdtemp(prefix='galata-jwst-lab-jobs-')}/jobs.sqlite"
