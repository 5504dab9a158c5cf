"""``python -m compare_worker``: run queued comparisons of an attempt with a reference dance."""
from __future__ import annotations

import asyncio

from compare_worker.service import run_compare_worker
from infra.lifecycle import configure_logging, stop_event_on_signals
from infra.settings import Settings


async def main(settings: Settings) -> None:
    await run_compare_worker(settings, stop_event_on_signals())


if __name__ == "__main__":
    settings = Settings()
    configure_logging(settings)
    asyncio.run(main(settings))
