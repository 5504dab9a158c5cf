"""Server-sent events of one record (a job, a comparison): now, then every change until it is final.

Comment lines keep idle connections open; the stream ends after a final status.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

#: Proxies and browsers drop connections silent for a minute; a comment every 15 s prevents it.
HEARTBEAT_S = 15.0
#: How long a browser's EventSource waits before reconnecting after a dropped stream.
RECONNECT_MS = 2000


async def stream_record(
    request: web.Request,
    record: Any,
    updates: Callable[[], AsyncIterator[Any]],
    encode: Callable[[Any], bytes],
    is_final: Callable[[Any], bool],
    name: str,
) -> web.StreamResponse:
    """Send ``record`` and, unless it is final, every new version from ``updates()`` until one is."""
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
    await response.prepare(request)
    await response.write(f"retry: {RECONNECT_MS}\n\n".encode())
    try:
        await response.write(encode(record))
        if not is_final(record):
            await _follow(response, updates(), encode, is_final)
        await response.write_eof()
    except ConnectionResetError:
        log.info("%s: event stream closed by the client", name)
    return response


async def _follow(
    response: web.StreamResponse, updates: AsyncIterator[Any], encode: Callable[[Any], bytes],
    is_final: Callable[[Any], bool],
) -> None:
    # The next update is awaited as a task, not with wait_for: a timeout must not cancel (and so
    # close) the watch generator, only give the heartbeat its turn.
    pending: asyncio.Future | None = None
    try:
        while True:
            pending = pending or asyncio.ensure_future(anext(updates))
            done, _ = await asyncio.wait({pending}, timeout=HEARTBEAT_S)
            if not done:
                await response.write(b": keep-alive\n\n")
                continue
            record, pending = pending.result(), None
            await response.write(encode(record))
            if is_final(record):
                return
    finally:
        if pending is not None:
            pending.cancel()
        await updates.aclose()  # type: ignore[attr-defined]
