"""Benchmark: ``POST /upload-url`` requests per second and latency under concurrent load (loopback).

``python -m bench.upload_url_load --requests 3000 --concurrency 32``. Figures only, never a gate.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.local_stack import bench_stack


async def hammer(api: str, total: int, concurrency: int) -> tuple[float, list[float], int]:
    """Send ``total`` requests from ``concurrency`` clients; returns wall time, latencies, failures."""
    latencies: list[float] = []
    failures = 0
    remaining = iter(range(total))
    url = f"{api}/api/v1/analyze/upload-url"

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal failures
        for _ in remaining:
            started = time.perf_counter()
            async with session.post(url, params={"filename": "load.mp4", "content_type": "video/mp4"}) as response:
                await response.read()
                if response.status != 200:
                    failures += 1
            latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
        return time.perf_counter() - started, latencies, failures


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(fraction * len(ordered)), len(ordered) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dance-bench-") as tmp, bench_stack(Path(tmp), services=("gateway",)) as stack:
        asyncio.run(hammer(stack.api, 200, args.concurrency))  # warm-up
        wall, latencies, failures = asyncio.run(hammer(stack.api, args.requests, args.concurrency))
    print(f"upload-url: {args.requests} requests, {args.concurrency} concurrent clients, loopback, 2 cores shared")
    print(f"  throughput  {args.requests / wall:8.1f} req/s   failures {failures}")
    print(f"  latency p50 {percentile(latencies, 0.50) * 1000:8.2f} ms")
    print(f"  latency p99 {percentile(latencies, 0.99) * 1000:8.2f} ms")
    print(f"  latency max {max(latencies) * 1000:8.2f} ms   mean {statistics.mean(latencies) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
