"""An event into one delivery per subscribed endpoint of its owner: created once, queued once."""
from __future__ import annotations

import logging

from nats.js import JetStreamContext
from nats.js.errors import KeyWrongLastSequenceError

from domain.jobs import utc_now
from domain.webhook_deliveries import DeliveryRecord, DeliveryStore, delivery_id_of, queue_delivery
from domain.webhooks import WebhookStore
from infra.settings import Settings
from infra.webhook_streams import DELIVERY_DEDUPE_WINDOW_S
from webhook_dispatcher.events import Event

log = logging.getLogger(__name__)


async def fan_out(event: Event, webhooks: WebhookStore, deliveries: DeliveryStore, js: JetStreamContext, settings: Settings) -> int:
    """Create and queue the event's deliveries; returns how many were new.

    Creating a delivery that exists means the event was seen before: a record touched after it
    ended, or this change redelivered because the dispatcher died before acking it. A delivery
    never attempted is queued again (JetStream drops the copy within its dedupe window); one
    attempted already is left alone, so no receiver gets an event twice from here.
    """
    created = 0
    for webhook in await webhooks.subscribed(event.owner, event.type):
        delivery_id = delivery_id_of(event.event_id, event.time, webhook.webhook_id)
        now = utc_now()
        delivery = DeliveryRecord(
            delivery_id=delivery_id, webhook_id=webhook.webhook_id, message_id=f"msg_{delivery_id}",
            event_type=event.type, event_id=event.event_id, body=event.body, created_at=now, updated_at=now,
        )
        try:
            await deliveries.create(delivery)
            created += 1
        except KeyWrongLastSequenceError:
            delivery = await deliveries.get_of(webhook.webhook_id, delivery_id)
            if delivery.attempts or (now - delivery.created_at).total_seconds() > DELIVERY_DEDUPE_WINDOW_S:
                continue
        await queue_delivery(js, settings, delivery, message_id=delivery_id)
        log.info("event %s -> webhook %s (delivery %s)", event.event_id, webhook.webhook_id, delivery_id)
    return created
