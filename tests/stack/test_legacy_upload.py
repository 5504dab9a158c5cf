"""The deprecated multipart upload still works, streams to the bucket, and says it is deprecated."""
from __future__ import annotations

import hashlib
import os

import pytest
import requests

from infra.storage import make_s3_client
from tests.clips import make_clip
from tests.helpers import wait_for_final


def post_legacy(api: str, path, filename: str, content_type: str = "video/mp4") -> requests.Response:
    with path.open("rb") as body:
        return requests.post(f"{api}/api/v1/analyze", files={"file": (filename, body, content_type)}, timeout=60)


def test_the_legacy_upload_is_analysed_and_marked_deprecated(stack, tmp_path):
    clip = make_clip(tmp_path / "legacy.mp4", seconds=0.5, size=(640, 360))
    response = post_legacy(stack.api, clip, "legacy.mp4")
    assert response.status_code == 200, response.text
    assert response.headers["Deprecation"].startswith("@")
    assert 'rel="successor-version"' in response.headers["Link"] and "upload-url" in response.headers["Link"]
    job = response.json()
    assert job["status"] in {"queued", "processing", "completed"}
    assert job["s3_key"] == f"uploads/{job['job_id']}/legacy.mp4"
    assert wait_for_final(stack.api, job["job_id"])["status"] == "completed"


def test_the_legacy_upload_rejects_what_upload_url_rejects(stack, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    response = post_legacy(stack.api, text, "notes.txt", "text/plain")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unsupported_file_type"


def test_the_legacy_upload_without_a_file_field_is_a_400(stack):
    response = requests.post(f"{stack.api}/api/v1/analyze", files={"video": ("a.mp4", b"x", "video/mp4")}, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "missing_parameter"


def test_a_legacy_upload_over_the_cap_is_refused_and_not_stored(limits_stack, tmp_path):
    big = tmp_path / "big.mp4"
    big.write_bytes(b"\x00" * 300_000)
    response = post_legacy(limits_stack.api, big, "big.mp4")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"


def test_a_multi_part_legacy_upload_is_stored_byte_for_byte(stack, tmp_path):
    """12 MiB crosses the 5 MiB part size, so the stream is reassembled from several parts."""
    payload = os.urandom(12 * 1024**2 + 12345)
    path = tmp_path / "parts.mp4"
    path.write_bytes(payload)
    response = post_legacy(stack.api, path, "parts.mp4")
    assert response.status_code == 200, response.text
    s3 = make_s3_client(stack.settings)
    stored = s3.get_object(stack.settings.bucket, response.json()["s3_key"])
    try:
        assert hashlib.sha256(stored.read()).hexdigest() == hashlib.sha256(payload).hexdigest()
    finally:
        stored.close()
        stored.release_conn()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        pytest.param("multipart/form-data", b"x", id="no-boundary"),
        pytest.param("multipart/form-data; boundary=b", b'--b\r\nContent-Disposition: form-data; name="a\x00"\r\n\r\nx\r\n--b--\r\n', id="bad-part-header"),
        pytest.param("multipart/form-data; boundary=B", b"--B\r\nNone--B--\r\n", id="garbled-part"),
        pytest.param("text/plain", b"hello", id="not-multipart"),
    ],
)
def test_a_malformed_legacy_body_is_a_400_not_a_500(stack, content_type, body):
    response = requests.post(f"{stack.api}/api/v1/analyze", data=body, headers={"Content-Type": content_type}, timeout=10)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] in {"invalid_request", "missing_parameter"}


@pytest.mark.parametrize(
    "raw", [pytest.param(b"\xff", id="not-utf8"), pytest.param(b'{"filename": "a.mp4"', id="truncated")]
)
def test_a_json_body_that_cannot_be_decoded_is_a_400(stack, raw):
    for path in ("upload-url", "confirm"):
        response = requests.post(
            f"{stack.api}/api/v1/analyze/{path}", data=raw, headers={"Content-Type": "application/json"}, timeout=10
        )
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_request"
