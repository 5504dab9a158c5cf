"""Retention is applied at provisioning: lifecycle rules on the bucket, a time to live on records."""
from __future__ import annotations

from infra.storage import make_s3_client
from operations.provision import provision
from operations.retention import SECONDS_PER_DAY
from tests.conftest import isolated_names


def rules_of(settings) -> dict[str, int]:
    config = make_s3_client(settings).get_bucket_lifecycle(settings.bucket)
    if config is None:
        return {}
    return {rule.rule_filter.prefix: rule.expiration.days for rule in config.rules}


async def record_ttls(nats_client, settings) -> set[int]:
    js = nats_client.jetstream()
    buckets = (settings.jobs_bucket, f"{settings.jobs_bucket}-index",
               settings.comparisons_bucket, f"{settings.comparisons_bucket}-index")
    return {int((await js.stream_info(f"KV_{bucket}")).config.max_age or 0) for bucket in buckets}


async def test_videos_results_and_records_expire_after_the_retention_and_zero_keeps_them(provisioned, nats_client):
    assert rules_of(provisioned) == {"uploads/": 30, "results/": 30}  # the default
    settings = provisioned.model_copy(update={**isolated_names("retention"), "retention_days": 7})
    await provision(settings)
    assert rules_of(settings) == {"uploads/": 7, "results/": 7}
    assert await record_ttls(nats_client, settings) == {7 * SECONDS_PER_DAY}
    forever = settings.model_copy(update={"retention_days": 0})
    await provision(forever)
    await provision(forever)  # again: nothing to remove is fine
    assert rules_of(forever) == {}
    assert await record_ttls(nats_client, forever) == {0}
