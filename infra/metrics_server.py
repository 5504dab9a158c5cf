"""A process's own small HTTP server (listener, workers, dispatcher have no API): Prometheus
``/metrics``, and the probes an orchestrator asks, ``/healthz`` (the process answers) and
``/readyz`` (it is connected to NATS and can work)."""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

from infra.settings import Settings

log = logging.getLogger(__name__)


class Probes:
    """What ``/readyz`` answers: not ready until the process says how to tell (``ready_when``)."""

    def __init__(self) -> None:
        self._ready: Callable[[], bool] = lambda: False

    def ready_when(self, check: Callable[[], bool]) -> None:
        self._ready = check

    def ready(self) -> bool:
        try:
            return bool(self._ready())
        except Exception:  # a probe that cannot tell is not ready
            return False


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # probes come every few seconds; the process log is for events


def _app(probes: Probes):
    metrics = make_wsgi_app()

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return _json(start_response, 200, {"status": "ok"})
        if path == "/readyz":
            ready = probes.ready()
            return _json(start_response, 200 if ready else 503, {"status": "ready" if ready else "not ready"})
        return metrics(environ, start_response)

    return app


def _json(start_response, status: int, body: dict) -> list[bytes]:
    data = json.dumps(body).encode()
    reason = "OK" if status == 200 else "Service Unavailable"
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def serve_metrics(settings: Settings, process: str) -> Probes:
    """Start ``/metrics``, ``/healthz`` and ``/readyz`` in a background thread, unless ``metrics_port``
    is 0; the caller tells the returned ``Probes`` when it is ready."""
    probes = Probes()
    if settings.metrics_port:
        server = make_server(settings.http_host, settings.metrics_port, _app(probes), ThreadingWSGIServer, handler_class=_QuietHandler)
        threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
        log.info("%s metrics and probes on http://%s:%d/metrics", process, settings.http_host, settings.metrics_port)
    return probes
