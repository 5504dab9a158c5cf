"""The JetStream pieces of webhooks: the stream of deliveries to make, and the dispatcher's view of the
job and comparison records' changes (their key-value streams), where endings become events."""
from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from infra.broker import broker_errors, patient
from infra.settings import Settings
from infra.streams import ensure_stream

#: A fan-out repeated within this window (the dispatcher died between publishing and acking) is dropped.
DELIVERY_DEDUPE_WINDOW_S = 3600
#: Retries wait in the consumer as pending messages (nak with a delay), so its limit must be far above
#: the deliveries that can be waiting on a receiver that is down.
MAX_PENDING_DELIVERIES = 1_000_000
#: A change that keeps failing to turn into deliveries (a bug) is given up after this many tries.
CHANGE_MAX_DELIVER = 20
CHANGE_ACK_WAIT_S = 30


def deliveries_stream_config(settings: Settings) -> StreamConfig:
    return StreamConfig(
        name=settings.webhook_stream,
        description="Webhook deliveries to make; a message stays until its delivery succeeds or is given up",
        subjects=[settings.webhook_subject],
        retention=RetentionPolicy.WORK_QUEUE,
        duplicate_window=DELIVERY_DEDUPE_WINDOW_S,
        storage=StorageType.FILE,
    )


def deliveries_consumer_config(settings: Settings) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=settings.webhook_durable,
        description="Webhook dispatchers share this consumer; retries are naks with the backoff's delay",
        ack_policy=AckPolicy.EXPLICIT,
        # An attempt takes at most the timeout; a dispatcher that dies mid-attempt is redelivered after this.
        ack_wait=settings.webhook_timeout_s + 20,
        max_deliver=-1,  # the dispatcher counts attempts and gives up itself
        max_ack_pending=MAX_PENDING_DELIVERIES,
        filter_subject=settings.webhook_subject,
    )


def record_buckets(settings: Settings) -> dict[str, str]:
    """The record kinds whose endings are events, and their key-value buckets."""
    return {"job": settings.jobs_bucket, "comparison": settings.comparisons_bucket}


def changes_durable(settings: Settings, kind: str) -> str:
    return f"{settings.webhook_durable}-{kind}-changes"


def changes_consumer_config(settings: Settings, kind: str, bucket: str) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=changes_durable(settings, kind),
        description=f"Every change of a {kind} record; the webhook dispatcher turns endings into deliveries",
        deliver_policy=DeliverPolicy.NEW,  # records ended before webhooks existed send nothing
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=CHANGE_ACK_WAIT_S,
        max_deliver=CHANGE_MAX_DELIVER,
        filter_subject=f"$KV.{bucket}.>",
    )


@patient("creating the webhook streams")
async def ensure_webhook_streams(js: JetStreamContext, settings: Settings) -> None:
    """The deliveries stream and the consumers; the record buckets must exist already."""
    async with broker_errors("creating the webhook streams"):
        await ensure_stream(js, deliveries_stream_config(settings), settings.stream_replicas)
        await js.add_consumer(settings.webhook_stream, deliveries_consumer_config(settings))
        for kind, bucket in record_buckets(settings).items():
            try:
                await js.consumer_info(f"KV_{bucket}", changes_durable(settings, kind))
            except NotFoundError:  # created once: its start ("new changes") is fixed at creation
                await js.add_consumer(f"KV_{bucket}", changes_consumer_config(settings, kind, bucket))
