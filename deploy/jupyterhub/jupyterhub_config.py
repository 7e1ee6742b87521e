"""JupyterHub for jwst-lab: one JupyterLab with jwst-lab per user, behind the hub's proxy.

The test deployment (``tests/test_hub.py`` and the Galata ``hub`` project) runs
this file as it is; README "Deploying on JupyterHub" explains each choice.
Set through the environment:

``JWST_LAB_HUB_DIR``
    the hub's own state (its database, cookie secret, the proxy's pid) and the
    users' homes, ``users/<name>``; default ``/srv/jupyterhub``.
``JWST_LAB_HUB_PORT`` / ``JWST_LAB_HUB_API_PORT`` / ``JWST_LAB_PROXY_API_PORT``
    the public port of the proxy (8000), the hub's (8081) and the proxy's REST API
    (8001), all on 127.0.0.1.
``JWST_LAB_HUB_USERS``, ``JWST_LAB_HUB_PASSWORD``
    who may sign in (comma-separated) and their shared password (at least 8
    characters). A shared password is for test deployments: on a science
    platform put your site's authenticator (e.g. OAuthenticator) here.
``JWST_LAB_CRDS_PATH``, ``JWST_LAB_CRDS_SERVER_URL``
    one CRDS cache shared by every user, read-only for their servers
    (``CRDS_READONLY_CACHE=1``: it is filled by an administrator, or by a
    ``crds sync`` job), and the CRDS server (a ``serverless`` URL: cache only).
``JWST_LAB_ARCHIVE_BACKEND``
    ``auto`` (MAST, else each user's local archive), ``mast`` or ``local``.
``JWST_LAB_HUB_TEMPLATE``
    optional: a workspace (e.g. one made by ``jwst-lab demo --no-launch``)
    copied into each user's home at their first start, without its CRDS cache.
``JWST_LAB_CHP``
    the ``configurable-http-proxy`` command (from npm).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - given by JupyterHub's loader

env = os.environ
hub_dir = Path(env.get("JWST_LAB_HUB_DIR", "/srv/jupyterhub")).resolve()
hub_dir.mkdir(parents=True, exist_ok=True)
users_dir = hub_dir / "users"

# --- the hub and its proxy: loopback only ---------------------------------------------
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(env.get("JWST_LAB_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env.get("JWST_LAB_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env.get('JWST_LAB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [env.get("JWST_LAB_CHP", "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(hub_dir / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{hub_dir / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(hub_dir / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True

# --- who signs in ----------------------------------------------------------------------
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = env.get("JWST_LAB_HUB_PASSWORD", "")
c.Authenticator.allowed_users = {
    name.strip() for name in env.get("JWST_LAB_HUB_USERS", "").split(",") if name.strip()
}

# --- one server per user ---------------------------------------------------------------
# SimpleLocalProcessSpawner: no system accounts needed (CI runs in one container
# as root). Each user's server is its own process with its own home, root folder,
# job database and token store; the hub's per-user OAuth keeps every request to
# it to its owner. On a real platform use KubeSpawner or DockerSpawner (one
# container per user) or LocalProcessSpawner with system accounts.
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(users_dir / "{username}")
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

crds_path = env.get("JWST_LAB_CRDS_PATH", "")
crds_server_url = env.get("JWST_LAB_CRDS_SERVER_URL", "https://jwst-crds.stsci.edu")
archive_backend = env.get("JWST_LAB_ARCHIVE_BACKEND", "auto")
template = env.get("JWST_LAB_HUB_TEMPLATE", "")

c.Spawner.environment = {
    # The shared cache is read-only for users: CRDS never writes into it.
    "CRDS_READONLY_CACHE": "1",
    "CRDS_SERVER_URL": crds_server_url,
    **({"CRDS_PATH": crds_path} if crds_path else {}),
}


def user_server_options(spawner: Any) -> None:
    """Before a user's server starts: their workspace, job database and jwst-lab settings."""
    home = users_dir / spawner.user.name
    workspace = home / "workspace"
    state = home / ".jwst-lab"
    state.mkdir(parents=True, exist_ok=True)
    if template and not workspace.exists():
        ignore = shutil.ignore_patterns("crds_cache") if crds_path else None
        shutil.copytree(template, workspace, symlinks=True, ignore=ignore)
    workspace.mkdir(parents=True, exist_ok=True)
    spawner.notebook_dir = str(workspace)
    options = [
        f"--JwstLabApp.db_url=sqlite:///{state / 'jobs.sqlite'}",
        f"--JwstLabApp.crds_server_url={crds_server_url}",
        f"--JwstLabApp.archive_backend={archive_backend}",
        f"--JwstLabApp.local_archive_index={state / 'archive_index.sqlite'}",
    ]
    if crds_path:
        options.append(f"--JwstLabApp.crds_path={crds_path}")
    if (workspace / "archive").is_dir():
        options.append(f"--JwstLabApp.local_archive_dir={workspace / 'archive'}")
    if os.geteuid() == 0:
        options.append("--allow-root")  # a container run as root, as CI is
    # The hook runs at every start of the server: replace what it added last time.
    kept = [arg for arg in spawner.args if not arg.startswith(("--JwstLabApp.", "--allow-root"))]
    spawner.args = [*kept, *options]


c.Spawner.pre_spawn_hook = user_server_options
