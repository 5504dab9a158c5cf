"""Parse MinIO's bucket notification JSON into ``BucketEvent``s."""
from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import unquote_plus

from infra.errors import MalformedEvent

#: ObjectCreated events that bring new bytes. MinIO also reports PutTagging, DeleteTagging,
#: PutRetention and PutLegalHold as ObjectCreated; those change no video and start nothing.
UPLOAD_EVENT_NAMES = frozenset(
    {
        "s3:ObjectCreated:Put",
        "s3:ObjectCreated:Post",
        "s3:ObjectCreated:CompleteMultipartUpload",
        "s3:ObjectCreated:Copy",
    }
)


@dataclass(frozen=True)
class BucketEvent:
    """One record of a MinIO notification, with its object key decoded."""

    name: str  # e.g. "s3:ObjectCreated:Put"
    bucket: str
    key: str
    size: int | None
    etag: str | None
    version_id: str | None
    sequencer: str | None

    @property
    def is_upload(self) -> bool:
        """New object bytes arrived (not a tag, retention or legal-hold change)."""
        return self.name in UPLOAD_EVENT_NAMES


def parse_bucket_event(data: bytes) -> list[BucketEvent]:
    """All records of one notification; raises ``MalformedEvent`` when it is not one."""
    try:
        body = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedEvent(f"event is not JSON: {exc}") from exc
    records = body.get("Records") if isinstance(body, dict) else None
    if not isinstance(records, list) or not records:
        raise MalformedEvent("event has no Records list")
    return [_parse_record(record) for record in records]


def _parse_record(record: object) -> BucketEvent:
    try:
        s3 = record["s3"]  # type: ignore[index]
        obj = s3["object"]
        size = obj.get("size")
        return BucketEvent(
            name=str(record["eventName"]),  # type: ignore[index]
            bucket=str(s3["bucket"]["name"]),
            # MinIO query-escapes keys: "/" arrives as %2F and a space as "+".
            key=unquote_plus(str(obj["key"])),
            size=int(size) if size is not None else None,
            etag=obj.get("eTag") or None,
            version_id=obj.get("versionId") or None,
            sequencer=obj.get("sequencer") or None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise MalformedEvent(f"event record lacks a field or has a bad one: {exc!r}") from exc
