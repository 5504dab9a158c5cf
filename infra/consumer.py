"""The pull loop shared by the listener and the workers, and how a worker reads a message's order."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Self, TypeVar

import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from pydantic import BaseModel, ValidationError

from infra.settlement import GiveUp, settle
log = logging.getLogger(__name__)


class Order(BaseModel):
    """A work message's body, as JSON bytes (the domain's orders: ``domain/work_orders.py``)."""

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_json(cls, data: bytes) -> Self:
        return cls.model_validate_json(data)


OrderT = TypeVar("OrderT", bound=Order)

#: How long one pull waits; bounds how late a stop request is noticed when idle.
FETCH_TIMEOUT_S = 1.0


async def consume(
    subscription: JetStreamContext.PullSubscription,
    handle: Callable[[Msg], Awaitable[None]],
    stop: asyncio.Event,
    *,
    batch: int,
    concurrently: bool = False,
) -> None:
    """Fetch up to ``batch`` messages at a time and handle each in turn (or all at once, when
    ``concurrently``: handlers that mostly wait) until ``stop`` is set.

    ``handle`` settles every message itself (``infra/settlement.py``). A message already fetched is
    always handled before ``stop`` is checked, so stopping never strands one.
    """

    async def handle_safely(message: Msg) -> None:
        try:
            await handle(message)
        except Exception:  # a handler bug must not stop the loop; the message is redelivered
            log.exception("handling message seq %s failed", message.metadata.sequence.stream)

    while not stop.is_set():
        try:
            messages = await subscription.fetch(batch, timeout=FETCH_TIMEOUT_S)
        except asyncio.TimeoutError:  # nats-py raises both its own and asyncio's
            continue  # nothing arrived: not an error
        except nats.errors.Error as exc:
            log.warning("fetch failed, retrying: %r", exc)
            await asyncio.sleep(FETCH_TIMEOUT_S)
            continue
        if concurrently:
            await asyncio.gather(*(handle_safely(message) for message in messages))
            continue
        for message in messages:
            await handle_safely(message)
    # Unsubscribing ends the pull for good; without it nats-py's drain() can wait for ever on
    # the status messages an expired fetch leaves in the subscription's queue.
    await subscription.unsubscribe()


async def read_order(message: Msg, order_type: type[OrderT]) -> OrderT | None:
    """The message's work order; a message that is not one is given up (redelivering it would not help)."""
    try:
        return order_type.from_json(message.data)
    except ValidationError as exc:
        seq = message.metadata.sequence.stream
        await settle(message, GiveUp(f"not a {order_type.__name__}: {exc}"), f"message seq {seq}")
        return None
