"""Create what the pipeline needs in NATS and MinIO, idempotently: ``python -m operations.provision``.

Order matters: MinIO with JetStream waits for a stream's ack, so the events stream must exist
before the bucket starts sending notifications.
"""
from __future__ import annotations

import asyncio
import logging

from minio import Minio
from minio.notificationconfig import NotificationConfig, PrefixFilterRule, QueueConfig
from minio.versioningconfig import ENABLED, VersioningConfig

from domain.comparisons import ComparisonStore
from domain.job_store import JobStore
from domain.object_keys import RESULTS_PREFIX, UPLOADS_PREFIX
from domain.upload_waits import UploadWaits
from domain.webhook_deliveries import DeliveryStore
from domain.webhooks import WebhookStore
from infra.broker import connect_nats, patient
from infra.lifecycle import configure_logging
from infra.replicas import apply_stream_replicas
from infra.settings import Settings
from infra.storage import make_s3_client, storage_errors
from infra.streams import ensure_streams
from infra.webhook_streams import ensure_webhook_streams
from operations.retention import apply_bucket_retention, apply_record_retention

log = logging.getLogger(__name__)

#: The uploads a job is made for live under this prefix; only they trigger work.
#: MinIO's NATS targets (deploy/local/run-minio.sh): PRIMARY queues events on disk and
#: survives NATS outages but is drained every 3 s; FAST publishes at once, best effort.
NATS_TARGET_ARNS = {"uploads-durable": "arn:minio:sqs::PRIMARY:nats", "uploads-fast": "arn:minio:sqs::FAST:nats"}


async def provision(settings: Settings) -> None:
    """Streams, consumers and job store first, then the bucket and its notification."""
    nc = await connect_nats(settings, "provision")
    try:
        js = nc.jetstream()
        await ensure_streams(js, settings)
        jobs = await JobStore.open(js, settings.jobs_bucket, UploadWaits(js, settings))
        comparisons = await ComparisonStore.open(js, settings.comparisons_bucket)
        await WebhookStore.open(js, settings.webhooks_bucket)
        await DeliveryStore.open_for(js, settings)
        await ensure_webhook_streams(js, settings)
        indexed = await jobs.backfill_index()
        if indexed:
            log.info("indexed %d jobs created before the job index", indexed)
        listed = await comparisons.backfill_index()
        if listed:
            log.info("indexed %d comparisons created before the comparison index", listed)
        checked = await jobs.backfill_checks()
        if checked:
            log.info("scheduled upload checks for %d jobs created before upload checks", checked)
        await apply_record_retention(js, settings)
        await apply_stream_replicas(js, settings)
    finally:
        await nc.close()
    client = make_s3_client(settings)
    await asyncio.to_thread(ensure_bucket, client, settings.bucket)
    await asyncio.to_thread(apply_bucket_retention, client, settings.bucket, settings.retention_days)


def ensure_bucket(client: Minio, bucket: str) -> None:
    """Create the bucket, version its uploads, and subscribe them to the NATS target.

    Versioning is what makes an upload URL one-time: a second PUT to the same key becomes a
    newer version, and a job always analyses the oldest one.
    """
    with storage_errors("creating the bucket"):
        if not client.bucket_exists(bucket):
            client.make_bucket(bucket)
            log.info("created bucket %s", bucket)
        client.set_bucket_versioning(bucket, VersioningConfig(ENABLED, excluded_prefixes=[RESULTS_PREFIX]))
        client.set_bucket_notification(
            bucket,
            NotificationConfig(
                queue_config_list=[
                    QueueConfig(
                        queue=arn,
                        events=["s3:ObjectCreated:*"],
                        config_id=config_id,
                        prefix_filter_rule=PrefixFilterRule(UPLOADS_PREFIX),
                    )
                    for config_id, arn in NATS_TARGET_ARNS.items()
                ]
            ),
        )


@patient("provisioning")
async def provision_patiently(settings: Settings) -> None:
    """``provision``, tried again while a fresh cluster elects its leaders or MinIO nodes join."""
    await provision(settings)


def main() -> None:
    settings = Settings()
    configure_logging(settings)
    asyncio.run(provision_patiently(settings))
    print(f"provisioned: streams {settings.events_stream}, {settings.work_stream}; "
          f"job store {settings.jobs_bucket}; bucket {settings.bucket} -> NATS")


if __name__ == "__main__":
    main()
