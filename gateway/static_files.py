"""Serve the files directly inside one folder, looked up by exact name: no path can leave it."""
from __future__ import annotations

import functools
from pathlib import Path

from aiohttp import web

#: Set explicitly: Python's mimetypes answers text/javascript or application/javascript by version and host.
CONTENT_TYPES = {
    ".js": "application/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".map": "application/json",
    ".html": "text/html; charset=utf-8",
}


class StaticFolder:
    """The files of ``folder`` whose suffix is in ``suffixes``, each answered with ``headers``."""

    def __init__(self, folder: Path, suffixes: frozenset[str], headers: dict[str, str]) -> None:
        self.folder = folder
        self._suffixes = suffixes
        self._headers = headers

    @functools.cached_property
    def names(self) -> frozenset[str]:
        return frozenset(
            path.name for path in self.folder.iterdir() if path.is_file() and path.suffix in self._suffixes
        )

    def response(self, name: str, extra_headers: dict[str, str] | None = None) -> web.FileResponse:
        """The file called ``name``; 404 for anything else (other names, types, paths)."""
        if name not in self.names:
            raise web.HTTPNotFound()
        path = self.folder / name
        headers = {**self._headers, "Content-Type": CONTENT_TYPES[path.suffix], **(extra_headers or {})}
        return web.FileResponse(path, headers=headers)
