"""Job creation is rate limited per API key (per client address when open), with Retry-After."""
from __future__ import annotations

import pytest
import requests

from gateway.rate_limit import JobRateLimiter
from infra.errors import RateLimited
from tests.conftest import API_KEYS, start_stack


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_its_rate():
    clock = FakeClock()
    limiter = JobRateLimiter(rate_per_s=2, burst=3, clock=clock)
    for _ in range(3):
        limiter.take("alice")
    with pytest.raises(RateLimited) as refused:
        limiter.take("alice")
    assert refused.value.retry_after_s == 1
    limiter.take("bob")  # another caller has a bucket of its own
    clock.now = 0.5  # one token back at 2 a second
    limiter.take("alice")
    with pytest.raises(RateLimited):
        limiter.take("alice")


def test_a_rate_of_zero_means_no_limit():
    limiter = JobRateLimiter(rate_per_s=0, burst=1)
    for _ in range(100):
        limiter.take("alice")


@pytest.fixture(scope="module")
def limited_gateway(provisioned):
    running = start_stack(
        provisioned.model_copy(update={"api_keys": ",".join(API_KEYS), "rate_limit_per_s": 0.5, "rate_limit_burst": 3}),
        services=("gateway",),
    )
    yield running
    running.stop()


def test_creating_jobs_too_fast_is_429_with_retry_after_for_that_key_only(limited_gateway):
    alice, bob = ({"Authorization": f"Bearer {key}"} for key in API_KEYS)
    url = f"{limited_gateway.api}/api/v1/analyze/upload-url"
    answers = [requests.post(url, params={"filename": "a.mp4"}, headers=alice, timeout=10) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 2
    multipart = requests.post(f"{limited_gateway.api}/api/v1/analyze/multipart",
                              json={"filename": "b.mp4", "size": 1000}, headers=alice, timeout=10)
    assert multipart.status_code == 429
    assert requests.post(url, params={"filename": "a.mp4"}, headers=bob, timeout=10).status_code == 200
