"""Parsing MinIO's notification JSON: escaped keys, event names, malformed input."""
from __future__ import annotations

import asyncio
import io
import json
import uuid

import pytest

from infra.errors import MalformedEvent
from infra.storage import make_s3_client
from listener.events import parse_bucket_event
from listener.matcher import job_id_from_key
from tests.helpers import wait_for_event

JOB_ID = "550e8400-e29b-41d4-a716-446655440000"


def minio_event(escaped_key: str, name: str = "s3:ObjectCreated:Put", bucket: str = "dance-videos") -> bytes:
    """A notification shaped as MinIO's NATS target sends it (see docs/field-notes)."""
    return json.dumps(
        {
            "EventName": name,
            "Key": f"{bucket}/uploads/{JOB_ID}/x",
            "Records": [
                {
                    "eventVersion": "2.0",
                    "eventSource": "minio:s3",
                    "eventName": name,
                    "s3": {
                        "bucket": {"name": bucket},
                        "object": {
                            "key": escaped_key,
                            "size": 1234,
                            "eTag": "9b2cf535f27731c974343645a3985328",
                            "contentType": "video/mp4",
                            "sequencer": "1822F1D5F9B6B1C0",
                        },
                    },
                }
            ],
        }
    ).encode()


@pytest.mark.parametrize(
    ("escaped", "expected"),
    [
        pytest.param(f"uploads%2F{JOB_ID}%2Fdance.mp4", f"uploads/{JOB_ID}/dance.mp4", id="slashes-as-%2F"),
        pytest.param(f"uploads%2F{JOB_ID}%2Fmy+dance.mp4", f"uploads/{JOB_ID}/my dance.mp4", id="space-as-plus"),
        pytest.param(f"uploads%2F{JOB_ID}%2Fa%2Bb.mp4", f"uploads/{JOB_ID}/a+b.mp4", id="literal-plus-as-%2B"),
        pytest.param(f"uploads%2F{JOB_ID}%2Fd%C3%A4nce.mov", f"uploads/{JOB_ID}/dänce.mov", id="unicode-utf8"),
    ],
)
def test_object_keys_are_url_decoded(escaped, expected):
    (event,) = parse_bucket_event(minio_event(escaped))
    assert event.key == expected
    assert job_id_from_key(event.key) == JOB_ID
    assert event.bucket == "dance-videos" and event.size == 1234 and event.is_upload


@pytest.mark.parametrize(
    ("name", "upload"),
    [
        pytest.param("s3:ObjectCreated:Put", True, id="put"),
        pytest.param("s3:ObjectCreated:Post", True, id="post-policy"),
        pytest.param("s3:ObjectCreated:CompleteMultipartUpload", True, id="multipart"),
        pytest.param("s3:ObjectCreated:Copy", True, id="copy"),
        pytest.param("s3:ObjectCreated:PutTagging", False, id="tagging"),
        pytest.param("s3:ObjectCreated:DeleteTagging", False, id="untagging"),
        pytest.param("s3:ObjectCreated:PutRetention", False, id="retention"),
        pytest.param("s3:ObjectCreated:PutLegalHold", False, id="legal-hold"),
        pytest.param("s3:ObjectRemoved:Delete", False, id="delete"),
    ],
)
def test_only_events_that_bring_new_bytes_count_as_uploads(name, upload):
    (event,) = parse_bucket_event(minio_event(f"uploads%2F{JOB_ID}%2Fa.mp4", name=name))
    assert event.is_upload is upload


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b"\xff\xfe", id="not-utf8"),
        pytest.param(b"[]", id="not-an-object"),
        pytest.param(b'{"Records": []}', id="no-records"),
        pytest.param(b'{"Records": [{"eventName": "s3:ObjectCreated:Put"}]}', id="record-without-s3"),
        pytest.param(b'{"Records": [{"eventName": "x", "s3": {"bucket": {"name": "b"}, "object": {"key": "k", "size": "big"}}}]}', id="bad-size"),
    ],
)
def test_malformed_events_raise_malformed_event(data):
    with pytest.raises(MalformedEvent):
        parse_bucket_event(data)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("results/550e8400-e29b-41d4-a716-446655440000/poses.json", id="other-prefix"),
        pytest.param("uploads/not-a-job/dance.mp4", id="not-a-uuid"),
        pytest.param(f"uploads/{JOB_ID}/nested/dance.mp4", id="nested-path"),
        pytest.param(f"uploads/{JOB_ID}/", id="no-filename"),
    ],
)
def test_keys_outside_the_upload_layout_match_no_job(key):
    assert job_id_from_key(key) is None


async def test_a_real_minio_notification_decodes_to_the_uploaded_key(provisioned, nats_client):
    """MinIO itself escapes the key; reading its event back from the stream gives the original."""
    key = f"uploads/{uuid.uuid4()}/dänce move+1 (final).mp4"
    s3 = make_s3_client(provisioned)
    await asyncio.to_thread(s3.put_object, provisioned.bucket, key, io.BytesIO(b"x"), 1)
    message = await wait_for_event(nats_client.jetstream(), provisioned, key)
    (event,) = parse_bucket_event(message.data)
    assert event.key == key
    assert event.bucket == provisioned.bucket and event.is_upload
    assert b"%2F" in message.data  # proof that MinIO really sent it escaped
