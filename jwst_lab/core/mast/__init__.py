"""MAST searches and product lists for the REST routes and the downloads engine.

One module per job:

- :mod:`.service`: :class:`MastService`, backend choice, ``auto`` fallback, token use;
- :mod:`.astroquery_backend`: MAST's portal API through astroquery;
- :mod:`.local_backend`: the local archive (:mod:`jwst_lab.core.archive`) as a backend;
- :mod:`.resolver`: target names to positions (MAST's name resolver);
- :mod:`.products`: product filters and their checks;
- :mod:`.snippets`: the "Copy as Python" astroquery code of each answer;
- :mod:`.json_rows`: astropy Tables as strict JSON rows;
- :mod:`.upstream`: MAST's failures as 502s that say what happened.

MAST's vocabulary and JWST's file-name rules, which the archive, the demo and
the test data share, are :mod:`jwst_lab.core.mast_vocabulary` and
:mod:`jwst_lab.core.jwst_filenames`. The query models are
:class:`~jwst_lab.models.MastSearchQuery` and :class:`~jwst_lab.models.MastProductsQuery`.
"""

from __future__ import annotations

from .service import MastService

__all__ = ["MastService"]
