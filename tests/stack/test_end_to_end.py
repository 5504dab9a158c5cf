"""The whole pipeline on real MinIO, NATS and the three services: upload -> event -> poses."""
from __future__ import annotations

import asyncio

import pytest
import requests

from tests.clips import make_clip
from tests.helpers import confirm, put_file, request_upload, wait_for_final, wait_until_listener_handled

CLIP_SECONDS = 2.0
CLIP_FPS = 30.0
CLIP_SIZE = (1280, 720)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("clips") / "dance.mp4", seconds=CLIP_SECONDS, fps=CLIP_FPS, size=CLIP_SIZE)


def test_direct_upload_confirm_and_poses_for_every_frame(stack, clip):
    upload = request_upload(stack.api, "dance.mp4")
    assert upload["s3_key"] == f"uploads/{upload['job_id']}/dance.mp4"
    assert upload["expires_in"] == 900

    assert put_file(upload["upload_url"], clip).status_code == 200
    confirmed = confirm(stack.api, upload["job_id"], upload["s3_key"])
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["job_id"] == upload["job_id"]

    job = wait_for_final(stack.api, upload["job_id"])
    assert job["status"] == "completed", job
    assert job["error"] is None and job["progress"] == 1.0

    poses = requests.get(job["result"]["poses_url"], timeout=30).json()
    width, height = CLIP_SIZE
    expected_frames = int(CLIP_SECONDS * CLIP_FPS)
    assert poses["job_id"] == upload["job_id"]
    assert poses["model"] == {"name": "yolo11n-pose", "keypoints": "coco17"}
    assert poses["video"] == {
        "width": width, "height": height, "fps": CLIP_FPS, "frames": expected_frames, "duration_s": CLIP_SECONDS
    }
    assert [frame["index"] for frame in poses["frames"]] == list(range(expected_frames))
    assert poses["frames"][1]["t"] == pytest.approx(1 / CLIP_FPS, abs=1e-3)
    frames_with_people = [frame for frame in poses["frames"] if frame["people"]]
    assert len(frames_with_people) >= 0.9 * expected_frames
    for frame in frames_with_people:
        for person in frame["people"]:
            assert person["score"] > 0.25
            assert person["track_id"] is None or person["track_id"] >= 1
            x1, y1, x2, y2 = person["box"]
            assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height
            assert len(person["keypoints"]) == 17
            for x, y, visibility in person["keypoints"]:
                assert 0 <= x <= width and 0 <= y <= height and 0 <= visibility <= 1


def test_upload_without_confirm_is_analysed_from_the_bucket_event(stack, clip):
    upload = request_upload(stack.api, "no-confirm.mp4")
    assert put_file(upload["upload_url"], clip).status_code == 200
    job = wait_for_final(stack.api, upload["job_id"])
    assert job["status"] == "completed", job


async def test_repeated_confirms_and_the_event_queue_the_job_once(stack, clip, nats_client):
    js = nats_client.jetstream()
    before = (await js.stream_info(stack.settings.work_stream)).state.last_seq
    upload = request_upload(stack.api, "twice.mp4")
    assert put_file(upload["upload_url"], clip).status_code == 200
    answers = [confirm(stack.api, upload["job_id"], upload["s3_key"]) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert {a.json()["job_id"] for a in answers} == {upload["job_id"]}

    job = await asyncio.to_thread(wait_for_final, stack.api, upload["job_id"])
    await wait_until_listener_handled(js, stack.settings, upload["s3_key"])
    after = (await js.stream_info(stack.settings.work_stream)).state.last_seq
    assert job["status"] == "completed"
    assert after - before == 1, "the job was put on the work stream more than once"
    assert stack.get_job(upload["job_id"])["status"] == "completed"


def test_an_upload_that_is_not_a_video_ends_failed_invalid_video(stack, tmp_path):
    bogus = tmp_path / "notes.mp4"
    bogus.write_bytes(b"this is a text file, not an mp4\n" * 100)
    upload = request_upload(stack.api, "notes.mp4")
    assert put_file(upload["upload_url"], bogus).status_code == 200
    assert confirm(stack.api, upload["job_id"], upload["s3_key"]).status_code == 200
    job = wait_for_final(stack.api, upload["job_id"])
    assert job["status"] == "failed"
    assert job["error"]["code"] == "invalid_video"
    assert job["error"]["message"]
    assert job["result"] is None
