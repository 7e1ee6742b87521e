"""Which products a download request asks for, and from which archive they come."""

from __future__ import annotations

from typing import Any

import pytest

from jwst_lab.core.download_requests import Selection, check_selection, resolve_products
from jwst_lab.errors import BadRequest, NotFound
from jwst_lab.models import DownloadCreate

URI = "mast:JWST/product/jw01_cal.fits"


class _Archives:
    """Two archives of product rows by source; records which one was asked."""

    def __init__(self, backend: str, local: list[str], mast: list[str]) -> None:
        self.backend = backend
        self.held = {"local": local, "mast": mast}
        self.asked: list[str] = []

    def local_available(self) -> bool:
        return bool(self.held["local"])

    async def products_for_uris(self, source: str, uris: list[str]) -> list[dict[str, Any]]:
        self.asked.append(source)
        return [{"dataURI": uri} for uri in uris if uri in self.held[source]]

    async def list_products(
        self, source: str, obsid: str, filters: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        self.asked.append(source)
        return [{"dataURI": uri, "obsid": obsid} for uri in self.held[source]]


def test_products_are_trimmed_and_deduplicated():
    request = DownloadCreate(products=[f" {URI} ", URI])
    assert check_selection(request) == Selection(products=[URI], obsids=None)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "products (a list of dataURIs) or obsids is required"),
        ({"products": [URI], "obsids": ["1"]}, "not both"),
        ({"products": ["jw01_cal.fits"]}, "products[0] must be a dataURI"),
        ({"products": [" "]}, "products[0] must be a non-empty string"),
        ({"products": [URI], "product_filters": {"calib_level": 3}}, "apply to obsids"),
        ({"obsids": ["1"], "product_filters": {"calib_level": []}}, "product_filters.calib_level"),
        ({"obsids": ["1"], "product_filters": {"x": {"a": 1}}}, "product_filters.x"),
    ],
)
def test_a_bad_request_names_what_is_wrong(body, says):
    with pytest.raises(BadRequest) as refused:
        check_selection(DownloadCreate(**body))
    assert says in str(refused.value)


async def test_auto_takes_the_local_archive_when_it_holds_everything():
    archives = _Archives("auto", local=[URI], mast=[URI])
    source, rows = await resolve_products(archives, Selection([URI], None), None)
    assert (source, rows, archives.asked) == ("local", [{"dataURI": URI}], ["local"])


async def test_auto_falls_back_to_mast_for_what_the_local_archive_lacks():
    other = "mast:JWST/product/jw02_cal.fits"
    archives = _Archives("auto", local=[other], mast=[URI])
    source, _rows = await resolve_products(archives, Selection([URI], None), None)
    assert (source, archives.asked) == ("mast", ["local", "mast"])


async def test_a_requested_or_configured_source_is_the_only_one_asked():
    archives = _Archives("local", local=[URI], mast=[URI])
    assert (await resolve_products(archives, Selection([URI], None), "mast"))[0] == "mast"
    assert (await resolve_products(archives, Selection([URI], None), None))[0] == "local"
    assert archives.asked == ["mast", "local"]


async def test_unknown_products_are_listed_in_the_404():
    archives = _Archives("mast", local=[], mast=[])
    with pytest.raises(NotFound) as missing:
        await resolve_products(archives, Selection([URI], None), None)
    assert "1 products are unknown to the mast archive" in str(missing.value)
    assert URI in str(missing.value)


async def test_observations_with_no_matching_products_are_a_400():
    archives = _Archives("mast", local=[], mast=[])
    with pytest.raises(BadRequest, match="no products of these observations"):
        await resolve_products(archives, Selection(None, ["87000000"]), None)
