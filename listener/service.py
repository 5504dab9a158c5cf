"""The listener's loops: bucket events -> jobs, checks of jobs waiting for their upload, jobs JetStream gave up on, gauges."""
from __future__ import annotations

import asyncio
import logging

from nats.aio.msg import Msg

from domain.intake import UploadIntake
from domain.job_store import JobStore
from domain.upload_waits import UploadWaits
from infra.broker import connect_nats
from infra.consumer import consume
from infra.errors import MalformedEvent, ServiceUnavailable
from infra.metrics_server import serve_metrics
from infra.settings import Settings
from infra.settlement import Done, Retry, settle
from infra.storage import make_s3_client
from infra.streams import advisories_consumer_config, advisories_stream_config, ensure_streams
from listener.dead_letters import dead_letter
from listener.events import parse_bucket_event
from listener.gauges import run_gauges
from listener.given_up import handle_given_up
from listener.matcher import DEAD_LETTER_OUTCOMES, Outcome, match_event
from listener.metrics import EVENTS
from listener.upload_checks import CHECK_BATCH, handle_check

log = logging.getLogger(__name__)

#: Events pulled per request; matching is quick, so a batch keeps latency low under bursts.
FETCH_BATCH = 32


async def run_listener(settings: Settings, stop: asyncio.Event) -> None:
    """Consume the events stream until ``stop`` is set."""
    probes = serve_metrics(settings, "listener")
    nc = await connect_nats(settings, "listener")
    js = nc.jetstream()
    await ensure_streams(js, settings)
    waits = UploadWaits(js, settings)
    jobs = await JobStore.open(js, settings.jobs_bucket, waits)
    intake = UploadIntake(settings, jobs, js, make_s3_client(settings))
    events = await js.pull_subscribe_bind(durable=settings.listener_durable, stream=settings.events_stream)
    given_up = await js.pull_subscribe_bind(
        durable=advisories_consumer_config(settings).durable_name, stream=advisories_stream_config(settings).name
    )
    checks = await js.pull_subscribe_bind(durable=settings.upload_checks_durable, stream=settings.upload_checks_stream)
    ages_s = settings.upload_check_ages
    probes.ready_when(lambda: nc.is_connected)
    log.info("listener consuming %s as %s", settings.events_stream, settings.listener_durable)
    await asyncio.gather(
        consume(events, lambda message: handle_event_message(message, intake), stop, batch=FETCH_BATCH),
        consume(given_up, lambda message: handle_given_up(message, intake), stop, batch=1),
        consume(checks, lambda message: handle_check(message, intake, ages_s), stop, batch=CHECK_BATCH, concurrently=True),
        run_gauges(waits, js, settings, stop),
    )
    # Every loop has stopped pulling and finished what it fetched; drain flushes the last acks.
    await nc.drain()
    log.info("listener stopped")


async def handle_event_message(message: Msg, intake: UploadIntake) -> None:
    """Handle one notification; never raises, so one bad event cannot stop the listener."""
    seq = message.metadata.sequence.stream
    js, settings = intake.js, intake.settings
    try:
        try:
            events = parse_bucket_event(message.data)
        except MalformedEvent as exc:
            EVENTS.labels(Outcome.MALFORMED.value).inc()
            log.warning("event seq %s is malformed: %s", seq, exc.message)
            await dead_letter(js, settings, message.data, reason=exc.message, seq=seq, key="")
        else:
            for event in events:
                outcome = await match_event(event, intake)
                EVENTS.labels(outcome.value).inc()
                log.info("event seq %s %s %s/%s -> %s", seq, event.name, event.bucket, event.key, outcome.value)
                if outcome in DEAD_LETTER_OUTCOMES:
                    await dead_letter(js, settings, message.data, reason=outcome.value, seq=seq, key=event.key)
    except ServiceUnavailable as exc:
        await settle(message, Retry(exc.message), f"event seq {seq}")
        return
    await settle(message, Done("matched"), f"event seq {seq}")
