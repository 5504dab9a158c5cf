"""The body of every error answer: ``{"error": {"code", "message"}}``."""
from __future__ import annotations

from pydantic import Field

from gateway.models.base import ResponseBody


class ErrorDetail(ResponseBody):
    """What went wrong: a stable code for programs, a sentence for people."""

    code: str = Field(examples=["missing_parameter"], description="Stable, machine-readable: see each operation's list")
    message: str = Field(examples=["parameter 'filename' is required"])


class Error(ResponseBody):
    """Every 4xx and 5xx answer of the API."""

    error: ErrorDetail
