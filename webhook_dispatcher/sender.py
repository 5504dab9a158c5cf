"""One delivery attempt: the body signed as the Standard Webhooks specification says, POSTed once."""
from __future__ import annotations

import asyncio
import time
from datetime import datetime
from math import floor

import aiohttp
from standardwebhooks.webhooks import Webhook as Signer

from domain.jobs import utc_now
from domain.webhook_deliveries import DeliveryAttemptRecord, DeliveryRecord
from domain.webhook_targets import GuardedResolver, check_target
from domain.webhooks import WebhookRecord
from infra.errors import WebhookUrlNotAllowed

USER_AGENT = "dance-analysis-webhooks/1"
#: Bytes of a receiver's answer read (and ignored): enough to release the connection politely.
ANSWER_BYTES_READ = 64 * 1024


def signed_headers(secret: str, message_id: str, at: datetime, body: str) -> dict[str, str]:
    """``webhook-id`` (the same on every attempt), ``webhook-timestamp`` (this attempt's, in seconds) and
    ``webhook-signature`` (``v1,`` + base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}``)."""
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(floor(at.timestamp())),
        "webhook-signature": Signer(secret).sign(message_id, at, body),
    }


def new_session(allow_private: bool, concurrency: int) -> aiohttp.ClientSession:
    """No proxies from the environment, no cookies, and addresses checked at connect time."""
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(allow_private), limit=concurrency, use_dns_cache=False)
    return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(), trust_env=False)


async def attempt_delivery(
    session: aiohttp.ClientSession, webhook: WebhookRecord, delivery: DeliveryRecord, *, timeout_s: float, allow_private: bool
) -> DeliveryAttemptRecord:
    """POST the delivery once; redirects are not followed, anything but a 2xx answer is a failure."""
    at, started = utc_now(), time.monotonic()
    status: int | None = None
    error: str | None = None
    try:
        await check_target(webhook.url, allow_private)  # literal addresses; names are checked by the resolver
        headers = signed_headers(webhook.secret, delivery.message_id, at, delivery.body)
        async with session.post(
            webhook.url, data=delivery.body.encode(), headers=headers, allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=timeout_s),
        ) as answer:
            status = answer.status
            await answer.content.read(ANSWER_BYTES_READ)
        if not 200 <= status < 300:
            error = f"the endpoint answered HTTP {status}"
    except WebhookUrlNotAllowed as exc:
        error = exc.message
    except asyncio.TimeoutError:
        error = f"no answer within {timeout_s:g} s"
    except aiohttp.ClientError as exc:
        error = f"{type(exc).__name__}: {exc}"
    return DeliveryAttemptRecord(at=at, status_code=status, duration_ms=round((time.monotonic() - started) * 1000, 1), error=error)
