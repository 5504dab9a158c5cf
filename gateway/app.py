"""Build the gateway application: middleware, routes, and the connections it owns."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from domain.comparisons import ComparisonStore
from domain.intake import UploadIntake
from domain.job_store import JobStore
from domain.upload_waits import UploadWaits
from domain.webhook_deliveries import DeliveryStore
from domain.webhooks import WebhookStore
from gateway.app_keys import (
    COMPARISONS,
    DELIVERIES,
    INTAKE,
    JOBS,
    NATS_CONNECTION,
    OPENAPI_DOCUMENT,
    PUBLIC_S3,
    RATE_LIMITER,
    S3,
    SETTINGS,
    WEBHOOKS,
)
from gateway.auth import auth_middleware
from gateway.comparisons import comparison_routes
from gateway.cors import install_cors
from gateway.docs import docs_routes
from gateway.endpoints import Endpoint
from gateway.error_middleware import error_middleware
from gateway.job_deletion import deletion_routes
from gateway.job_events import event_routes
from gateway.legacy_upload import legacy_routes
from gateway.metrics import metrics_middleware, metrics_routes
from gateway.multipart import multipart_routes
from gateway.openapi import openapi_document
from gateway.rate_limit import JobRateLimiter
from gateway.routes import routes
from gateway.web_page import web_routes
from gateway.webhooks import webhook_routes
from infra.broker import connect_nats
from infra.settings import Settings
from infra.storage import make_s3_client

log = logging.getLogger(__name__)

#: Every module's endpoints; the OpenAPI document describes exactly these.
ENDPOINT_TABLES = (
    routes, deletion_routes, multipart_routes, legacy_routes, event_routes, comparison_routes, webhook_routes,
    docs_routes, metrics_routes, web_routes,
)


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=1024**2)  # JSON bodies only; the legacy upload streams its body
    # Middlewares, outermost first: preflights are answered before anything else; every answer
    # is counted; domain errors (auth's included) become JSON errors.
    install_cors(app, settings)
    app.middlewares.extend([metrics_middleware, error_middleware, auth_middleware(settings)])
    app[SETTINGS] = settings
    app[S3] = make_s3_client(settings)
    app[PUBLIC_S3] = make_s3_client(settings, public=True)
    app[RATE_LIMITER] = JobRateLimiter(settings.rate_limit_per_s, settings.rate_limit_burst)
    app.cleanup_ctx.append(nats_context)
    for table in ENDPOINT_TABLES:
        table.install(app)
    app[OPENAPI_DOCUMENT] = openapi_document(endpoints(), settings)
    return app


def endpoints() -> list[Endpoint]:
    """Every documented operation the gateway serves."""
    return [endpoint for table in ENDPOINT_TABLES for endpoint in table.endpoints]


async def nats_context(app: web.Application) -> AsyncIterator[None]:
    """Own the NATS connection and job store for the application's lifetime."""
    settings = app[SETTINGS]
    nc = await connect_nats(settings, "gateway")
    app[NATS_CONNECTION] = nc
    app[JOBS] = await JobStore.open(nc.jetstream(), settings.jobs_bucket, UploadWaits(nc.jetstream(), settings))
    app[COMPARISONS] = await ComparisonStore.open(nc.jetstream(), settings.comparisons_bucket)
    app[INTAKE] = UploadIntake(settings, app[JOBS], nc.jetstream(), app[S3])
    app[WEBHOOKS] = await WebhookStore.open(nc.jetstream(), settings.webhooks_bucket)
    app[DELIVERIES] = await DeliveryStore.open_for(nc.jetstream(), settings)
    yield
    await nc.drain()
