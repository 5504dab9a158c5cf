"""Building blocks of the OpenAPI document: shared responses, parameters and request bodies."""
from __future__ import annotations

from gateway.openapi_schemas import JOB_ID, S3_KEY
from gateway.uploads import DEFAULT_CONTENT_TYPE, SUPPORTED_TYPES

UNAUTHORIZED = "`unauthorized`: API keys are configured and the bearer token is missing or unknown"
UNAVAILABLE = "`storage_unavailable`, `broker_unavailable`: MinIO or NATS cannot be reached; retry later"


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_body(schema: dict, description: str, **extra: object) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}, **extra}


def api_errors(codes_by_status: dict[int, str]) -> dict:
    """Error responses of an ``/api/v1`` operation: the given ones, plus 401 and 503 which all of them share."""
    codes_by_status = {**codes_by_status, 401: UNAUTHORIZED, 503: UNAVAILABLE}
    responses = {str(status): json_body(ref("Error"), codes) for status, codes in sorted(codes_by_status.items())}
    responses["401"]["headers"] = {"WWW-Authenticate": {"$ref": "#/components/headers/WWW-Authenticate"}}
    responses["503"]["headers"] = {"Retry-After": {"$ref": "#/components/headers/Retry-After"}}
    return responses


def extension_pattern() -> str:
    """A regex for the video extensions we accept, in lower or upper case (JSON Schema has no ``(?i)``)."""
    extensions = sorted({extension.lstrip(".") for extensions in SUPPORTED_TYPES.values() for extension in extensions})
    return rf"\.({'|'.join(extensions + [extension.upper() for extension in extensions])})$"


def query_param(name: str, schema: dict, description: str, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def params_body(properties: dict, required: list[str]) -> dict:
    """The query parameters again, as a JSON object body (the body wins on a clash)."""
    schema = {"type": "object", "properties": properties, "required": required}
    return {
        "required": False,
        "description": "The same parameters as a JSON object, instead of the query string.",
        "content": {"application/json": {"schema": schema}},
    }


FILENAME = {"type": "string", "pattern": extension_pattern(), "example": "dance.mp4"}
CONTENT_TYPE = {"type": "string", "enum": list(SUPPORTED_TYPES), "default": DEFAULT_CONTENT_TYPE}
SIZE = {"type": "integer", "format": "int64", "minimum": 1, "example": 10485760}
JOB_ID_PATH = {"name": "job_id", "in": "path", "required": True, "schema": JOB_ID}

UPLOAD_URL_PARAMS = [
    query_param("filename", FILENAME, "Name of the video; its extension must fit the content type.", required=True),
    query_param("content_type", CONTENT_TYPE, "MIME type of the video."),
    query_param(
        "size",
        SIZE,
        "Size of the video in bytes; when given, the URL is signed for exactly this Content-Length "
        "and a size over the cap (`DANCE_MAX_UPLOAD_BYTES`, default 4 GiB) is refused up front.",
    ),
]
CONFIRM_PARAMS = [
    query_param("job_id", JOB_ID, "`job_id` from upload-url.", required=True),
    query_param("s3_key", S3_KEY, "`s3_key` from upload-url.", required=True),
]

#: Where the upload-url answer leads next; Swagger UI shows these and fuzzers follow them.
UPLOAD_URL_LINKS = {
    "ConfirmUpload": {
        "operationId": "confirmUpload",
        "parameters": {"query.job_id": "$response.body#/job_id", "query.s3_key": "$response.body#/s3_key"},
    },
    "GetJob": {"operationId": "getJob", "parameters": {"path.job_id": "$response.body#/job_id"}},
    "CancelJob": {"operationId": "cancelJob", "parameters": {"path.job_id": "$response.body#/job_id"}},
}
