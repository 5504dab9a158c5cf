"""Benchmark: jobs per minute with 1, 2 and 4 pose workers on the cluster stack, and a leader kill.

``make bench`` (or ``python -m bench.cluster_throughput --jobs 40``). Starts three NATS servers and
MinIO over four nodes (tests/cluster_env.py, state in a temp dir), then for each worker count uploads
the short clips as fast as eight client threads can and times them until the last job completes.
A last round with two workers uploads at a steady pace and kill -9s the work stream's JetStream
leader a few seconds in. Prints figures; never a gate. On a small machine more workers share the
same cores: the figures show where the queue waits, not a speedup.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import shutil
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import nats.js.errors
import requests

from infra.broker import UNREACHABLE_ERRORS, connect_nats
from operations.provision import provision_patiently
from tests.clips import make_clip
from tests.cluster_env import ClusterEnv, kill_hard, start_cluster, start_services
from tests.helpers import FINAL_STATUSES
from tests.processes import ROOT

LOG_DIR = ROOT / "test-artifacts" / "logs" / "bench-cluster"
#: As many uploads in flight as a busy app's client pool would have.
UPLOAD_THREADS = 8
#: Sampling period of the work queue's depth, and of the job list while waiting for the last job.
SAMPLE_S = 0.5
#: How often each unfinished job is read back in the leader-kill round.
JOB_POLL_S = 0.2
CLK_TCK = os.sysconf("SC_CLK_TCK")
#: What JetStream answers, or fails to, while a stream has no leader or our connection moves server.
NO_ANSWER = (*UNREACHABLE_ERRORS, nats.js.errors.APIError)


def epoch(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp).timestamp()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (and its waited-for children), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / CLK_TCK


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores together, from /proc/stat."""
    values = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return sum(values) - values[3] - values[4], sum(values)


@dataclass
class Call:
    name: str
    started: float
    ended: float


@dataclass
class Client:
    """The API as an app calls it: a 503 or a dropped connection is tried again after Retry-After,
    and any other 5xx after a second (every call here is idempotent or creates a job nobody awaits)."""

    api: str
    calls: list[Call] = field(default_factory=list)
    refused: int = 0  # 503 answers
    unreachable: int = 0  # connections refused or dropped
    failed: int = 0  # other 5xx answers: a server bug the figures must show, not hide
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, name: str, method: str, url: str, patience_s: float = 180, **kwargs) -> requests.Response:
        started = time.time()
        while True:
            try:
                answer = requests.request(method, url, timeout=60, **kwargs)
                if answer.status_code < 500:
                    break
                refused = answer.status_code == 503
                wait_s = float(answer.headers.get("Retry-After", 1)) if refused else 1.0
                with self._lock:
                    if refused:
                        self.refused += 1
                    else:
                        self.failed += 1
            except requests.ConnectionError:
                wait_s = 1.0
                with self._lock:
                    self.unreachable += 1
            if time.time() - started > patience_s:
                raise RuntimeError(f"{method} {url} kept failing for {patience_s:.0f} s")
            time.sleep(wait_s)
        with self._lock:
            self.calls.append(Call(name, started, time.time()))
        answer.raise_for_status()
        return answer

    def upload(self, clip: Path) -> tuple[str, float, str]:
        """upload-url, PUT, confirm; the job id, when confirm answered and the status it gave."""
        grant = self.request("upload-url", "POST", f"{self.api}/api/v1/analyze/upload-url",
                             params={"filename": clip.name, "content_type": "video/mp4"}).json()
        self.request("PUT", "PUT", grant["upload_url"], data=clip.read_bytes(), headers={"Content-Type": "video/mp4"})
        confirmed = self.request("confirm", "POST", f"{self.api}/api/v1/analyze/confirm",
                                 params={"job_id": grant["job_id"], "s3_key": grant["s3_key"]}).json()
        return grant["job_id"], time.time(), confirmed["status"]

    def final_jobs(self, job_ids: list[str], timeout_s: float) -> dict[str, dict]:
        """Read the job list (one call a period, not one per job) until every job has ended."""
        wanted, deadline = set(job_ids), time.time() + timeout_s
        while True:
            seen, cursor = {}, None
            while wanted - seen.keys():  # newest first: this round's jobs are on the first pages
                params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
                page = self.request("list", "GET", f"{self.api}/api/v1/analyze", params=params).json()
                seen |= {job["job_id"]: job for job in page["jobs"] if job["job_id"] in wanted}
                if not (cursor := page["next_cursor"]):
                    break
            if len(seen) == len(wanted) and all(job["status"] in FINAL_STATUSES for job in seen.values()):
                return seen
            if time.time() > deadline:
                return seen
            time.sleep(SAMPLE_S)


async def answer_patiently(ask, patience_s: float = 60):
    """A JetStream request retried while the stream elects a leader."""
    deadline = time.time() + patience_s
    while True:
        try:
            return await ask()
        except NO_ANSWER:
            if time.time() > deadline:
                raise
            await asyncio.sleep(0.5)


async def sample_queue_depth(js, env: ClusterEnv, samples: list[int]) -> None:
    """Jobs waiting or running (num_pending + num_ack_pending) every SAMPLE_S, until cancelled."""
    settings = env.settings
    while True:
        with contextlib.suppress(*NO_ANSWER):  # during an election nobody answers; the next sample will
            info = await js.consumer_info(settings.work_stream, settings.worker_durable, timeout=1)
            samples.append(info.num_pending + info.num_ack_pending)
        await asyncio.sleep(SAMPLE_S)


async def wait_for_empty_queue(js, env: ClusterEnv, timeout_s: float = 60) -> int:
    deadline, depth = time.time() + timeout_s, -1
    while time.time() < deadline:
        info = await answer_patiently(lambda: js.consumer_info(env.settings.work_stream, env.settings.worker_durable))
        if (depth := info.num_pending + info.num_ack_pending) == 0:
            break
        await asyncio.sleep(SAMPLE_S)
    return depth


def restart_services(env: ClusterEnv, workers: int) -> list[int]:
    """Stop whatever ran before; start a gateway, a listener and ``workers`` pose workers; their pids."""
    for process in env.services.values():
        process.stop()
    env.services.clear()
    start_services(env, workers=workers)
    return [env.services[f"pose-worker-{i}"].process.pid for i in range(1, workers + 1)]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def throughput_round(env: ClusterEnv, js, workers: int, clip: Path, jobs: int) -> dict:
    pids = await asyncio.to_thread(restart_services, env, workers)
    assert await wait_for_empty_queue(js, env) == 0, "the work queue is not empty before the round"
    last_seq = (await answer_patiently(lambda: js.stream_info(env.settings.work_stream))).state.last_seq
    client, depths = Client(env.api), []
    stack = [process.process.pid for process in [*env.services.values(), *env.nats, *env.minio]]
    cpu_before, stack_before, ticks_before = sum(map(cpu_seconds, pids)), sum(map(cpu_seconds, stack)), machine_ticks()
    sampler = asyncio.create_task(sample_queue_depth(js, env, depths))
    started = time.time()
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(UPLOAD_THREADS) as pool:
        uploads = await asyncio.gather(*(loop.run_in_executor(pool, client.upload, clip) for _ in range(jobs)))
    final = await asyncio.to_thread(client.final_jobs, [job_id for job_id, _, _ in uploads], 60 + 30 * jobs)
    cpu_after, stack_after, ticks_after = sum(map(cpu_seconds, pids)), sum(map(cpu_seconds, stack)), machine_ticks()
    ended = time.time()
    sampler.cancel()
    completed = {job_id: epoch(job["updated_at"]) for job_id, job in final.items() if job["status"] == "completed"}
    waits = [completed[job_id] - confirmed for job_id, confirmed, _ in uploads if job_id in completed]
    work = await answer_patiently(lambda: js.stream_info(env.settings.work_stream))
    for job_id in set(final) - set(completed) | {job_id for job_id, _, _ in uploads} - set(final):
        job = final.get(job_id, {})
        print(f"{workers} workers: job {job_id} ended {job.get('status', 'unseen')}: {job.get('error')}")
    return {
        "jobs/min": 60 * len(completed) / (max(completed.values()) - started) if completed else 0.0,
        "all confirmed after (s)": max(confirmed for _, confirmed, _ in uploads) - started,
        "confirm->completed p50 (s)": statistics.median(waits) if waits else float("nan"),
        "confirm->completed p95 (s)": percentile(waits, 0.95) if waits else float("nan"),
        "max work-queue depth": max(depths, default=0),
        "worker CPU s/job": (cpu_after - cpu_before) / jobs,
        "machine CPU busy, anyone (%)": 100 * (ticks_after[0] - ticks_before[0]) / (ticks_after[1] - ticks_before[1]),
        # The rest of "busy" is other users of this machine: a shared host's figures are only as good as this.
        "  of it this stack (%)": 100 * (stack_after - stack_before) / ((ended - started) * os.cpu_count()),
        "jobs not completed": jobs - len(completed),
        "work messages / job": (work.state.last_seq - last_seq) / jobs,
        "503s + refused connections": client.refused + client.unreachable,
        "other 5xx answers (retried)": client.failed,
    }


@dataclass
class JobWatch:
    """The record changes (server ``updated_at``) a job showed from its confirm to its end."""

    changes: list[tuple[float, str]] = field(default_factory=list)  # (updated_at, status)

    def see(self, job: dict) -> None:
        stamp = epoch(job["updated_at"])
        if not self.changes or stamp > self.changes[-1][0]:
            self.changes.append((stamp, job["status"]))

    @property
    def ended(self) -> bool:
        return bool(self.changes) and self.changes[-1][1] in FINAL_STATUSES

    def pauses(self) -> list[tuple[str, float, float]]:
        """(status, from, to) for every stretch without a change while queued or processing."""
        return [(a[1], a[0], b[0]) for a, b in zip(self.changes, self.changes[1:]) if a[1] in ("queued", "processing")]


def watch_jobs(client: Client, watches: dict[str, JobWatch], uploading: threading.Event, timeout_s: float) -> None:
    """GET every confirmed, unfinished job every JOB_POLL_S until all have ended."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        active = [job_id for job_id, watch in list(watches.items()) if not watch.ended]
        if not active and not uploading.is_set():
            return
        for job_id in active:
            watches[job_id].see(client.request("GET", "GET", f"{client.api}/api/v1/analyze/{job_id}").json())
        time.sleep(JOB_POLL_S)


async def leader_kill_round(env: ClusterEnv, js, clip: Path, jobs: int, pace_s: float,
                            kill_after_s: float, down_s: float) -> dict:
    await asyncio.to_thread(restart_services, env, 2)
    assert await wait_for_empty_queue(js, env) == 0, "the work queue is not empty before the round"
    work_stream = env.settings.work_stream
    last_seq = (await answer_patiently(lambda: js.stream_info(work_stream))).state.last_seq
    client, watches, uploading = Client(env.api), {}, threading.Event()
    loop, pool = asyncio.get_running_loop(), ThreadPoolExecutor(UPLOAD_THREADS)

    def upload_and_watch(clip: Path) -> None:
        job_id, confirmed, status = client.upload(clip)
        # The client learns of the job's first state from confirm's answer; later ones from GET.
        watches[job_id] = JobWatch([(confirmed, status)])

    async def upload_steadily() -> None:
        for i in range(jobs):
            await asyncio.sleep(max(0.0, started + i * pace_s - time.time()))
            uploads.append(loop.run_in_executor(pool, upload_and_watch, clip))

    uploading.set()
    started, uploads = time.time(), []
    watcher = loop.run_in_executor(None, watch_jobs, client, watches, uploading, 120 + jobs * (pace_s + 30))
    pacer = asyncio.create_task(upload_steadily())
    await asyncio.sleep(kill_after_s)
    leader = (await answer_patiently(lambda: js.stream_info(work_stream))).cluster.leader
    victim = env.nats_node(leader)
    killed = time.time()
    kill_hard(victim)
    elected = None
    while time.time() < killed + down_s:
        if elected is None:
            with contextlib.suppress(*NO_ANSWER):
                cluster = (await asyncio.wait_for(js.stream_info(work_stream), 1)).cluster
                if cluster.leader and cluster.leader != leader:
                    elected = time.time()
        await asyncio.sleep(0.2)
    victim.start()
    restarted = time.time()
    await pacer
    await asyncio.gather(*uploads)
    uploading.clear()
    await watcher
    pool.shutdown()
    work = await answer_patiently(lambda: js.stream_info(work_stream))

    def touches_outage(start: float, end: float) -> bool:
        return start <= restarted and end >= killed

    pauses = [pause for watch in watches.values() for pause in watch.pauses()]
    processing = [(end - start, touches_outage(start, end)) for status, start, end in pauses if status == "processing"]
    queued = [(end - start, touches_outage(start, end)) for status, start, end in pauses if status == "queued"]
    calls = [(call.ended - call.started, touches_outage(call.started, call.ended), call.name) for call in client.calls]
    longest_call = max(calls, default=(0.0, False, "-"))
    return {
        "leader": leader, "killed_at": killed - started, "restarted_at": restarted - started,
        "elected_after": (elected - killed) if elected else None,
        "longest processing pause, touching the outage": max((s for s, hit in processing if hit), default=None),
        "longest processing pause, elsewhere": max((s for s, hit in processing if not hit), default=None),
        "longest queued wait (from confirm), touching the outage": max((s for s, hit in queued if hit), default=None),
        "longest queued wait (from confirm), elsewhere": max((s for s, hit in queued if not hit), default=None),
        "longest API call, touching the outage": max((s for s, hit, _ in calls if hit), default=None),
        "longest API call, elsewhere": max((s for s, hit, _ in calls if not hit), default=None),
        "longest call": longest_call,
        "refused": client.refused, "unreachable": client.unreachable, "failed": client.failed,
        "completed": sum(watch.changes[-1][1] == "completed" for watch in watches.values() if watch.changes),
        "jobs": jobs,
        "work messages": work.state.last_seq - last_seq,
        "messages left": work.state.messages,
    }


def print_throughput(rounds: dict[int, dict], jobs: int, clip_seconds: float) -> None:
    counts = list(rounds)
    print(f"cluster stack: 3 NATS servers (streams at R3), MinIO over 4 nodes; {jobs} uploads of a "
          f"{clip_seconds:g} s 320x180 clip per round, {UPLOAD_THREADS} client threads; os.cpu_count() = {os.cpu_count()}")
    print(f"{'pose workers':<30}" + "".join(f"{n:>10}" for n in counts))
    base = rounds[counts[0]]
    for name in base:
        print(f"{name:<30}" + "".join(f"{rounds[n][name]:>10}" if isinstance(base[name], int) else f"{rounds[n][name]:>10.2f}" for n in counts))
        if name in ("jobs/min", "confirm->completed p50 (s)", "confirm->completed p95 (s)", "worker CPU s/job") and base[name]:
            print(f"{'  vs ' + str(counts[0]) + ' worker':<30}" + "".join(f"{rounds[n][name] / base[name]:>10.2f}" for n in counts))
    print(f"note: {os.cpu_count()} cores here; more workers share the same cores with each other, the gateway, "
          "listener, 3 NATS servers and 4 MinIO nodes, so the queue drains no faster once the cores are busy;\n"
          "      each worker's inference already uses every core (inference_threads=0): a second worker only fills "
          "the gaps of decoding, drawing and uploading")


def print_leader_kill(kill: dict, pace_s: float) -> None:
    elected = f"seen {kill['elected_after']:.1f} s later" if kill["elected_after"] is not None else "not seen before the restart"
    print(f"\nleader kill, 2 workers, {kill['jobs']} uploads one every {pace_s:.2f} s: kill -9 of {kill['leader']} "
          f"(POSE_WORK's leader) at {kill['killed_at']:.1f} s, new leader {elected}, restarted at {kill['restarted_at']:.1f} s")
    for name in ("longest processing pause, touching the outage", "longest processing pause, elsewhere",
                 "longest queued wait (from confirm), touching the outage", "longest queued wait (from confirm), elsewhere",
                 "longest API call, touching the outage", "longest API call, elsewhere"):
        print(f"  {name:<56}" + (f"{kill[name]:>8.2f} s" if kill[name] is not None else f"{'-':>8}   (none)"))
    seconds, _, name = kill["longest call"]
    print(f"  {'longest call was':<56}{name:>8} ({seconds:.2f} s, first try to success)")
    print(f"  {'503 answers / refused connections':<56}{kill['refused']:>8} / {kill['unreachable']}")
    print(f"  {'other 5xx answers (retried)':<56}{kill['failed']:>8}")
    print(f"  {'jobs completed':<56}{kill['completed']:>8} of {kill['jobs']}")
    print(f"  {'work messages published / left in the stream':<56}{kill['work messages']:>8} / {kill['messages left']}"
          + ("   (exactly once)" if kill["work messages"] == kill["jobs"] and kill["messages left"] == 0 else "   (NOT exactly once)"))


async def run(args: argparse.Namespace, tmp: Path) -> None:
    clip = make_clip(tmp / "dance.mp4", seconds=args.seconds, size=(320, 180))
    shutil.rmtree(LOG_DIR, ignore_errors=True)  # this run's logs only, kept after it for a look
    env = await asyncio.to_thread(start_cluster, tmp / "cluster", log_dir=LOG_DIR)
    try:
        # Quiet services and no per-key quota: a load generator leaves many jobs waiting for upload.
        env.settings = env.settings.model_copy(update={"bucket": "bench-cluster", "log_level": "WARNING", "max_pending_uploads": 0})
        await provision_patiently(env.settings)
        nc = await connect_nats(env.settings, "bench-cluster")
        try:
            js = nc.jetstream()
            rounds = {workers: await throughput_round(env, js, workers, clip, args.jobs) for workers in args.workers}
            print_throughput(rounds, args.jobs, args.seconds)
            if args.kill:
                # Below the two workers' pace, so a queued job waits on the outage rather than a backlog.
                pace_s = args.pace or (max(0.5, 1.25 * 60 / rounds[2]["jobs/min"]) if rounds.get(2, {}).get("jobs/min") else 0.5)
                kill = await leader_kill_round(env, js, clip, args.jobs, pace_s, args.kill_after, args.down)
                print_leader_kill(kill, pace_s)
        finally:
            await nc.close()
    finally:
        env.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=40, help="uploads per round")
    parser.add_argument("--workers", type=lambda text: [int(n) for n in text.split(",")], default=[1, 2, 4],
                        help="comma-separated pose worker counts, one round each")
    parser.add_argument("--seconds", type=float, default=1.0, help="length of each clip")
    parser.add_argument("--no-kill", dest="kill", action="store_false", help="skip the leader-kill round")
    parser.add_argument("--pace", type=float, default=0.0,
                        help="seconds between uploads in the leader-kill round; 0: a bit slower than 2 workers drain")
    parser.add_argument("--kill-after", type=float, default=4.0, help="seconds after the first upload")
    parser.add_argument("--down", type=float, default=10.0, help="seconds the killed server stays down")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # our own NATS connection's reconnects are not figures
    with tempfile.TemporaryDirectory(prefix="dance-bench-cluster-") as tmp:
        asyncio.run(run(args, Path(tmp)))


if __name__ == "__main__":
    main()
