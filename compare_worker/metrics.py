"""The compare worker's Prometheus metrics."""
from __future__ import annotations

from prometheus_client import Counter, Histogram

COMPARISONS = Counter("dance_compare_comparisons_total", "Compare messages handled, by outcome", ["outcome"])
COMPARE_SECONDS = Histogram(
    "dance_compare_seconds", "Seconds from claim to result stored", buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300)
)
