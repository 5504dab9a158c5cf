"""The listener's Prometheus metrics."""
from __future__ import annotations

from prometheus_client import Counter, Gauge

EVENTS = Counter("dance_listener_events_total", "Bucket event records handled, by outcome", ["outcome"])
DEAD_LETTERS = Counter("dance_listener_dead_letters_total", "Events copied to the dead-letter subject", ["reason"])
JOBS = Gauge("dance_jobs", "Jobs by status, as of the reconciler's last sweep", ["status"])
QUEUE_DEPTH = Gauge("dance_work_queue_depth", "Pose jobs waiting for a worker")
GIVEN_UP = Counter("dance_jobs_given_up_total", "Jobs failed because their worker kept dying")
