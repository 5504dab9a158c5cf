"""Serve a process's Prometheus metrics on their own port (listener and workers have no HTTP API)."""
from __future__ import annotations

import logging

from prometheus_client import start_http_server

from common.settings import Settings

log = logging.getLogger(__name__)


def serve_metrics(settings: Settings, process: str) -> None:
    """Start the /metrics endpoint in a background thread, unless ``metrics_port`` is 0."""
    if settings.metrics_port:
        start_http_server(settings.metrics_port, addr=settings.http_host)
        log.info("%s metrics on http://%s:%d/metrics", process, settings.http_host, settings.metrics_port)
