"""The listener's gauges of what waits (jobs for their upload, pose jobs for a worker), refreshed on a timer."""
from __future__ import annotations

import asyncio
import logging

from nats.js import JetStreamContext

from domain.upload_waits import UploadWaits
from infra.broker import broker_errors
from infra.errors import DanceError
from infra.settings import Settings
from listener.metrics import AWAITING_UPLOAD, QUEUE_DEPTH

log = logging.getLogger(__name__)


async def refresh_gauges(waits: UploadWaits, js: JetStreamContext, settings: Settings) -> None:
    """Two requests, whatever the number of jobs: the checks stream's size and the work consumer's backlog."""
    AWAITING_UPLOAD.set(await waits.total())
    async with broker_errors("reading the work queue's depth"):
        consumer = await js.consumer_info(settings.work_stream, settings.worker_durable)
    QUEUE_DEPTH.set(consumer.num_pending)


async def run_gauges(waits: UploadWaits, js: JetStreamContext, settings: Settings, stop: asyncio.Event) -> None:
    """Refresh every ``gauge_interval_s`` until ``stop`` is set; a failed refresh is logged and retried."""
    while not stop.is_set():
        try:
            await refresh_gauges(waits, js, settings)
        except DanceError as exc:
            log.warning("refreshing the gauges failed: %s", exc.message)
        try:
            await asyncio.wait_for(stop.wait(), timeout=settings.gauge_interval_s)
        except asyncio.TimeoutError:
            pass
