"""The OpenAPI schemas of the gateway's request and response bodies."""
from __future__ import annotations

from common.jobs import JobStatus, Stage

STATUS = {"type": "string", "enum": [status.value for status in JobStatus]}
STAGE = {"type": "string", "enum": [stage.value for stage in Stage]}
S3_KEY = {"type": "string", "example": "uploads/550e8400-e29b-41d4-a716-446655440000/dance.mp4"}
JOB_ID = {"type": "string", "format": "uuid", "example": "550e8400-e29b-41d4-a716-446655440000"}

ERROR_DETAIL = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": ERROR_DETAIL}},
    "UploadUrl": {
        "type": "object",
        "required": ["job_id", "upload_url", "s3_key", "expires_in", "instructions"],
        "properties": {
            "job_id": JOB_ID,
            "upload_url": {"type": "string", "format": "uri"},
            "s3_key": S3_KEY,
            "expires_in": {"type": "integer", "description": "Seconds upload_url stays valid", "example": 900},
            "instructions": {"type": "string"},
        },
    },
    "Confirmation": {
        "type": "object",
        "required": ["job_id", "status", "stage", "s3_key", "message"],
        "properties": {
            "job_id": JOB_ID,
            "status": STATUS,
            "stage": STAGE,
            "s3_key": S3_KEY,
            "message": {"type": "string"},
        },
    },
    "Job": {
        "type": "object",
        "required": [
            "job_id", "status", "stage", "progress", "s3_key",
            "created_at", "updated_at", "error", "result", "warnings",
        ],
        "properties": {
            "job_id": JOB_ID,
            "status": STATUS,
            "stage": STAGE,
            "progress": {"type": "number", "minimum": 0, "maximum": 1},
            "s3_key": S3_KEY,
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "error": {**ERROR_DETAIL, "nullable": True, "description": "Why the job failed, or null"},
            "result": {
                "type": "object",
                "nullable": True,
                "description": "Outputs of a completed job, or null",
                "required": ["poses_url", "poses_key", "frames", "people_max"],
                "properties": {
                    "poses_url": {"type": "string", "format": "uri", "description": "Presigned download URL"},
                    "poses_key": {"type": "string"},
                    "frames": {"type": "integer", "minimum": 0},
                    "people_max": {"type": "integer", "minimum": 0},
                    "overlay_url": {
                        "type": "string",
                        "format": "uri",
                        "nullable": True,
                        "description": "Presigned download URL of the skeleton overlay video (H.264 MP4)",
                    },
                    "overlay_key": {"type": "string", "nullable": True},
                    "tracks": {"type": "integer", "minimum": 0, "description": "Distinct dancers (track ids) seen"},
                },
            },
            "warnings": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Health": {
        "type": "object",
        "required": ["status"],
        "properties": {"status": {"type": "string", "enum": ["ok"]}},
    },
    "Readiness": {
        "type": "object",
        "required": ["status", "nats", "s3"],
        "properties": {
            "status": {"type": "string", "enum": ["ready", "unavailable"]},
            "nats": {"type": "boolean"},
            "s3": {"type": "boolean"},
        },
    },
}
