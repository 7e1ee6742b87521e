"""What the search route adds to the astroquery call it wraps (target: <= 10 ms).

Both run against the same MAST replay server on loopback (``tests/mast_replay.py``,
MAST's protocol, real and synthetic captures). Baseline, same run: the bare
astroquery call (``ObservationsClass.query_criteria_async`` + parsing, on a
client pointed at the replay server) made from this process. Measured:
``GET /jwst-lab/mast/observations`` on a real ``jupyter server`` subprocess
(which makes the same astroquery call), timed end to end by an HTTP client.
Calls alternate so both see the same load; medians are compared.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from lab_server import LabServer  # noqa: E402

from tests.mast_replay import ReplayServer  # noqa: E402

CALLS = 60
QUERY = {"instrument": "MIRI", "page_size": "100"}


def bare_client(url: str):
    """An astroquery Observations client pointed at ``url`` (as a notebook user would)."""
    from astroquery.mast import ObservationsClass

    client = ObservationsClass()
    portal = client._portal_api_connection
    portal.MAST_REQUEST_URL = url + "/api/v0/invoke"
    portal.COLUMNS_CONFIG_URL = url + "/portal/Mashup/Mashup.asmx/columnsconfig"
    return client


def bare_call(client) -> int:
    """The astroquery call the route wraps: one page of a criteria search, parsed."""
    responses = client.query_criteria_async(
        page=1, pagesize=100, obs_collection="JWST", instrument_name="MIRI*"
    )
    return len(client._parse_result(responses))


def main() -> int:
    """Print the route's median overhead with the same-run astroquery baseline."""
    replay = ReplayServer().start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-mast-") as tmp:
            options = [
                f"--JwstLabApp.mast_url={replay.url}",
                f"--JwstLabApp.mast_resolver_url={replay.resolver_url}",
                "--JwstLabApp.archive_backend=mast",
                "--JwstLabApp.prewarm_runner=False",
            ]
            with LabServer(Path(tmp), Path(tmp) / "state", options=options) as server:
                path = "/jwst-lab/mast/observations?" + urllib.parse.urlencode(QUERY)
                client = bare_client(replay.url)
                rows = bare_call(client)
                answer = server.request("GET", path)
                assert len(answer["rows"]) == rows, (len(answer["rows"]), rows)
                bare: list[float] = []
                route: list[float] = []
                for _ in range(CALLS):
                    t0 = time.perf_counter()
                    bare_call(client)
                    bare.append((time.perf_counter() - t0) * 1000)
                    t0 = time.perf_counter()
                    server.request("GET", path)
                    route.append((time.perf_counter() - t0) * 1000)
    finally:
        replay.stop()
    bare_ms, route_ms = statistics.median(bare), statistics.median(route)
    overhead = route_ms - bare_ms
    print(
        f"GET /mast/observations ({rows} rows): median {route_ms:.1f} ms; same-run baseline "
        f"bare astroquery call {bare_ms:.1f} ms; route adds {overhead:.1f} ms (target <= 10 ms)"
    )
    ok = overhead <= 10.0
    print("bench_mast_search:", "OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
