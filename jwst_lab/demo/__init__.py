"""The offline demo workspace: synthetic MIRI imaging, its own CRDS cache, a local archive.

``jwst-lab demo`` builds (or reuses) a workspace and starts JupyterLab on it;
see :mod:`jwst_lab.demo.workspace` for the workspace life cycle and
:mod:`jwst_lab.demo.command` for the command. This package imports nothing
heavy at import time: jwst, stdatamodels and crds load only when data is made.
"""

from __future__ import annotations
