"""The test deployment: ``deploy/jupyterhub/jupyterhub_config.py`` as it is, plus test access.

Added here, for tests only: an admin service whose token (``JWST_LAB_HUB_ADMIN_TOKEN``)
starts users' servers and issues their tokens through the hub's REST API, and, with
``JWST_LAB_HUB_GALATA=1``, what Galata needs in each user's JupyterLab (its helper
extension, the app exposed to the page).
"""

import os
from pathlib import Path

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - given by JupyterHub's loader
DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "jupyterhub" / "jupyterhub_config.py"
load_subconfig(str(DEPLOY))  # type: ignore[name-defined]  # noqa: F821

c.JupyterHub.services = [
    {"name": "jwst-lab-tests", "api_token": os.environ["JWST_LAB_HUB_ADMIN_TOKEN"]}
]
c.JupyterHub.load_roles = [
    {
        "name": "jwst-lab-tests",
        "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users"],
        "services": ["jwst-lab-tests"],
    }
]

if os.environ.get("JWST_LAB_HUB_GALATA") == "1":
    import jupyterlab

    c.Spawner.args = [
        "--LabApp.expose_app_in_browser=True",
        f"--LabServerApp.extra_labextensions_path={Path(jupyterlab.__file__).parent / 'galata'}",
        "--ServerApp.disable_check_xsrf=True",
    ]
