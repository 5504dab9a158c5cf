"""Benchmark: confirm -> completed for a 5-second 720p clip on a fresh local stack.

``make bench`` (or ``python -m bench.pipeline_latency --runs 3``). Starts its own nats-server,
MinIO and the three services on free ports, like the tests, then prints figures. Never a gate.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import requests

from bench.local_stack import bench_stack
from tests.clips import make_clip
from tests.helpers import confirm, put_file, request_upload


def wait_for(api: str, job_id: str, statuses: set[str], timeout_s: float = 600) -> tuple[float, dict]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = requests.get(f"{api}/api/v1/analyze/{job_id}", timeout=10).json()
        if job["status"] in statuses:
            return time.perf_counter(), job
        time.sleep(0.01)
    raise RuntimeError(f"job {job_id} not in {statuses} after {timeout_s}s")


def run_once(api: str, clip: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    upload = request_upload(api, "bench.mp4")
    t1 = time.perf_counter()
    assert put_file(upload["upload_url"], clip).status_code == 200
    t2 = time.perf_counter()
    assert confirm(api, upload["job_id"], upload["s3_key"]).status_code == 200
    t3 = time.perf_counter()
    t_processing, _ = wait_for(api, upload["job_id"], {"processing", "completed", "failed"})
    t_done, job = wait_for(api, upload["job_id"], {"completed", "failed"})
    assert job["status"] == "completed", job
    return {
        "upload-url (ms)": (t1 - t0) * 1000,
        "PUT the clip (ms)": (t2 - t1) * 1000,
        "confirm call (ms)": (t3 - t2) * 1000,
        "confirm -> processing (ms)": (t_processing - t2) * 1000,
        "confirm -> completed (s)": t_done - t2,
        "frames": job["result"]["frames"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dance-bench-") as tmp, bench_stack(Path(tmp)) as stack:
        clip = make_clip(Path(tmp) / "bench.mp4", seconds=args.seconds, size=(1280, 720), fps=30.0)
        print(f"clip: {clip.stat().st_size / 1e6:.1f} MB, 1280x720, 30 fps, {args.seconds:g} s")
        run_once(stack.api, clip)  # warm-up: first-inference and connection set-up costs
        results = [run_once(stack.api, clip) for _ in range(args.runs)]
    print(f"{'measure':<28}" + "".join(f"{'run ' + str(i + 1):>10}" for i in range(len(results))) + f"{'median':>10}")
    for name in results[0]:
        values = [r[name] for r in results]
        print(f"{name:<28}" + "".join(f"{v:>10.2f}" for v in values) + f"{statistics.median(values):>10.2f}")


if __name__ == "__main__":
    main()
