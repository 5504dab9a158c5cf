"""The client's failures: one root, and each message the one line the command prints for it.

ClientError
├── VideoUnreadable   Raised when the video file is missing or cannot be read.
├── Unreachable       Raised when the API or the storage cannot be reached or drops the connection.
├── ApiRefused        Raised when the API answers with an error (its ``code`` and ``message`` kept).
├── UploadRefused     Raised when the storage refuses a PUT (403: the URL expired or was refused).
├── JobFailed         Raised when a job ends failed, expired or cancelled, or a comparison fails.
└── TryAgain          Raised by one try of a retried request when a later try may succeed.
"""
from __future__ import annotations


class ClientError(Exception):
    """Root of the client's failures; the message is the one line printed for it."""


class VideoUnreadable(ClientError):
    """Raised when the video file is missing or cannot be read."""


class Unreachable(ClientError):
    """Raised when the API or the storage cannot be reached or drops the connection."""


class ApiRefused(ClientError):
    """Raised when the API answers with an error (its ``code`` and ``message`` kept)."""

    def __init__(self, status: int, code: str | None = None, message: str | None = None, *, reason: str = "") -> None:
        self.status, self.code, self.message = status, code, message
        if code is not None:
            text = f"{code}: {message} (HTTP {status})"
        else:
            text = message or f"the API answered HTTP {status} {reason}".rstrip()
        super().__init__(text)


class UploadRefused(ClientError):
    """Raised when the storage refuses a PUT (403: the URL expired or was refused)."""


class JobFailed(ClientError):
    """Raised when a job ends failed, expired or cancelled, or a comparison fails."""


class TryAgain(ClientError):
    """Raised by one try of a retried request when a later try may succeed."""
