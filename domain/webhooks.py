"""Webhook endpoints: where an API key wants its jobs' and comparisons' endings pushed, and the secret
that signs them (Standard Webhooks)."""
from __future__ import annotations

import base64
import enum
import secrets
from datetime import datetime

from pydantic import BaseModel

from infra.errors import WebhookNotFound
from infra.record_store import ListedRecordStore

SECRET_PREFIX = "whsec_"
#: 32 random bytes: the Standard Webhooks recommendation is 24 to 64.
SECRET_BYTES = 32


class WebhookEventType(str, enum.Enum):
    JOB_COMPLETED = "job.completed"
    JOB_FAILED = "job.failed"
    JOB_EXPIRED = "job.expired"
    JOB_CANCELLED = "job.cancelled"
    COMPARISON_COMPLETED = "comparison.completed"
    COMPARISON_FAILED = "comparison.failed"


class WebhookRecord(BaseModel):
    webhook_id: str
    url: str
    events: list[WebhookEventType]
    #: ``whsec_`` + base64 of the key; shown to the client once, when the endpoint is made.
    secret: str
    #: The API key's id that made it (None when the gateway runs open); it gets only that key's events.
    owner: str | None = None
    created_at: datetime

    def wants(self, event_type: WebhookEventType) -> bool:
        return event_type in self.events


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


class WebhookStore(ListedRecordStore[WebhookRecord]):
    record_type = WebhookRecord
    not_found = WebhookNotFound
    noun = "webhook"

    def key_of(self, record: WebhookRecord) -> str:
        return record.webhook_id

    async def of_owner(self, owner: str | None) -> list[WebhookRecord]:
        """The owner's endpoints, oldest first. Reads every endpoint: there are few (a handful per key).
        Keys come from the stream's subjects, which list every key there is (``keys_matching``)."""
        webhooks = []
        for key in await self.keys_like(">"):
            try:
                webhook = await self.get(key)
            except WebhookNotFound:
                continue  # deleted between listing and reading
            if webhook.owner == owner:
                webhooks.append(webhook)
        return sorted(webhooks, key=lambda webhook: webhook.created_at)

    async def subscribed(self, owner: str | None, event_type: WebhookEventType) -> list[WebhookRecord]:
        return [webhook for webhook in await self.of_owner(owner) if webhook.wants(event_type)]
