"""Presigned URLs for the public S3 endpoint: PUT (optionally for one exact size), a multipart
upload's parts (each for its exact size), and GET.

minio-py signs only the Host header of a presigned URL. To hold an upload to the size the
client declared, ``content-length`` must be a signed header too, so PUT URLs are signed here
with AWS Signature V4 (query-string form); MinIO and S3 then refuse any other length.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlsplit

from minio import Minio

from infra.settings import Settings

ALGORITHM = "AWS4-HMAC-SHA256"


def presign_upload(
    settings: Settings, key: str, *, content_length: int | None = None, now: datetime | None = None,
    part: tuple[str, int] | None = None,
) -> str:
    """A URL the client PUTs its video to; signing is local computation, no request is made.

    With ``part`` (upload id, part number) it is an UploadPart URL of a multipart upload."""
    endpoint = urlsplit(settings.s3_public_url)
    now = now or datetime.now(timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    scope = f"{day}/{settings.s3_region}/s3/aws4_request"
    headers = {"host": endpoint.netloc}
    if content_length is not None:
        headers["content-length"] = str(content_length)
    signed_headers = ";".join(sorted(headers))
    path = "/" + quote(f"{settings.bucket}/{key}", safe="/~")
    query = {
        "X-Amz-Algorithm": ALGORITHM,
        "X-Amz-Credential": f"{settings.s3_access_key}/{scope}",
        "X-Amz-Date": amz_date,
        "X-Amz-Expires": str(settings.upload_expiry_s),
        "X-Amz-SignedHeaders": signed_headers,
    }
    if part is not None:
        query.update({"uploadId": part[0], "partNumber": str(part[1])})
    canonical_query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(query.items()))
    canonical_headers = "".join(f"{name}:{headers[name]}\n" for name in sorted(headers))
    canonical_request = "\n".join(["PUT", path, canonical_query, canonical_headers, signed_headers, "UNSIGNED-PAYLOAD"])
    string_to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()])
    signature = hmac.new(_signing_key(settings.s3_secret_key, day, settings.s3_region), string_to_sign.encode(), hashlib.sha256)
    return f"{endpoint.scheme}://{endpoint.netloc}{path}?{canonical_query}&X-Amz-Signature={signature.hexdigest()}"


def presign_download(public_s3: Minio, bucket: str, key: str, expires_in_s: int, version_id: str | None = None) -> str:
    """A GET of ``key`` (of its ``version_id`` when given, else the latest version); signed locally."""
    return public_s3.presigned_get_object(bucket, key, expires=timedelta(seconds=expires_in_s), version_id=version_id)


def _encode(value: str) -> str:
    return quote(value, safe="-_.~")


def _signing_key(secret: str, day: str, region: str) -> bytes:
    key = f"AWS4{secret}".encode()
    for part in (day, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key
