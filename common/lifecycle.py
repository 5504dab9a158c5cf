"""Helpers for process entry points: logging set-up and a stop event wired to SIGTERM/SIGINT."""
from __future__ import annotations

import asyncio
import logging
import signal

from common.settings import Settings


def configure_logging(settings: Settings) -> None:
    """One line per record, to stderr; called only by entry points."""
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )


def stop_event_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT, so loops can finish their work before exiting."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop
