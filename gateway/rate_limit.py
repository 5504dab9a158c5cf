"""Job creation rate limits: a token bucket per API key (per client address when the gateway runs open).

Each caller may create ``rate_per_s`` jobs a second on average and ``burst`` at once; beyond that
the answer is 429 ``rate_limited`` with ``Retry-After``. Buckets live in this gateway process: with
several gateway replicas behind a balancer, a caller's limit is per replica.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

from aiohttp import web

from gateway.auth import OWNER
from infra.errors import RateLimited

#: Idle buckets are dropped past this many callers (a full bucket is the same as none).
MAX_BUCKETS = 10_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class JobRateLimiter:
    def __init__(self, rate_per_s: float, burst: int, clock=time.monotonic) -> None:
        self._rate = rate_per_s
        self._burst = max(burst, 1)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    @property
    def enabled(self) -> bool:
        return self._rate > 0

    def take(self, caller: str) -> None:
        """Spend one token of ``caller``'s bucket, or raise ``RateLimited`` saying when one is back."""
        if not self.enabled:
            return
        now = self._clock()
        bucket = self._buckets.get(caller) or _Bucket(tokens=self._burst, updated=now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        if bucket.tokens < 1:
            wait = math.ceil((1 - bucket.tokens) / self._rate)
            raise RateLimited(
                f"too many jobs created: at most {self._rate:g} a second (bursts of {self._burst}); retry in {wait} s",
                retry_after_s=wait,
            )
        bucket.tokens -= 1
        self._buckets[caller] = bucket
        if len(self._buckets) > MAX_BUCKETS:
            self._forget_full(now)

    def _forget_full(self, now: float) -> None:
        full_after = self._burst / self._rate
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < full_after}


def caller_of(request: web.Request) -> str:
    """Who a limit applies to: the API key's owner id, or the client's address when the API is open."""
    return request.get(OWNER) or f"address:{request.remote}"
