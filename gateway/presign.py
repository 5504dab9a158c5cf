"""Presigned URLs: PUT for uploads, GET for results, signed for the public S3 endpoint."""
from __future__ import annotations

from datetime import timedelta

from minio import Minio


def presign_upload(public_s3: Minio, bucket: str, key: str, expires_in_s: int) -> str:
    """A URL the client PUTs its video to; signing is local computation, no request is made."""
    return public_s3.presigned_put_object(bucket, key, expires=timedelta(seconds=expires_in_s))


def presign_download(public_s3: Minio, bucket: str, key: str, expires_in_s: int) -> str:
    return public_s3.presigned_get_object(bucket, key, expires=timedelta(seconds=expires_in_s))
