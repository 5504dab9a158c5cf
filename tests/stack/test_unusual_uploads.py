"""Unusual uploads as jobs on the real stack: each ends with an error or a warning that names its cause,
and a real video never costs its analysis. Real clips come from ``../shared/media/real`` (skipped without it)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest
import requests

from gateway.models.analysis import Analysis
from tests.clips import real_clip
from tests.helpers import confirm, put_file, request_upload, wait_for_final
from tests.video_fixtures import cut_at, encode_audio_only

DUO_CLIP = "group3_women_nuoyan_27s.mp4"
#: Where the cut-off upload of the duo clip ends: 600 kB of its 2.5 MB hold its first 6.3 s of 27.5.
CUT_AT_BYTES = 600_000
#: Seconds of the duo clip turned on its side: enough for its dancers to be tracked and analysed.
TURNED_SECONDS = 10


def run_job(api: str, clip: Path, name: str) -> dict:
    """Upload, confirm and wait for the job to end, completed or not."""
    upload = request_upload(api, name)
    assert put_file(upload["upload_url"], clip).status_code == 200
    assert confirm(api, upload["job_id"], upload["s3_key"]).status_code == 200
    return wait_for_final(api, upload["job_id"])


def test_an_mp4_holding_only_audio_ends_failed_saying_it_has_no_video_stream(stack, tmp_path):
    song = encode_audio_only(tmp_path / "song.mp4")

    job = run_job(stack.api, song, "song.mp4")

    assert job["status"] == "failed", job
    assert job["error"] == {"code": "invalid_video", "message": "the file has no video stream (only audio)"}
    assert job["result"] is None


def test_an_upload_cut_off_at_600_kb_completes_with_the_frames_that_arrived_and_a_warning_naming_the_cut(stack, tmp_path):
    cut = cut_at(real_clip(DUO_CLIP), tmp_path / "cut.mp4", CUT_AT_BYTES)

    job = run_job(stack.api, cut, "cut.mp4")

    assert job["status"] == "completed", job
    assert job["warnings"] == [
        "the video file ends at 6.3 s of the 27.5 s its container announces (a cut-off upload?); "
        "poses and analysis cover only that part"
    ]
    poses = requests.get(job["result"]["poses_url"], timeout=30).json()
    assert len(poses["frames"]) == job["result"]["frames"] == poses["video"]["frames"]
    assert poses["video"]["duration_s"] == pytest.approx(6.3, abs=0.05)
    analysis = requests.get(job["result"]["analysis_url"], timeout=30).json()
    Analysis.model_validate(analysis)


def test_the_real_duo_clip_turned_on_its_side_completes_with_its_analysis(stack, tmp_path):
    # Turned with ffmpeg's transpose (360x640 becomes 640x360): its dancers lie on their sides, so their
    # tracks and tempo are odd; once, its analysis failed on "filter critical frequencies must be greater than 0".
    turned = tmp_path / "turned.mp4"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(real_clip(DUO_CLIP)),
         "-t", str(TURNED_SECONDS), "-vf", "transpose=1", str(turned)],
        check=True,
    )

    job = run_job(stack.api, turned, "turned.mp4")

    assert job["status"] == "completed", job
    assert job["warnings"] == [], "the analysis failed or the video was told cut off"
    analysis = requests.get(job["result"]["analysis_url"], timeout=30).json()
    Analysis.model_validate(analysis)
    assert analysis["video"]["width"] == 640 and analysis["video"]["height"] == 360
    assert analysis["music"]["has_audio"] is True
