"""The dispatcher's loops: record changes -> deliveries, and deliveries -> signed POSTs."""
from __future__ import annotations

import asyncio
import logging

from domain.comparisons import ComparisonStore
from domain.job_store import JobStore
from domain.webhook_deliveries import DeliveryStore
from domain.webhooks import WebhookStore
from infra.broker import connect_nats
from infra.consumer import consume
from infra.metrics_server import serve_metrics
from infra.settings import Settings
from infra.webhook_streams import changes_durable, ensure_webhook_streams, record_buckets
from webhook_dispatcher.changes import ChangeHandler
from webhook_dispatcher.deliverer import Deliverer
from webhook_dispatcher.sender import new_session

log = logging.getLogger(__name__)

#: Record changes pulled per request; most are progress updates, dropped at once.
CHANGES_BATCH = 64


async def run_dispatcher(settings: Settings, stop: asyncio.Event) -> None:
    """Consume record changes and deliveries until ``stop`` is set."""
    probes = serve_metrics(settings, "webhook dispatcher")
    nc = await connect_nats(settings, "webhook-dispatcher")
    js = nc.jetstream()
    await JobStore.open(js, settings.jobs_bucket)  # the buckets whose changes are watched
    await ComparisonStore.open(js, settings.comparisons_bucket)
    webhooks = await WebhookStore.open(js, settings.webhooks_bucket)
    deliveries = await DeliveryStore.open_for(js, settings)
    await ensure_webhook_streams(js, settings)
    loops = []
    for kind, bucket in record_buckets(settings).items():
        changes = await js.pull_subscribe_bind(durable=changes_durable(settings, kind), stream=f"KV_{bucket}")
        handler = ChangeHandler(kind, settings, js, webhooks, deliveries)
        loops.append(consume(changes, handler.handle, stop, batch=CHANGES_BATCH))
    to_deliver = await js.pull_subscribe_bind(durable=settings.webhook_durable, stream=settings.webhook_stream)
    async with new_session(settings.webhook_allow_private, settings.webhook_concurrency) as session:
        deliverer = Deliverer(settings, webhooks, deliveries, session)
        loops.append(consume(to_deliver, deliverer.handle, stop, batch=settings.webhook_concurrency, concurrently=True))
        probes.ready_when(lambda: nc.is_connected)
        log.info("webhook dispatcher consuming %s and the job and comparison changes", settings.webhook_stream)
        await asyncio.gather(*loops)
    await nc.drain()
    log.info("webhook dispatcher stopped")
