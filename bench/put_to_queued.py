"""Benchmark: time from a PUT completing to its job being ``queued`` (no /confirm: the event path).

``python -m bench.put_to_queued --uploads 500``. Watches the job store's update subject, so the
moment a record turns ``queued`` is seen without polling. Figures only, never a gate.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.local_stack import bench_stack
from bench.upload_url_load import percentile
from infra.broker import connect_nats

BODY = b"\x00" * 1024


async def measure(stack, uploads: int) -> list[float]:
    nc = await connect_nats(stack.settings, "bench")
    queued_at: dict[str, float] = {}
    arrived = asyncio.Event()

    async def on_update(message) -> None:
        record = json.loads(message.data or b"{}")
        if record.get("status") == "queued" and record["job_id"] not in queued_at:
            queued_at[record["job_id"]] = time.perf_counter()
            arrived.set()

    await nc.subscribe(f"$KV.{stack.settings.jobs_bucket}.>", cb=on_update)
    latencies = []
    async with aiohttp.ClientSession() as session:
        for _ in range(uploads):
            async with session.post(f"{stack.api}/api/v1/analyze/upload-url", params={"filename": "b.mp4"}) as r:
                upload = await r.json()
            async with session.put(upload["upload_url"], data=BODY, headers={"Content-Type": "video/mp4"}) as r:
                assert r.status == 200
            put_done = time.perf_counter()
            while upload["job_id"] not in queued_at:
                arrived.clear()
                await asyncio.wait_for(arrived.wait(), timeout=30)
            latencies.append(queued_at[upload["job_id"]] - put_done)
    await nc.close()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dance-bench-") as tmp, bench_stack(
        Path(tmp), services=("listener", "gateway")
    ) as stack:
        asyncio.run(measure(stack, 20))  # warm-up
        latencies = asyncio.run(measure(stack, args.uploads))
    ms = [value * 1000 for value in latencies]
    print(f"PUT done -> job queued via the bucket event, {args.uploads} uploads of 1 KiB, loopback")
    print(f"  p50 {percentile(ms, 0.50):7.2f} ms   p99 {percentile(ms, 0.99):7.2f} ms   max {max(ms):7.2f} ms")


if __name__ == "__main__":
    main()
