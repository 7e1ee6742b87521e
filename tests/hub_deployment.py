"""A real JupyterHub on loopback for tests: ``configurable-http-proxy``, two users.

:class:`HubDeployment` starts ``jupyterhub`` with ``tests/hub/jupyterhub_test_config.py``
(the deployment of ``deploy/jupyterhub/`` plus an admin service for the tests) in a
subprocess, and talks to the hub's REST API and, through the proxy, to the users'
servers. ``python -m tests.hub_deployment PORT`` runs one in the foreground for the
Galata ``hub`` project (users ``alice`` and ``bob``, the demo workspace each).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from jwst_lab.demo.crds_context import SERVERLESS_URL

REPO = Path(__file__).resolve().parents[1]
TEST_CONFIG = REPO / "tests" / "hub" / "jupyterhub_test_config.py"
CHP = REPO / "ui-tests" / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD = "jwst-lab-hub-test"
USERS = ("alice", "bob")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def hub_environment(
    folder: Path, template: Path, ports: tuple[int, int, int], admin_token: str
) -> dict[str, str]:
    """The environment of a test hub in ``folder`` serving copies of ``template``."""
    public, hub_api, proxy_api = ports
    return {
        **os.environ,
        "JWST_LAB_HUB_DIR": str(folder),
        "JWST_LAB_HUB_PORT": str(public),
        "JWST_LAB_HUB_API_PORT": str(hub_api),
        "JWST_LAB_PROXY_API_PORT": str(proxy_api),
        "JWST_LAB_HUB_USERS": ",".join(USERS),
        "JWST_LAB_HUB_PASSWORD": PASSWORD,
        "JWST_LAB_CRDS_PATH": str(template / "crds_cache"),
        "JWST_LAB_CRDS_SERVER_URL": SERVERLESS_URL,
        "JWST_LAB_ARCHIVE_BACKEND": "local",
        "JWST_LAB_HUB_TEMPLATE": str(template),
        "JWST_LAB_CHP": str(CHP),
        "JWST_LAB_HUB_ADMIN_TOKEN": admin_token,
        "CONFIGPROXY_AUTH_TOKEN": secrets.token_hex(16),
    }


def hub_argv() -> list[str]:
    """The hub's command line."""
    return [sys.executable, "-m", "jupyterhub", "-f", str(TEST_CONFIG)]


class HubError(Exception):
    """An HTTP answer that is not 2xx: its status and body."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:500]}")
        self.status = status
        self.body = body


class HubDeployment:
    """A hub, its proxy and the users' servers, started and stopped by the tests."""

    def __init__(self, folder: Path, template: Path) -> None:
        if not CHP.exists():
            raise FileNotFoundError(f"{CHP} is missing: run `cd ui-tests && jlpm install`")
        self.folder = folder
        self.ports = (free_port(), free_port(), free_port())
        self.url = f"http://127.0.0.1:{self.ports[0]}"
        self.admin_token = secrets.token_hex(16)
        folder.mkdir(parents=True, exist_ok=True)
        self.log_path = folder / "hub.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                hub_argv(),
                cwd=folder,
                env=hub_environment(folder, template, self.ports, self.admin_token),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_up(90)

    def log(self) -> str:
        """The end of the hub's log (for assertion messages)."""
        return self.log_path.read_text(errors="replace")[-4000:]

    def _wait_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited ({self.process.returncode}):\n{self.log()}")
            try:
                self.request("GET", "/hub/api/")
                return
            except (HubError, URLError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the hub did not answer:\n{self.log()}") from None
                time.sleep(0.2)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        *,
        text: bool = False,
    ) -> Any:
        """``method path`` on the proxy's URL (hub API or a user's server).

        The JSON answer, or with ``text`` the body as text.
        """
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"token {token}"
        request = Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urlopen(request, timeout=60) as response:
                raw = response.read()
        except HTTPError as error:
            raise HubError(error.code, error.read().decode(errors="replace")) from None
        if text:
            return raw.decode()
        return json.loads(raw) if raw else None

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        """A hub REST API call as the tests' admin service."""
        return self.request(method, f"/hub/api{path}", body, token=self.admin_token)

    def start_server(self, user: str, timeout: float = 180) -> None:
        """Start ``user``'s server and wait until the hub says it is ready."""
        try:
            self.admin("POST", f"/users/{user}/server")
        except HubError as error:
            if error.status != 400:  # 400: already running
                raise
        deadline = time.monotonic() + timeout
        while not self.admin("GET", f"/users/{user}")["servers"].get("", {}).get("ready"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{user}'s server did not start:\n{self.log()}")
            time.sleep(0.5)

    def user_token(self, user: str) -> str:
        """A new API token of ``user`` (what their browser session or a client holds)."""
        answer = self.admin("POST", f"/users/{user}/tokens", {"note": "jwst-lab tests"})
        return str(answer["token"])

    def home(self, user: str) -> Path:
        """``user``'s home folder (their server's root is ``workspace`` in it)."""
        return self.folder / "users" / user

    def stop(self) -> None:
        """Stop the hub; it stops the users' servers and the proxy (cleanup_servers)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(10)


def _stop_stale_proxy(pid_file: Path) -> None:
    """Stop the proxy a hub killed before its cleanup left running (it would hold the ports)."""
    try:
        pid = int(pid_file.read_text().strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        if b"configurable-http-proxy" in command:  # not another process that took the pid
            os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError):
        return


def main() -> int:
    """Run a hub on the public port ``argv[1]`` until SIGTERM (Galata's webServer).

    Its users sign in with :data:`PASSWORD` on the hub's login page. The hub runs
    in its own session with its output in ``hub.log``, so no process it starts
    holds Playwright's pipe; on SIGTERM the hub stops its servers and proxy, and
    whatever of its process tree is left is killed before this returns.
    """
    import psutil

    from jwst_lab.demo.workspace import ensure_workspace

    port = int(sys.argv[1])
    here = REPO / "ui-tests"
    template = Path(os.environ.get("JWST_LAB_GALATA_TEMPLATE", here / ".demo-workspace"))
    ensure_workspace(template)
    folder = Path(os.environ.get("JWST_LAB_HUB_DIR", here / ".hub"))
    _stop_stale_proxy(folder / "proxy.pid")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    # Only the public port is fixed; the hub's and the proxy's own APIs take free ports.
    ports = (port, free_port(), free_port())
    env = hub_environment(folder, template, ports, secrets.token_hex(16))
    env["JWST_LAB_HUB_GALATA"] = "1"
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with (folder / "hub.log").open("wb") as log:
        hub = subprocess.Popen(
            hub_argv(),
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    print(f"hub on http://127.0.0.1:{port}, log in {folder / 'hub.log'}", flush=True)
    while not stop.is_set() and hub.poll() is None:
        stop.wait(0.5)
    tree = [hub]
    with contextlib.suppress(psutil.Error):
        tree += psutil.Process(hub.pid).children(recursive=True)
    hub.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        hub.wait(20)
    for process in tree:
        with contextlib.suppress(psutil.Error, OSError):
            process.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
