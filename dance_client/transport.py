"""HTTP over the standard library: API calls with JSON in and out, streamed uploads, streamed
answers, and the retry loop with its backoff."""
from __future__ import annotations

import http.client
import json
import select
import socket
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple, TypeVar
from urllib.parse import urlencode, urlsplit

from dance_client.api import Operation, Record
from dance_client.errors import ApiRefused, TryAgain, Unreachable

T = TypeVar("T")

#: Seconds to wait for an answer to a plain API call.
API_TIMEOUT_S = 30
#: Seconds an upload may stall (no byte accepted, no answer) before it is given up.
UPLOAD_TIMEOUT_S = 120
#: How long to wait for "100 Continue" before sending the body anyway, as RFC 9110 allows.
CONTINUE_TIMEOUT_S = 2.0
#: Enough of an error answer to explain it; more is never needed.
MAX_ERROR_BODY = 64 * 1024


class Answer(NamedTuple):
    """An HTTP answer, read whole: status code, reason phrase, body and (some) headers."""

    status: int
    reason: str
    body: bytes
    etag: str | None = None


@contextmanager
def network_errors(where: str) -> Iterator[None]:
    """Socket and protocol errors become ``Unreachable``, naming what could not be reached."""
    try:
        yield
    except (OSError, http.client.HTTPException) as exc:
        detail = (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).strip()
        if isinstance(exc, (ConnectionRefusedError, socket.gaierror)):
            raise Unreachable(f"cannot reach {where}: {detail}") from exc
        raise Unreachable(f"the connection to {where} failed: {detail}") from exc


def connect(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    """A (not yet opened) connection to the URL's host, and the request target as the URL has it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Unreachable(f"not an http(s) URL: {url}")
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    # Path and query are sent exactly as given: a presigned URL's signature covers them.
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return connection_class(parts.netloc, timeout=timeout), target


def send_streaming(method: str, url: str, headers: Mapping[str, str], body: Iterable[bytes], where: str) -> Answer:
    """Send a request whose body is streamed from ``body``; headers must give its Content-Length.

    ``Expect: 100-continue`` lets a server refuse before the body is sent: an expired URL is then
    reported as MinIO's 403, not as a connection reset half-way through a large file.
    """
    connection, target = connect(url, UPLOAD_TIMEOUT_S)
    with network_errors(where):
        try:
            connection.putrequest(method, target, skip_accept_encoding=True)
            for name, value in {**headers, "Expect": "100-continue"}.items():
                connection.putheader(name, value)
            connection.endheaders()
            early = early_answer(connection)
            if early is not None:
                return early
            try:
                for chunk in body:
                    connection.send(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may have answered and closed before taking it all; read why below
            response = connection.getresponse()
            return Answer(response.status, response.reason, response.read(), response.getheader("ETag"))
        finally:
            connection.close()


def early_answer(connection: http.client.HTTPConnection) -> Answer | None:
    """After headers sent with ``Expect: 100-continue``: None to go on with the body, or the
    server's final answer if it refused at once."""
    readable, _, _ = select.select([connection.sock], [], [], CONTINUE_TIMEOUT_S)
    if not readable:
        return None  # a server that ignores Expect simply gets the body
    # Nothing follows "100 Continue" until the body is sent, so this reader takes nothing
    # that the response read later would need.
    reader = connection.sock.makefile("rb")
    try:
        status_line = reader.readline(65537).decode("iso-8859-1")
        version, _, rest = status_line.partition(" ")
        code, _, reason = rest.partition(" ")
        if not version.startswith("HTTP/") or not code.isdigit():
            raise http.client.BadStatusLine(status_line or "the server closed the connection")
        headers = http.client.parse_headers(reader)
        if int(code) == 100:
            return None
        length = int(headers.get("Content-Length") or 0)
        return Answer(int(code), reason.strip(), reader.read(min(length, MAX_ERROR_BODY)))
    finally:
        reader.close()


def api_error(answer: Answer) -> ApiRefused:
    """The API's ``{"error": {"code", "message"}}`` kept in ``ApiRefused``, or the bare status if it sent none."""
    try:
        error = json.loads(answer.body)["error"]
        return ApiRefused(answer.status, str(error["code"]), str(error["message"]))
    except (ValueError, KeyError, TypeError):
        return ApiRefused(answer.status, reason=answer.reason)


def json_of(answer: Answer) -> Record:
    """The API's JSON answer, or ``ApiRefused`` with its error."""
    if answer.status >= 400:
        raise api_error(answer)
    try:
        return json.loads(answer.body)
    except ValueError as exc:
        message = f"the API answered HTTP {answer.status} with something that is not JSON"
        raise ApiRefused(answer.status, message=message) from exc


class ApiClient:
    """Calls to the Dance Analysis API, with ``Authorization: Bearer`` when a key is given."""

    def __init__(self, base: str, api_key: str | None = None) -> None:
        self.base = base.rstrip("/")
        self.api_key = api_key
        self.where = f"the API at {self.base}"

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """Headers for an API request: ``extra``, plus the API key if there is one."""
        headers = {"Accept": "application/json", **(extra or {})}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def url(self, operation: Operation, **params: str) -> str:
        """The operation's full URL."""
        return self.base + operation.target(**params)

    def send(
        self, operation: Operation, *, query: Mapping[str, object] | None = None, body: object = None, **params: str
    ) -> Record:
        """Call ``operation`` (path ``params``, a query string and a JSON body as given); its JSON answer."""
        target = operation.target(**params) + (f"?{urlencode(query)}" if query is not None else "")
        return self.call(operation.method, target, body)

    def call(self, method: str, path: str, body: object = None) -> Record:
        """One request (a JSON body if given); the JSON answer, or ``ApiRefused`` with the API's error."""
        connection, target = connect(self.base + path, API_TIMEOUT_S)
        payload = json.dumps(body).encode() if body is not None else None
        headers = self.headers({"Content-Type": "application/json"} if payload is not None else None)
        with network_errors(self.where):
            try:
                connection.request(method, target, body=payload, headers=headers)
                response = connection.getresponse()
                answer = Answer(response.status, response.reason, response.read())
            finally:
                connection.close()
        return json_of(answer)

    def stream(self, operation: Operation, timeout_s: float, **params: str) -> Iterator[bytes]:
        """The lines of the operation's streamed answer, until the server ends it."""
        connection, target = connect(self.url(operation, **params), timeout_s)
        with network_errors(self.where):
            try:
                headers = self.headers({"Accept": "text/event-stream"})
                connection.request(operation.method, target, headers=headers)
                response = connection.getresponse()
                if response.status != 200:
                    raise api_error(Answer(response.status, response.reason, response.read(MAX_ERROR_BODY)))
                yield from response
            finally:
                connection.close()


@dataclass(frozen=True)
class Backoff:
    """How often to try, and the pauses between: ``first_pause_s``, then each ``factor`` times longer."""

    tries: int
    first_pause_s: float
    factor: float = 2.0


def retrying(attempt: Callable[[int], T], backoff: Backoff, sleep: Callable[[float], None] = time.sleep) -> T:
    """``attempt(1)``, ``attempt(2)``, ... until one returns; each ``TryAgain`` waits the next pause,
    and the last one propagates once ``backoff.tries`` have failed."""
    pause = backoff.first_pause_s
    for number in range(1, backoff.tries):
        try:
            return attempt(number)
        except TryAgain:
            sleep(pause)
            pause *= backoff.factor
    return attempt(backoff.tries)
