"""Benchmark: what jobs left waiting for their upload cost the listener, and how soon a lost event is caught.

``python -m bench.listener_sweep --jobs 100000 --measure-s 120``. Starts nats-server, MinIO and the
listener (local processes, free ports) and creates ``--jobs`` jobs waiting for an upload the way the
gateway does (``JobStore.create`` with its ``UploadWaits``), concurrently, from this process. Once
every job has had its early checks, it measures for ``--measure-s`` seconds the listener's CPU
(utime + stime from /proc/<pid>/stat, % of one core; nats-server's beside it) and the S3 requests
per second that MinIO served (its own ``minio_s3_requests_total``). Then it loses an event: with the
bucket's notification removed, one more job's video is PUT, so no event reaches NATS, and the time
until the job is queued is the checker's alone. Upload URLs live 2 h here, so no job comes due
for its expiry check while measuring. Figures only, never a gate.

(Before upload checks, the listener read every job every 30 s and listed S3 once per waiting job:
6,000 waiting jobs kept it at about 48 % of a core.)
"""
from __future__ import annotations

import argparse
import asyncio
import io
import os
import re
import tempfile
import time
import uuid
from pathlib import Path

import requests

from bench.local_stack import BenchStack, bench_stack
from domain.job_store import JobStore
from domain.jobs import JobRecord, JobStatus
from domain.upload_waits import UploadWaits
from infra.broker import connect_nats
from infra.storage import make_s3_client
from operations.provision import ensure_bucket
from tests.helpers import find_event
from tests.processes import free_port

#: Upload URLs outlive the run, so the only checks due while measuring are the ones a real lull has: none.
URL_LIFETIME_S = 2 * 3600
#: Jobs created at once; the store's three writes per job wait on NATS, not on this process.
CREATORS = 256
VIDEO = b"\x00" * 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14 and 15


def metric_sum(url: str, name: str) -> float:
    """The sum of a Prometheus counter's samples over all its labels."""
    text = requests.get(url, timeout=10).text
    return sum(float(value) for value in re.findall(rf"^{re.escape(name)}(?:{{[^}}]*}})? ([0-9.e+-]+)$", text, re.MULTILINE))


def new_job() -> JobRecord:
    job_id = str(uuid.uuid4())
    return JobRecord.new(job_id, "abandoned.mp4", "video/mp4", f"uploads/{job_id}/abandoned.mp4", URL_LIFETIME_S)


async def create_jobs(store: JobStore, count: int) -> None:
    remaining = iter(range(count))

    async def creator() -> None:
        for n in remaining:
            await store.create(new_job())
            if (n + 1) % 20_000 == 0:
                print(f"  {n + 1} jobs created", flush=True)

    await asyncio.gather(*(creator() for _ in range(CREATORS)))


async def wait_for_early_checks(listener_metrics: str, last_created: float, last_age_s: float, poll_s: float = 15) -> float:
    """Wait until the last job's early checks have come due and the listener has worked off its backlog
    (its count of checks stands still for ``poll_s``); returns that count. A check made late, past a
    later age, stands for both, so a backlog makes fewer checks than jobs times ages."""
    await asyncio.sleep(max(0.0, last_created + last_age_s + 2 - time.monotonic()))
    before = -1.0
    while (done := metric_sum(listener_metrics, "dance_upload_checks_total")) != before:
        print(f"  {done:.0f} checks done", flush=True)
        before = done
        await asyncio.sleep(poll_s)
    return done


def measure(stack: BenchStack, listener_metrics: str, seconds: float) -> dict[str, float]:
    """CPU of the listener and nats-server (% of one core), S3 requests and checks per second, over ``seconds``."""
    pids = {"listener": stack.processes["listener"].process.pid, "nats-server": stack.servers.nats.process.pid}
    minio_metrics = f"{stack.settings.s3_endpoint}/minio/v2/metrics/node"
    cpu = {name: cpu_seconds(pid) for name, pid in pids.items()}
    s3, checks, started = metric_sum(minio_metrics, "minio_s3_requests_total"), metric_sum(listener_metrics, "dance_upload_checks_total"), time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - started
    figures = {f"{name} CPU %": 100 * (cpu_seconds(pid) - cpu[name]) / elapsed for name, pid in pids.items()}
    figures["S3 requests/s (MinIO's count)"] = (metric_sum(minio_metrics, "minio_s3_requests_total") - s3) / elapsed
    figures["checks/s (listener's count)"] = (metric_sum(listener_metrics, "dance_upload_checks_total") - checks) / elapsed
    return figures


async def lose_an_event(stack: BenchStack, store: JobStore) -> tuple[float, bool]:
    """Seconds from a PUT whose event never reaches the listener to its job being queued; and whether an event came."""
    settings = stack.settings
    s3 = make_s3_client(settings)
    await asyncio.to_thread(s3.delete_bucket_notification, settings.bucket)  # MinIO sends nothing for this PUT
    job = await store.create(new_job())
    await asyncio.to_thread(s3.put_object, settings.bucket, job.s3_key, io.BytesIO(VIDEO), len(VIDEO))
    uploaded = time.monotonic()
    await asyncio.to_thread(ensure_bucket, s3, settings.bucket)  # notifications back on
    while (await store.get(job.job_id)).status is JobStatus.AWAITING_UPLOAD:
        assert time.monotonic() - uploaded < 600, "the job was never queued"
        await asyncio.sleep(0.1)
    caught_s = time.monotonic() - uploaded
    nc = await connect_nats(settings, "bench-events")
    try:
        event = await find_event(nc.jetstream(), settings, job.s3_key)
    finally:
        await nc.close()
    return caught_s, event is not None


async def run(stack: BenchStack, jobs: int, measure_s: float) -> None:
    settings = stack.settings
    listener_metrics = f"http://127.0.0.1:{settings.metrics_port}/metrics"
    nc = await connect_nats(settings, "bench")
    try:
        js = nc.jetstream()
        store = await JobStore.open(js, settings.jobs_bucket, UploadWaits(js, settings))
        started = time.monotonic()
        await create_jobs(store, jobs)
        took = time.monotonic() - started
        print(f"created {jobs} waiting jobs in {took:.0f} s ({jobs / took:.0f}/s)", flush=True)
        checks = await wait_for_early_checks(listener_metrics, time.monotonic(), max(settings.upload_check_ages, default=0))
        waiting = await store.waits.total()
        print(f"early checks done: {checks:.0f} checks, {time.monotonic() - started:.0f} s after the first job; "
              f"{waiting} jobs waiting", flush=True)
        figures = await asyncio.to_thread(measure, stack, listener_metrics, measure_s)
        print(f"over {measure_s:.0f} s with {waiting} jobs waiting for their upload ({os.cpu_count()} cores):")
        for name, value in figures.items():
            print(f"  {name:32} {value:8.2f}")
        caught_s, event_came = await lose_an_event(stack, store)
        print(f"an upload whose event was lost{' (an event did arrive!)' if event_came else ''}: "
              f"queued by its check {caught_s:.1f} s after the PUT (checks at {settings.upload_check_after_s} s of age)")
    finally:
        await nc.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--measure-s", type=float, default=120)
    args = parser.parse_args()
    # MinIO (a child process) inherits this: its request counters answer without a token.
    os.environ["MINIO_PROMETHEUS_AUTH_TYPE"] = "public"
    with tempfile.TemporaryDirectory(prefix="dance-bench-") as tmp, bench_stack(
        Path(tmp), services=("listener",), upload_expiry_s=URL_LIFETIME_S, metrics_port=free_port()
    ) as stack:
        stack.processes["listener"].wait_for_url(f"http://127.0.0.1:{stack.settings.metrics_port}/metrics")
        asyncio.run(run(stack, args.jobs, args.measure_s))


if __name__ == "__main__":
    main()
