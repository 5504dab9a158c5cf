"""Comparisons through the API on the real stack: a dance and a copy of it started one second late, without
sound (aligned by poses) and with the same recording of clicks on both (aligned by the soundtrack)."""
from __future__ import annotations

import uuid

import numpy as np
import pytest
import requests

from tests.clips import make_swaying_clip, mux_clicks
from tests.conftest import API_KEYS
from tests.helpers import confirm, put_file, request_upload, wait_until_final

DELAY_S = 1.0
#: Click times of the reference's soundtrack: irregular, so that one shift lines them up and no other.
CLICKS_S = np.sort(np.random.default_rng(3).uniform(0.2, 5.8, 14))


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    reference = make_swaying_clip(folder / "reference.mp4", seconds=6.0)
    late = make_swaying_clip(folder / "late.mp4", seconds=7.0, delay_s=DELAY_S)
    return reference, late


def completed_job(api: str, clip, headers: dict | None = None) -> str:
    upload = request_upload(api, clip.name, headers=headers)
    assert put_file(upload["upload_url"], clip).status_code == 200
    assert confirm(api, upload["job_id"], upload["s3_key"], headers).status_code == 200
    job = wait_until_final(api, f"/api/v1/analyze/{upload['job_id']}", headers)
    assert job["status"] == "completed", job
    return upload["job_id"]


@pytest.fixture(scope="module")
def jobs(stack, clips):
    reference, late = clips
    return completed_job(stack.api, reference), completed_job(stack.api, late)


def compare(api: str, headers: dict | None = None, **params) -> requests.Response:
    return requests.post(f"{api}/api/v1/compare", json=params, headers=headers, timeout=10)


def test_a_copy_started_late_is_found_late_by_that_much_and_scores_high(stack, jobs):
    reference_job, late_job = jobs
    answer = compare(stack.api, reference_job_id=reference_job, job_id=late_job)
    assert answer.status_code == 202, answer.text
    queued = answer.json()
    assert queued["status"] == "queued" and queued["result"] is None
    assert (queued["reference_job_id"], queued["job_id"]) == (reference_job, late_job)

    done = wait_until_final(stack.api, f"/api/v1/compare/{queued['comparison_id']}")
    assert done["status"] == "completed", done
    result = done["result"]
    assert result["offset_s"] == pytest.approx(DELAY_S, abs=0.1)
    assert result["score"] >= 85 and 0 <= result["pose_similarity"] <= 100
    assert result["tempo_ratio"] == pytest.approx(1.0, abs=0.05)
    assert result["mirrored"] is False
    assert result["aligned_by"] == "poses" and result["alignment_reason"] == "the reference video has no sound"
    assert result["soundtrack_correlation"] is None and result["soundtrack_chroma_correlation"] is None
    for choice in (result["reference_dancer"], result["dancer"]):
        assert choice["chosen_by"] == "most_visible" and choice["well_seen_s"] > 0 and choice["reason"]
    assert set(result["body_parts"]) == {"arms", "legs", "torso", "head"}
    assert len(result["segments"]) == 3  # no music: 2-second windows over 6 s, not counts of eight
    assert [s["eight"] for s in result["segments"]] == [t["eight"] for t in result["timing"]] == [None] * 3
    # Feedback only where a segment falls short: a copy of the dance has (nearly) none.
    assert all(s["score"] < 70 and s["feedback"] for s in result["worst_segments"])
    assert [t["verdict"] for t in result["timing"]] == ["on time"] * 3
    document = requests.get(result["comparison_url"], timeout=30).json()
    assert document["comparison_id"] == queued["comparison_id"]
    alignment = document["alignment"]
    assert len(alignment["reference_t"]) == len(alignment["attempt_t"]) == len(alignment["similarity"])


def test_a_dance_compared_with_itself_scores_100(stack, jobs):
    reference_job, _ = jobs
    answer = compare(stack.api, reference_job_id=reference_job, job_id=reference_job)
    done = wait_until_final(stack.api, f"/api/v1/compare/{answer.json()['comparison_id']}")
    assert done["result"]["score"] == pytest.approx(100.0) and done["result"]["offset_s"] == pytest.approx(0.0)
    assert done["result"]["worst_segments"] == []


@pytest.fixture(scope="module")
def music_jobs(stack, tmp_path_factory):
    """The reference and the late copy, each with the same clicks as its soundtrack (the copy's 1 s later)."""
    folder = tmp_path_factory.mktemp("compare-music")
    reference = mux_clicks(make_swaying_clip(folder / "silent-reference.mp4", seconds=6.0), folder / "reference.mp4",
                           CLICKS_S, 6.0)
    late = mux_clicks(make_swaying_clip(folder / "silent-late.mp4", seconds=7.0, delay_s=DELAY_S), folder / "late.mp4",
                      CLICKS_S + DELAY_S, 7.0)
    return completed_job(stack.api, reference), completed_job(stack.api, late)


def test_two_videos_with_one_recording_are_aligned_by_their_soundtrack(stack, music_jobs):
    reference_job, late_job = music_jobs
    answer = compare(stack.api, reference_job_id=reference_job, job_id=late_job)
    done = wait_until_final(stack.api, f"/api/v1/compare/{answer.json()['comparison_id']}")
    assert done["status"] == "completed", done
    result = done["result"]
    assert result["aligned_by"] == "soundtrack", result["alignment_reason"]
    assert result["soundtrack_correlation"] > 0.8 and result["soundtrack_chroma_correlation"] > 0.5
    assert result["offset_s"] == pytest.approx(DELAY_S, abs=0.05)
    assert result["tempo_ratio"] == pytest.approx(1.0, abs=0.01)
    assert result["score"] >= 85
    document = requests.get(result["comparison_url"], timeout=30).json()
    assert document["aligned_by"] == "soundtrack" and "soundtrack" in document["definitions"]["aligned_by"]


def test_the_events_stream_ends_with_the_finished_comparison(stack, jobs):
    reference_job, late_job = jobs
    comparison = compare(stack.api, reference_job_id=reference_job, job_id=late_job, mirror="off").json()
    with requests.get(f"{stack.api}/api/v1/compare/{comparison['comparison_id']}/events", stream=True, timeout=120) as events:
        assert events.headers["Content-Type"].startswith("text/event-stream")
        lines = [line for line in events.iter_lines(decode_unicode=True) if line.startswith("event: ")]
    assert set(lines) == {"event: comparison"}
    final = wait_until_final(stack.api, f"/api/v1/compare/{comparison['comparison_id']}")
    assert final["status"] == "completed"


def test_an_unknown_dancer_fails_the_comparison_naming_the_dancers_there_are(stack, jobs):
    reference_job, late_job = jobs
    comparison = compare(stack.api, reference_job_id=reference_job, job_id=late_job, track_id=99).json()
    failed = wait_until_final(stack.api, f"/api/v1/compare/{comparison['comparison_id']}")
    assert failed["status"] == "failed" and failed["error"]["code"] == "track_not_found"
    assert "no dancer 99" in failed["error"]["message"]


def test_unknown_or_unfinished_jobs_and_bad_parameters_are_refused(stack, jobs):
    reference_job, _ = jobs
    unknown = compare(stack.api, reference_job_id=reference_job, job_id=str(uuid.uuid4()))
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "job_not_found"
    waiting = request_upload(stack.api, "not-yet.mp4")["job_id"]
    unfinished = compare(stack.api, reference_job_id=reference_job, job_id=waiting)
    assert unfinished.status_code == 409 and unfinished.json()["error"]["code"] == "job_not_completed"
    missing = compare(stack.api, reference_job_id=reference_job)
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "missing_parameter"
    bad_mirror = compare(stack.api, reference_job_id=reference_job, job_id=reference_job, mirror="sideways")
    assert bad_mirror.status_code == 400 and bad_mirror.json()["error"]["code"] == "invalid_parameter"
    nothing = requests.get(f"{stack.api}/api/v1/compare/{uuid.uuid4()}", timeout=10)
    assert nothing.status_code == 404 and nothing.json()["error"]["code"] == "comparison_not_found"


def test_keys_see_only_their_own_jobs_and_comparisons(secured_gateway, clips):
    api = secured_gateway.api
    alice, bob = ({"Authorization": f"Bearer {key}"} for key in API_KEYS)
    alices_job = completed_job(api, clips[0], alice)
    assert compare(api, reference_job_id=alices_job, job_id=alices_job).status_code == 401
    assert compare(api, bob, reference_job_id=alices_job, job_id=alices_job).status_code == 404
    mine = compare(api, alice, reference_job_id=alices_job, job_id=alices_job)
    assert mine.status_code == 202
    path = f"/api/v1/compare/{mine.json()['comparison_id']}"
    assert requests.get(f"{api}{path}", headers=bob, timeout=10).status_code == 404
    assert wait_until_final(api, path, alice)["status"] == "completed"
