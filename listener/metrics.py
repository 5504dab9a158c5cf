"""The listener's Prometheus metrics."""
from __future__ import annotations

from prometheus_client import Counter, Gauge

EVENTS = Counter("dance_listener_events_total", "Bucket event records handled, by outcome", ["outcome"])
DEAD_LETTERS = Counter("dance_listener_dead_letters_total", "Events copied to the dead-letter subject", ["reason"])
AWAITING_UPLOAD = Gauge("dance_jobs_awaiting_upload", "Jobs waiting for their upload (messages in the upload checks stream)")
QUEUE_DEPTH = Gauge("dance_work_queue_depth", "Pose jobs waiting for a worker")
UPLOAD_CHECKS = Counter(
    "dance_upload_checks_total", "Due checks of a waiting job's upload (one S3 listing each), by the job's status after", ["status"]
)
GIVEN_UP = Counter("dance_jobs_given_up_total", "Jobs failed because their worker kept dying")
