"""``python -m listener``: match MinIO upload events to jobs and queue them."""
from __future__ import annotations

import asyncio

from common.lifecycle import configure_logging, stop_event_on_signals
from common.settings import Settings
from listener.service import run_listener


async def main(settings: Settings) -> None:
    await run_listener(settings, stop_event_on_signals())


if __name__ == "__main__":
    settings = Settings()
    configure_logging(settings)
    asyncio.run(main(settings))
