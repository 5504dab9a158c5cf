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
DANCE_ANALYSIS_SECONDS = Histogram(
    "dance_worker_dance_analysis_seconds", "Seconds the dance analysis stage took (audio, beats, report)",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
DANCE_ANALYSIS_FAILURES = Counter(
    "dance_worker_dance_analysis_failures_total", "Dance analyses that failed (the job completed without analysis.json)"
)
