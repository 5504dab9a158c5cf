"""The OpenAPI 3.0 description of the gateway, served at ``/openapi.json``."""
from __future__ import annotations

from gateway.openapi_schemas import JOB_ID, S3_KEY, SCHEMAS
from gateway.uploads import DEFAULT_CONTENT_TYPE, SUPPORTED_TYPES

UNAUTHORIZED = "`unauthorized`: API keys are configured and the bearer token is missing or unknown"
UNAVAILABLE = "`storage_unavailable`, `broker_unavailable`: MinIO or NATS cannot be reached; retry later"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str, **extra: object) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}, **extra}


def _api_errors(codes_by_status: dict[int, str]) -> dict:
    """Error responses of an ``/api/v1`` operation: the given ones, plus 401 and 503 which all of them share."""
    codes_by_status = {**codes_by_status, 401: UNAUTHORIZED, 503: UNAVAILABLE}
    responses = {str(status): _json(_ref("Error"), codes) for status, codes in sorted(codes_by_status.items())}
    responses["401"]["headers"] = {"WWW-Authenticate": {"$ref": "#/components/headers/WWW-Authenticate"}}
    responses["503"]["headers"] = {"Retry-After": {"$ref": "#/components/headers/Retry-After"}}
    return responses


def _extension_pattern() -> str:
    """A regex for the video extensions we accept, in lower or upper case (JSON Schema has no ``(?i)``)."""
    extensions = sorted({extension.lstrip(".") for extensions in SUPPORTED_TYPES.values() for extension in extensions})
    return rf"\.({'|'.join(extensions + [extension.upper() for extension in extensions])})$"


def _query(name: str, schema: dict, description: str, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def _params_body(properties: dict, required: list[str]) -> dict:
    """The query parameters again, as a JSON object body (the body wins on a clash)."""
    schema = {"type": "object", "properties": properties, "required": required}
    return {
        "required": False,
        "description": "The same parameters as a JSON object, instead of the query string.",
        "content": {"application/json": {"schema": schema}},
    }


FILENAME = {"type": "string", "pattern": _extension_pattern(), "example": "dance.mp4"}
CONTENT_TYPE = {"type": "string", "enum": list(SUPPORTED_TYPES), "default": DEFAULT_CONTENT_TYPE}
SIZE = {"type": "integer", "format": "int64", "minimum": 1, "example": 10485760}
JOB_ID_PATH = {"name": "job_id", "in": "path", "required": True, "schema": JOB_ID}

UPLOAD_URL_PARAMS = [
    _query("filename", FILENAME, "Name of the video; its extension must fit the content type.", required=True),
    _query("content_type", CONTENT_TYPE, "MIME type of the video."),
    _query(
        "size",
        SIZE,
        "Size of the video in bytes; when given, the URL is signed for exactly this Content-Length "
        "and a size over the cap (`DANCE_MAX_UPLOAD_BYTES`, default 4 GiB) is refused up front.",
    ),
]
CONFIRM_PARAMS = [
    _query("job_id", JOB_ID, "`job_id` from upload-url.", required=True),
    _query("s3_key", S3_KEY, "`s3_key` from upload-url.", required=True),
]

#: Where the upload-url answer leads next; Swagger UI shows these and fuzzers follow them.
UPLOAD_URL_LINKS = {
    "ConfirmUpload": {
        "operationId": "confirmUpload",
        "parameters": {"query.job_id": "$response.body#/job_id", "query.s3_key": "$response.body#/s3_key"},
    },
    "GetJob": {"operationId": "getJob", "parameters": {"path.job_id": "$response.body#/job_id"}},
    "CancelJob": {"operationId": "cancelJob", "parameters": {"path.job_id": "$response.body#/job_id"}},
}

PUBLIC = {"security": []}

PATHS = {
    "/api/v1/analyze/upload-url": {
        "post": {
            "operationId": "createUploadUrl",
            "summary": "Create a job and a presigned PUT URL for its video",
            "parameters": UPLOAD_URL_PARAMS,
            "requestBody": _params_body({p["name"]: p["schema"] for p in UPLOAD_URL_PARAMS}, ["filename"]),
            "responses": {
                "200": _json(_ref("UploadUrl"), "Job created; PUT the video to upload_url", links=UPLOAD_URL_LINKS),
                **_api_errors(
                    {
                        400: "`missing_parameter`, `invalid_parameter`, `invalid_request`, `unsupported_file_type`",
                        413: "`file_too_large`: `size` is over the cap",
                    }
                ),
            },
        }
    },
    "/api/v1/analyze/confirm": {
        "post": {
            "operationId": "confirmUpload",
            "summary": "Confirm the upload; queues the job once (idempotent)",
            "parameters": CONFIRM_PARAMS,
            "requestBody": _params_body({p["name"]: p["schema"] for p in CONFIRM_PARAMS}, ["job_id", "s3_key"]),
            "responses": {
                "200": _json(_ref("Confirmation"), "Upload confirmed"),
                **_api_errors(
                    {
                        400: "`missing_parameter`, `s3_key_mismatch`",
                        404: "`job_not_found`, `upload_not_found` (the video is not in the bucket yet)",
                        409: "`job_cancelled`",
                        410: "`job_expired`: request a new upload URL",
                        413: "`file_too_large`: the uploaded object is over the cap; it was deleted",
                    }
                ),
            },
        }
    },
    "/api/v1/analyze/{job_id}": {
        "get": {
            "operationId": "getJob",
            "summary": "A job's status, progress, error and (once completed) result URLs",
            "parameters": [JOB_ID_PATH],
            "responses": {
                "200": _json(_ref("Job"), "The job"),
                **_api_errors({404: "`job_not_found`"}),
            },
        }
    },
    "/api/v1/analyze/{job_id}/cancel": {
        "post": {
            "operationId": "cancelJob",
            "summary": "Cancel a job whose processing has not started; a later upload for it is not analysed",
            "parameters": [JOB_ID_PATH],
            "responses": {
                "200": _json(_ref("Job"), "The job, now cancelled"),
                **_api_errors({404: "`job_not_found`", 409: "`job_not_cancellable`: processing has started or ended"}),
            },
        }
    },
    "/api/v1/analyze": {
        "post": {
            "operationId": "analyzeUpload",
            "summary": "Upload a video through the gateway (deprecated: use upload-url)",
            "deprecated": True,
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {"file": {"type": "string", "format": "binary"}},
                        },
                        "encoding": {"file": {"contentType": ", ".join(SUPPORTED_TYPES)}},
                    }
                },
            },
            "responses": {
                "200": _json(
                    _ref("Job"),
                    "The job, queued",
                    headers={
                        "Deprecation": {
                            "description": "RFC 9745: when this endpoint was deprecated, as `@<unix time>`",
                            "schema": {"type": "string", "example": "@1795478400"},
                        },
                        "Link": {
                            "description": 'The successor: `</api/v1/analyze/upload-url>; rel="successor-version"`',
                            "schema": {"type": "string"},
                        },
                    },
                ),
                **_api_errors(
                    {
                        400: "`invalid_request`, `missing_parameter` (no `file` part), `unsupported_file_type`",
                        413: "`file_too_large`: over the cap; nothing was stored",
                    }
                ),
            },
        }
    },
    "/healthz": {
        "get": {
            "operationId": "healthz",
            "summary": "Liveness: the process answers",
            **PUBLIC,
            "responses": {"200": _json(_ref("Health"), "Alive")},
        }
    },
    "/readyz": {
        "get": {
            "operationId": "readyz",
            "summary": "Readiness: NATS and MinIO both answer",
            **PUBLIC,
            "responses": {"200": _json(_ref("Readiness"), "Ready"), "503": _json(_ref("Readiness"), "Not ready")},
        }
    },
    "/api/v1/analyze/{job_id}/events": {
        "get": {
            "operationId": "streamJobEvents",
            "summary": "The job's status and progress as server-sent events, until it ends",
            "description": "Each change is an `event: job` whose data is the same JSON as GET /api/v1/analyze/{job_id}; "
            "the stream closes after a final status (completed, failed, expired, cancelled). "
            "Lines starting with ':' are heartbeats.",
            "parameters": [JOB_ID_PATH],
            "responses": {
                "200": {"description": "An event stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                **_api_errors({404: "`job_not_found`"}),
            },
        }
    },
    "/metrics": {
        "get": {
            "operationId": "getMetrics",
            "summary": "Prometheus metrics of the gateway (answers by route and status, latency)",
            **PUBLIC,
            "responses": {"200": {"description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}}},
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This document",
            **PUBLIC,
            "responses": {"200": _json({"type": "object"}, "The OpenAPI document")},
        }
    },
    "/docs": {
        "get": {
            "operationId": "getDocs",
            "summary": "Interactive documentation (Swagger UI, served by the gateway itself)",
            **PUBLIC,
            "responses": {"200": {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}}},
        }
    },
    "/": {
        "get": {
            "operationId": "getWebPage",
            "summary": "The upload page: pick a video, watch the job, play it with the skeletons drawn over it",
            "description": "Its script and stylesheet are served under `/web/`. The page needs no key; its API "
            "calls send the key typed into it, when the gateway has keys configured.",
            **PUBLIC,
            "responses": {"200": {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}}},
        }
    },
}

#: The ``{code, message}`` pair of an error; Job.error repeats it inline because a 3.0 ``$ref`` cannot be nullable.
DESCRIPTION = """Upload a dance video straight to the bucket, then get every dancer's pose in every frame.

1. `POST /api/v1/analyze/upload-url` creates a job and a presigned PUT URL.
2. PUT the video to that URL.
3. `POST /api/v1/analyze/confirm` (optional: the bucket event queues the job too).
4. Poll `GET /api/v1/analyze/{job_id}` until the job is completed, failed, expired or cancelled.

Every `/api/v1` call takes `Authorization: Bearer <API key>`. With no API keys configured the
gateway runs open and accepts calls without a token. Errors are `{"error": {"code", "message"}}`."""

OPENAPI: dict = {
    "openapi": "3.0.3",
    "info": {"title": "Dance Analysis API", "version": "1.0.0", "description": DESCRIPTION},
    "security": [{"bearerAuth": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "description": "An API key"}},
        "headers": {
            "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}},
            "WWW-Authenticate": {"description": "The scheme to authenticate with", "schema": {"type": "string"}},
        },
        "schemas": SCHEMAS,
    },
}
