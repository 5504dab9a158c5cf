"""The gateway's Prometheus metrics, served at ``/metrics`` on the API port."""
from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

from gateway.endpoints import EndpointTable

RESPONSES = Counter("dance_gateway_responses_total", "HTTP answers, by route and status", ["method", "route", "status"])
LATENCY = Histogram("dance_gateway_request_seconds", "Time to answer, by route", ["route"])

metrics_routes = EndpointTable()


@web.middleware
async def metrics_middleware(request: web.Request, handler) -> web.StreamResponse:
    """Count every answer by its route template (not the raw path, which holds job ids)."""
    route = request.match_info.route.resource.canonical if request.match_info.route.resource else "unmatched"
    with LATENCY.labels(route).time():
        response = await handler(request)
    RESPONSES.labels(request.method, route, str(response.status)).inc()
    return response


@metrics_routes.get(
    "/metrics", "getMetrics", "Prometheus metrics of the gateway (answers by route and status, latency)",
    content_type="text/plain", public=True,
)
async def metrics(request: web.Request) -> web.Response:
    """Prometheus text exposition of this process's metrics."""
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})
