"""Re-read the events stream from a time or a sequence and match every event again.

Matching is idempotent, so a replay queues only jobs whose event was missed and changes
nothing else. Run it with ``python -m listener replay --since 1h`` (or ``--from-seq 42``).
"""
from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from datetime import datetime, timedelta, timezone

from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from domain.intake import UploadIntake
from domain.job_store import JobStore
from domain.upload_waits import UploadWaits
from infra.broker import broker_errors, connect_nats
from infra.errors import InvalidParameter, MalformedEvent
from infra.settings import Settings
from infra.settlement import Done, settle
from infra.storage import make_s3_client
from listener.events import parse_bucket_event
from listener.matcher import Outcome, match_event

log = logging.getLogger(__name__)

DURATION = re.compile(r"(?P<amount>\d+)(?P<unit>[smhd])")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: Events fetched per pull while replaying.
REPLAY_BATCH = 100


def parse_duration(text: str) -> timedelta:
    """``90s``, ``15m``, ``1h`` or ``7d``."""
    match = DURATION.fullmatch(text.strip())
    if match is None:
        raise InvalidParameter(f"{text!r} is not a duration like 90s, 15m, 1h or 7d")
    return timedelta(seconds=int(match["amount"]) * UNIT_SECONDS[match["unit"]])


def replay_start(since: timedelta | None, from_seq: int | None) -> ConsumerConfig:
    """An ephemeral consumer starting at a time or a sequence (the whole stream if neither)."""
    if from_seq is not None:
        return ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=from_seq, ack_policy=AckPolicy.EXPLICIT)
    if since is not None:
        start = datetime.now(timezone.utc) - since
        return ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=start, ack_policy=AckPolicy.EXPLICIT)
    return ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.EXPLICIT)


async def replay(settings: Settings, since: timedelta | None = None, from_seq: int | None = None) -> Counter:
    """Match every event from the start point up to the stream's end as it was when we began."""
    nc = await connect_nats(settings, "listener-replay")
    outcomes: Counter = Counter()
    try:
        js = nc.jetstream()
        jobs = await JobStore.open(js, settings.jobs_bucket, UploadWaits(js, settings))
        intake = UploadIntake(settings, jobs, js, make_s3_client(settings))
        async with broker_errors("starting a replay"):
            last_seq = (await js.stream_info(settings.events_stream)).state.last_seq
            subscription = await js.pull_subscribe(
                settings.events_subject, stream=settings.events_stream, config=replay_start(since, from_seq)
            )
        seq = 0
        while seq < last_seq:
            try:
                messages = await subscription.fetch(REPLAY_BATCH, timeout=2)
            except asyncio.TimeoutError:
                break  # nothing newer than the start point
            for message in messages:
                seq = message.metadata.sequence.stream
                if seq > last_seq:
                    break
                for outcome in await _match(message.data, intake, seq):
                    outcomes[outcome.value] += 1
                await settle(message, Done("replayed"), f"replay seq {seq}")
        await subscription.unsubscribe()
    finally:
        await nc.close()
    return outcomes


async def _match(data: bytes, intake: UploadIntake, seq: int) -> list[Outcome]:
    try:
        events = parse_bucket_event(data)
    except MalformedEvent as exc:
        log.warning("event seq %s is malformed: %s", seq, exc.message)
        return [Outcome.MALFORMED]
    outcomes = []
    for event in events:
        outcome = await match_event(event, intake)
        log.info("replay seq %s %s -> %s", seq, event.key, outcome.value)
        outcomes.append(outcome)
    return outcomes
