"""Webhook deliveries: one per event and endpoint, with the body it sends and the log of its attempts.

A delivery's id is derived from the event and the endpoint, so the dispatcher creating it twice (a
redelivered record change) finds it already there and sends nothing twice. Ids start with the
event's time inverted, so an endpoint's deliveries list newest first by key. Records live in their
own key-value bucket, ``{webhook_id}.{delivery_id}``, and expire after
``DANCE_WEBHOOK_DELIVERIES_KEPT_DAYS``.
"""
from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from nats.js import JetStreamContext
from pydantic import BaseModel, Field

from domain.owner_index import INVERT_FROM_MS
from domain.webhooks import WebhookEventType
from infra.broker import publish_once
from infra.consumer import Order
from infra.errors import DeliveryNotFound
from infra.record_store import ListedRecordStore
from infra.settings import Settings

SECONDS_PER_DAY = 86_400
#: Attempts a delivery's log keeps (the newest); a delivery retried by hand again and again stays small.
ATTEMPTS_KEPT = 50


class DeliveryState(str, enum.Enum):
    #: Sent or waiting for its next attempt.
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    #: Every attempt failed; ``POST .../retry`` sends it again.
    FAILED = "failed"


class DeliveryAttemptRecord(BaseModel):
    at: datetime
    #: The receiver's HTTP status; None when no answer came (refused, timed out, not allowed).
    status_code: int | None
    duration_ms: float
    error: str | None = None


class DeliveryRecord(BaseModel):
    delivery_id: str
    webhook_id: str
    #: The ``webhook-id`` header: the same on every attempt, so a receiver can drop repeats.
    message_id: str
    event_type: WebhookEventType
    #: What ended: ``{event type}.{job or comparison id}``, e.g. ``job.completed.<job_id>``.
    event_id: str
    #: The exact body every attempt sends (``{type, timestamp, data}``).
    body: str
    state: DeliveryState = DeliveryState.PENDING
    attempts: list[DeliveryAttemptRecord] = Field(default_factory=list)
    next_retry_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    def with_attempt(self, attempt: DeliveryAttemptRecord, state: DeliveryState, next_retry_at: datetime | None) -> DeliveryRecord:
        attempts = [*self.attempts, attempt][-ATTEMPTS_KEPT:]
        return self.model_copy(
            update={"attempts": attempts, "state": state, "next_retry_at": next_retry_at, "updated_at": attempt.at}
        )


class DeliveryOrder(Order):
    """A message on the deliveries stream: make (the next attempt of) this delivery."""

    webhook_id: str
    delivery_id: str


def delivery_id_of(event_id: str, event_time: datetime, webhook_id: str) -> str:
    """Stable for one event and endpoint; newest first in key order."""
    inverted = INVERT_FROM_MS - int(event_time.timestamp() * 1000)
    digest = hashlib.sha256(f"{event_id}|{webhook_id}".encode()).hexdigest()[:20]
    return f"{inverted:013d}-{digest}"


async def queue_delivery(js: JetStreamContext, settings: Settings, delivery: DeliveryRecord, message_id: str) -> None:
    """Ask the dispatchers to make the delivery; ``message_id`` lets JetStream drop a repeat."""
    order = DeliveryOrder(webhook_id=delivery.webhook_id, delivery_id=delivery.delivery_id)
    await publish_once(js, settings.webhook_subject, order.to_json(), message_id=message_id, doing="queueing a webhook delivery")


class DeliveryStore(ListedRecordStore[DeliveryRecord]):
    record_type = DeliveryRecord
    not_found = DeliveryNotFound
    noun = "delivery"
    history = 1  # the attempt log is in the record; older revisions add nothing

    @classmethod
    async def open_for(cls, js: JetStreamContext, settings: Settings) -> DeliveryStore:
        """Bind to the bucket, creating it (records expiring after the days the settings keep them) when missing."""
        return await cls.open(js, settings.webhook_deliveries_bucket, ttl=settings.webhook_deliveries_kept_days * SECONDS_PER_DAY)

    def key_of(self, record: DeliveryRecord) -> str:
        return f"{record.webhook_id}.{record.delivery_id}"

    async def get_of(self, webhook_id: str, delivery_id: str) -> DeliveryRecord:
        return await self.get(f"{webhook_id}.{delivery_id}")

    async def recent(self, webhook_id: str, limit: int) -> list[DeliveryRecord]:
        """The endpoint's newest ``limit`` deliveries, newest first (reads only those records)."""
        self._check_key(webhook_id)
        deliveries = []
        for key in sorted(await self.keys_like(f"{webhook_id}.*")):
            try:
                deliveries.append(await self.get(key))
            except DeliveryNotFound:
                continue  # purged: its subject stays until the stream compacts it
            if len(deliveries) == limit:
                break
        return deliveries

    def _check_key(self, key: str) -> None:
        for part in key.split(".", 1):
            super()._check_key(part)
