"""NATS connection and the translation of its failures into ``BrokerUnavailable``."""
from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import ParamSpec, TypeVar

import nats.errors
import nats.js.errors
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import PubAck

from infra.errors import BrokerUnavailable, ServiceUnavailable
from infra.settings import Settings

log = logging.getLogger(__name__)
P = ParamSpec("P")

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
            servers=settings.nats_servers,
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


#: How long a process's set-up (streams, buckets) keeps trying while NATS cannot answer yet: a fresh
#: cluster elects its meta leader in ~6 s, a stream's new leader takes ~7 s after a node dies.
SETUP_PATIENCE_S = 90.0
SETUP_RETRY_S = 2.0

T = TypeVar("T")


async def retry_while_unavailable(attempt: Callable[[], Awaitable[T]], doing: str, patience_s: float, retry_s: float) -> T:
    """``attempt()``, tried again every ``retry_s`` while it raises ``ServiceUnavailable``, for up to ``patience_s``."""
    deadline = asyncio.get_running_loop().time() + patience_s
    while True:
        try:
            return await attempt()
        except ServiceUnavailable as exc:
            if asyncio.get_running_loop().time() >= deadline:
                raise
            log.info("%s waits for the services: %s", doing, exc.message)
            await asyncio.sleep(retry_s)


def patient(doing: str, patience_s: float = SETUP_PATIENCE_S):
    """Decorate an idempotent set-up coroutine so it is tried again while services are unavailable."""

    def decorate(setup: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        @functools.wraps(setup)
        async def patiently(*args: P.args, **kwargs: P.kwargs) -> T:
            return await retry_while_unavailable(lambda: setup(*args, **kwargs), doing, patience_s, SETUP_RETRY_S)

        return patiently

    return decorate


#: JetStream's answer to a publish whose ``Nats-Msg-Id`` is still being stored by an earlier try.
DUPLICATE_IN_PROCESS = 10158
#: How long a publish keeps trying through a JetStream leader election (~7 s measured when a stream's
#: leader died); short enough that an API call during a real outage still answers 503 soon.
PUBLISH_PATIENCE_S = 12.0
PUBLISH_RETRY_S = 0.5


async def publish_once(
    js: JetStreamContext, subject: str, data: bytes, *, message_id: str, doing: str,
    headers: dict[str, str] | None = None, stream: str | None = None,
) -> PubAck:
    """Publish to a stream, retrying with the same ``Nats-Msg-Id`` while no JetStream answers (a
    stream leader being elected, a server restarting), so the message is stored once however
    many tries it took; after ``PUBLISH_PATIENCE_S`` it is ``BrokerUnavailable``."""
    headers = {**(headers or {}), "Nats-Msg-Id": message_id}

    async def publish() -> PubAck:
        async with broker_errors(doing):
            try:
                return await js.publish(subject, data, headers=headers, stream=stream)
            except nats.js.errors.APIError as exc:
                if exc.err_code != DUPLICATE_IN_PROCESS:
                    raise
                # An earlier try is still being stored: ask again, the answer will say duplicate.
                raise BrokerUnavailable(f"NATS is still storing an earlier try while {doing}: {exc!r}") from exc

    return await retry_while_unavailable(publish, doing, PUBLISH_PATIENCE_S, PUBLISH_RETRY_S)
