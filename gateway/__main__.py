"""``python -m gateway``: serve the HTTP API."""
from __future__ import annotations

import logging

from aiohttp import web

from gateway.app import create_app
from infra.lifecycle import configure_logging
from infra.settings import Settings

log = logging.getLogger("gateway")

if __name__ == "__main__":
    settings = Settings()
    configure_logging(settings)
    log.info("gateway on http://%s:%d (docs at /docs)", settings.http_host, settings.http_port)
    # aiohttp's runner handles SIGTERM/SIGINT: it stops accepting, then runs cleanup_ctx.
    web.run_app(create_app(settings), host=settings.http_host, port=settings.http_port, print=None)
