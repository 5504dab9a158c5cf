"""Worker-level behaviour on a private stack: track ids and the overlay, length limit, two workers."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path

import cv2
import requests

from tests.clips import make_clip
from tests.fault_env import FaultEnv
from tests.helpers import confirm, put_file, request_upload
from tests.processes import python_service


def submit(env: FaultEnv, clip: Path, name: str) -> dict:
    ticket = request_upload(env.api, name)
    assert put_file(ticket["upload_url"], clip).status_code == 200
    assert confirm(env.api, ticket["job_id"], ticket["s3_key"]).status_code == 200
    return ticket


async def test_results_carry_track_ids_and_a_playable_overlay(env, tmp_path):
    env.worker().start()
    clip = make_clip(tmp_path / "pair.mp4", seconds=1.0, size=(1280, 720))
    ticket = await asyncio.to_thread(submit, env, clip, "pair.mp4")
    job = await asyncio.to_thread(env.wait_for_final, ticket["job_id"], 120)
    assert job["status"] == "completed", f"{job}\n{env.log_tails()}"
    result = job["result"]
    assert result["tracks"] >= 2 and result["overlay_key"] == f"results/{ticket['job_id']}/overlay.mp4"

    poses = requests.get(result["poses_url"], timeout=30).json()
    ids = {person["track_id"] for frame in poses["frames"] for person in frame["people"]}
    assert ids and all(isinstance(i, int) and i > 0 for i in ids)

    overlay = requests.get(result["overlay_url"], timeout=30)
    assert overlay.status_code == 200 and overlay.headers["Content-Type"] == "video/mp4"
    path = tmp_path / "overlay.mp4"
    path.write_bytes(overlay.content)
    capture = cv2.VideoCapture(str(path))
    codec = int(capture.get(cv2.CAP_PROP_FOURCC)).to_bytes(4, "little").decode()
    frames = 0
    while capture.read()[0]:
        frames += 1
    capture.release()
    assert codec in {"avc1", "h264"}, f"overlay codec {codec!r} is not H.264"  # what browsers play
    assert frames == poses["video"]["frames"] == 30


async def test_a_video_over_the_length_limit_ends_failed_video_too_long(env, tmp_path):
    strict = python_service("pose-worker-strict", "pose_worker", env.settings.model_copy(update={"max_video_duration_s": 0.5}), env.log_dir)
    env.workers["pose-worker-strict"] = strict
    strict.start()
    clip = make_clip(tmp_path / "long.mp4", seconds=1.0, size=(640, 360))
    ticket = await asyncio.to_thread(submit, env, clip, "long.mp4")
    job = await asyncio.to_thread(env.wait_for_final, ticket["job_id"], 120)
    assert job["status"] == "failed"
    assert job["error"]["code"] == "video_too_long"
    assert "0.5" in job["error"]["message"]


async def test_two_workers_share_the_work_stream(env, tmp_path):
    first, second = env.worker("pose-worker-a"), env.worker("pose-worker-b")
    first.start()
    second.start()
    await asyncio.sleep(2)  # both pulling before the jobs arrive
    clip = make_clip(tmp_path / "clip.mp4", seconds=2.0, size=(640, 360))
    tickets = [await asyncio.to_thread(submit, env, clip, f"share-{n}.mp4") for n in range(4)]
    jobs = [await asyncio.to_thread(env.wait_for_final, t["job_id"], 180) for t in tickets]
    assert all(job["status"] == "completed" for job in jobs), env.log_tails()
    ran_on_first = sum(f"job {t['job_id']} completed" in env.log_text(first) for t in tickets)
    ran_on_second = sum(f"job {t['job_id']} completed" in env.log_text(second) for t in tickets)
    assert ran_on_first + ran_on_second == 4
    assert ran_on_first >= 1 and ran_on_second >= 1, "one worker did all the work"


def both_processing_at_once(env: FaultEnv, tickets: list[dict], timeout_s: float = 30) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if all(env.read_job(t["job_id"])["status"] == "processing" for t in tickets):
            return True
        time.sleep(0.05)
    return False


async def test_one_worker_with_concurrency_two_runs_two_jobs_at_once(env, tmp_path):
    busy = python_service("pose-worker-busy", "pose_worker", env.settings.model_copy(update={"worker_concurrency": 2}), env.log_dir)
    env.workers["pose-worker-busy"] = busy
    busy.start()
    await asyncio.sleep(2)  # both slots pulling before the jobs arrive
    clip = make_clip(tmp_path / "clip.mp4", seconds=4.0, size=(640, 360))
    tickets = [await asyncio.to_thread(submit, env, clip, f"both-{n}.mp4") for n in range(2)]
    assert await asyncio.to_thread(both_processing_at_once, env, tickets), env.log_tails()
    jobs = [await asyncio.to_thread(env.wait_for_final, t["job_id"], 180) for t in tickets]
    assert all(job["status"] == "completed" for job in jobs)


async def test_a_worker_with_two_processes_for_its_gpu_runs_two_jobs_at_once_and_stops_whole(env, tmp_path):
    # DANCE_WORKERS_PER_GPU=2 on a CPU here: what is checked is the pool (two processes on the shared
    # consumer, both stopping on SIGTERM), not the GPU's speed.
    pool = python_service("pose-worker-pool", "pose_worker", env.settings.model_copy(update={"workers_per_gpu": 2}), env.log_dir)
    env.workers["pose-worker-pool"] = pool
    pool.start()
    await asyncio.sleep(4)  # both processes load the model and pull before the jobs arrive
    clip = make_clip(tmp_path / "clip.mp4", seconds=4.0, size=(640, 360))
    tickets = [await asyncio.to_thread(submit, env, clip, f"pool-{n}.mp4") for n in range(2)]
    assert await asyncio.to_thread(both_processing_at_once, env, tickets), env.log_tails()
    jobs = [await asyncio.to_thread(env.wait_for_final, t["job_id"], 180) for t in tickets]
    assert all(job["status"] == "completed" for job in jobs), env.log_tails()
    assert "2 pose worker processes share this GPU" in env.log_text(pool)
    assert pool.stop() == 0
    assert env.log_text(pool).count("pose worker stopped") == 2  # each process drained and stopped
