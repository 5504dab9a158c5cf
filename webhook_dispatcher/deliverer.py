"""Make deliveries: one attempt per message, the outcome logged on the delivery, failures retried by
JetStream itself (a nak with the backoff's next delay), so a retry survives any restart."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
from nats.aio.msg import Msg

from domain.webhook_deliveries import DeliveryAttemptRecord, DeliveryOrder, DeliveryRecord, DeliveryState, DeliveryStore
from domain.webhooks import WebhookStore
from infra.consumer import read_order, retry_delay
from infra.errors import DeliveryNotFound, ServiceUnavailable, WebhookNotFound
from infra.settings import Settings
from webhook_dispatcher.metrics import ATTEMPT_SECONDS, ATTEMPTS
from webhook_dispatcher.sender import attempt_delivery

log = logging.getLogger(__name__)

#: Pause before a delivery that met an unavailable NATS is tried again (not counted as an attempt's backoff).
UNAVAILABLE_RETRY_S = 2.0


@dataclass
class Deliverer:
    settings: Settings
    webhooks: WebhookStore
    deliveries: DeliveryStore
    session: aiohttp.ClientSession

    async def handle(self, message: Msg) -> None:
        order = await read_order(message, DeliveryOrder)
        if order is None:
            return
        try:
            await self._deliver(message, order)
        except ServiceUnavailable as exc:
            log.warning("delivery %s will be retried: %s", order.delivery_id, exc.message)
            await message.nak(delay=UNAVAILABLE_RETRY_S)

    async def _deliver(self, message: Msg, order: DeliveryOrder) -> None:
        try:
            webhook = await self.webhooks.get(order.webhook_id)
            delivery = await self.deliveries.get_of(order.webhook_id, order.delivery_id)
        except (WebhookNotFound, DeliveryNotFound):
            ATTEMPTS.labels("dropped").inc()
            log.info("delivery %s dropped: its webhook or its record is gone", order.delivery_id)
            await message.term()
            return
        settings = self.settings
        attempt = await attempt_delivery(
            self.session, webhook, delivery, timeout_s=settings.webhook_timeout_s, allow_private=settings.webhook_allow_private
        )
        ATTEMPT_SECONDS.observe(attempt.duration_ms / 1000)
        number = message.metadata.num_delivered
        if attempt.error is None:
            await self._record(delivery, attempt, DeliveryState.SUCCEEDED, None)
            ATTEMPTS.labels("succeeded").inc()
            await message.ack()
            return
        delays = settings.webhook_retry_delays
        delay = retry_delay(number, len(delays) + 1, delays)
        if delay is None:
            await self._record(delivery, attempt, DeliveryState.FAILED, None)
            ATTEMPTS.labels("failed").inc()
            log.warning("delivery %s to %s given up after %d attempts: %s", delivery.delivery_id, webhook.url, number, attempt.error)
            await message.term()
            return
        await self._record(delivery, attempt, DeliveryState.PENDING, delay)
        ATTEMPTS.labels("retrying").inc()
        log.info("delivery %s attempt %d failed (%s); next in %g s", delivery.delivery_id, number, attempt.error, delay)
        await message.nak(delay=delay)

    async def _record(self, delivery: DeliveryRecord, attempt: DeliveryAttemptRecord, state: DeliveryState, delay: float | None) -> None:
        next_retry_at = attempt.at + timedelta(seconds=delay) if delay is not None else None
        try:
            await self.deliveries.update(
                self.deliveries.key_of(delivery), lambda current: current.with_attempt(attempt, state, next_retry_at)
            )
        except DeliveryNotFound:
            pass  # expired meanwhile; the attempt still counts for the message
