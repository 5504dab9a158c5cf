"""Each caller's records (jobs, comparisons), newest first, without reading every record: an index in
its own KV bucket.

One key per record, ``{owner}.{inverted creation time}.{record_id}`` (``open`` for records made without
an API key): creation times never change, so the index stays right whatever the compare-and-set
updates of the records do, and key order is newest first. Listing reads only the caller's keys
(no values) and then just the records of the page. A key is written before its record, so an
entry may point at a record not written (a crash in between) or deleted (a purged key's subject
stays until compaction): such entries are skipped.
"""
from __future__ import annotations

import base64
import binascii
from datetime import datetime

from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from infra.broker import broker_errors
from infra.errors import InvalidParameter
from infra.record_store import keys_matching

#: Milliseconds; inverted so that ascending key order is newest first (good until the year 2286).
INVERT_FROM_MS = 9_999_999_999_999
OPEN_OWNER = "open"


def index_key(owner: str | None, created_at: datetime, record_id: str) -> str:
    inverted = INVERT_FROM_MS - int(created_at.timestamp() * 1000)
    return f"{owner or OPEN_OWNER}.{inverted:013d}.{record_id}"


def record_id_of(key: str) -> str:
    return key.rsplit(".", 1)[1]


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, owner: str | None) -> str:
    """The index key a cursor stands for; a cursor that is not one of this caller's is refused."""
    try:
        key = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        key = ""
    if not key.startswith(f"{owner or OPEN_OWNER}."):
        raise InvalidParameter("parameter 'cursor' is not a cursor this API gave you")
    return key


class OwnerIndex:
    """The index of one kind of record (``noun``: "job", "comparison") in the KV bucket ``bucket``."""

    def __init__(self, kv: KeyValue, js: JetStreamContext, bucket: str, noun: str) -> None:
        self._kv = kv
        self._js = js
        self._bucket = bucket
        self._noun = noun

    async def add(self, owner: str | None, created_at: datetime, record_id: str) -> None:
        async with broker_errors(f"indexing a {self._noun}"):
            await self._kv.put(index_key(owner, created_at, record_id), b"")

    async def remove(self, owner: str | None, created_at: datetime, record_id: str) -> None:
        async with broker_errors(f"unindexing a {self._noun}"):
            try:
                await self._kv.purge(index_key(owner, created_at, record_id))
            except KeyNotFoundError:
                pass

    async def marked(self, name: str) -> bool:
        """Whether a one-off task left its mark (a key outside every owner's range)."""
        async with broker_errors(f"reading the {self._noun} index"):
            try:
                await self._kv.get(name)
            except KeyNotFoundError:
                return False
        return True

    async def mark(self, name: str) -> None:
        async with broker_errors(f"writing the {self._noun} index"):
            await self._kv.put(name, b"")

    async def keys_after(self, owner: str | None, after: str | None) -> list[str]:
        """The owner's index keys, newest first, after the key ``after`` (all when None)."""
        keys = await keys_matching(self._js, self._bucket, f"{owner or OPEN_OWNER}.>")
        return sorted(key for key in keys if after is None or key > after)
