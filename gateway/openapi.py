"""The OpenAPI 3 description of the gateway, served at ``/openapi.json``."""
from __future__ import annotations

from common.jobs import JobStatus, Stage

ERROR = {"$ref": "#/components/schemas/Error"}


def _param(name: str, description: str, required: bool, example: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": {"type": "string", "example": example},
    }


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict:
    text = {400: "Invalid request", 404: "Not found", 409: "Job state forbids this", 503: "A backing service is down"}
    return {str(status): _json(ERROR, text[status]) for status in statuses}


def _params_body(*names: str) -> dict:
    return {
        "required": False,
        "description": "The same parameters as a JSON object, instead of the query string.",
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": {name: {"type": "string"} for name in names}}
            }
        },
    }


OPENAPI: dict = {
    "openapi": "3.0.3",
    "info": {
        "title": "Dance Analysis API",
        "version": "1.0.0",
        "description": "Upload a dance video straight to the bucket, then get every dancer's pose in every frame.",
    },
    "paths": {
        "/api/v1/analyze/upload-url": {
            "post": {
                "summary": "Create a job and a presigned PUT URL for its video",
                "parameters": [
                    _param("filename", "Name of the video file", True, "dance.mp4"),
                    _param("content_type", "MIME type of the video (default video/mp4)", False, "video/mp4"),
                ],
                "requestBody": _params_body("filename", "content_type"),
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/UploadUrl"}, "Job created"),
                    **_errors(400, 503),
                },
            }
        },
        "/api/v1/analyze/confirm": {
            "post": {
                "summary": "Confirm the upload; queues the job once (idempotent)",
                "parameters": [
                    _param("job_id", "Job id from upload-url", True, "550e8400-e29b-41d4-a716-446655440000"),
                    _param("s3_key", "s3_key from upload-url", True,
                           "uploads/550e8400-e29b-41d4-a716-446655440000/dance.mp4"),
                ],
                "requestBody": _params_body("job_id", "s3_key"),
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Confirmation"}, "Upload confirmed"),
                    **_errors(400, 404, 409, 503),
                },
            }
        },
        "/api/v1/analyze/{job_id}": {
            "get": {
                "summary": "A job's status, progress and results",
                "parameters": [
                    {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": _json({"$ref": "#/components/schemas/Job"}, "The job"), **_errors(404, 503)},
            }
        },
        "/healthz": {"get": {"summary": "Liveness", "responses": {"200": {"description": "Alive"}}}},
        "/readyz": {
            "get": {
                "summary": "Readiness: NATS and MinIO reachable",
                "responses": {"200": {"description": "Ready"}, "503": {"description": "Not ready"}},
            }
        },
    },
    "components": {
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                    }
                },
            },
            "UploadUrl": {
                "type": "object",
                "required": ["job_id", "upload_url", "s3_key", "expires_in", "instructions"],
                "properties": {
                    "job_id": {"type": "string", "format": "uuid"},
                    "upload_url": {"type": "string", "format": "uri"},
                    "s3_key": {"type": "string"},
                    "expires_in": {"type": "integer", "example": 900},
                    "instructions": {"type": "string"},
                },
            },
            "Confirmation": {
                "type": "object",
                "required": ["job_id", "status", "stage", "s3_key", "message"],
                "properties": {
                    "job_id": {"type": "string"},
                    "status": {"type": "string", "enum": [s.value for s in JobStatus]},
                    "stage": {"type": "string", "enum": [s.value for s in Stage]},
                    "s3_key": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
            "Job": {
                "type": "object",
                "properties": {
                    "job_id": {"type": "string"},
                    "status": {"type": "string", "enum": [s.value for s in JobStatus]},
                    "stage": {"type": "string", "enum": [s.value for s in Stage]},
                    "progress": {"type": "number", "minimum": 0, "maximum": 1},
                    "s3_key": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time"},
                    "error": {"nullable": True, "allOf": [{"$ref": "#/components/schemas/Error/properties/error"}]},
                    "result": {
                        "type": "object",
                        "nullable": True,
                        "properties": {
                            "poses_url": {"type": "string", "format": "uri"},
                            "poses_key": {"type": "string"},
                            "frames": {"type": "integer"},
                            "people_max": {"type": "integer"},
                        },
                    },
                    "warnings": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}
