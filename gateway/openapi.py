"""The OpenAPI 3.0 document, generated from the endpoints and their models; served at ``/openapi.json``.

Schemas come from the pydantic models (``gateway/models/``); paths from each endpoint's metadata;
error answers from the error classes an endpoint names, with statuses from the error middleware's
one table; security from the settings (a bearer key where API keys are configured, none where the
gateway runs open). Nothing here describes a body by hand, so the document cannot drift from the code.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from gateway.endpoints import Endpoint
from gateway.error_middleware import status_of
from gateway.models.analysis import Analysis
from gateway.models.errors import Error
from gateway.openapi_dialect import Schema, openapi_30_components
from infra.errors import (
    BrokerUnavailable,
    DanceError,
    InvalidParameter,
    InvalidRequest,
    MissingParameter,
    StorageUnavailable,
    Unauthorized,
)
from infra.settings import Settings

REF_TEMPLATE = "#/components/schemas/{model}"
DESCRIPTION = """Upload a dance video straight to the bucket, then get every dancer's pose in every frame.

1. `POST /api/v1/analyze/upload-url` creates a job and a presigned PUT URL.
2. PUT the video to that URL.
3. `POST /api/v1/analyze/confirm` (optional: the bucket event queues the job too).
4. Poll `GET /api/v1/analyze/{job_id}` until the job is completed, failed, expired or cancelled.

Parameters go in the query string or, the same names, in a JSON object body (the body wins where
both name one). Errors are `{"error": {"code", "message"}}`."""
#: How this gateway authenticates, by whether it has API keys: the document states what it enforces.
AUTH_KEYED = "Every `/api/v1` call takes `Authorization: Bearer <API key>`."
AUTH_OPEN = """This gateway has no API keys configured (`DANCE_API_KEYS`): it runs open, takes no `Authorization`
header, and anyone who can reach it can list, read and delete every job."""
BEARER_SCHEME = {"bearerAuth": {"type": "http", "scheme": "bearer", "description": "An API key"}}
WWW_AUTHENTICATE = {"description": "The scheme to authenticate with", "schema": {"type": "string"}}
#: Answers every ``/api/v1`` operation may give: an unreachable NATS or MinIO; with API keys, a missing or unknown key.
API_ERRORS = (StorageUnavailable, BrokerUnavailable)
KEYED_API_ERRORS = (Unauthorized, *API_ERRORS)
ERROR_HEADERS = {
    401: {"WWW-Authenticate": {"$ref": "#/components/headers/WWW-Authenticate"}},
    429: {"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
    503: {"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
}
TEXT_SCHEMAS = {"application/json": {"type": "object"}}


def openapi_document(endpoints: Iterable[Endpoint], settings: Settings) -> dict[str, Any]:
    """The whole document for these endpoints, with the limits and the authentication ``settings`` configure.

    Without API keys no operation declares a security requirement, not even an optional one: the
    gateway ignores any token it is sent, so a client offered one would be misled."""
    endpoints = list(endpoints)
    keyed = bool(settings.api_key_list)
    components = _components(endpoints)
    _apply_limits(components, settings)
    paths: dict[str, dict] = {}
    for endpoint in endpoints:
        paths.setdefault(endpoint.openapi_path, {})[endpoint.method.lower()] = _operation(endpoint, components, keyed)
    description = f"{DESCRIPTION}\n\n{AUTH_KEYED if keyed else AUTH_OPEN}"
    return {
        "openapi": "3.0.3",
        "info": {"title": "Dance Analysis API", "version": "1.0.0", "description": description},
        **({"security": [{"bearerAuth": []}]} if keyed else {}),
        "paths": paths,
        "components": {
            **({"securitySchemes": BEARER_SCHEME} if keyed else {}),
            "headers": {
                "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}},
                **({"WWW-Authenticate": WWW_AUTHENTICATE} if keyed else {}),
            },
            "schemas": components,
        },
    }


def _components(endpoints: list[Endpoint]) -> dict[str, Schema]:
    """Every model's schema: parameters as the server reads them, answers as it writes them."""
    # Analysis: a document the API links to (result.analysis_url), not an answer of its own.
    models: dict[tuple[type[BaseModel], str], None] = {(Error, "serialization"): None, (Analysis, "serialization"): None}
    for endpoint in endpoints:
        if endpoint.params is not None:
            models[(endpoint.params, "validation")] = None
        if endpoint.body is not None:
            models[(endpoint.body[1], "validation")] = None
        for model in (endpoint.response, *endpoint.other_responses.values()):
            if model is not None:
                models[(model, "serialization")] = None
    _, schema = models_json_schema(list(models), ref_template=REF_TEMPLATE)
    return openapi_30_components(schema.get("$defs", {}))


def _apply_limits(components: dict[str, Schema], settings: Settings) -> None:
    """Limits that are settings, not code: the upload size cap."""
    for params in ("UploadUrlParams", "MultipartParams"):
        components[params]["properties"]["size"]["maximum"] = settings.max_upload_bytes


def _operation(endpoint: Endpoint, components: dict[str, Schema], keyed: bool) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": endpoint.operation_id, "summary": endpoint.summary}
    if endpoint.description:
        operation["description"] = endpoint.description
    if endpoint.deprecated:
        operation["deprecated"] = True
    if endpoint.public and keyed:
        operation["security"] = []
    if endpoint.params is not None:
        params_schema = components[endpoint.params.__name__]
        operation["parameters"] = _parameters(endpoint, params_schema)
        if endpoint.json_body and (endpoint.query_names or endpoint.body_only):
            operation["requestBody"] = _params_body(endpoint, params_schema)
    if endpoint.body is not None:
        media_type, model = endpoint.body
        content = {"schema": _ref(model), **({"encoding": dict(endpoint.body_encoding)} if endpoint.body_encoding else {})}
        operation["requestBody"] = {"required": True, "content": {media_type: content}}
    operation["responses"] = {**_success(endpoint), **_errors(endpoint, keyed)}
    return operation


def _parameters(endpoint: Endpoint, params_schema: Schema) -> list[dict[str, Any]]:
    """Path parameters, then the query parameters (the JSON body may carry those instead)."""
    required = set(params_schema.get("required", ()))
    parameters = []
    for name, schema in params_schema["properties"].items():
        # A parameter is "none" by being left out: it is never null and has no null default.
        schema = {key: value for key, value in schema.items() if key != "nullable" and (key, value) != ("default", None)}
        description = schema.pop("description", "")
        if name in endpoint.body_only:
            continue
        if name in endpoint.path_names:
            parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
            continue
        if name in required:
            # Required, but from either place: OpenAPI cannot say "in the query or in the body".
            description = f"{description} Required, here or in the JSON body.".strip()
        parameters.append({"name": name, "in": "query", "required": False, "description": description, "schema": schema})
    return parameters


def _params_body(endpoint: Endpoint, params_schema: Schema) -> dict[str, Any]:
    """The query parameters again (and those only a body carries), as a JSON object body (the body
    wins on a clash); null is the same as leaving a parameter out, so each one is nullable. A
    required parameter only a body carries makes the body required."""
    required = [name for name in params_schema.get("required", ()) if name in endpoint.body_only]
    properties = {
        name: {**schema, "nullable": name not in required}
        for name, schema in params_schema["properties"].items()
        if name not in endpoint.path_names
    }
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {
        "required": bool(required),
        "description": "The same parameters as a JSON object, instead of (or on top of) the query string.",
        "content": {"application/json": {"schema": schema}},
    }


def _success(endpoint: Endpoint) -> dict[str, Any]:
    media_type = endpoint.content_type or "application/json"
    schema = _ref(endpoint.response) if endpoint.response else TEXT_SCHEMAS.get(media_type, {"type": "string"})
    ok: dict[str, Any] = {"description": _first_line(endpoint.response) or endpoint.summary,
                          "content": {media_type: {"schema": schema}}}
    if endpoint.headers:
        ok["headers"] = {name: {"description": text, "schema": {"type": "string"}} for name, text in endpoint.headers.items()}
    if endpoint.links:
        ok["links"] = dict(endpoint.links)
    responses = {str(endpoint.status): ok}
    for status, model in endpoint.other_responses.items():
        responses[str(status)] = {"description": _first_line(model), "content": {"application/json": {"schema": _ref(model)}}}
    return responses


def _errors(endpoint: Endpoint, keyed: bool) -> dict[str, Any]:
    """One answer per status, listing the error codes behind it."""
    raised: list[type[DanceError]] = []
    if endpoint.query_names or endpoint.body_only:
        raised += [MissingParameter, InvalidParameter] + ([InvalidRequest] if endpoint.json_body else [])
    raised += endpoint.errors
    if not endpoint.public:
        raised += KEYED_API_ERRORS if keyed else API_ERRORS
    by_status: dict[int, dict[str, str]] = {}
    for error in raised:
        by_status.setdefault(status_of(error), {})[error.code] = _reason(error)
    responses = {}
    for status, reasons in sorted(by_status.items()):
        lines = "\n".join(f"- `{code}`: {reason}" for code, reason in reasons.items())
        responses[str(status)] = {"description": lines, "content": {"application/json": {"schema": _ref(Error)}}}
        if status in ERROR_HEADERS:
            responses[str(status)]["headers"] = ERROR_HEADERS[status]
    return responses


def _reason(error: type[DanceError]) -> str:
    """``Raised when the job is gone.`` -> ``the job is gone``."""
    return _first_line(error).removeprefix("Raised when ").removesuffix(".")


def _first_line(thing: type | None) -> str:
    doc = (thing.__doc__ or "").strip() if thing is not None else ""
    return doc.splitlines()[0] if doc else ""


def _ref(model: type[BaseModel]) -> Schema:
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}

