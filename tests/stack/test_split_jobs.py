"""Long videos split across workers, on a private stack: same poses as one piece, crash-safe, discarded on
delete; one cut off before its stated end runs whole.

A 7 s clip with ``DANCE_CHUNK_S=2`` is cut into three chunks (at keyframes near 2.33 s and 4.67 s),
each decoded from one second before its own range; small frames keep the test quick.
"""
from __future__ import annotations

import asyncio
from pathlib import Path

import cv2
import pytest
import requests

from domain.job_store import JobStore
from infra.storage import make_s3_client
from pose_worker.video import VideoReader, cut_off_warning
from tests.clips import make_clip
from tests.fault_env import FaultEnv
from tests.helpers import confirm, put_file, request_upload
from tests.processes import ManagedProcess, python_service
from tests.video_fixtures import encode_clip, truncate

CLIP_SECONDS, CLIP_FPS = 7.0, 30.0
CLIP_FRAMES = int(CLIP_SECONDS * CLIP_FPS)
CHUNK_S = 2.0
CHUNKS = 3
#: Keypoints of a split job equal the whole job's: the chunks decode the same pixels (OpenCV seeks
#: frame-accurately) and the model sees the same input. Rounded to 0.01 px in poses.json.
KEYPOINT_TOLERANCE_PX = 0.011


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return make_clip(tmp_path / "long.mp4", seconds=CLIP_SECONDS, fps=CLIP_FPS, size=(320, 180))


def worker(env: FaultEnv, name: str, chunk_s: float) -> ManagedProcess:
    process = python_service(name, "pose_worker", env.settings.model_copy(update={"chunk_s": chunk_s}), env.log_dir)
    env.workers[name] = process
    return process


def submit(env: FaultEnv, clip: Path, name: str) -> str:
    ticket = request_upload(env.api, name)
    assert put_file(ticket["upload_url"], clip).status_code == 200
    assert confirm(env.api, ticket["job_id"], ticket["s3_key"]).status_code == 200
    return ticket["job_id"]


def track_renaming(whole: dict, split: dict) -> dict:
    """The split job's track id for each of the whole job's; fails unless the poses match person by person."""
    assert whole["video"] == split["video"]
    assert [(f["index"], f["t"]) for f in whole["frames"]] == [(f["index"], f["t"]) for f in split["frames"]]
    renaming: dict = {}
    for one, other in zip(whole["frames"], split["frames"]):
        assert len(one["people"]) == len(other["people"]), f"people differ at {one['t']} s"
        for person, same in zip(one["people"], other["people"]):
            assert person["box"] == pytest.approx(same["box"], abs=KEYPOINT_TOLERANCE_PX)
            for point, twin in zip(person["keypoints"], same["keypoints"]):
                assert point == pytest.approx(twin, abs=KEYPOINT_TOLERANCE_PX)
            assert renaming.setdefault(person["track_id"], same["track_id"]) == same["track_id"], (
                f"track {person['track_id']} became two tracks at {one['t']} s"
            )
    assert len(set(renaming.values())) == len(renaming), f"two tracks merged into one: {renaming}"
    return renaming


def overlay_frames(url: str, path: Path) -> int:
    path.write_bytes(requests.get(url, timeout=30).content)
    capture = cv2.VideoCapture(str(path))
    frames = 0
    while capture.read()[0]:
        frames += 1
    capture.release()
    return frames


async def test_a_split_job_gives_the_poses_of_the_whole_job_within_track_renaming(env, clip, tmp_path):
    whole_worker = worker(env, "pose-worker-whole", chunk_s=0)
    whole_worker.start()
    whole_id = await asyncio.to_thread(submit, env, clip, "whole.mp4")
    whole = await asyncio.to_thread(env.wait_for_final, whole_id, 180)
    assert whole["status"] == "completed", f"{whole}\n{env.log_tails()}"
    await asyncio.to_thread(whole_worker.stop)

    first, second = worker(env, "pose-worker-split-a", CHUNK_S), worker(env, "pose-worker-split-b", CHUNK_S)
    first.start()
    second.start()
    before = await env.work_last_seq()
    split_id = await asyncio.to_thread(submit, env, clip, "split.mp4")
    split = await asyncio.to_thread(env.wait_for_final, split_id, 240)
    assert split["status"] == "completed" and split["progress"] == 1.0, f"{split}\n{env.log_tails()}"
    assert split["error"] is None and split["warnings"] == []
    assert await env.work_last_seq() - before == 1 + CHUNKS, "one job message and one per chunk"
    logs = env.log_text(first) + env.log_text(second)
    assert f"job {split_id} split into {CHUNKS} chunks" in logs
    assert logs.count(f"job {split_id} completed") == 1

    whole_poses = requests.get(whole["result"]["poses_url"], timeout=30).json()
    split_poses = requests.get(split["result"]["poses_url"], timeout=30).json()
    renaming = track_renaming(whole_poses, split_poses)
    assert split["result"]["frames"] == whole["result"]["frames"] == CLIP_FRAMES
    assert split["result"]["people_max"] == whole["result"]["people_max"]
    assert split["result"]["tracks"] == whole["result"]["tracks"] == len(renaming.keys() - {None})

    assert overlay_frames(split["result"]["overlay_url"], tmp_path / "overlay.mp4") == CLIP_FRAMES
    assert split["result"]["analysis_url"] and split["result"]["summary"]["dancers"] == whole["result"]["summary"]["dancers"]
    # The chunks' own files are gone once the job is complete.
    s3 = make_s3_client(env.settings)
    assert list(s3.list_objects(env.settings.bucket, prefix=f"results/{split_id}/chunks/", recursive=True)) == []


async def test_a_chunk_whose_worker_dies_is_redone_and_the_job_completes_once(env, clip):
    doomed = worker(env, "pose-worker-doomed", CHUNK_S)
    doomed.start()
    before = await env.work_last_seq()
    job_id = await asyncio.to_thread(submit, env, clip, "crash.mp4")
    jobs = await JobStore.open(await env.jetstream(), env.settings.jobs_bucket)
    deadline = asyncio.get_running_loop().time() + 120
    while True:
        record = await jobs.get(job_id)
        running = [c for c in (record.chunk_plan.chunks if record.chunk_plan else []) if c.progress > 0 and not c.done]
        if running:
            break
        assert asyncio.get_running_loop().time() < deadline, f"no chunk started: {record}\n{env.log_tails()}"
        await asyncio.sleep(0.1)
    doomed.kill()
    killed_chunk = record.chunk_plan.chunks.index(running[0])

    rescuer = worker(env, "pose-worker-rescuer", CHUNK_S)
    rescuer.start()
    job = await asyncio.to_thread(env.wait_for_final, job_id, 240)
    assert job["status"] == "completed" and job["progress"] == 1.0, f"{job}\n{env.log_tails()}"
    assert job["result"]["frames"] == CLIP_FRAMES
    poses = requests.get(job["result"]["poses_url"], timeout=30).json()
    assert [frame["index"] for frame in poses["frames"]] == list(range(CLIP_FRAMES))
    record = await jobs.get(job_id)
    assert record.chunk_plan.chunks[killed_chunk].attempts == 2, record.chunk_plan
    assert all(chunk.done for chunk in record.chunk_plan.chunks)
    assert await env.work_last_seq() - before == 1 + CHUNKS, "the redone chunk was redelivered, not queued again"
    assert f"job {job_id} completed" not in env.log_text(doomed)
    assert env.log_text(rescuer).count(f"job {job_id} completed") == 1


async def test_a_split_job_deleted_while_its_chunks_run_leaves_no_results(env, clip):
    first, second = worker(env, "pose-worker-a", CHUNK_S), worker(env, "pose-worker-b", CHUNK_S)
    first.start()
    second.start()
    job_id = await asyncio.to_thread(submit, env, clip, "deleted.mp4")
    jobs = await JobStore.open(await env.jetstream(), env.settings.jobs_bucket)
    deadline = asyncio.get_running_loop().time() + 120
    while not ((record := await jobs.get(job_id)).chunk_plan and any(c.progress > 0 for c in record.chunk_plan.chunks)):
        assert asyncio.get_running_loop().time() < deadline, f"no chunk started\n{env.log_tails()}"
        await asyncio.sleep(0.1)
    assert requests.delete(f"{env.api}/api/v1/analyze/{job_id}", timeout=30).status_code == 200

    js = await env.jetstream()
    deadline = asyncio.get_running_loop().time() + 120
    while True:  # every chunk message settled: nothing pending or in flight
        info = await js.consumer_info(env.settings.work_stream, env.settings.worker_durable)
        if info.num_pending == 0 and info.num_ack_pending == 0:
            break
        assert asyncio.get_running_loop().time() < deadline, f"chunks never settled\n{env.log_tails()}"
        await asyncio.sleep(0.2)
    s3 = make_s3_client(env.settings)
    assert list(s3.list_objects(env.settings.bucket, prefix=f"results/{job_id}/", recursive=True)) == []
    logs = env.log_text(first) + env.log_text(second)
    assert f"job {job_id} completed" not in logs


async def test_a_long_upload_cut_off_with_its_index_intact_runs_whole_and_warns_where_it_ends(env, tmp_path):
    # Split on the 7 s its container states, its later chunks would start past its end and fail as broken reads.
    whole = encode_clip(
        tmp_path / "whole.mp4", frames=CLIP_FRAMES, fps=int(CLIP_FPS), size=(320, 180), output_args=("-movflags", "+faststart")
    )
    cut = truncate(whole, tmp_path / "cut.mp4", 0.4)
    with VideoReader(cut) as video:
        frames = list(video)
        expected = cut_off_warning(video.info, frames[-1].t)
    assert expected is not None and 0 < len(frames) < CLIP_FRAMES
    cutter = worker(env, "pose-worker-cut", CHUNK_S)
    cutter.start()
    before = await env.work_last_seq()

    job_id = await asyncio.to_thread(submit, env, cut, "cut.mp4")
    job = await asyncio.to_thread(env.wait_for_final, job_id, 180)

    assert job["status"] == "completed", f"{job}\n{env.log_tails()}"
    assert job["result"]["frames"] == len(frames)
    assert job["warnings"] == [expected]
    assert await env.work_last_seq() - before == 1, "a cut-off video runs whole: no chunk messages"
    assert f"job {job_id}: the video ends before its stated 7.0 s (cut off?): it runs whole" in env.log_text(cutter)
