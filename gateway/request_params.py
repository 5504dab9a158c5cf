"""Request parameters into their pydantic model, from the query string (as in the API doc), the
path, or a JSON object body; the body wins where a parameter is given twice, except over the path:
a path parameter comes from the path only.

Every value is checked where it came from: query and path values are text and are converted
(``size=10`` is a number), JSON values must already have the documented type. Unknown parameters
are ignored. Validation errors become the API's own (``missing_parameter``, ``invalid_parameter``).
"""
from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any, TypeVar

from aiohttp import web
from multidict import MultiMapping
from pydantic import BaseModel, TypeAdapter, ValidationError

from infra.errors import InvalidParameter, InvalidRequest, MissingParameter

Params = TypeVar("Params", bound=BaseModel)


async def read_params(
    request: web.Request, model: type[Params], *, json_body: bool = True, body_only: tuple[str, ...] = (),
    context: Mapping[str, Any] | None = None,
) -> Params:
    """``model`` built from the request's path, query and (when ``json_body``) JSON object body;
    ``body_only`` names parameters the query string may not carry; ``context`` reaches the model's
    validators (the settings, for limits that are configured)."""
    path = dict(request.match_info)
    values: dict[str, Any] = {}
    query = {name: value for name, value in _single_values(request.query).items() if name not in {*path, *body_only}}
    values.update(_checked(model, query, strict=False, context=context))
    # JSON values are checked as JSON, strictly: a number for a text field is refused, a string
    # for an enumeration is its value.
    if json_body:
        body = {name: value for name, value in (await _json_object(request)).items() if name not in path}
        values.update(_checked(model, body, strict=True, context=context))
    values.update(_checked(model, path, strict=False, context=context))
    try:
        return model.model_validate(values, context=context)
    except ValidationError as exc:
        raise request_error(exc) from None


def _single_values(query: MultiMapping[str]) -> dict[str, str]:
    """The query string as a dict; a parameter given twice is ambiguous, so it is refused."""
    single = dict(query)
    if len(single) < len(query):
        name = next(name for name in single if len(query.getall(name)) > 1)
        raise InvalidParameter(f"parameter '{name}' is given {len(query.getall(name))} times; give it once")
    return single


async def _json_object(request: web.Request) -> dict[str, Any]:
    if not (request.can_read_body and request.content_type == "application/json"):
        return {}
    try:
        body = json.loads(await request.read())
    except UnicodeDecodeError as exc:
        raise InvalidRequest("request body is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise InvalidRequest(f"request body is not valid JSON: {exc.msg}") from exc
    if not isinstance(body, dict):
        raise InvalidRequest("request body must be a JSON object")
    # null means "not given", as leaving the key out does.
    return {key: value for key, value in body.items() if value is not None}


def _checked(
    model: type[BaseModel], source: Mapping[str, Any], *, strict: bool, context: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The values in ``source`` that are fields of ``model``, each validated on its own."""
    checked = {}
    for name, raw in source.items():
        if name not in model.model_fields:
            continue
        try:
            adapter = _field_adapter(model, name)
            if strict:
                checked[name] = adapter.validate_json(json.dumps(raw), strict=True, context=context)
            else:
                checked[name] = adapter.validate_python(raw, strict=False, context=context)
        except ValidationError as exc:
            raise request_error(exc, name) from None
    return checked


@functools.cache
def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter:
    return TypeAdapter(model.model_fields[name].rebuild_annotation())


def request_error(exc: ValidationError, name: str | None = None) -> InvalidRequest:
    """The API's error for the first problem pydantic found (``name``: the parameter, when known)."""
    problem = exc.errors(include_url=False)[0]
    name = name or ".".join(str(part) for part in problem["loc"]) or "body"
    if problem["type"] == "missing":
        return MissingParameter(f"parameter '{name}' is required")
    message = problem["msg"][0].lower() + problem["msg"][1:]
    return InvalidParameter(f"parameter '{name}' is not valid: {message} (got {problem['input']!r})")
