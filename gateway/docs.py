"""``/openapi.json`` and Swagger UI at ``/docs``, its assets served by the gateway (no CDN: machines may be offline)."""
from __future__ import annotations

from pathlib import Path

from aiohttp import web
from swagger_ui_bundle import swagger_ui_path

from gateway.app_keys import OPENAPI_DOCUMENT
from gateway.endpoints import EndpointTable
from gateway.static_files import StaticFolder

docs_routes = EndpointTable()

#: The Swagger UI release vendored by the swagger-ui-bundle package.
SWAGGER_UI_DIR = Path(str(swagger_ui_path))
ASSETS_ROUTE = "/docs/assets/{name}"
#: The assets change only with the package version, so browsers may keep them a day.
SWAGGER_ASSETS = StaticFolder(
    SWAGGER_UI_DIR, frozenset({".js", ".css", ".png", ".map"}), {"Cache-Control": "public, max-age=86400"}
)

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


@docs_routes.get(
    "/openapi.json", "getOpenApi", "This document", content_type="application/json", public=True
)
async def openapi_json(request: web.Request) -> web.Response:
    """The OpenAPI document, generated once at start-up from the endpoints and their models."""
    return web.json_response(request.app[OPENAPI_DOCUMENT])


@docs_routes.get(
    "/docs", "getDocs", "Interactive documentation (Swagger UI, served by the gateway itself)",
    content_type="text/html", public=True,
)
async def docs_page(request: web.Request) -> web.Response:
    """Swagger UI, reading ``/openapi.json``."""
    return web.Response(text=DOCS_PAGE, content_type="text/html")


@docs_routes.plain.get(ASSETS_ROUTE)
async def docs_asset(request: web.Request) -> web.FileResponse:
    """One Swagger UI file, looked up by exact name so no path can leave the folder."""
    return SWAGGER_ASSETS.response(request.match_info["name"])
