"""Make deliveries: one attempt per message, the outcome logged on the delivery, failures retried by
JetStream itself (a nak with the backoff's next delay), so a retry survives any restart."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import aiohttp
from nats.aio.msg import Msg

from domain.webhook_deliveries import DeliveryAttemptRecord, DeliveryOrder, DeliveryRecord, DeliveryState, DeliveryStore
from domain.webhooks import WebhookStore
from infra.consumer import read_order
from infra.errors import DeliveryNotFound, ServiceUnavailable, WebhookNotFound
from infra.settings import Settings
from infra.settlement import KEEP_TRYING, Done, GiveUp, MessageOutcome, Retries, Retry, settle
from webhook_dispatcher.metrics import ATTEMPT_SECONDS, ATTEMPTS
from webhook_dispatcher.sender import attempt_delivery


def delivery_retries(settings: Settings) -> Retries:
    """A delivery's attempts: the first, then one after each of ``DANCE_WEBHOOK_RETRY_DELAYS_S``."""
    delays = settings.webhook_retry_delays
    return Retries(max_deliver=len(delays) + 1, backoff_s=delays)


@dataclass
class Deliverer:
    settings: Settings
    webhooks: WebhookStore
    deliveries: DeliveryStore
    session: aiohttp.ClientSession

    def __post_init__(self) -> None:
        self._retries = delivery_retries(self.settings)

    async def handle(self, message: Msg) -> None:
        order = await read_order(message, DeliveryOrder)
        if order is None:
            return
        try:
            outcome, retries = await self._deliver(message, order), self._retries
        except ServiceUnavailable as exc:  # NATS failed, not the endpoint: no attempt of the delivery's
            outcome, retries = Retry(exc.message), KEEP_TRYING
        await settle(message, outcome, f"delivery {order.delivery_id}", retries)

    async def _deliver(self, message: Msg, order: DeliveryOrder) -> MessageOutcome:
        try:
            webhook = await self.webhooks.get(order.webhook_id)
            delivery = await self.deliveries.get_of(order.webhook_id, order.delivery_id)
        except (WebhookNotFound, DeliveryNotFound):
            ATTEMPTS.labels("dropped").inc()
            return GiveUp("its webhook or its record is gone")
        settings = self.settings
        attempt = await attempt_delivery(
            self.session, webhook, delivery, timeout_s=settings.webhook_timeout_s, allow_private=settings.webhook_allow_private
        )
        ATTEMPT_SECONDS.observe(attempt.duration_ms / 1000)
        if attempt.error is None:
            await self._record(delivery, attempt, DeliveryState.SUCCEEDED, None)
            ATTEMPTS.labels("succeeded").inc()
            return Done(f"delivered to {webhook.url}")
        number = message.metadata.num_delivered
        outcome = self._retries.decide(Retry(f"{webhook.url}: {attempt.error}"), number)
        if isinstance(outcome, GiveUp):
            await self._record(delivery, attempt, DeliveryState.FAILED, None)
            ATTEMPTS.labels("failed").inc()
        else:
            await self._record(delivery, attempt, DeliveryState.PENDING, self._retries.retry_delay(number))
            ATTEMPTS.labels("retrying").inc()
        return outcome

    async def _record(self, delivery: DeliveryRecord, attempt: DeliveryAttemptRecord, state: DeliveryState, delay: float | None) -> None:
        next_retry_at = attempt.at + timedelta(seconds=delay) if delay is not None else None
        try:
            await self.deliveries.update(
                self.deliveries.key_of(delivery), lambda current: current.with_attempt(attempt, state, next_retry_at)
            )
        except DeliveryNotFound:
            pass  # expired meanwhile; the attempt still counts for the message
