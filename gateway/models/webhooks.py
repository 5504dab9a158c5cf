"""Webhook endpoints and their deliveries (``/api/v1/webhooks``)."""
from __future__ import annotations

from pydantic import BaseModel, Field

from domain.webhook_deliveries import DeliveryState
from domain.webhooks import WebhookEventType
from gateway.models.base import ResponseBody
from gateway.models.fields import RequiredText, Timestamp

EXAMPLE_URL = "https://example.com/hooks/dance"
ALL_EVENTS = list(WebhookEventType)


class WebhookParams(BaseModel):
    """``POST /api/v1/webhooks``: where to send which events."""

    url: RequiredText = Field(
        max_length=2048, examples=[EXAMPLE_URL],
        description="An https URL on a public address; it receives a signed POST for each event (JSON body only)",
    )
    events: list[WebhookEventType] = Field(
        default_factory=lambda: list(ALL_EVENTS), min_length=1,
        description="The event types to send (JSON body only); default: all of them",
    )


class WebhookPath(BaseModel):
    webhook_id: str = Field(json_schema_extra={"format": "uuid"})


class DeliveriesParams(WebhookPath):
    limit: int = Field(50, ge=1, le=200, description="How many of the newest deliveries")


class DeliveryPath(WebhookPath):
    delivery_id: str = Field(description="As listed by GET .../deliveries")


class Webhook(ResponseBody):
    """A webhook endpoint (its secret is shown only when it is created)."""

    webhook_id: str
    url: str
    events: list[WebhookEventType]
    created_at: Timestamp


class CreatedWebhook(Webhook):
    secret: str = Field(
        description="Signs every delivery (Standard Webhooks: whsec_ + base64 key); shown only in this answer"
    )


class WebhookList(ResponseBody):
    webhooks: list[Webhook]


class WebhookDeleted(ResponseBody):
    webhook_id: str
    deleted: bool = True


class DeliveryAttempt(ResponseBody):
    at: Timestamp
    status_code: int | None = Field(description="The receiver's HTTP status, or null when no answer came")
    duration_ms: float
    error: str | None = Field(description="Why the attempt failed, or null when it succeeded")


class Delivery(ResponseBody):
    """One event sent to one endpoint, with every attempt so far."""

    delivery_id: str
    webhook_id: str
    message_id: str = Field(description="The webhook-id header: the same on every attempt of this delivery")
    event_type: WebhookEventType
    event_id: str = Field(description="What ended: {event type}.{job or comparison id}, e.g. job.completed.<job_id>")
    state: DeliveryState = Field(description="pending (sent or waiting for a retry), succeeded, or failed (given up)")
    attempts: list[DeliveryAttempt]
    next_retry_at: Timestamp | None = Field(description="When the next attempt is due, or null")
    created_at: Timestamp
    updated_at: Timestamp


class DeliveryList(ResponseBody):
    deliveries: list[Delivery] = Field(description="Newest first")
