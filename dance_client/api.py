"""The API as this client calls it: its paths, the statuses that end a job or a comparison, the
video types it takes. The one module that spells them; the others import from here.

``tests/unit/test_dance_client_contract.py`` holds this table against the gateway's own endpoints,
status enums and accepted types, so that the client and the server cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

#: Where ``make up`` serves the API.
DEFAULT_API = "http://localhost:8000"

#: A JSON object as the API sends it (a job, a grant, a comparison).
Record = dict[str, Any]


@dataclass(frozen=True)
class Operation:
    """One API call: its ``operationId`` in ``/openapi.json``, its method and its path (``{name}``
    where a parameter goes)."""

    operation_id: str
    method: str
    path: str
    #: The ``event:`` name of the items of a server-sent event stream; empty for a JSON answer.
    event: str = ""

    def target(self, **params: str) -> str:
        """The path with its parameters filled in, each percent-encoded."""
        return self.path.format(**{name: quote(value) for name, value in params.items()})


CREATE_UPLOAD_URL = Operation("createUploadUrl", "POST", "/api/v1/analyze/upload-url")
CONFIRM_UPLOAD = Operation("confirmUpload", "POST", "/api/v1/analyze/confirm")
LEGACY_UPLOAD = Operation("analyzeUpload", "POST", "/api/v1/analyze")
CREATE_MULTIPART = Operation("createMultipartUpload", "POST", "/api/v1/analyze/multipart")
GET_MULTIPART = Operation("getMultipartUpload", "GET", "/api/v1/analyze/multipart/{job_id}")
SIGN_PARTS = Operation("signUploadParts", "POST", "/api/v1/analyze/multipart/{job_id}/parts")
COMPLETE_MULTIPART = Operation("completeMultipartUpload", "POST", "/api/v1/analyze/multipart/{job_id}/complete")
GET_JOB = Operation("getJob", "GET", "/api/v1/analyze/{job_id}")
JOB_EVENTS = Operation("streamJobEvents", "GET", "/api/v1/analyze/{job_id}/events", event="job")
CREATE_COMPARISON = Operation("createComparison", "POST", "/api/v1/compare")
COMPARISON_EVENTS = Operation(
    "streamComparisonEvents", "GET", "/api/v1/compare/{comparison_id}/events", event="comparison"
)

#: Every call the client makes.
OPERATIONS = (
    CREATE_UPLOAD_URL, CONFIRM_UPLOAD, LEGACY_UPLOAD, CREATE_MULTIPART, GET_MULTIPART, SIGN_PARTS,
    COMPLETE_MULTIPART, GET_JOB, JOB_EVENTS, CREATE_COMPARISON, COMPARISON_EVENTS,
)

COMPLETED = "completed"
FAILED = "failed"
#: A job in one of these never changes again.
FINAL_JOB_STATUSES = frozenset({COMPLETED, FAILED, "expired", "cancelled"})
#: A job the API has taken in: queued for analysis, or further along.
ADMITTED_JOB_STATUSES = frozenset({"queued", "processing", COMPLETED})
#: A comparison in one of these never changes again.
FINAL_COMPARISON_STATUSES = frozenset({COMPLETED, FAILED})

#: The containers the API accepts, by extension; any other file is sent as guessed and the API says no.
CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".qt": "video/quicktime",
    ".avi": "video/x-msvideo",
}
