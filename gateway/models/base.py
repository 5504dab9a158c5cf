"""The base of every response body."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ResponseBody(BaseModel):
    """An answer's body: every field is always written, so the schema lists them all as required."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
