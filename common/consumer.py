"""The pull loop shared by the listener and the pose workers."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext

log = logging.getLogger(__name__)

#: How long one pull waits; bounds how late a stop request is noticed when idle.
FETCH_TIMEOUT_S = 1.0


async def consume(
    subscription: JetStreamContext.PullSubscription,
    handle: Callable[[Msg], Awaitable[None]],
    stop: asyncio.Event,
    *,
    batch: int,
) -> None:
    """Fetch up to ``batch`` messages at a time and handle each in turn until ``stop`` is set.

    ``handle`` settles every message itself (ack, nak or term). A message already fetched is
    always handled before ``stop`` is checked, so stopping never strands one.
    """
    while not stop.is_set():
        try:
            messages = await subscription.fetch(batch, timeout=FETCH_TIMEOUT_S)
        except asyncio.TimeoutError:  # nats-py raises both its own and asyncio's
            continue  # nothing arrived: not an error
        except nats.errors.Error as exc:
            log.warning("fetch failed, retrying: %r", exc)
            await asyncio.sleep(FETCH_TIMEOUT_S)
            continue
        for message in messages:
            try:
                await handle(message)
            except Exception:  # a handler bug must not stop the loop; the message is redelivered
                log.exception("handling message seq %s failed", message.metadata.sequence.stream)
    # Unsubscribing ends the pull for good; without it nats-py's drain() can wait for ever on
    # the status messages an expired fetch leaves in the subscription's queue.
    await subscription.unsubscribe()
