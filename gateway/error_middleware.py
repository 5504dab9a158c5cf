"""The one place that turns errors into HTTP responses: ``{"error": {"code", "message"}}``."""
from __future__ import annotations

import logging

from aiohttp import web

from gateway.endpoints import model_response
from gateway.models.errors import Error, ErrorDetail
from infra.errors import (
    DanceError,
    FileTooLarge,
    InvalidRequest,
    JobExpired,
    JobStateConflict,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    TooManyPending,
    Unauthorized,
)

log = logging.getLogger(__name__)

#: Domain error class -> HTTP status; the first matching base class wins.
STATUS_OF_ERROR: tuple[tuple[type[DanceError], int], ...] = (
    (InvalidRequest, 400),
    (Unauthorized, 401),
    (NotFound, 404),
    (JobExpired, 410),
    (JobStateConflict, 409),
    (FileTooLarge, 413),
    (RateLimited, 429),
    (TooManyPending, 429),
    (ServiceUnavailable, 503),
)
#: Seconds a client should wait before retrying a 503 (a 429 says how long its limit needs).
RETRY_AFTER_S = "2"


def error_response(status: int, code: str, message: str, retry_after_s: int | None = None) -> web.Response:
    response = model_response(Error(error=ErrorDetail(code=code, message=message)), status=status)
    if retry_after_s is not None or status == 503:  # waiting helps a rate limit, not a full quota
        response.headers["Retry-After"] = str(retry_after_s) if retry_after_s is not None else RETRY_AFTER_S
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="dance-analysis"'
    return response


def status_of(error_class: type[DanceError]) -> int:
    """The HTTP status an error of this class is answered with."""
    for base, status in STATUS_OF_ERROR:
        if issubclass(error_class, base):
            return status
    return 500


@web.middleware
async def error_middleware(request: web.Request, handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except DanceError as exc:
        status = status_of(type(exc))
        log_at = logging.ERROR if status >= 500 else logging.INFO
        log.log(log_at, "%s %s -> %d %s: %s", request.method, request.path, status, exc.code, exc.message)
        return error_response(status, exc.code, exc.message, getattr(exc, "retry_after_s", None))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = exc.reason.lower().replace(" ", "_")
        response = error_response(exc.status, code, f"{exc.reason}: {request.method} {request.path}")
        if "Allow" in exc.headers:  # a 405 names the methods the resource has (RFC 9110)
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except Exception:
        log.exception("%s %s -> 500", request.method, request.path)
        return error_response(500, "internal_error", "an unexpected error occurred; it has been logged")
