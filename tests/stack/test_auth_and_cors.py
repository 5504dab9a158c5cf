"""API keys and CORS on the real gateway."""
from __future__ import annotations

import subprocess

import pytest
import requests

from tests.conftest import API_KEYS
from tests.helpers import request_upload
from tests.processes import DEPLOY_LOCAL

ALICE, BOB = ({"Authorization": f"Bearer {key}"} for key in API_KEYS)
ORIGIN = "http://dance-app.example"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": "Bearer wrong-key"}, id="wrong-key"),
        pytest.param({"Authorization": f"Basic {API_KEYS[0]}"}, id="wrong-scheme"),
        pytest.param({"Authorization": "Bearer "}, id="empty-key"),
    ],
)
def test_with_keys_configured_the_api_needs_a_valid_one(secured_gateway, headers):
    response = requests.post(
        f"{secured_gateway.api}/api/v1/analyze/upload-url", params={"filename": "a.mp4"}, headers=headers, timeout=10
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json", "/docs"])
def test_health_and_docs_need_no_key(secured_gateway, path):
    assert requests.get(f"{secured_gateway.api}{path}", timeout=10).status_code == 200


def test_a_key_sees_only_its_own_jobs(secured_gateway):
    api = secured_gateway.api
    created = requests.post(f"{api}/api/v1/analyze/upload-url", params={"filename": "a.mp4"}, headers=ALICE, timeout=10)
    assert created.status_code == 200
    job_id, s3_key = created.json()["job_id"], created.json()["s3_key"]
    assert requests.get(f"{api}/api/v1/analyze/{job_id}", headers=ALICE, timeout=10).status_code == 200
    for attempt in (
        requests.get(f"{api}/api/v1/analyze/{job_id}", headers=BOB, timeout=10),
        requests.post(f"{api}/api/v1/analyze/confirm", params={"job_id": job_id, "s3_key": s3_key}, headers=BOB, timeout=10),
        requests.post(f"{api}/api/v1/analyze/{job_id}/cancel", headers=BOB, timeout=10),
    ):
        assert attempt.status_code == 404
        assert attempt.json()["error"]["code"] == "job_not_found"
    assert requests.get(f"{api}/api/v1/analyze/{job_id}", headers=ALICE, timeout=10).json()["status"] == "awaiting_upload"


def test_without_keys_the_gateway_runs_open_and_says_so(stack):
    assert request_upload(stack.api, "open.mp4")["job_id"]
    log = stack.processes["gateway"].log_path.read_text()
    assert "no API keys configured" in log and "DANCE_API_KEYS=" in log


def report_api_keys(api: str) -> subprocess.CompletedProcess:
    """What `make up` prints about API keys once the stack is up (deploy/local/services.sh)."""
    script = f'source "{DEPLOY_LOCAL}/services.sh"; report_api_keys "{api}" "make down && make up"'
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30, check=True)


def test_make_up_warns_that_a_gateway_without_keys_is_open_and_shows_how_to_set_them(stack):
    report = report_api_keys(stack.api)
    assert "WARNING" in report.stderr and "list, read and delete every job" in report.stderr
    assert 'export DANCE_API_KEYS="$(openssl rand -hex 32)"' in report.stderr
    assert "make down && make up" in report.stderr


def test_make_up_says_a_gateway_with_keys_requires_one(secured_gateway):
    report = report_api_keys(secured_gateway.api)
    assert "WARNING" not in report.stdout + report.stderr
    assert "API keys: required" in report.stdout


def test_a_browser_preflight_is_answered(stack):
    response = requests.options(
        f"{stack.api}/api/v1/analyze/upload-url",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
        timeout=10,
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] in {"*", ORIGIN}
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()


def test_cors_headers_are_on_answers_and_errors_alike(stack):
    ok = requests.post(
        f"{stack.api}/api/v1/analyze/upload-url", params={"filename": "a.mp4"}, headers={"Origin": ORIGIN}, timeout=10
    )
    error = requests.post(f"{stack.api}/api/v1/analyze/upload-url", headers={"Origin": ORIGIN}, timeout=10)
    assert ok.status_code == 200 and error.status_code == 400
    for response in (ok, error):
        assert response.headers["Access-Control-Allow-Origin"] in {"*", ORIGIN}


def test_minio_accepts_the_browsers_put_from_another_origin(stack):
    """The presigned PUT goes to MinIO itself, so MinIO's CORS must allow the page's origin too."""
    body = request_upload(stack.api, "browser.mp4")
    preflight = requests.options(
        body["upload_url"],
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"},
        timeout=10,
    )
    assert preflight.status_code in {200, 204}
    assert preflight.headers.get("Access-Control-Allow-Origin") in {"*", ORIGIN}
    put = requests.put(body["upload_url"], data=b"x", headers={"Origin": ORIGIN, "Content-Type": "video/mp4"}, timeout=10)
    assert put.status_code == 200
    assert put.headers.get("Access-Control-Allow-Origin") in {"*", ORIGIN}
