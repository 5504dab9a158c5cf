"""Benchmark: a 1 GiB upload, direct PUT to MinIO vs the legacy endpoint, and the gateway's memory.

``python -m bench.upload_throughput --mib 1024``. Reports MB/s for both paths and the gateway's
peak RSS growth while it streams the legacy upload (target: under 32 MB). Never a gate.
"""
from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
import time
from pathlib import Path

import aiohttp

from bench.local_stack import bench_stack

CHUNK = 1024**2


def make_file(path: Path, mib: int) -> Path:
    block = bytes(range(256)) * (CHUNK // 256)
    with path.open("wb") as out:
        for _ in range(mib):
            out.write(block)
    return path


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class RssSampler:
    """Samples a process's resident memory every 20 ms in a background thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.baseline = rss_kib(pid)
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.02)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def file_chunks(path: Path):
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


async def direct_put(api: str, path: Path) -> float:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{api}/api/v1/analyze/upload-url", params={"filename": "big.mp4"}) as response:
            upload = await response.json()
        started = time.perf_counter()
        headers = {"Content-Type": "video/mp4", "Content-Length": str(path.stat().st_size)}
        async with session.put(upload["upload_url"], data=file_chunks(path), headers=headers) as response:
            assert response.status == 200, await response.text()
        return time.perf_counter() - started


async def legacy_post(api: str, path: Path) -> float:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None)) as session:
        with aiohttp.MultipartWriter("form-data") as form:
            part = form.append(path.open("rb"), {"Content-Type": "video/mp4"})
            part.set_content_disposition("form-data", name="file", filename="big.mp4")
            started = time.perf_counter()
            async with session.post(f"{api}/api/v1/analyze", data=form) as response:
                assert response.status == 200, await response.text()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dance-bench-") as tmp:
        big = make_file(Path(tmp) / "big.mp4", args.mib)
        with bench_stack(Path(tmp), services=("gateway",)) as stack:
            gateway_pid = stack.processes["gateway"].process.pid
            direct_s = asyncio.run(direct_put(stack.api, big))
            with RssSampler(gateway_pid) as rss:
                legacy_s = asyncio.run(legacy_post(stack.api, big))
    mb = args.mib * CHUNK / 1e6
    print(f"{args.mib} MiB file, loopback, MinIO on local disk, 2 cores shared by client, gateway and MinIO")
    print(f"  direct PUT to MinIO    {mb / direct_s:8.1f} MB/s  ({direct_s:.1f} s)")
    print(f"  legacy POST /analyze   {mb / legacy_s:8.1f} MB/s  ({legacy_s:.1f} s)")
    print(f"  gateway RSS during legacy upload: baseline {rss.baseline / 1024:.1f} MiB, "
          f"peak {rss.peak / 1024:.1f} MiB, growth {(rss.peak - rss.baseline) / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
