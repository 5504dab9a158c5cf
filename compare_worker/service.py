"""The compare worker's loop: pull one comparison at a time from the compare stream and run it."""
from __future__ import annotations

import asyncio
import logging
import threading

from choreo.alignment import warm_up as warm_up_alignment
from compare_worker.runner import CompareRunner
from domain.comparisons import ComparisonStore
from domain.job_store import JobStore
from infra.broker import connect_nats
from infra.consumer import consume
from infra.metrics_server import serve_metrics
from infra.settings import Settings
from infra.storage import make_s3_client
from infra.streams import ensure_streams

log = logging.getLogger(__name__)


async def run_compare_worker(settings: Settings, stop: asyncio.Event) -> None:
    """Consume the compare stream until ``stop`` is set."""
    probes = serve_metrics(settings, "compare worker")
    # The DTW kernels compile on first use (seconds); do it while connecting, not in the first comparison.
    threading.Thread(target=warm_up_alignment, name="warm-up-dtw", daemon=True).start()
    nc = await connect_nats(settings, "compare-worker")
    js = nc.jetstream()
    await ensure_streams(js, settings)
    runner = CompareRunner(
        settings,
        await ComparisonStore.open(js, settings.comparisons_bucket),
        await JobStore.open(js, settings.jobs_bucket),
        make_s3_client(settings),
    )
    subscription = await js.pull_subscribe_bind(durable=settings.compare_durable, stream=settings.compare_stream)
    probes.ready_when(lambda: nc.is_connected)
    log.info("compare worker consuming %s as %s", settings.compare_stream, settings.compare_durable)
    await consume(subscription, runner.handle, stop, batch=1)
    await nc.drain()
    log.info("compare worker stopped")
