"""``/openapi.json`` and Swagger UI at ``/docs``, its assets served by the gateway (no CDN: machines may be offline)."""
from __future__ import annotations

import functools
from pathlib import Path

from aiohttp import web
from swagger_ui_bundle import swagger_ui_path

from gateway.openapi import OPENAPI

docs_routes = web.RouteTableDef()

#: The Swagger UI release vendored by the swagger-ui-bundle package.
SWAGGER_UI_DIR = Path(str(swagger_ui_path))
ASSETS_ROUTE = "/docs/assets/{name}"
#: Set explicitly: Python's mimetypes answers text/javascript or application/javascript by version and host.
ASSET_TYPES = {".js": "application/javascript", ".css": "text/css", ".png": "image/png", ".map": "application/json"}
#: The assets change only with the package version, so browsers may keep them a day.
ASSET_CACHE_CONTROL = "public, max-age=86400"

# Paths are relative so the page still works behind a proxy that mounts the gateway under a prefix.
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Dance Analysis API</title>
  <link rel="stylesheet" href="docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/assets/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
    });
  </script>
</body>
</html>
"""


@functools.cache
def asset_names() -> frozenset[str]:
    """Files directly in the Swagger UI folder with a type we serve; nothing else is reachable."""
    return frozenset(
        path.name for path in SWAGGER_UI_DIR.iterdir() if path.is_file() and path.suffix in ASSET_TYPES
    )


@docs_routes.get("/openapi.json")
async def openapi_json(request: web.Request) -> web.Response:
    """The OpenAPI document."""
    return web.json_response(OPENAPI)


@docs_routes.get("/docs")
async def docs_page(request: web.Request) -> web.Response:
    """Swagger UI, reading ``/openapi.json``."""
    return web.Response(text=DOCS_PAGE, content_type="text/html")


@docs_routes.get(ASSETS_ROUTE)
async def docs_asset(request: web.Request) -> web.FileResponse:
    """One Swagger UI file, looked up by exact name so no path can leave the folder."""
    name = request.match_info["name"]
    if name not in asset_names():
        raise web.HTTPNotFound()
    path = SWAGGER_UI_DIR / name
    return web.FileResponse(
        path, headers={"Content-Type": ASSET_TYPES[path.suffix], "Cache-Control": ASSET_CACHE_CONTROL}
    )
