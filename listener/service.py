"""The listener's loop: pull bucket events, match them to jobs, ack."""
from __future__ import annotations

import asyncio
import logging

from nats.aio.msg import Msg

from common.broker import connect_nats
from common.consumer import consume
from common.errors import MalformedEvent, ServiceUnavailable
from common.intake import UploadIntake
from common.job_store import JobStore
from common.settings import Settings
from common.storage import make_s3_client
from common.streams import ensure_streams
from listener.events import parse_bucket_event
from listener.matcher import match_event
from listener.reconciler import run_reconciler

log = logging.getLogger(__name__)

#: Events pulled per request; matching is quick, so a batch keeps latency low under bursts.
FETCH_BATCH = 32
#: Pause before an event that hit an unavailable service is offered again.
RETRY_DELAY_S = 2.0


async def run_listener(settings: Settings, stop: asyncio.Event) -> None:
    """Consume the events stream until ``stop`` is set."""
    nc = await connect_nats(settings, "listener")
    js = nc.jetstream()
    await ensure_streams(js, settings)
    jobs = await JobStore.open(js, settings.jobs_bucket)
    intake = UploadIntake(settings, jobs, js, make_s3_client(settings))
    subscription = await js.pull_subscribe_bind(durable=settings.listener_durable, stream=settings.events_stream)
    log.info("listener consuming %s as %s", settings.events_stream, settings.listener_durable)
    reconciler = asyncio.create_task(run_reconciler(intake, settings.reconcile_interval_s, stop))
    await consume(subscription, lambda message: handle_event_message(message, intake), stop, batch=FETCH_BATCH)
    # Stop pulling first, then every fetched event has been handled above; drain flushes acks.
    await reconciler
    await nc.drain()
    log.info("listener stopped")


async def handle_event_message(message: Msg, intake: UploadIntake) -> None:
    """Handle one notification; never raises, so one bad event cannot stop the listener."""
    seq = message.metadata.sequence.stream
    try:
        events = parse_bucket_event(message.data)
    except MalformedEvent as exc:
        log.warning("event seq %s dropped: %s", seq, exc.message)
        await message.ack()
        return
    try:
        for event in events:
            outcome = await match_event(event, intake)
            log.info("event seq %s %s %s/%s -> %s", seq, event.name, event.bucket, event.key, outcome.value)
    except ServiceUnavailable as exc:
        log.warning("event seq %s will be retried: %s", seq, exc.message)
        await message.nak(delay=RETRY_DELAY_S)
        return
    await message.ack()
