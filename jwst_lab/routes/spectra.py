"""Spectral products: ``GET /spectra`` (x1d), ``/spectra/image`` and ``/spectra/image/preview``
(s2d), ``/cubes``, ``/cubes/slice`` and ``/cubes/spectrum`` (s3d).

Each handler resolves ``path`` inside the server root and reads the file in a worker thread
(:mod:`jwst_lab.core.spectra`); a file of the wrong kind or an index beyond it is a 400.
"""

from __future__ import annotations

import functools

import anyio.to_thread
from jupyter_server.auth.decorator import authorized
from tornado import web

from ..core.paths import resolve_in_root
from ..core.spectra import (
    cube_spectrum,
    read_cube,
    read_spectra,
    read_spectral_image,
    render_cube_slice,
    render_spectral_image,
)
from ..models import (
    CubeInfo,
    CubeQuery,
    CubeSliceQuery,
    CubeSpectrum,
    CubeSpectrumQuery,
    SpectralImage,
    SpectralImagePreviewQuery,
    SpectralImageQuery,
    SpectraQuery,
    SpectraResponse,
)
from .base import JwstLabHandler, answers


class _SpectraHandler(JwstLabHandler):
    """Quick looks of spectral products (the ``previews`` route group)."""

    feature = "previews"


class SpectraHandler(_SpectraHandler):
    """``GET /spectra?path=&index=&max_points=``: the spectra of an x1d or x1dints file."""

    @web.authenticated
    @authorized
    @answers(SpectraResponse)
    async def get(self) -> None:
        """Answer every spectrum's description and the arrays of spectrum ``index``."""
        query = self.parse_query(SpectraQuery)
        path = resolve_in_root(self.services.settings.root_dir, query.path)
        read = functools.partial(
            read_spectra, path, query.path, index=query.index, max_points=query.max_points
        )
        self.write_model(SpectraResponse.model_validate(await anyio.to_thread.run_sync(read)))


class SpectralImageHandler(_SpectraHandler):
    """``GET /spectra/image?path=&slit=``: an s2d's slits and one slit's column wavelengths."""

    @web.authenticated
    @authorized
    @answers(SpectralImage)
    async def get(self) -> None:
        """Answer the slits and, for ``slit``, its shape as shown and its wavelengths."""
        query = self.parse_query(SpectralImageQuery)
        path = resolve_in_root(self.services.settings.root_dir, query.path)
        read = functools.partial(read_spectral_image, path, query.path, slit=query.slit)
        self.write_model(SpectralImage.model_validate(await anyio.to_thread.run_sync(read)))


class SpectralImagePreviewHandler(_SpectraHandler):
    """``GET /spectra/image/preview?path=&slit=&stretch=``: a slit as a PNG."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer ``image/png``: the dispersion left to right, row 0 at the bottom."""
        query = self.parse_query(SpectralImagePreviewQuery)
        path = resolve_in_root(self.services.settings.root_dir, query.path)
        render = functools.partial(
            render_spectral_image, path, query.path, slit=query.slit, stretch=query.stretch
        )
        self.write_png(await anyio.to_thread.run_sync(render))


class CubeHandler(_SpectraHandler):
    """``GET /cubes?path=``: an s3d cube's shape, unit and plane wavelengths."""

    @web.authenticated
    @authorized
    @answers(CubeInfo)
    async def get(self) -> None:
        """Answer what the cube is."""
        query = self.parse_query(CubeQuery)
        path = resolve_in_root(self.services.settings.root_dir, query.path)
        read = functools.partial(read_cube, path, query.path)
        self.write_model(CubeInfo.model_validate(await anyio.to_thread.run_sync(read)))


class CubeSliceHandler(_SpectraHandler):
    """``GET /cubes/slice?path=&index=&collapse=&stretch=``: a plane of a cube as a PNG."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer ``image/png`` of plane ``index`` (or the mean of ``collapse`` planes)."""
        query = self.parse_query(CubeSliceQuery)
        path = resolve_in_root(self.services.settings.root_dir, query.path)
        render = functools.partial(
            render_cube_slice,
            path,
            query.path,
            index=query.index,
            collapse=query.collapse,
            stretch=query.stretch,
        )
        self.write_png(await anyio.to_thread.run_sync(render))


class CubeSpectrumHandler(_SpectraHandler):
    """``GET /cubes/spectrum?path=&x=&y=&radius=``: the spectrum at a spaxel."""

    @web.authenticated
    @authorized
    @answers(CubeSpectrum)
    async def get(self) -> None:
        """Answer the mean spectrum of the spaxels within ``radius`` of (``x``, ``y``)."""
        query = self.parse_query(CubeSpectrumQuery)
        path = resolve_in_root(self.services.settings.root_dir, query.path)
        read = functools.partial(
            cube_spectrum, path, query.path, x=query.x, y=query.y, radius=query.radius
        )
        self.write_model(CubeSpectrum.model_validate(await anyio.to_thread.run_sync(read)))
