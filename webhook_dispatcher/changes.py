"""Job and comparison record changes (their key-value streams) in, deliveries out."""
from __future__ import annotations

from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from pydantic import ValidationError

from domain.webhook_deliveries import DeliveryStore
from domain.webhooks import WebhookStore
from infra.errors import ServiceUnavailable
from infra.settings import Settings
from infra.settlement import Done, GiveUp, MessageOutcome, Retry, settle
from webhook_dispatcher.events import event_of_change
from webhook_dispatcher.fan_out import fan_out
from webhook_dispatcher.metrics import EVENTS

#: Header of a key-value stream message that deletes or purges its key (no record in it).
KV_OPERATION = "KV-Operation"


@dataclass
class ChangeHandler:
    kind: str
    settings: Settings
    js: JetStreamContext
    webhooks: WebhookStore
    deliveries: DeliveryStore

    async def handle(self, message: Msg) -> None:
        """Queue the deliveries of the ending a change stands for, and settle the change."""
        await settle(message, await self._fan_out(message), f"{self.kind} change seq {message.metadata.sequence.stream}")

    async def _fan_out(self, message: Msg) -> MessageOutcome:
        if not message.data or (message.headers or {}).get(KV_OPERATION) in ("DEL", "PURGE"):
            return Done("a deletion")
        try:
            event = event_of_change(self.kind, message.data)
        except ValidationError as exc:
            return GiveUp(f"not a {self.kind} record: {exc}")
        if event is None:
            return Done("not an ending")
        try:
            if await fan_out(event, self.webhooks, self.deliveries, self.js, self.settings):
                EVENTS.labels(event.type.value).inc()
        except ServiceUnavailable as exc:
            return Retry(f"event {event.event_id}: {exc.message}")
        return Done(f"event {event.event_id}")
