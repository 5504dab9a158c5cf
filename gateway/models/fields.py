"""Field types several resources share: ids, object keys, timestamps, required text."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from domain.object_keys import upload_key

EXAMPLE_JOB_ID = "550e8400-e29b-41d4-a716-446655440000"
EXAMPLE_S3_KEY = upload_key(EXAMPLE_JOB_ID, "dance_video.mp4")


def _not_blank(value: str) -> str:
    if not value:
        # Reported like an absent parameter: an empty value is as good as none.
        raise PydanticCustomError("missing", "Field required")
    return value


#: Text that must be present and not blank; surrounding whitespace is dropped.
RequiredText = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_not_blank)]

#: Ids are UUIDs as issued by upload-url; any other text is simply an id no job has (404, not 400).
JobId = Annotated[str, Field(json_schema_extra={"format": "uuid"}, examples=[EXAMPLE_JOB_ID])]
S3Key = Annotated[str, Field(examples=[EXAMPLE_S3_KEY])]

#: ISO 8601 with an explicit ``+00:00`` offset, as the API has always written it (pydantic would write ``Z``).
Timestamp = Annotated[
    datetime,
    PlainSerializer(datetime.isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
