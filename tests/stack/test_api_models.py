"""The models are the contract: the document follows them, real answers validate against it, and
parameters are read from query, path or JSON body with the API's own error codes."""
from __future__ import annotations

import dataclasses

import pytest
import requests
from openapi_schema_validator import OAS30Validator

from gateway.app import create_app, endpoints
from gateway.app_keys import OPENAPI_DOCUMENT
from gateway.models import jobs
from gateway.openapi import openapi_document
from infra.settings import Settings
from tests.clips import make_clip
from tests.helpers import confirm, put_file, request_upload, wait_for_final
from tests.stack.test_job_events import read_events

OFFLINE = Settings(nats_url="nats://127.0.0.1:1", s3_endpoint="http://127.0.0.1:1")
UPLOAD_URL = "/api/v1/analyze/upload-url"


def error_of(response: requests.Response) -> dict:
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()["error"]


def validate(document: dict, component: str, instance: dict) -> None:
    """Raise unless ``instance`` is valid under the document's schema ``component`` (3.0 dialect)."""
    schema = {"$ref": f"#/components/schemas/{component}", "components": document["components"]}
    OAS30Validator(schema).validate(instance)


def test_a_field_added_to_a_response_model_is_in_the_document_with_no_other_edit():
    class Job(jobs.Job):  # the same component name, one field more
        tempo_bpm: float | None = None

    class JobList(jobs.JobList):  # the list of jobs, of the widened kind
        jobs: list[Job]

    wider = {jobs.Job: Job, jobs.JobList: JobList}
    widened = [dataclasses.replace(e, response=wider.get(e.response, e.response)) for e in endpoints()]
    document = openapi_document(widened, OFFLINE)
    job_schema = document["components"]["schemas"]["Job"]
    assert job_schema["properties"]["tempo_bpm"] == {"type": "number", "nullable": True, "default": None}
    assert "tempo_bpm" in job_schema["required"]  # answers always carry every field
    assert "tempo_bpm" not in openapi_document(endpoints(), OFFLINE)["components"]["schemas"]["Job"]["properties"]


def test_the_documented_size_cap_is_the_configured_one():
    document = create_app(OFFLINE.model_copy(update={"max_upload_bytes": 12345}))[OPENAPI_DOCUMENT]
    operation = document["paths"][UPLOAD_URL]["post"]
    (size,) = [parameter for parameter in operation["parameters"] if parameter["name"] == "size"]
    assert size["schema"]["maximum"] == 12345


def test_error_answers_list_the_codes_of_the_errors_each_operation_raises():
    document = create_app(OFFLINE)[OPENAPI_DOCUMENT]
    confirm_answers = document["paths"]["/api/v1/analyze/confirm"]["post"]["responses"]
    assert "`s3_key_mismatch`" in confirm_answers["400"]["description"]
    assert "`upload_not_found`" in confirm_answers["404"]["description"]
    assert "`job_expired`" in confirm_answers["410"]["description"]
    keyed = create_app(OFFLINE.model_copy(update={"api_keys": "a-key"}))[OPENAPI_DOCUMENT]  # 401 only with keys
    assert "`unauthorized`" in keyed["paths"]["/api/v1/analyze/confirm"]["post"]["responses"]["401"]["description"]
    assert set(document["paths"]["/healthz"]["get"]["responses"]) == {"200"}  # public, and raises nothing


def test_a_completed_job_and_its_events_validate_against_the_document(stack, tmp_path):
    """Schemathesis never sees a finished analysis (it uploads nothing): check that answer here."""
    document = requests.get(f"{stack.api}/openapi.json", timeout=10).json()
    upload = request_upload(stack.api, "schema.mp4")
    validate(document, "UploadUrl", upload)
    validate(document, "Job", stack.get_job(upload["job_id"]))
    assert put_file(upload["upload_url"], make_clip(tmp_path / "schema.mp4", seconds=1.0, size=(640, 360))).status_code == 200
    confirmation = confirm(stack.api, upload["job_id"], upload["s3_key"])
    validate(document, "Confirmation", confirmation.json())
    job = wait_for_final(stack.api, upload["job_id"])
    assert job["status"] == "completed" and job["result"] is not None
    validate(document, "Job", job)
    _, events = read_events(f"{stack.api}/api/v1/analyze/{upload['job_id']}/events")
    assert events == [job] or events[-1]["status"] == "completed"
    for event in events:
        validate(document, "Job", event)


def test_an_error_answer_validates_against_the_document(stack):
    document = requests.get(f"{stack.api}/openapi.json", timeout=10).json()
    response = requests.post(f"{stack.api}{UPLOAD_URL}", timeout=10)
    assert response.status_code == 400
    validate(document, "Error", response.json())


@pytest.mark.parametrize(
    ("query", "body", "code", "names"),
    [
        pytest.param({"filename": "a.mp4", "size": "ten"}, None, "invalid_parameter", "size", id="size-not-a-number"),
        pytest.param({"filename": "a.mp4", "size": "0"}, None, "invalid_parameter", "size", id="size-zero"),
        pytest.param({}, {"filename": "a.mp4", "size": "10"}, "invalid_parameter", "size", id="json-number-as-text"),
        pytest.param({}, {"filename": 7}, "invalid_parameter", "filename", id="json-filename-not-text"),
        pytest.param({}, {"filename": None}, "missing_parameter", "filename", id="json-null-is-absent"),
        pytest.param(
            {"filename": "a.gif"}, {"filename": "a.mp4"}, "unsupported_file_type", "a.gif", id="bad-query-under-good-body"
        ),
        pytest.param(
            [("filename", "a.mp4"), ("filename", "b.mp4")], None, "invalid_parameter", "filename", id="given-twice"
        ),
    ],
)
def test_parameters_are_checked_wherever_they_come_from(stack, query, body, code, names):
    response = requests.post(f"{stack.api}{UPLOAD_URL}", params=query, json=body, timeout=10)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == code
    assert names in error["message"]


def test_the_json_body_wins_over_the_query_and_null_means_not_given(stack):
    response = requests.post(
        f"{stack.api}{UPLOAD_URL}",
        params={"filename": "query.mp4"},
        json={"filename": "body.mov", "content_type": "video/quicktime", "size": None, "unknown": 1},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["s3_key"].endswith("/body.mov")


def test_a_size_over_the_cap_is_413_in_the_query_even_under_a_body(stack):
    response = requests.post(
        f"{stack.api}{UPLOAD_URL}", params={"size": str(stack.settings.max_upload_bytes + 1)},
        json={"filename": "a.mp4", "size": 10}, timeout=10,
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "file_too_large"


def test_an_empty_content_type_means_the_default(stack):
    response = requests.post(f"{stack.api}{UPLOAD_URL}", params={"filename": "a.mp4", "content_type": ""}, timeout=10)
    assert response.status_code == 200


def test_a_wrong_method_is_405_naming_the_methods_the_path_has(stack):
    # /confirm is its own route, not a job called "confirm" (which GET would look up).
    response = requests.get(f"{stack.api}/api/v1/analyze/confirm", timeout=10)
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "POST"
