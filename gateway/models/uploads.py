"""Creating an upload and confirming it: ``upload-url``, ``confirm`` and the deprecated multipart upload.

Each value is checked as it is read, wherever it came from: the name's extension and the content
type with the rules of ``gateway/uploads.py`` (``unsupported_file_type``), the size against the
configured cap (413 ``file_too_large``). Whether extension and type fit each other spans two
parameters, so ``create_job`` checks it once both are known.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

from domain.jobs import JobStatus, Stage
from gateway.models.base import ResponseBody
from gateway.models.fields import (
    EXAMPLE_JOB_ID,
    EXAMPLE_S3_KEY,
    JobId,
    RequiredText,
    S3Key,
)
from gateway.uploads import DEFAULT_CONTENT_TYPE, SUPPORTED_NAME, SUPPORTED_TYPES, check_content_type, check_extension
from infra.errors import FileTooLarge


def _default_if_empty(value: object) -> object:
    # A browser reports File.type as "" when it does not know the type; the API doc passes it on as is.
    return DEFAULT_CONTENT_TYPE if value == "" else value


#: A name ending in a supported extension (``unsupported_file_type`` otherwise, as for the type).
VideoName = Annotated[
    RequiredText, AfterValidator(check_extension), Field(json_schema_extra={"pattern": SUPPORTED_NAME.pattern})
]

ContentType = Annotated[
    str,
    BeforeValidator(_default_if_empty),
    AfterValidator(check_content_type),
    Field(
        description="MIME type of the video; its parameters and letter case are ignored, empty means the default.",
        json_schema_extra={"enum": [*SUPPORTED_TYPES, ""]},
    ),
]


def _within_upload_cap(size: int, info: ValidationInfo) -> int:
    settings = (info.context or {}).get("settings")
    if settings is not None and size > settings.max_upload_bytes:
        raise FileTooLarge(f"{size} bytes is over the limit of {settings.max_upload_bytes} bytes")
    return size


#: Bytes; the cap is a setting, so it is checked against the settings the request is read with.
UploadSize = Annotated[int, Field(ge=1), AfterValidator(_within_upload_cap)]


class UploadUrlParams(BaseModel):
    """``POST /api/v1/analyze/upload-url``: what is about to be uploaded."""

    filename: VideoName = Field(
        description="Name of the video; its extension must fit the content type. Only the last path component is kept.",
        examples=["dance_video.mp4"],
    )
    content_type: ContentType = DEFAULT_CONTENT_TYPE
    size: UploadSize | None = Field(
        None,
        description="Size of the video in bytes; when given, the URL is signed for exactly this Content-Length "
        "and a size over the cap (`DANCE_MAX_UPLOAD_BYTES`) is refused up front with 413.",
        examples=[10485760],
        json_schema_extra={"format": "int64"},
    )


class UploadUrl(ResponseBody):
    """A job waiting for its video, and where to PUT it."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "job_id": EXAMPLE_JOB_ID,
                "upload_url": "https://s3.amazonaws.com/bucket/uploads/...",
                "s3_key": EXAMPLE_S3_KEY,
                "expires_in": 900,
                "instructions": "PUT the video file to upload_url, then call /analyze/confirm with job_id",
            }
        }
    )

    job_id: JobId
    upload_url: str = Field(description="Presigned PUT URL on the bucket", json_schema_extra={"format": "uri"})
    s3_key: S3Key
    expires_in: int = Field(description="Seconds upload_url stays valid", examples=[900])
    instructions: str


class ConfirmParams(BaseModel):
    """``POST /api/v1/analyze/confirm``: the upload to acknowledge."""

    job_id: RequiredText = Field(
        description="`job_id` from upload-url.", examples=[EXAMPLE_JOB_ID], json_schema_extra={"format": "uuid"}
    )
    s3_key: RequiredText = Field(description="`s3_key` from upload-url.", examples=[EXAMPLE_S3_KEY])


class Confirmation(ResponseBody):
    """The job after confirm: queued once, whoever (confirm or the bucket event) got there first."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "job_id": EXAMPLE_JOB_ID,
                "status": "queued",
                "stage": "pose-estimation",
                "s3_key": EXAMPLE_S3_KEY,
                "message": "Video confirmed and queued for pose estimation",
            }
        }
    )

    job_id: JobId
    status: JobStatus
    stage: Stage
    s3_key: S3Key
    message: str


class LegacyUploadForm(BaseModel):
    """``POST /api/v1/analyze`` (deprecated): the video as a multipart field, streamed to the bucket as it arrives."""

    file: bytes = Field(
        description="The video, with a filename; its part's Content-Type (or, failing that, the filename) gives its type."
    )
