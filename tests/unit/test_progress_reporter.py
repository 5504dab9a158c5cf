"""The progress reporter stops when its block ends, even if a cancellation is swallowed."""
from __future__ import annotations

import asyncio

import pytest

from pose_worker.progress import ProgressReporter


async def test_progress_is_published_on_a_timer_and_stops_with_the_block():
    published: list[float] = []

    async def publish(fraction: float) -> None:
        published.append(fraction)

    async with ProgressReporter(publish, interval_s=0.05) as progress:
        progress.set(0.5)
        await asyncio.sleep(0.2)
    count = len(published)
    await asyncio.sleep(0.2)
    assert count >= 2 and published[-1] == 0.5
    assert len(published) == count  # nothing after the block ended


@pytest.mark.timeout(20)  # the old reporter never left its block: fail fast, not after 5 minutes
async def test_a_publish_that_swallows_cancellation_does_not_keep_the_reporter_alive():
    calls = 0

    async def stubborn_publish(fraction: float) -> None:
        # Like asyncio.wait_for on Python 3.11 when the awaited reply lands with the cancel.
        nonlocal calls
        calls += 1
        try:
            await asyncio.sleep(0.1)
        except asyncio.CancelledError:
            pass

    async with ProgressReporter(stubborn_publish, interval_s=0.01):
        await asyncio.sleep(0.05)
    after_exit = calls
    await asyncio.sleep(0.3)
    assert calls == after_exit
