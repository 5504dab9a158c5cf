"""Typed keys for what the gateway's handlers share."""
from __future__ import annotations

from aiohttp import web
from minio import Minio
from nats.aio.client import Client as NATS

from domain.comparisons import ComparisonStore
from domain.intake import UploadIntake
from domain.job_store import JobStore
from domain.webhook_deliveries import DeliveryStore
from domain.webhooks import WebhookStore
from gateway.rate_limit import JobRateLimiter
from infra.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
NATS_CONNECTION = web.AppKey("nats_connection", NATS)
JOBS = web.AppKey("jobs", JobStore)
INTAKE = web.AppKey("intake", UploadIntake)
COMPARISONS = web.AppKey("comparisons", ComparisonStore)
WEBHOOKS = web.AppKey("webhooks", WebhookStore)
DELIVERIES = web.AppKey("deliveries", DeliveryStore)
RATE_LIMITER = web.AppKey("rate_limiter", JobRateLimiter)
#: Talks to MinIO on the internal endpoint.
S3 = web.AppKey("s3", Minio)
#: Only signs URLs, for the endpoint clients can reach; never makes a request.
PUBLIC_S3 = web.AppKey("public_s3", Minio)
#: The OpenAPI document, generated once from the endpoints and their models.
OPENAPI_DOCUMENT = web.AppKey("openapi_document", dict)
