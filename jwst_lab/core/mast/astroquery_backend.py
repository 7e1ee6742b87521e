"""The MAST backend: MAST's portal API through astroquery's ``ObservationsClass``.

:func:`new_client` makes a client of our own with its URL attributes set from
``mast_url`` (astroquery binds its URLs at import time, see FACTS.md) and
every request of its HTTP session given a timeout. :func:`search` and
:func:`products` make one call each on a client and answer with JSON-safe
rows in MAST's column types; MAST's own error answers become 502s. Callers
hold the client while they use it (astroquery keeps per-call state on it)
and run these in a thread.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import requests.adapters

from ...errors import BadRequest, NotFound, UpstreamError
from ...models.mast import MastSearchQuery
from ..mast_vocabulary import OBS_FIELD_TYPES, PRODUCT_FIELD_TYPES
from .json_rows import table_rows

Rows = list[dict[str, Any]]
Columns = list[dict[str, str]]


class TimeoutAdapter(requests.adapters.HTTPAdapter):
    """An HTTP adapter that gives every request of the astroquery session a timeout."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def send(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Send with the default timeout unless the caller gave one."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def new_client(mast_url: str, timeout: float) -> Any:
    """An astroquery ``ObservationsClass`` pointed at ``mast_url``, its requests timed out."""
    from astroquery.mast import ObservationsClass

    base = mast_url.rstrip("/")
    client = ObservationsClass()
    portal = client._portal_api_connection
    portal.MAST_REQUEST_URL = base + "/api/v0/invoke"
    portal.COLUMNS_CONFIG_URL = base + "/portal/Mashup/Mashup.asmx/columnsconfig"
    portal.MAST_DOWNLOAD_URL = base + "/api/v0.1/Download/file"
    portal.MAST_BUNDLE_URL = base + "/api/v0.1/Download/bundle"
    portal.TIMEOUT = timeout
    portal._column_configs = {}  # this instance's own cache, not the class-wide one
    service = client._service_api_connection
    service.SERVICE_URL = base
    service.REQUEST_URL = base + "/api/v0.1/"
    service.MAST_DOWNLOAD_URL = base + "/api/v0.1/Download/file"
    client._auth_obj.SESSION_INFO_URL = base + "/whoami"
    adapter = TimeoutAdapter(timeout)
    client._session.mount("http://", adapter)
    client._session.mount("https://", adapter)
    return client


def column_criteria(query: MastSearchQuery) -> tuple[tuple[str, Any], ...]:
    """The search's astroquery criteria on plain columns, (keyword, value); unset ones falsy.

    Shared by the search itself and its "Copy as Python" code (:mod:`.snippets`).
    """
    return (
        ("obs_collection", query.collection),
        ("instrument_name", f"{query.instrument}*" if query.instrument else None),
        ("filters", list(query.filters)),
        ("proposal_id", query.proposal_id),
        ("calib_level", list(query.calib_level)),
        ("dataRights", query.data_rights),
    )


def search_criteria(query: MastSearchQuery, position: tuple[float, float] | None) -> dict[str, Any]:
    """astroquery criteria of a search; ``position`` is the resolved target's, if any."""
    criteria: dict[str, Any] = {}
    if position is not None:
        criteria["coordinates"] = f"{position[0]} {position[1]}"
    elif query.ra is not None:
        criteria["coordinates"] = f"{query.ra} {query.dec}"
    if "coordinates" in criteria:
        criteria["radius"] = f"{query.radius} deg"
    criteria.update((name, value) for name, value in column_criteria(query) if value)
    if query.t_min:
        criteria["t_max"] = [query.t_min_mjd, 99999.0]
    if query.t_max:
        criteria["t_min"] = [0.0, query.t_max_mjd]
    return criteria


def search(
    client: Any, criteria: Mapping[str, Any], query: MastSearchQuery, mast_url: str
) -> tuple[Rows, int, Columns]:
    """One page of observations matching ``criteria``: rows, MAST's total, columns."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if set(criteria) <= {"coordinates", "radius"}:  # a bare cone (collection=all)
            responses = client.query_region_async(
                criteria["coordinates"],
                radius=criteria["radius"],
                page=query.page,
                pagesize=query.page_size,
            )
        else:
            responses = client.query_criteria_async(
                page=query.page, pagesize=query.page_size, **criteria
            )
    payload, rows, columns = _read_answer(client, responses, mast_url, OBS_FIELD_TYPES)
    paging = payload.get("paging") or {}
    total = int(paging.get("rowsFiltered", paging.get("rowsTotal", len(rows))) or 0)
    column = query.sort_column
    if column:  # MAST pages unsorted: this sorts within the page
        rows.sort(
            key=lambda r: (r.get(column) is None, r.get(column) or 0),
            reverse=query.descending,
        )
    return rows, total, columns


def products(client: Any, obsid: str, mast_url: str) -> Rows:
    """Every product row MAST lists for the observation ``obsid``; 404 when none."""
    from astroquery.exceptions import InvalidQueryError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            responses = client.get_product_list_async(obsid)
        except InvalidQueryError as error:
            raise BadRequest(f"obsid: {error}", field="obsid") from None
    _, rows, _ = _read_answer(client, responses, mast_url, PRODUCT_FIELD_TYPES)
    if not rows:
        raise NotFound(f"MAST lists no products for observation {obsid!r}")
    return rows


def _read_answer(
    client: Any, responses: Any, mast_url: str, known_types: Mapping[str, str]
) -> tuple[dict[str, Any], Rows, Columns]:
    """MAST's answer to the client's last call: its JSON, then its rows and columns.

    Column types are ``known_types``' for the columns it knows, else MAST's own.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        payload = responses[0].json()
        _check_status(payload, mast_url)
        table = _parse_once(client, payload)
    fields = {
        f["name"]: _mast_kind(f.get("type", "string"), known_types.get(f["name"]))
        for f in payload.get("fields", [])
    }
    rows, columns = table_rows(table, fields)
    return payload, rows, columns


def _check_status(payload: dict[str, Any], mast_url: str) -> None:
    if payload.get("status") == "ERROR":
        raise UpstreamError(
            f"MAST ({mast_url}) answered an error: {payload.get('msg') or 'no message'}"
        )


def _parse_once(client: Any, payload: dict[str, Any]) -> Any:
    """astroquery's own JSON → Table conversion, on the answer already decoded.

    ``ObservationsClass._parse_result`` would decode the body again and copy the
    table through ``vstack``; a single page needs neither.
    """
    from astroquery.mast.discovery_portal import _json_to_table

    portal = client._portal_api_connection
    service, portal._current_service = portal._current_service, None
    return _json_to_table(payload, portal._column_configs.get(service) if service else None)


def _mast_kind(kind: str, known: str | None) -> str:
    """A column's type: ours when the vocabulary knows the column, else from MAST's."""
    if known:
        return known
    lowered = str(kind).lower()
    if lowered in ("int", "long", "short", "integer"):
        return "int"
    if lowered in ("float", "double", "real"):
        return "float"
    if lowered in ("boolean", "bool"):
        return "boolean"
    return "string"
