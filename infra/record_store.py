"""Records (jobs, comparisons) in a NATS JetStream key-value bucket, changed only by compare-and-set."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import ClassVar, Generic, TypeVar

from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError, KeyNotFoundError, KeyWrongLastSequenceError, NoKeysError
from nats.js.kv import KeyValue
from pydantic import BaseModel

from infra.broker import broker_errors, patient
from infra.errors import NotFound
from infra.streams import stream_subjects

log = logging.getLogger(__name__)

#: Revisions kept per record: enough to see its recent history with `nats kv history`.
RECORD_HISTORY = 10

R = TypeVar("R", bound=BaseModel)


@patient("opening a key-value bucket")
async def open_bucket(js: JetStreamContext, bucket: str, noun: str, history: int = RECORD_HISTORY, ttl: float = 0) -> KeyValue:
    """The key-value bucket, created when it does not exist yet (records expiring after ``ttl`` seconds, 0: never)."""
    async with broker_errors(f"opening the {noun} store"):
        try:
            return await js.key_value(bucket)
        except BucketNotFoundError:
            return await js.create_key_value(KeyValueConfig(bucket=bucket, history=history, ttl=ttl or None, storage=StorageType.FILE))


async def keys_matching(js: JetStreamContext, bucket: str, pattern: str) -> list[str]:
    """The bucket's keys matching a subject pattern (``owner.>``, ``hook.*``), filtered by the server in
    one request (up to 100,000 keys), without reading any value. Not a KV watch: nats-py's watcher can
    signal "no more keys" before it has handed over the keys already delivered, and
    ``keys(filters=...)`` reads every key of the bucket. A purged key may still be listed until
    the stream compacts it; readers skip what they cannot read."""
    prefix = f"$KV.{bucket}."
    return [subject[len(prefix) :] for subject in await stream_subjects(js, f"KV_{bucket}", prefix + pattern)]


class RecordStore(Generic[R]):
    """Reads and writes one kind of record; every write checks the revision it read."""

    record_type: ClassVar[type[BaseModel]]
    not_found: ClassVar[type[NotFound]]
    noun: ClassVar[str]

    def __init__(self, kv: KeyValue) -> None:
        self._kv = kv

    @classmethod
    async def open(cls, js: JetStreamContext, bucket: str):
        """Bind to the bucket, creating it when it does not exist yet."""
        return cls(await open_bucket(js, bucket, cls.noun))

    def key_of(self, record: R) -> str:
        raise NotImplementedError

    async def create(self, record: R) -> R:
        async with broker_errors(f"creating a {self.noun}"):
            await self._kv.create(self.key_of(record), record.model_dump_json().encode())
        return record

    async def get(self, key: str) -> R:
        record, _ = await self._read(key)
        return record

    async def get_owned(self, key: str, owner: str | None) -> R:
        """The record, if ``owner`` (an API key's id, None when the API is open) made it; someone
        else's record is reported as not found, as a record that does not exist."""
        record = await self.get(key)
        if getattr(record, "owner", None) != owner:
            raise self.not_found(f"no {self.noun} with id {key!r}")
        return record

    async def update(self, key: str, change: Callable[[R], R | None]) -> R:
        """Apply ``change`` to the current record with compare-and-set, retrying on conflict.

        ``change`` returns the new record, or None to leave the record as it is. It may run
        several times, so it must not have side effects.
        """
        while True:
            record, revision = await self._read(key)
            changed = change(record)
            if changed is None:
                return record
            try:
                async with broker_errors(f"updating a {self.noun}"):
                    await self._kv.update(key, changed.model_dump_json().encode(), last=revision)
                return changed
            except KeyWrongLastSequenceError:
                log.debug("%s %s changed underneath us; retrying", self.noun, key)

    async def watch(self, key: str) -> AsyncIterator[R]:
        """The record as it is now, then every new version of it, until the caller stops iterating."""
        self._check_key(key)
        async with broker_errors(f"watching a {self.noun}"):
            watcher = await self._kv.watch(key)
        try:
            async for entry in watcher:
                if entry is not None and entry.value:  # None marks "no more history"
                    yield self.record_type.model_validate_json(entry.value)  # type: ignore[misc]
        finally:
            await watcher.stop()

    async def delete(self, key: str) -> None:
        """Remove the record and its history; reading it afterwards is ``not_found``."""
        self._check_key(key)
        async with broker_errors(f"deleting a {self.noun}"):
            await self._kv.purge(key)

    async def keys(self) -> list[str]:
        async with broker_errors(f"listing {self.noun}s"):
            try:
                return await self._kv.keys()
            except NoKeysError:
                return []

    async def _read(self, key: str) -> tuple[R, int]:
        self._check_key(key)
        try:
            async with broker_errors(f"reading a {self.noun}"):
                entry = await self._kv.get(key)
        except KeyNotFoundError as exc:
            raise self.not_found(f"no {self.noun} with id {key!r}") from exc
        return self.record_type.model_validate_json(entry.value), entry.revision  # type: ignore[return-value]

    def _check_key(self, key: str) -> None:
        if not (bool(key) and len(key) <= 64 and all(c.isalnum() or c == "-" for c in key) and key.isascii()):
            raise self.not_found(f"no {self.noun} with id {key!r}")


class ListedRecordStore(RecordStore[R]):
    """A record store that can also list its keys by pattern (``keys_matching``): for kinds listed by
    owner or parent (webhooks, their deliveries) rather than read one at a time."""

    #: Revisions kept per record.
    history: ClassVar[int] = RECORD_HISTORY

    def __init__(self, kv: KeyValue, js: JetStreamContext, bucket: str) -> None:
        super().__init__(kv)
        self._js = js
        self._bucket = bucket

    @classmethod
    async def open(cls, js: JetStreamContext, bucket: str, ttl: float = 0):
        """Bind to the bucket, creating it (records expiring after ``ttl`` seconds, 0: never) when missing."""
        return cls(await open_bucket(js, bucket, cls.noun, history=cls.history, ttl=ttl), js, bucket)

    async def keys_like(self, pattern: str) -> list[str]:
        return await keys_matching(self._js, self._bucket, pattern)
