"""``/api/v1/webhooks``: endpoints that receive an API key's job and comparison endings, signed (Standard
Webhooks), and the log of what was sent to them. The sending is the webhook dispatcher's
(``webhook_dispatcher/``); the gateway only records endpoints and asks for a delivery again."""
from __future__ import annotations

import logging
import uuid

from aiohttp import web

from domain.jobs import utc_now
from domain.webhook_deliveries import DeliveryRecord, DeliveryState, queue_delivery
from domain.webhook_targets import check_target
from domain.webhooks import WebhookRecord, new_secret
from gateway.app_keys import DELIVERIES, NATS_CONNECTION, SETTINGS, WEBHOOKS
from gateway.auth import OWNER
from gateway.endpoints import EndpointTable
from gateway.models.webhooks import (
    CreatedWebhook,
    DeliveriesParams,
    Delivery,
    DeliveryList,
    DeliveryPath,
    Webhook,
    WebhookDeleted,
    WebhookList,
    WebhookParams,
    WebhookPath,
)
from infra.errors import DeliveryNotFound, TooManyWebhooks, WebhookNotFound, WebhookUrlNotAllowed

log = logging.getLogger(__name__)
webhook_routes = EndpointTable()

WEBHOOKS_PATH = "/api/v1/webhooks"
WEBHOOK_PATH = WEBHOOKS_PATH + "/{webhook_id}"
#: Endpoints one API key may have: each event is sent to every one of them.
MAX_WEBHOOKS_PER_KEY = 20


@webhook_routes.post(
    WEBHOOKS_PATH, "createWebhook", "Register an endpoint that receives signed events (Standard Webhooks)",
    description="Events: job.completed, job.failed, job.expired, job.cancelled, comparison.completed, "
    "comparison.failed. Each is a POST of {type, timestamp, data} with webhook-id, webhook-timestamp and "
    "webhook-signature headers, retried with backoff until a 2xx. The secret is shown only in this answer.",
    params=WebhookParams, body_only=("url", "events"), response=CreatedWebhook, status=201,
    errors=(WebhookUrlNotAllowed, TooManyWebhooks),
)
async def create_webhook(request: web.Request, params: WebhookParams) -> CreatedWebhook:
    settings, webhooks = request.app[SETTINGS], request.app[WEBHOOKS]
    await check_target(params.url, settings.webhook_allow_private)
    owner = request[OWNER]
    if len(await webhooks.of_owner(owner)) >= MAX_WEBHOOKS_PER_KEY:
        raise TooManyWebhooks(f"an API key may have {MAX_WEBHOOKS_PER_KEY} webhook endpoints; delete one first")
    events = list(dict.fromkeys(params.events))
    record = WebhookRecord(
        webhook_id=str(uuid.uuid4()), url=params.url, events=events, secret=new_secret(), owner=owner,
        created_at=utc_now(),
    )
    await webhooks.create(record)
    log.info("webhook %s created for %s (%s)", record.webhook_id, record.url, ", ".join(e.value for e in events))
    return CreatedWebhook(**webhook_view(record).model_dump(), secret=record.secret)


@webhook_routes.get(
    WEBHOOKS_PATH, "listWebhooks", "The caller's webhook endpoints (without their secrets)", response=WebhookList,
)
async def list_webhooks(request: web.Request) -> WebhookList:
    return WebhookList(webhooks=[webhook_view(webhook) for webhook in await request.app[WEBHOOKS].of_owner(request[OWNER])])


@webhook_routes.get(
    WEBHOOK_PATH, "getWebhook", "One of the caller's webhook endpoints",
    params=WebhookPath, json_body=False, response=Webhook, errors=(WebhookNotFound,),
)
async def get_webhook(request: web.Request, params: WebhookPath) -> Webhook:
    return webhook_view(await load_webhook(request, params.webhook_id))


@webhook_routes.delete(
    WEBHOOK_PATH, "deleteWebhook", "Delete a webhook endpoint; deliveries still waiting for it are dropped",
    params=WebhookPath, json_body=False, response=WebhookDeleted, errors=(WebhookNotFound,),
)
async def delete_webhook(request: web.Request, params: WebhookPath) -> WebhookDeleted:
    webhook = await load_webhook(request, params.webhook_id)
    await request.app[WEBHOOKS].delete(webhook.webhook_id)
    log.info("webhook %s deleted", webhook.webhook_id)
    return WebhookDeleted(webhook_id=webhook.webhook_id)


@webhook_routes.get(
    WEBHOOK_PATH + "/deliveries", "listWebhookDeliveries",
    "The endpoint's recent deliveries, newest first: event, attempts (status, duration, error), next retry",
    params=DeliveriesParams, json_body=False, response=DeliveryList, errors=(WebhookNotFound,),
)
async def list_deliveries(request: web.Request, params: DeliveriesParams) -> DeliveryList:
    webhook = await load_webhook(request, params.webhook_id)
    deliveries = await request.app[DELIVERIES].recent(webhook.webhook_id, params.limit)
    return DeliveryList(deliveries=[delivery_view(delivery) for delivery in deliveries])


@webhook_routes.post(
    WEBHOOK_PATH + "/deliveries/{delivery_id}/retry", "retryWebhookDelivery",
    "Send a delivery again now (same webhook-id and body), whatever its state",
    params=DeliveryPath, json_body=False, response=Delivery, status=202, errors=(WebhookNotFound, DeliveryNotFound),
)
async def retry_delivery(request: web.Request, params: DeliveryPath) -> Delivery:
    webhook = await load_webhook(request, params.webhook_id)
    deliveries = request.app[DELIVERIES]
    delivery = await deliveries.get_of(webhook.webhook_id, params.delivery_id)

    def pending(current: DeliveryRecord) -> DeliveryRecord:
        return current.model_copy(update={"state": DeliveryState.PENDING, "next_retry_at": utc_now(), "updated_at": utc_now()})

    delivery = await deliveries.update(deliveries.key_of(delivery), pending)
    js = request.app[NATS_CONNECTION].jetstream()
    await queue_delivery(js, request.app[SETTINGS], delivery, message_id=f"{delivery.delivery_id}.retry.{uuid.uuid4()}")
    log.info("webhook %s: delivery %s sent again on request", webhook.webhook_id, delivery.delivery_id)
    return delivery_view(delivery)


async def load_webhook(request: web.Request, webhook_id: str) -> WebhookRecord:
    return await request.app[WEBHOOKS].get_owned(webhook_id, request.get(OWNER))


def webhook_view(webhook: WebhookRecord) -> Webhook:
    return Webhook(webhook_id=webhook.webhook_id, url=webhook.url, events=webhook.events, created_at=webhook.created_at)


def delivery_view(delivery: DeliveryRecord) -> Delivery:
    return Delivery.model_validate(delivery.model_dump(exclude={"body"}))
