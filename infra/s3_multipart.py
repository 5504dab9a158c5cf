"""S3 multipart uploads, behind one adapter: minio-py has these calls only as private methods.

Blocking calls (run them in a thread); S3 failures become the project's errors through
``storage_errors``. A part is ``(part_number, etag, size)``.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from minio import Minio
from minio.datatypes import Part
from minio.error import S3Error

from infra.errors import UploadNotFound
from infra.storage import storage_errors

#: S3's limit: parts are numbered 1..10,000 (and every part but the last is at least 5 MiB).
MAX_PARTS = 10_000
#: S3 answers this for an upload id that was completed, aborted or never existed.
NO_SUCH_UPLOAD = "NoSuchUpload"


@dataclass(frozen=True)
class S3Part:
    part_number: int
    etag: str
    size: int


class MultipartUploads:
    def __init__(self, s3: Minio, bucket: str) -> None:
        self._s3 = s3
        self._bucket = bucket

    def create(self, key: str, content_type: str) -> str:
        """Start a multipart upload of ``key``; its upload id."""
        with storage_errors("starting a multipart upload"):
            return self._s3._create_multipart_upload(self._bucket, key, {"Content-Type": content_type})

    def parts(self, key: str, upload_id: str) -> list[S3Part]:
        """Every part uploaded so far, all pages of ListParts; ``UploadNotFound`` once the upload is gone."""
        parts: list[S3Part] = []
        marker: str | None = None
        while True:
            with storage_errors("listing uploaded parts"), _missing_upload(key, upload_id):
                page = self._s3._list_parts(self._bucket, key, upload_id, max_parts=1000, part_number_marker=marker)
            parts += [S3Part(p.part_number, p.etag.strip('"'), p.size or 0) for p in page.parts]
            if not page.is_truncated:
                return parts
            marker = page.next_part_number_marker

    def complete(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        """Join ``(part_number, etag)`` parts, in order, into the object; parts left out are discarded."""
        listed = [Part(number, etag) for number, etag in sorted(parts)]
        with storage_errors("completing a multipart upload"), _missing_upload(key, upload_id):
            self._s3._complete_multipart_upload(self._bucket, key, upload_id, listed)

    def abort(self, key: str, upload_id: str) -> bool:
        """Abort the upload and drop its parts; False when it was already gone."""
        try:
            with storage_errors("aborting a multipart upload"), _missing_upload(key, upload_id):
                self._s3._abort_multipart_upload(self._bucket, key, upload_id)
        except UploadNotFound:
            return False
        return True

    def open_uploads(self, prefix: str) -> list[tuple[str, str]]:
        """``(key, upload_id)`` of the multipart uploads in progress under ``prefix``."""
        with storage_errors("listing multipart uploads"):
            result = self._s3._list_multipart_uploads(self._bucket, prefix=prefix, max_uploads=1000)
        return [(upload.object_name, upload.upload_id) for upload in result.uploads]


@contextmanager
def _missing_upload(key: str, upload_id: str) -> Iterator[None]:
    """S3's NoSuchUpload as ``UploadNotFound``; inside ``storage_errors``, which would call it an outage."""
    try:
        yield
    except S3Error as exc:
        if exc.code == NO_SUCH_UPLOAD:
            raise UploadNotFound(f"no multipart upload {upload_id} of {key}: completed, aborted or expired") from exc
        raise
