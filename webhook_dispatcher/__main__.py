"""``python -m webhook_dispatcher``: send job and comparison endings to the webhook endpoints, signed."""
from __future__ import annotations

import asyncio

from infra.lifecycle import configure_logging, stop_event_on_signals
from infra.settings import Settings
from webhook_dispatcher.service import run_dispatcher


async def run(settings: Settings) -> None:
    await run_dispatcher(settings, stop_event_on_signals())


def main() -> None:
    settings = Settings()
    configure_logging(settings)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
