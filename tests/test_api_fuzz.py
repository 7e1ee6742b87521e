"""Schema-driven fuzzing of the REST API: every operation of ``api/openapi.yaml`` against one
real server process.

schemathesis generates the requests from the spec: the spec's examples, then its
coverage phase (boundary and invalid values of every parameter and body field, deterministic),
then ``MAX_EXAMPLES`` random valid and invalid cases per operation (derandomized, no example
database, so every run sends the same requests). Each answer is checked: never a 5xx, a status
code the operation documents, a body that validates against the documented schema.

The server is offline: local archive backend (MAST on a dead loopback port), serverless CRDS on
a temporary copy of the real CRDS cache fixture, its own job database and root. Jobs a request
creates are cancelled at once, and every job still queued or running is cancelled at the end.
The ``/events`` websocket cannot be fuzzed over HTTP and is excluded: ``test_events.py`` covers
it, and ``test_api_hardening.py`` its JSON 400 and 403.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis.config import SchemathesisConfig

from . import synthetic_spectra
from .api_helpers import write_jwst_fits
from .conftest import CRDS_FIXTURE, REPO_ROOT, require_fixture
from .server_process import TOKEN, ServerProcess, free_port, server_environment

SPEC = REPO_ROOT / "api" / "openapi.yaml"
#: Random cases per operation in the fuzzing phase (the coverage phase adds its own).
MAX_EXAMPLES = 50
#: Operations that create a job: fewer random cases, and every job they create is cancelled.
JOB_CREATING = {
    ("POST", "/jobs"): "createJob",
    ("POST", "/jobs/{job_id}/rerun"): "rerunJob",
    ("POST", "/downloads"): "createDownload",
    ("POST", "/crds/fetch"): "fetchCrdsReferences",
}
MAX_JOB_EXAMPLES = 25
ACTIVE = ("queued", "running")
#: The observation the spec's examples name: its cal file is in the local archive and, with
#: an image3 association of it, under the root, so the examples phase sends requests that succeed.
OBS = "jw01234001001_02101_00001_nrcb1"
ASN = "obs/jw01234-o001_image3_00001_asn.json"

CONFIG = SchemathesisConfig.from_dict(
    {
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            # The token goes in a header of our own; random Authorization values only add 403s.
            "with-security-parameters": False,
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "operations": [
            {
                "include-operation-id": sorted(JOB_CREATING.values()),
                "generation": {"max-examples": MAX_JOB_EXAMPLES},
            }
        ],
        "checks": {
            "enabled": False,
            # 502 (MAST or CRDS did not answer: MAST is a dead port here) and 503 (an optional
            # dependency missing) are answers the spec documents; any other 5xx is a failure.
            "not_a_server_error": {
                "enabled": True,
                "expected-statuses": ["2xx", "3xx", "4xx", "502", "503"],
            },
            "status_code_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
        },
    }
)

schema = schemathesis.openapi.from_path(SPEC, config=CONFIG).exclude(path="/events")


@dataclass
class FuzzServer:
    """The server under test, and what the fuzzing sent it."""

    process: ServerProcess
    root: Path
    session: requests.Session = field(default_factory=requests.Session)
    statuses: Counter[int] = field(default_factory=Counter)
    jobs_created: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def base_url(self) -> str:
        """The API's base URL (the spec's ``servers`` entry on this server)."""
        return f"{self.process.url}/jwst-lab"

    @property
    def headers(self) -> dict[str, str]:
        """Authentication for every request."""
        return {"Authorization": f"token {TOKEN}"}

    def cancel(self, job_id: str) -> None:
        """Cancel one job (a job that already ended answers 409, which is fine)."""
        answer = self.session.post(
            f"{self.base_url}/jobs/{job_id}/cancel", headers=self.headers, timeout=30
        )
        assert answer.status_code in (202, 404, 409), answer.text

    def active_jobs(self) -> list[dict[str, Any]]:
        """Every job the server lists as queued or running."""
        answer = self.session.get(
            f"{self.base_url}/jobs",
            params={"status": ",".join(ACTIVE), "page_size": 500},
            headers=self.headers,
            timeout=30,
        )
        answer.raise_for_status()
        return list(answer.json()["jobs"])


@pytest.fixture(scope="module")
def fuzz_server(
    tmp_path_factory: pytest.TempPathFactory,
    catalog_cache_dir: Path,
) -> Iterator[FuzzServer]:
    """One offline server for the whole module; afterwards no job is left queued or running."""
    folder = tmp_path_factory.mktemp("fuzz")
    root = folder / "root"
    write_jwst_fits(root / "obs" / f"{OBS}_cal.fits", "FUZZ")
    (root / ASN).write_text(
        json.dumps(
            {
                "asn_type": "image3",
                "asn_rule": "candidate_Asn_Lv3Image",
                "asn_id": "o001",
                "asn_pool": "jw01234_00001_pool.csv",
                "program": "01234",
                "target": "t001",
                "products": [
                    {
                        "name": "jw01234-o001_t001_nircam_clear-f150w",
                        "members": [{"expname": f"{OBS}_cal.fits", "exptype": "science"}],
                    }
                ],
            }
        )
    )
    # The spectral products the spec's examples name (GET /spectra, /spectra/image, /cubes).
    synthetic_spectra.write_all(root / "obs")
    archive = folder / "archive"
    write_jwst_fits(archive / "JWST" / OBS / f"{OBS}_cal.fits", "FUZZ")
    crds = shutil.copytree(require_fixture(CRDS_FIXTURE), folder / "crds")
    shutil.copytree(catalog_cache_dir, folder / "data" / "jwst_lab" / "catalog")
    env = server_environment(
        folder,
        # Never the user's keyring: PUT /mast/token keeps the fuzzed tokens in memory.
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    dead = f"http://127.0.0.1:{free_port()}"
    process = ServerProcess(
        folder,
        root,
        env=env,
        options=[
            f"--JwstLabApp.crds_path={crds}",
            "--JwstLabApp.crds_context=jwst_0541.pmap",
            f"--JwstLabApp.db_url=sqlite:///{folder / 'jobs.sqlite'}",
            "--JwstLabApp.archive_backend=local",
            f"--JwstLabApp.local_archive_dir={archive}",
            f"--JwstLabApp.local_archive_index={folder / 'archive_index.sqlite'}",
            f"--JwstLabApp.mast_url={dead}",
            f"--JwstLabApp.mast_resolver_url={dead}/resolver",
            "--JwstLabApp.prewarm_runner=False",
        ],
    )
    server = FuzzServer(process, root)
    try:
        yield server
        for job in server.active_jobs():
            server.cancel(job["id"])
        deadline = time.monotonic() + 30
        while server.active_jobs():
            assert time.monotonic() < deadline, "jobs created by the fuzzing are still active"
            time.sleep(0.2)
    finally:
        process.stop()
    seconds = time.monotonic() - server.started
    total = sum(server.statuses.values())
    summary = (
        f"API fuzzing: {total} requests in {seconds:.0f} s, {server.jobs_created} jobs created "
        f"(cancelled); statuses {dict(sorted(server.statuses.items()))}"
    )
    print(summary)  # shown with -rA or -s
    log = process.log_path.read_text(errors="replace")
    assert "Traceback" not in log, log[max(0, log.index("Traceback") - 500) :][:4000]
    assert not server.statuses.get(500), summary


def _job_id(response: Any) -> str | None:
    if response.status_code != 201:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body.get("id") if isinstance(body, dict) else None


@schema.parametrize()
def test_api_answers_every_request_as_its_spec_says(case: Any, fuzz_server: FuzzServer) -> None:
    """No 5xx, only documented statuses, bodies that validate; created jobs cancelled."""
    response = case.call(
        base_url=fuzz_server.base_url,
        headers=fuzz_server.headers,
        session=fuzz_server.session,
        timeout=120,
    )
    fuzz_server.statuses[response.status_code] += 1
    if (case.method.upper(), case.path) in JOB_CREATING:
        job_id = _job_id(response)
        if job_id:
            fuzz_server.jobs_created += 1
            fuzz_server.cancel(job_id)
    case.validate_response(response, headers=fuzz_server.headers)
