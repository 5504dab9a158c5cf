"""The upload API's answers and errors, against the running gateway on real MinIO and NATS."""
from __future__ import annotations

import uuid

import pytest
import requests

from tests.helpers import confirm, put_file, request_upload


def error_of(response: requests.Response) -> dict:
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()["error"]


def test_upload_url_answers_the_documented_fields(stack):
    body = request_upload(stack.api, "dance_video.mp4")
    assert set(body) == {"job_id", "upload_url", "s3_key", "expires_in", "instructions"}
    uuid.UUID(body["job_id"])
    assert body["s3_key"] == f"uploads/{body['job_id']}/dance_video.mp4"
    assert body["expires_in"] == 900
    assert "X-Amz-Signature=" in body["upload_url"] and "X-Amz-Expires=900" in body["upload_url"]
    job = stack.get_job(body["job_id"])
    assert job["status"] == "awaiting_upload" and job["stage"] == "upload"
    assert set(job) >= {"job_id", "status", "stage", "progress", "s3_key", "created_at", "updated_at", "error", "result"}


def test_upload_url_accepts_a_json_body_too(stack):
    response = requests.post(
        f"{stack.api}/api/v1/analyze/upload-url", json={"filename": "move.mov", "content_type": "video/quicktime"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["s3_key"].endswith("/move.mov")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        pytest.param({}, "missing_parameter", id="filename-missing"),
        pytest.param({"filename": "  "}, "missing_parameter", id="filename-empty"),
        pytest.param({"filename": "a.gif", "content_type": "image/gif"}, "unsupported_file_type", id="not-a-video-type"),
        pytest.param({"filename": "a.avi", "content_type": "video/mp4"}, "unsupported_file_type", id="extension-disagrees"),
    ],
)
def test_upload_url_rejects_bad_input_with_400(stack, params, code):
    response = requests.post(f"{stack.api}/api/v1/analyze/upload-url", params=params, timeout=10)
    assert response.status_code == 400
    assert error_of(response)["code"] == code


def test_path_components_never_leave_the_job_folder(stack):
    body = request_upload(stack.api, "../../etc/evil.mp4")
    assert body["s3_key"] == f"uploads/{body['job_id']}/evil.mp4"


def test_confirm_before_upload_returns_404_upload_not_found(stack):
    body = request_upload(stack.api, "early.mp4")
    response = confirm(stack.api, body["job_id"], body["s3_key"])
    assert response.status_code == 404
    assert error_of(response)["code"] == "upload_not_found"
    assert stack.get_job(body["job_id"])["status"] == "awaiting_upload"


def test_confirm_of_an_unknown_job_returns_404(stack):
    job_id = str(uuid.uuid4())
    response = confirm(stack.api, job_id, f"uploads/{job_id}/x.mp4")
    assert response.status_code == 404
    assert error_of(response)["code"] == "job_not_found"


def test_confirm_with_another_jobs_key_returns_400(stack, tmp_path):
    mine, other = request_upload(stack.api, "mine.mp4"), request_upload(stack.api, "other.mp4")
    response = confirm(stack.api, mine["job_id"], other["s3_key"])
    assert response.status_code == 400
    assert error_of(response)["code"] == "s3_key_mismatch"


def test_unknown_job_returns_404_json(stack):
    response = requests.get(f"{stack.api}/api/v1/analyze/{uuid.uuid4()}", timeout=10)
    assert response.status_code == 404
    assert error_of(response)["code"] == "job_not_found"


def test_presigned_url_is_signed_for_the_put_only(stack, tmp_path):
    """The URL uploads to exactly its key; the object is then there for the worker."""
    body = request_upload(stack.api, "signed.mp4")
    video = tmp_path / "signed.mp4"
    video.write_bytes(b"\x00" * 1024)
    assert put_file(body["upload_url"], video).status_code == 200
    tampered = body["upload_url"].replace("signed.mp4", "other.mp4")
    assert put_file(tampered, video).status_code == 403


def test_health_endpoints(stack):
    assert requests.get(f"{stack.api}/healthz", timeout=5).json() == {"status": "ok"}
    ready = requests.get(f"{stack.api}/readyz", timeout=5)
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "nats": True, "s3": True}


def test_confirm_accepts_a_json_body_too(stack):
    body = request_upload(stack.api, "early.mp4")
    response = requests.post(
        f"{stack.api}/api/v1/analyze/confirm", json={"job_id": body["job_id"], "s3_key": body["s3_key"]}, timeout=10
    )
    assert response.status_code == 404  # parameters understood: the job exists, its upload does not yet
    assert error_of(response)["code"] == "upload_not_found"


@pytest.mark.parametrize(
    "raw",
    [pytest.param(b"{not json", id="broken-json"), pytest.param(b"[1, 2]", id="json-but-not-an-object")],
)
def test_a_body_that_is_not_a_json_object_is_a_400(stack, raw):
    response = requests.post(
        f"{stack.api}/api/v1/analyze/upload-url", data=raw, headers={"Content-Type": "application/json"}, timeout=10
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_request"


def test_unknown_routes_and_methods_answer_json_errors(stack):
    missing = requests.get(f"{stack.api}/api/v1/nothing-here", timeout=10)
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    wrong_method = requests.put(f"{stack.api}/api/v1/analyze/upload-url", timeout=10)
    assert wrong_method.status_code == 405 and error_of(wrong_method)["code"] == "method_not_allowed"
