"""The "Copy as Python" code: the astroquery calls that ask MAST the same question.

Every search and product list carries this code in its ``python`` field, for
both backends, so a user can repeat the question in a notebook against MAST.
"""

from __future__ import annotations

from ...models.mast import MastSearchQuery
from .astroquery_backend import column_criteria
from .products import ProductFilters


def search_snippet(query: MastSearchQuery) -> str:
    """The astroquery code that asks MAST the same question."""
    criteria: list[str] = []
    if query.target:
        criteria.append(f"objectname={query.target!r},")
    if query.ra is not None:
        criteria.append(f'coordinates="{query.ra} {query.dec}",')
    if query.radius is not None and (query.target or query.ra is not None):
        criteria.append(f'radius="{query.radius} deg",')
    criteria.extend(f"{name}={value!r}," for name, value in column_criteria(query) if value)
    if query.t_min:
        criteria.append(f"t_max=[{query.t_min_mjd:.5f}, 99999.0],  # ends after {query.t_min}")
    if query.t_max:
        criteria.append(f"t_min=[0.0, {query.t_max_mjd:.5f}],  # starts before {query.t_max}")
    body = "".join(f"\n    {c}" for c in criteria)
    return (
        "from astroquery.mast import Observations\n\n"
        f"observations = Observations.query_criteria({body}\n)"
    )


def products_snippet(obsid: str, filters: ProductFilters) -> str:
    """The astroquery code that lists (and filters) the same products."""
    lines = [
        "from astroquery.mast import Observations",
        "",
        f"products = Observations.get_product_list({obsid!r})",
    ]
    keywords = (
        ("productType", list(filters.product_type)),
        ("calib_level", list(filters.calib_level)),
        ("productSubGroupDescription", list(filters.subgroup)),
        ("mrp_only", filters.mrp_only),
        ("extension", list(filters.extension)),
    )
    arguments = [f"{name}={value!r}" for name, value in keywords if value]
    arguments.extend(f"{column}={list(accepted)!r}" for column, accepted in filters.columns)
    if arguments:
        lines.append(f"products = Observations.filter_products(products, {', '.join(arguments)})")
    if not filters.include_guidestar:
        lines.append(
            "products = products[['_gs-' not in str(name) for name in products['productFilename']]]"
            "  # hide guide-star products"
        )
    return "\n".join(lines)
