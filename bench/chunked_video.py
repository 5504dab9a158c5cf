"""Benchmark: one long video run whole on one worker, and split into chunks on one and on two workers.

``make bench`` (or ``python -m bench.chunked_video --seconds 240``). A 640x360, 30 fps clip
(``tests.clips.make_clip``; small frames keep four minutes of video feasible on two cores) goes
through a fresh local stack three times: whole (``DANCE_CHUNK_S=0``) on one worker, then split
(``DANCE_CHUNK_S=60``: four chunks) on one worker, then on two. Prints wall time from confirm
to completed, and the workers' CPU seconds per frame (their processes and their ffmpeg children,
model loading excluded), which shows what splitting costs: the overlap decoded twice, the merge
and the overlay drawn at the end. On a 2-core machine two workers share the cores, so the wall
time says little there; on machines of their own it would halve. Run whole on two workers, a job
is one message and one worker takes it: the figure is the one-worker figure. Never a gate.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import requests

from bench.local_stack import bench_stack
from tests.clips import make_clip
from tests.helpers import confirm, put_file, request_upload
from tests.processes import ManagedProcess, python_service

READY_TIMEOUT_S = 120
TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and of its children it has waited for (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the command: state is field 3; utime, stime, cutime, cstime are fields 14-17.
    return sum(int(value) for value in fields[11:15]) / TICKS_PER_S


def start_workers(settings, count: int, chunk_s: float, log_dir: Path) -> list[ManagedProcess]:
    configured = settings.model_copy(update={"chunk_s": chunk_s, "log_level": "INFO"})
    workers = [python_service(f"pose-worker-{chunk_s:g}-{n}", "pose_worker", configured, log_dir).start() for n in range(count)]
    deadline = time.monotonic() + READY_TIMEOUT_S
    for worker in workers:
        while "pose worker consuming" not in worker.log_path.read_text(errors="replace"):
            if time.monotonic() > deadline or not worker.running:
                raise RuntimeError(f"{worker.name} did not start: {worker.log_tail(20)}")
            time.sleep(0.2)
    return workers


def run_job(api: str, clip: Path, timeout_s: float) -> tuple[float, dict]:
    ticket = request_upload(api, clip.name)
    assert put_file(ticket["upload_url"], clip).status_code == 200
    started = time.perf_counter()
    assert confirm(api, ticket["job_id"], ticket["s3_key"]).status_code == 200
    deadline = started + timeout_s
    while time.perf_counter() < deadline:
        job = requests.get(f"{api}/api/v1/analyze/{ticket['job_id']}", timeout=10).json()
        if job["status"] in {"completed", "failed"}:
            if job["status"] != "completed":
                raise RuntimeError(f"job failed: {job['error']}")
            return time.perf_counter() - started, job
        time.sleep(0.2)
    raise RuntimeError(f"job {ticket['job_id']} not done after {timeout_s} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=240.0, help="clip length (default: 4 minutes)")
    parser.add_argument("--chunk-s", type=float, default=60.0, help="DANCE_CHUNK_S of the split runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-chunked-") as tmp:
        tmp_path = Path(tmp)
        clip = make_clip(tmp_path / "long.mp4", seconds=args.seconds, fps=30.0, size=(640, 360))
        print(f"clip: {args.seconds:g} s, 640x360, 30 fps, {clip.stat().st_size / 1e6:.1f} MB; {os.cpu_count()} CPUs")
        print(f"{'run':<24} {'workers':>7} {'wall s':>8} {'frames':>7} {'CPU s':>8} {'CPU ms/frame':>13} {'tracks':>6}")
        with bench_stack(tmp_path, services=("listener", "gateway")) as stack:
            rows = []
            for name, workers, chunk_s in (("whole", 1, 0.0), ("split", 1, args.chunk_s), ("split", 2, args.chunk_s)):
                running = start_workers(stack.settings, workers, chunk_s, tmp_path / "logs")
                try:
                    before = sum(cpu_seconds(worker.process.pid) for worker in running)
                    wall, job = run_job(stack.api, clip, timeout_s=args.seconds * 20)
                    cpu = sum(cpu_seconds(worker.process.pid) for worker in running) - before
                finally:
                    for worker in running:
                        worker.stop()
                frames = job["result"]["frames"]
                label = f"{name}" + (f" ({args.chunk_s:g} s chunks)" if chunk_s else "")
                rows.append((label, workers, wall, frames, cpu))
                print(f"{label:<24} {workers:>7} {wall:>8.1f} {frames:>7} {cpu:>8.1f} {1000 * cpu / frames:>13.1f} {job['result']['tracks']:>6}", flush=True)
            whole_cpu = rows[0][4] / rows[0][3]
            for label, workers, wall, frames, cpu in rows[1:]:
                print(
                    f"{label}, {workers} worker(s): {wall / rows[0][2]:.2f}x the whole run's wall time, "
                    f"{cpu / frames / whole_cpu:.2f}x its CPU per frame"
                )


if __name__ == "__main__":
    main()
