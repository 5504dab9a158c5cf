"""Report a running job's progress: to its record, and to JetStream so the job is not redelivered."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from infra.errors import ServiceUnavailable

log = logging.getLogger(__name__)

#: Share of the progress bar pose estimation fills; the dance analysis fills the rest.
POSE_SHARE = 0.95


class ProgressReporter:
    """Holds the latest fraction done (set from any thread) and publishes it on a timer."""

    def __init__(self, publish: Callable[[float], Awaitable[None]], interval_s: float) -> None:
        self._publish = publish
        self._interval_s = interval_s
        self._latest = 0.0
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def set(self, fraction: float) -> None:
        """Record progress; safe to call from the analysis thread (a float store is atomic)."""
        self._latest = fraction

    async def __aenter__(self) -> ProgressReporter:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        # The loop is told to stop by an event, not only by cancellation: on Python 3.11 a
        # cancel that lands as a NATS reply arrives can be swallowed by asyncio.wait_for inside
        # nats-py, and a loop relying on it would publish "still working" for ever.
        assert self._task is not None
        self._stopping.set()
        while not self._task.done():
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=0.5)

    async def _run(self) -> None:
        # Publishing every tick, changed or not, doubles as the "still working" heartbeat.
        while not self._stopping.is_set():
            try:
                await asyncio.wait_for(self._stopping.wait(), self._interval_s)
                return
            except asyncio.TimeoutError:
                pass
            try:
                await self._publish(self._latest)
            except ServiceUnavailable as exc:
                # Progress is advisory; the next tick tries again.
                log.warning("progress not recorded: %s", exc.message)
