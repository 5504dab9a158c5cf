"""Records each caller can list, newest first, a page at a time: a record store with an owner index.

Jobs and comparisons are kept this way. A record kind gives its store a ``noun`` and its records an
``owner`` and a ``created_at``; the index (``domain/owner_index.py``) lives in the bucket
``{bucket}-index``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nats.js import JetStreamContext
from nats.js.kv import KeyValue

from domain.owner_index import OwnerIndex, decode_cursor, encode_cursor, record_id_of
from infra.record_store import R, RecordStore, open_bucket

BACKFILL_MARK = "backfilled"


class IndexedRecordStore(RecordStore[R]):
    """Reads and writes records, and each owner's index of them."""

    def __init__(self, kv: KeyValue, index: OwnerIndex, *args: Any) -> None:
        super().__init__(kv)
        self.index = index

    @classmethod
    async def open(cls, js: JetStreamContext, bucket: str, *args: Any):
        """The records and their index (bucket ``{bucket}-index``), created when missing; ``args`` go to
        the subclass's constructor after the index."""
        records = await open_bucket(js, bucket, cls.noun)
        index_bucket = f"{bucket}-index"
        index_kv = await open_bucket(js, index_bucket, f"{cls.noun} index", history=1)
        return cls(records, OwnerIndex(index_kv, js, index_bucket, cls.noun), *args)

    async def create(self, record: R) -> R:
        # The index entry before the record: an entry without its record is skipped; a record without
        # its entry would never be listed.
        await self.index.add(record.owner, record.created_at, self.key_of(record))
        return await super().create(record)

    async def delete_indexed(self, record: R) -> None:
        """The record and its index entry (the record first: an entry without one is skipped)."""
        await self.delete(self.key_of(record))
        await self.index.remove(record.owner, record.created_at, self.key_of(record))

    async def page(
        self, owner: str | None, *, limit: int, cursor: str | None = None, keep: Callable[[R], bool] | None = None
    ) -> tuple[list[R], str | None]:
        """Up to ``limit`` of the owner's records, newest first, after ``cursor``; and the cursor of the
        next page (None at the end). With ``keep``, records are read in order until the page is full of
        kept ones, so a rare kind may read more records than it returns."""
        after = decode_cursor(cursor, owner) if cursor else None
        keys = await self.index.keys_after(owner, after)
        records: list[R] = []
        for position, key in enumerate(keys):
            try:
                record = await self.get(record_id_of(key))
            except self.not_found:
                continue  # written without its record, or deleted or expired
            if record.owner != owner or (keep is not None and not keep(record)):
                continue
            records.append(record)
            if len(records) == limit:
                more = position + 1 < len(keys)
                return records, encode_cursor(key) if more else None
        return records, None

    async def all_records(self) -> list[R]:
        """Every record (reads them all: meant for one-off backfills, not for requests or loops)."""
        records = []
        for key in await self.keys():
            try:
                records.append(await self.get(key))
            except self.not_found:
                continue  # deleted or expired between listing and reading
        return records

    async def backfill_index(self) -> int:
        """Index the records created before the index existed; once (a marker remembers it).
        Provisioning calls it."""
        if await self.index.marked(BACKFILL_MARK):
            return 0
        records = await self.all_records()
        for record in records:
            await self.index.add(record.owner, record.created_at, self.key_of(record))
        await self.index.mark(BACKFILL_MARK)
        return len(records)
