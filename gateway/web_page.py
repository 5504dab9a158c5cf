"""The upload-and-watch page at ``/``, its script and stylesheet served from ``gateway/web/`` (no CDN, no build)."""
from __future__ import annotations

from pathlib import Path

from aiohttp import web

from gateway.endpoints import EndpointTable
from gateway.static_files import StaticFolder

web_routes = EndpointTable()

WEB_DIR = Path(__file__).with_name("web")
PAGE_FILE = "index.html"
ASSETS_PREFIX = "/web"
ASSETS_ROUTE = ASSETS_PREFIX + "/{name}"
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


#: The page (served only at "/") and its script and stylesheet.
WEB_FILES = StaticFolder(WEB_DIR, frozenset({".html", ".js", ".css"}), SECURITY_HEADERS)


@web_routes.get(
    "/", "getWebPage", "The upload page: pick a video, watch the job, play it with the skeletons drawn over it",
    description="Its script and stylesheet are served under `/web/`. The page needs no key; its API "
    "calls send the key typed into it, when the gateway has keys configured.",
    content_type="text/html", public=True,
)
async def web_page(request: web.Request) -> web.FileResponse:
    """The page: pick or drop a video, watch the job, then play it with the skeletons drawn over it."""
    return WEB_FILES.response(PAGE_FILE, {"Content-Security-Policy": CONTENT_SECURITY_POLICY})


@web_routes.plain.get(ASSETS_ROUTE)
async def web_asset(request: web.Request) -> web.FileResponse:
    """The page's script or stylesheet, looked up by exact name so no path can leave the folder."""
    name = request.match_info["name"]
    if name == PAGE_FILE:
        raise web.HTTPNotFound()  # the page lives at "/" only
    return WEB_FILES.response(name)
