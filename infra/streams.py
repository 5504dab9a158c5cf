"""The JetStream streams and consumers the pipeline uses, created idempotently."""
from __future__ import annotations

import logging

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from infra.broker import broker_errors, patient
from infra.settings import Settings

log = logging.getLogger(__name__)

#: Redelivery delay of a listener event that failed for a transient reason.
LISTENER_ACK_WAIT_S = 30
#: A check the listener fetched and never settled (it died) is offered again after this long.
UPLOAD_CHECK_ACK_WAIT_S = 60
#: Every waiting job's check sits unacked (nak'd with a delay) between its checks: room for all of them.
UPLOAD_CHECK_MAX_ACK_PENDING = 1_000_000


def events_stream_config(settings: Settings) -> StreamConfig:
    return StreamConfig(
        name=settings.events_stream,
        description="MinIO bucket notifications, kept for inspection and replay",
        subjects=[settings.events_subject, f"{settings.events_subject}.>"],
        retention=RetentionPolicy.LIMITS,
        max_age=settings.events_retention_s,
        storage=StorageType.FILE,
    )


def work_stream_config(settings: Settings) -> StreamConfig:
    return StreamConfig(
        name=settings.work_stream,
        description="Pose-estimation jobs; each message is one job, acked when its results are written",
        subjects=[settings.work_subject],
        retention=RetentionPolicy.WORK_QUEUE,
        duplicate_window=settings.work_dedupe_window_s,
        storage=StorageType.FILE,
    )


def compare_stream_config(settings: Settings) -> StreamConfig:
    return StreamConfig(
        name=settings.compare_stream,
        description="Comparisons of an attempt with a reference; each message is one, acked when its result is stored",
        subjects=[settings.compare_subject],
        retention=RetentionPolicy.WORK_QUEUE,
        duplicate_window=settings.work_dedupe_window_s,
        storage=StorageType.FILE,
    )


def compare_consumer_config(settings: Settings) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=settings.compare_durable,
        description="Compare workers share this consumer; each comparison goes to one of them",
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=settings.work_ack_wait_s,
        max_deliver=settings.work_max_deliver,
        filter_subject=settings.compare_subject,
    )


def dead_letter_stream_config(settings: Settings) -> StreamConfig:
    return StreamConfig(
        name=settings.dead_letter_stream,
        description="Bucket events the listener could not act on, with the reason in a header",
        subjects=[settings.dead_letter_subject],
        retention=RetentionPolicy.LIMITS,
        max_age=settings.events_retention_s,
        storage=StorageType.FILE,
    )


def upload_checks_stream_config(settings: Settings) -> StreamConfig:
    return StreamConfig(
        name=settings.upload_checks_stream,
        description="One message per job waiting for its upload; the listener checks the job when it comes due",
        subjects=[f"{settings.upload_checks_subject}.>"],
        retention=RetentionPolicy.WORK_QUEUE,
        max_msgs_per_subject=1,  # one check per job, whatever is published twice
        storage=StorageType.FILE,
    )


def upload_checks_consumer_config(settings: Settings) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=settings.upload_checks_durable,
        description="The listeners' checker: holds each check (nak with a delay) until it is due",
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=UPLOAD_CHECK_ACK_WAIT_S,
        max_deliver=-1,  # a job is checked as often as its schedule says, never given up
        max_ack_pending=UPLOAD_CHECK_MAX_ACK_PENDING,
    )


def max_deliveries_subject(settings: Settings) -> str:
    """JetStream's advisory when a pose job ran out of deliveries (its worker kept dying)."""
    return f"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{settings.work_stream}.{settings.worker_durable}"


def advisories_stream_config(settings: Settings) -> StreamConfig:
    # Advisories are plain NATS messages; a stream keeps them for a listener that was down.
    return StreamConfig(
        name=f"{settings.work_stream}_GIVEN_UP",
        description="Pose jobs JetStream stopped redelivering; the listener fails them",
        subjects=[max_deliveries_subject(settings)],
        retention=RetentionPolicy.WORK_QUEUE,
        max_age=settings.events_retention_s,
        storage=StorageType.FILE,
    )


def advisories_consumer_config(settings: Settings) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=f"{settings.listener_durable}-given-up",
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=LISTENER_ACK_WAIT_S,
    )


def listener_consumer_config(settings: Settings) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=settings.listener_durable,
        description="Matches bucket events to jobs",
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=LISTENER_ACK_WAIT_S,
        filter_subject=settings.events_subject,
    )


def worker_consumer_config(settings: Settings) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=settings.worker_durable,
        description="Pose workers share this consumer; each job goes to one of them",
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=settings.work_ack_wait_s,
        max_deliver=settings.work_max_deliver,
        filter_subject=settings.work_subject,
    )


@patient("creating streams")
async def ensure_streams(js: JetStreamContext, settings: Settings) -> None:
    """Create or update the streams and their durable consumers."""
    async with broker_errors("creating streams"):
        for config in (
            events_stream_config(settings),
            work_stream_config(settings),
            dead_letter_stream_config(settings),
            advisories_stream_config(settings),
            compare_stream_config(settings),
            upload_checks_stream_config(settings),
        ):
            await ensure_stream(js, config, settings.stream_replicas)
        # add_consumer updates an existing durable, so changed settings take effect.
        await js.add_consumer(settings.events_stream, listener_consumer_config(settings))
        await js.add_consumer(settings.work_stream, worker_consumer_config(settings))
        await js.add_consumer(advisories_stream_config(settings).name, advisories_consumer_config(settings))
        await js.add_consumer(settings.compare_stream, compare_consumer_config(settings))
        await js.add_consumer(settings.upload_checks_stream, upload_checks_consumer_config(settings))


async def ensure_stream(js: JetStreamContext, config: StreamConfig, replicas: int) -> None:
    """Create the stream, or update it to ``config``, with ``replicas`` copies (``DANCE_STREAM_REPLICAS``)."""
    config.num_replicas = replicas
    try:
        await js.stream_info(config.name)
    except NotFoundError:
        await js.add_stream(config)
        log.info("created stream %s", config.name)
    else:
        await js.update_stream(config)


async def stream_subjects(js: JetStreamContext, stream: str, subjects_filter: str) -> list[str]:
    """The stream's subjects that hold messages and match ``subjects_filter``, listed by the server in
    one request (up to 100,000), without reading any message."""
    async with broker_errors(f"listing the subjects of {stream}"):
        info = await js.stream_info(stream, subjects_filter=subjects_filter)
    return list((info.state.subjects or {}) if info.state else {})
