"""Retention: after ``DANCE_RETENTION_DAYS`` a job's videos, results and records are gone by themselves.

- Objects: bucket lifecycle rules for ``uploads/`` and ``results/`` (every version expires; a
  multipart upload left incomplete is aborted after a day past its 24 h window), which MinIO and S3
  apply on their own schedule.
- Records: the key-value buckets of jobs and comparisons, and their indexes, get a time to live (a record
  expires that long after its last change).
Applied at provisioning, so changing the setting and running ``make up`` again (or the
provisioning job) updates both. 0 keeps everything for ever.
"""
from __future__ import annotations

import logging

from minio import Minio
from minio.commonconfig import ENABLED, Filter
from minio.lifecycleconfig import (
    AbortIncompleteMultipartUpload,
    Expiration,
    LifecycleConfig,
    NoncurrentVersionExpiration,
    Rule,
)
from nats.js import JetStreamContext

from domain.object_keys import JOB_PREFIXES
from infra.broker import broker_errors
from infra.settings import Settings
from infra.storage import storage_errors

log = logging.getLogger(__name__)

SECONDS_PER_DAY = 86_400


def lifecycle_rules(days: int) -> LifecycleConfig | None:
    """The bucket's rules for a retention of ``days`` (None: no rules)."""
    if days <= 0:
        return None
    return LifecycleConfig([
        Rule(
            ENABLED,
            rule_filter=Filter(prefix=prefix),
            rule_id=f"dance-retention-{prefix.rstrip('/')}",
            expiration=Expiration(days=days),
            noncurrent_version_expiration=NoncurrentVersionExpiration(noncurrent_days=1),
            abort_incomplete_multipart_upload=AbortIncompleteMultipartUpload(days_after_initiation=2),
        )
        for prefix in JOB_PREFIXES
    ])


def apply_bucket_retention(client: Minio, bucket: str, days: int) -> None:
    rules = lifecycle_rules(days)
    with storage_errors("setting the bucket's lifecycle"):
        if rules is None:
            client.delete_bucket_lifecycle(bucket)
        else:
            client.set_bucket_lifecycle(bucket, rules)
    log.info("bucket %s: %s", bucket, f"objects expire after {days} days" if rules else "objects kept for ever")


async def apply_record_retention(js: JetStreamContext, settings: Settings) -> None:
    """A time to live on every record bucket's stream (0: none)."""
    max_age = settings.retention_days * SECONDS_PER_DAY if settings.retention_days > 0 else 0
    async with broker_errors("setting record retention"):
        for bucket in (
            settings.jobs_bucket, f"{settings.jobs_bucket}-index",
            settings.comparisons_bucket, f"{settings.comparisons_bucket}-index",
        ):
            info = await js.stream_info(f"KV_{bucket}")
            if (info.config.max_age or 0) != max_age:
                info.config.max_age = max_age
                await js.update_stream(info.config)
                log.info("records in %s now expire after %s s", bucket, max_age or "never")
