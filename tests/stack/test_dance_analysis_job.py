"""The dance analysis as a job produces it, on the real stack: a clip with a known bounce and click track."""
from __future__ import annotations

import numpy as np
import pytest
import requests

from gateway.models.analysis import Analysis
from operations.provision import provision
from tests.clips import make_bouncing_clip, mux_clicks
from tests.conftest import isolated_names, start_stack
from tests.helpers import confirm, put_file, request_upload, wait_for_final

SECONDS = 10.0
FPS = 30.0
BPM = 120.0
#: The movement stops (a kinematic beat) at 0.25 s + k * 0.5 s.
PHASE_S = 0.25
#: The clicks come 30 ms before each stop: the dancers are 30 ms late.
LATE_S = 0.03


@pytest.fixture(scope="module")
def silent_clip(tmp_path_factory):
    return make_bouncing_clip(
        tmp_path_factory.mktemp("dance") / "silent.mp4", seconds=SECONDS, fps=FPS, period_s=60 / BPM, phase_s=PHASE_S
    )


@pytest.fixture(scope="module")
def clip_with_clicks(silent_clip):
    clicks = np.arange(PHASE_S - LATE_S, SECONDS, 60 / BPM)
    return mux_clicks(silent_clip, silent_clip.with_name("clicks.mp4"), clicks, SECONDS)


def run_job(api: str, clip, name: str) -> dict:
    upload = request_upload(api, name)
    assert put_file(upload["upload_url"], clip).status_code == 200
    assert confirm(api, upload["job_id"], upload["s3_key"]).status_code == 200
    job = wait_for_final(api, upload["job_id"])
    assert job["status"] == "completed", job
    return job


def test_a_dance_with_music_reports_both_tempi_the_on_beat_score_and_the_offset(stack, clip_with_clicks):
    job = run_job(stack.api, clip_with_clicks, "clicks.mp4")
    result = job["result"]
    assert result["analysis_key"] == f"results/{job['job_id']}/analysis.json"
    document = requests.get(result["analysis_url"], timeout=30).json()
    Analysis.model_validate(document)  # the published schema, with no field more or less

    assert document["job_id"] == job["job_id"] and document["video"]["frames"] == SECONDS * FPS
    assert document["music"]["has_audio"] is True
    assert document["tempo"]["motion_bpm"] == pytest.approx(BPM, abs=1.0)
    assert document["tempo"]["music_bpm"] == pytest.approx(BPM, rel=0.03)
    alignment = document["beat_alignment"]
    assert alignment["score"] > 0.6 and alignment["score_above_chance"] > 0.5
    assert alignment["mean_offset_ms"] == pytest.approx(LATE_S * 1000, abs=20)
    assert alignment["median_offset_ms"] > 0  # late, not early
    assert len(document["dancers"]) >= 1
    for dancer in document["dancers"]:
        assert dancer["motion_bpm"] == pytest.approx(BPM, abs=1.0)
        assert dancer["beat_alignment"]["mean_offset_ms"] == pytest.approx(LATE_S * 1000, abs=25)
        assert len(dancer["joint_angles"]["left_knee"]) == len(dancer["t"])
    if len(document["dancers"]) >= 2:  # the photo's people bounce together
        assert document["synchrony"]["group"]["R"] > 0.9

    summary = result["summary"]
    assert summary["motion_bpm"] == document["tempo"]["motion_bpm"]
    assert summary["music_bpm"] == document["tempo"]["music_bpm"]
    assert summary["beat_alignment"] == {"score": alignment["score"], "mean_offset_ms": alignment["mean_offset_ms"]}
    assert summary["dancers"] == len(document["dancers"])
    # Every figure of the summary's on_beat survives the job record (its chance was once dropped there).
    names = ("locked", "locking", "chance", "score_above_chance", "mean_asynchrony_ms")
    assert summary["on_beat"] == {name: document["on_beat"][name] for name in names}
    assert summary["clear_beat"] is document["music"]["clear_beat"] is True  # a click track's beat is clear
    assert summary["tracker_bpm"] == document["music"]["tracker_bpm"] == document["tempo"]["music_bpm"]


def test_a_video_without_audio_completes_with_no_music(stack, silent_clip):
    job = run_job(stack.api, silent_clip, "silent.mp4")
    document = requests.get(job["result"]["analysis_url"], timeout=30).json()
    Analysis.model_validate(document)
    assert document["music"] == {"has_audio": False, "beats": None, "clear_beat": None, "tracker_bpm": None}
    assert document["tempo"]["music_bpm"] is None and document["beat_alignment"] is None
    assert document["tempo"]["motion_bpm"] == pytest.approx(BPM, abs=1.0)
    assert job["result"]["summary"]["beat_alignment"] is None
    assert job["warnings"] == []


@pytest.fixture(scope="module")
async def stack_without_analysis(provisioned):
    settings = provisioned.model_copy(update={**isolated_names("noanalysis"), "analysis": False})
    await provision(settings)
    running = start_stack(settings)
    yield running
    running.stop()


def test_with_the_analysis_switched_off_a_job_ends_with_poses_only(stack_without_analysis, silent_clip):
    job = run_job(stack_without_analysis.api, silent_clip, "no-analysis.mp4")
    result = job["result"]
    assert result["poses_url"] and result["frames"] == SECONDS * FPS
    assert result["analysis_url"] is None and result["analysis_key"] is None and result["summary"] is None


async def test_a_failing_analysis_completes_the_job_with_its_poses_and_a_warning(
    provisioned, nats_client, monkeypatch, silent_clip, tmp_path
):
    """A bug in the analysis (injected here) must cost the analysis only: the worker, in process,
    on the real NATS and MinIO, still stores the poses and completes the job, with a warning."""
    import asyncio
    import uuid

    from domain.job_store import JobStore
    from domain.jobs import JobRecord
    from domain.work_orders import WorkOrder
    from infra.storage import make_s3_client
    from pose_worker import job_runner, job_steps
    from pose_worker.model import PoseModel

    settings = provisioned.model_copy(update=isolated_names("analysisfault"))
    await provision(settings)
    js = nats_client.jetstream()
    jobs = await JobStore.open(js, settings.jobs_bucket)
    s3 = make_s3_client(settings)
    job_id = str(uuid.uuid4())
    key = f"uploads/{job_id}/silent.mp4"
    await asyncio.to_thread(s3.fput_object, settings.bucket, key, str(silent_clip))
    await jobs.create(JobRecord.new(job_id, "silent.mp4", "video/mp4", key, 900))
    await js.publish(settings.work_subject, WorkOrder(job_id=job_id, bucket=settings.bucket, s3_key=key).to_json())

    def broken_analysis(*args, **kwargs):
        raise ValueError("an analysis bug")

    monkeypatch.setattr(job_steps, "analyse_dance", broken_analysis)
    model = await asyncio.to_thread(PoseModel.load, settings)
    runner = job_runner.PoseJobRunner(settings, jobs, s3, model, asyncio.Event(), tmp_path)
    subscription = await js.pull_subscribe_bind(durable=settings.worker_durable, stream=settings.work_stream)
    (message,) = await subscription.fetch(1, timeout=10)
    await runner.handle(message)

    job = await jobs.get(job_id)
    assert job.status.value == "completed" and job.progress == 1.0
    assert job.result.poses_key == f"results/{job_id}/poses.json" and job.result.frames == SECONDS * FPS
    assert job.result.analysis_key is None and job.result.summary is None
    assert job.warnings == ["dance analysis failed, poses and overlay are complete: ValueError: an analysis bug"]
    stored = await asyncio.to_thread(s3.stat_object, settings.bucket, job.result.poses_key)
    assert stored.size > 0
