"""``python -m pose_worker``: run pose estimation on queued jobs."""
from __future__ import annotations

import asyncio

from infra.lifecycle import configure_logging, stop_event_on_signals
from infra.settings import Settings
from pose_worker.service import run_worker


async def main(settings: Settings) -> None:
    await run_worker(settings, stop_event_on_signals())


if __name__ == "__main__":
    settings = Settings()
    configure_logging(settings)
    if settings.workers_per_gpu > 1:
        from pose_worker.worker_pool import run_pool

        run_pool(settings)
    else:
        asyncio.run(main(settings))
