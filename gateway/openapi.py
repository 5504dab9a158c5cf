"""The OpenAPI 3.0 description of the gateway, served at ``/openapi.json``."""
from __future__ import annotations

from gateway.openapi_parts import (
    CONFIRM_PARAMS,
    JOB_ID_PATH,
    UPLOAD_URL_LINKS,
    UPLOAD_URL_PARAMS,
    api_errors,
    json_body,
    params_body,
    ref,
)
from gateway.openapi_schemas import SCHEMAS
from gateway.uploads import SUPPORTED_TYPES

PUBLIC = {"security": []}

PATHS = {
    "/api/v1/analyze/upload-url": {
        "post": {
            "operationId": "createUploadUrl",
            "summary": "Create a job and a presigned PUT URL for its video",
            "parameters": UPLOAD_URL_PARAMS,
            "requestBody": params_body({p["name"]: p["schema"] for p in UPLOAD_URL_PARAMS}, ["filename"]),
            "responses": {
                "200": json_body(ref("UploadUrl"), "Job created; PUT the video to upload_url", links=UPLOAD_URL_LINKS),
                **api_errors(
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
            "requestBody": params_body({p["name"]: p["schema"] for p in CONFIRM_PARAMS}, ["job_id", "s3_key"]),
            "responses": {
                "200": json_body(ref("Confirmation"), "Upload confirmed"),
                **api_errors(
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
                "200": json_body(ref("Job"), "The job"),
                **api_errors({404: "`job_not_found`"}),
            },
        }
    },
    "/api/v1/analyze/{job_id}/cancel": {
        "post": {
            "operationId": "cancelJob",
            "summary": "Cancel a job whose processing has not started; a later upload for it is not analysed",
            "parameters": [JOB_ID_PATH],
            "responses": {
                "200": json_body(ref("Job"), "The job, now cancelled"),
                **api_errors({404: "`job_not_found`", 409: "`job_not_cancellable`: processing has started or ended"}),
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
                "200": json_body(
                    ref("Job"),
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
                **api_errors(
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
            "responses": {"200": json_body(ref("Health"), "Alive")},
        }
    },
    "/readyz": {
        "get": {
            "operationId": "readyz",
            "summary": "Readiness: NATS and MinIO both answer",
            **PUBLIC,
            "responses": {"200": json_body(ref("Readiness"), "Ready"), "503": json_body(ref("Readiness"), "Not ready")},
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
                **api_errors({404: "`job_not_found`"}),
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
            "responses": {"200": json_body({"type": "object"}, "The OpenAPI document")},
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
