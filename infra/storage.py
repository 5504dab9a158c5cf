"""The S3 client factory and the translation of its failures into ``StorageUnavailable``."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import urllib3
from minio import Minio
from minio.error import MinioException, S3Error

from infra.errors import StorageUnavailable, UploadNotFound
from infra.settings import Settings, split_endpoint

#: Fail fast when MinIO is down instead of hanging a request: connect, read seconds.
S3_TIMEOUT = urllib3.Timeout(connect=3, read=60)
#: One retry smooths over a restarting MinIO without stalling callers for long.
S3_RETRIES = urllib3.Retry(total=1, backoff_factor=0.2, status_forcelist=(500, 502, 503, 504))

MISSING_OBJECT_CODES = frozenset({"NoSuchKey", "NoSuchObject", "NoSuchVersion"})


def make_s3_client(settings: Settings, *, public: bool = False) -> Minio:
    """A MinIO client for the internal endpoint, or for the public one (used only to sign URLs)."""
    endpoint, secure = split_endpoint(settings.s3_public_url if public else settings.s3_endpoint)
    return Minio(
        endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        secure=secure,
        # A known region means signing never asks the server for the bucket's location.
        region=settings.s3_region,
        http_client=urllib3.PoolManager(timeout=S3_TIMEOUT, retries=S3_RETRIES, maxsize=16),
    )


@contextmanager
def storage_errors(doing: str, *, missing_key: str | None = None) -> Iterator[None]:
    """Translate minio/urllib3 failures inside the block.

    A missing object becomes ``UploadNotFound`` when ``missing_key`` names what was looked
    for; unreachable or failing servers become ``StorageUnavailable``.
    """
    try:
        yield
    except S3Error as exc:
        if missing_key is not None and exc.code in MISSING_OBJECT_CODES:
            raise UploadNotFound(f"no object uploaded at {missing_key}") from exc
        raise StorageUnavailable(f"S3 error while {doing}: {exc.code}: {exc.message}") from exc
    except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
        raise StorageUnavailable(f"S3 is unavailable while {doing}: {exc!r}") from exc
