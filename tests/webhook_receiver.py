"""A webhook receiver for tests: a small aiohttp server on 127.0.0.1, in a thread of its own so that
tests may block (requests, polling) while it answers."""
from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from aiohttp import web

from tests.processes import free_port


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: str

    @property
    def event(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """Answers each POST with the next status of ``answers`` (the last one repeats), recording it."""

    def __init__(self, answers: tuple[int, ...] = (204,), port: int | None = None) -> None:
        self.answers = list(answers)
        self.port = port or free_port()
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/dance"

    def start(self) -> Receiver:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        async def serve() -> None:
            app = web.Application()
            app.router.add_post("/hooks/dance", self._handle)
            self._runner = web.AppRunner(app)
            await self._runner.setup()
            await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
            ready.set()

        def run() -> None:
            assert self._loop is not None
            self._loop.run_until_complete(serve())
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        assert ready.wait(10), "the receiver did not start"
        return self

    def stop(self) -> None:
        assert self._loop is not None and self._runner is not None and self._thread is not None
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.text()
        with self._lock:
            self.received.append(Received(dict(request.headers), body))
            status = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return web.Response(status=status)

    def events_for(self, record_id: str) -> list[Received]:
        with self._lock:
            return [item for item in self.received if record_id in item.body and _record_id(item.event) == record_id]

    def wait_for(self, record_id: str, count: int = 1, timeout_s: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout_s
        while len(found := self.events_for(record_id)) < count:
            assert time.monotonic() < deadline, f"{len(found)} of {count} deliveries for {record_id} arrived"
            time.sleep(0.1)
        return found


def _record_id(event: dict) -> str | None:
    data = event.get("data", {})
    return data.get("comparison_id") or data.get("job_id")


@contextmanager
def receiving(answers: tuple[int, ...] = (204,), port: int | None = None) -> Iterator[Receiver]:
    receiver = Receiver(answers, port).start()
    try:
        yield receiver
    finally:
        receiver.stop()
