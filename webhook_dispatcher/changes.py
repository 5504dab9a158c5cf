"""Job and comparison record changes (their key-value streams) in, deliveries out."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from pydantic import ValidationError

from domain.webhook_deliveries import DeliveryStore
from domain.webhooks import WebhookStore
from infra.errors import ServiceUnavailable
from infra.settings import Settings
from webhook_dispatcher.events import event_of_change
from webhook_dispatcher.fan_out import fan_out
from webhook_dispatcher.metrics import EVENTS

log = logging.getLogger(__name__)

#: Header of a key-value stream message that deletes or purges its key (no record in it).
KV_OPERATION = "KV-Operation"
RETRY_DELAY_S = 2.0


@dataclass
class ChangeHandler:
    kind: str
    settings: Settings
    js: JetStreamContext
    webhooks: WebhookStore
    deliveries: DeliveryStore

    async def handle(self, message: Msg) -> None:
        if not message.data or (message.headers or {}).get(KV_OPERATION) in ("DEL", "PURGE"):
            await message.ack()
            return
        try:
            event = event_of_change(self.kind, message.data)
        except ValidationError as exc:
            log.error("%s change seq %s is not a %s record: %s", self.kind, message.metadata.sequence.stream, self.kind, exc)
            await message.term()
            return
        if event is not None:
            try:
                if await fan_out(event, self.webhooks, self.deliveries, self.js, self.settings):
                    EVENTS.labels(event.type.value).inc()
            except ServiceUnavailable as exc:
                log.warning("event %s will be retried: %s", event.event_id, exc.message)
                await message.nak(delay=RETRY_DELAY_S)
                return
        await message.ack()
