"""Helpers for process entry points: logging set-up and a stop event wired to SIGTERM/SIGINT."""
from __future__ import annotations

import asyncio
import faulthandler
import logging
import signal
import sys

from infra.settings import Settings


def configure_logging(settings: Settings) -> None:
    """One line per record, to stderr; called only by entry points.

    ``kill -USR1 <pid>`` also writes every thread's stack to stderr, to see where a process hangs.
    """
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)


def stop_event_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT, so loops can finish their work before exiting."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop
