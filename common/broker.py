"""NATS connection and the translation of its failures into ``BrokerUnavailable``."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import nats.errors
import nats.js.errors
from nats.aio.client import Client as NATS

from common.errors import BrokerUnavailable
from common.settings import Settings

log = logging.getLogger(__name__)

#: Failures that mean "NATS is not answering", as opposed to an answer we must handle.
UNREACHABLE_ERRORS = (
    asyncio.TimeoutError,  # nats.errors.TimeoutError is one of these
    nats.errors.ConnectionClosedError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.NoServersError,
    nats.errors.NoRespondersError,
    nats.errors.StaleConnectionError,
    nats.js.errors.ServiceUnavailableError,
    nats.js.errors.NoStreamResponseError,
    OSError,
)


@asynccontextmanager
async def broker_errors(doing: str) -> AsyncIterator[None]:
    """Turn "NATS is unreachable" errors raised inside the block into ``BrokerUnavailable``."""
    try:
        yield
    except UNREACHABLE_ERRORS as exc:
        raise BrokerUnavailable(f"NATS is unavailable while {doing}: {exc!r}") from exc


async def connect_nats(settings: Settings, name: str) -> NATS:
    """Connect to NATS, reconnecting for ever once connected (outages are survived, not fatal)."""

    client = NATS()

    async def on_disconnect() -> None:
        if not (client.is_closed or client.is_draining):
            log.warning("%s disconnected from NATS", name)

    async def on_reconnect() -> None:
        log.info("%s reconnected to NATS", name)

    async def on_error(exc: Exception) -> None:
        log.warning("%s NATS error: %r", name, exc)

    try:
        await client.connect(
            settings.nats_url,
            name=name,
            connect_timeout=2,
            max_reconnect_attempts=-1,
            reconnect_time_wait=1,
            disconnected_cb=on_disconnect,
            reconnected_cb=on_reconnect,
            error_cb=on_error,
        )
    except UNREACHABLE_ERRORS as exc:
        raise BrokerUnavailable(f"cannot connect to NATS at {settings.nats_url}: {exc!r}") from exc
    return client
