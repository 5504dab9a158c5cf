"""The webhook dispatcher's Prometheus metrics."""
from __future__ import annotations

from prometheus_client import Counter, Histogram

EVENTS = Counter("dance_webhook_events_total", "Job and comparison endings seen, by event type", ["type"])
ATTEMPTS = Counter(
    "dance_webhook_attempts_total", "Delivery attempts, by outcome (succeeded, retrying, failed, dropped)", ["outcome"]
)
ATTEMPT_SECONDS = Histogram(
    "dance_webhook_attempt_seconds", "Seconds one delivery attempt took", buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
)
