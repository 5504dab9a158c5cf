"""The pose worker's Prometheus metrics."""
from __future__ import annotations

from prometheus_client import Counter, Histogram

#: Buckets from a short clip to a long rehearsal video on CPU.
PROCESSING_BUCKETS = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 3600)

JOBS = Counter("dance_worker_jobs_total", "Work messages handled, by outcome", ["outcome"])
FAILURES = Counter("dance_worker_failures_total", "Jobs ended failed, by error code", ["code"])
PROCESSING_SECONDS = Histogram(
    "dance_worker_processing_seconds", "Seconds from claim to results written", buckets=PROCESSING_BUCKETS
)
FRAMES = Counter("dance_worker_frames_total", "Video frames analysed")
