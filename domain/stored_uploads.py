"""What is in the bucket for a job: the first uploaded version of its key, and removing things."""
from __future__ import annotations

from minio import Minio

from domain.jobs import UploadRecord
from infra.storage import storage_errors


def find_first_upload(s3: Minio, bucket: str, key: str) -> UploadRecord | None:
    """The oldest live version of ``key`` (a later PUT to the same URL is a newer version), or None."""
    with storage_errors("listing the upload's versions"):
        versions = [
            obj
            for obj in s3.list_objects(bucket, prefix=key, include_version=True)
            if obj.object_name == key and not obj.is_delete_marker
        ]
    if not versions:
        return None
    # S3 lists a key's versions newest first; last_modified breaks no ties within a millisecond.
    first = versions[-1]
    return UploadRecord(version_id=_real_version(first.version_id), size=first.size or 0, etag=first.etag)


def delete_upload(s3: Minio, bucket: str, key: str) -> None:
    """Remove every version of ``key``."""
    with storage_errors("deleting an upload"):
        for obj in list(s3.list_objects(bucket, prefix=key, include_version=True)):
            if obj.object_name == key:
                s3.remove_object(bucket, key, version_id=obj.version_id)


def delete_prefix(s3: Minio, bucket: str, prefix: str) -> int:
    """Remove every version (and delete marker) of every object under ``prefix``; how many went."""
    with storage_errors("deleting objects"):
        objects = list(s3.list_objects(bucket, prefix=prefix, recursive=True, include_version=True))
        for obj in objects:
            s3.remove_object(bucket, obj.object_name, version_id=obj.version_id)
    return len(objects)


def _real_version(version_id: str | None) -> str | None:
    # An unversioned bucket reports the version "null".
    return None if version_id in (None, "", "null") else version_id
