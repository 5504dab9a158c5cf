"""The upload-and-watch page at ``/``, its script and stylesheet served from ``gateway/web/`` (no CDN, no build)."""
from __future__ import annotations

import functools
from pathlib import Path

from aiohttp import web

web_routes = web.RouteTableDef()

WEB_DIR = Path(__file__).with_name("web")
PAGE_FILE = "index.html"
ASSETS_PREFIX = "/web"
ASSETS_ROUTE = ASSETS_PREFIX + "/{name}"
#: Set explicitly: Python's mimetypes answers text/javascript or application/javascript by version and host.
ASSET_TYPES = {".js": "application/javascript", ".css": "text/css"}
#: The files are not versioned by name, so browsers revalidate them (FileResponse answers 304 when unchanged).
CACHE_CONTROL = "no-cache"
#: The page talks to the gateway and to the bucket (another origin), and plays the picked file from a blob: URL.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; connect-src 'self' http: https:; media-src 'self' blob: http: https:; "
    "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Cache-Control": CACHE_CONTROL,
    "X-Content-Type-Options": "nosniff",
}


@functools.cache
def asset_names() -> frozenset[str]:
    """Files directly in ``gateway/web/`` with a type we serve; nothing else is reachable."""
    return frozenset(path.name for path in WEB_DIR.iterdir() if path.is_file() and path.suffix in ASSET_TYPES)


@web_routes.get("/")
async def web_page(request: web.Request) -> web.FileResponse:
    """The page: pick or drop a video, watch the job, then play it with the skeletons drawn over it."""
    headers = {**SECURITY_HEADERS, "Content-Type": "text/html; charset=utf-8"}
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return web.FileResponse(WEB_DIR / PAGE_FILE, headers=headers)


@web_routes.get(ASSETS_ROUTE)
async def web_asset(request: web.Request) -> web.FileResponse:
    """The page's script or stylesheet, looked up by exact name so no path can leave the folder."""
    name = request.match_info["name"]
    if name not in asset_names():
        raise web.HTTPNotFound()
    path = WEB_DIR / name
    return web.FileResponse(path, headers={**SECURITY_HEADERS, "Content-Type": ASSET_TYPES[path.suffix]})
