"""CORS for browser clients, answering preflights before routing and tagging every response."""
from __future__ import annotations

from aiohttp import web

from infra.settings import Settings

ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type"
#: Headers a page's script may read: deprecation notices and retry hints.
EXPOSED_HEADERS = "Deprecation, Link, Retry-After"
#: Browsers may cache a preflight answer for ten minutes.
PREFLIGHT_MAX_AGE_S = "600"


def install_cors(app: web.Application, settings: Settings) -> None:
    """Answer preflights (a middleware, before routing matters) and tag every response as it is
    sent (``on_response_prepare``, so streamed answers such as server-sent events get it too)."""
    origins = settings.cors_origin_list
    allow_any = "*" in origins

    def allowed(origin: str | None) -> str | None:
        if origin is None:
            return None
        return "*" if allow_any else (origin if origin in origins else None)

    @web.middleware
    async def preflight(request: web.Request, handler) -> web.StreamResponse:
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response = web.Response(status=204)
            if allowed(request.headers.get("Origin")):
                response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
                response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE_S
            return response
        return await handler(request)

    async def tag(request: web.Request, response: web.StreamResponse) -> None:
        origin = allowed(request.headers.get("Origin"))
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        if not allow_any:
            response.headers["Vary"] = "Origin"

    app.middlewares.append(preflight)
    app.on_response_prepare.append(tag)
