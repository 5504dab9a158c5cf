"""Resumable uploads in parts, straight to the bucket (S3 multipart): start, sign parts, list, complete, abort."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from gateway.models.base import ResponseBody
from gateway.models.fields import JobId, S3Key
from gateway.models.uploads import ContentType, UploadSize, VideoName
from gateway.uploads import DEFAULT_CONTENT_TYPE
from infra.s3_multipart import MAX_PARTS


class MultipartParams(BaseModel):
    """``POST /api/v1/analyze/multipart``: the video about to be uploaded in parts."""

    filename: VideoName = Field(description="Name of the video; its extension must fit the content type.",
                                examples=["rehearsal.mp4"])
    content_type: ContentType = DEFAULT_CONTENT_TYPE
    size: UploadSize = Field(description="Exact size of the video in bytes; over `DANCE_MAX_UPLOAD_BYTES` is 413.",
                             json_schema_extra={"format": "int64"}, examples=[6442450944])


class MultipartUpload(ResponseBody):
    """A job waiting for its video in parts: how to cut it, and how long the upload may take."""

    job_id: JobId
    s3_key: S3Key
    upload_id: str = Field(description="The S3 multipart upload id")
    part_size: int = Field(description="Bytes per part (the last part is the remainder): max(16 MiB, ceil(size / 10,000))")
    part_count: int = Field(ge=1, le=MAX_PARTS)
    expires_in: int = Field(description="Seconds until an upload not completed is aborted and the job expires")
    instructions: str


class PartsParams(BaseModel):
    """``POST /api/v1/analyze/multipart/{job_id}/parts``: which parts to sign URLs for."""

    job_id: JobId
    part_numbers: list[Annotated[int, Field(ge=1, le=MAX_PARTS)]] = Field(
        min_length=1, max_length=MAX_PARTS, description="Part numbers, 1-based, as a JSON list (JSON body only)"
    )


class PartUrls(ResponseBody):
    """One presigned UploadPart URL per part, each signed for that part's exact Content-Length."""

    urls: dict[str, str] = Field(description="Part number -> URL to PUT that part's bytes to")
    expires_in: int = Field(description="Seconds the URLs stay valid; ask again for fresh ones at any time")


class JobPathParams(BaseModel):
    job_id: JobId


class UploadedPart(ResponseBody):
    part_number: int
    etag: str
    size: int


class MultipartState(ResponseBody):
    """What the bucket holds of the upload so far (S3 ListParts, every page): how a client resumes."""

    job_id: JobId
    upload_id: str
    size: int
    part_size: int
    part_count: int
    parts: list[UploadedPart] = Field(description="The parts stored, in order")


class CompletedPart(BaseModel):
    part_number: int = Field(ge=1, le=MAX_PARTS)
    etag: str = Field(description="The ETag header MinIO or S3 answered the part's PUT with (quotes optional)")


class CompleteParams(BaseModel):
    """``POST /api/v1/analyze/multipart/{job_id}/complete``: optionally, the parts as the client saw them."""

    job_id: JobId
    parts: list[CompletedPart] | None = Field(
        None, description="[{part_number, etag}]; when absent, the parts the bucket lists are used (JSON body only)"
    )
