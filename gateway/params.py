"""Request parameters, from the query string (as in the API doc) or a JSON body."""
from __future__ import annotations

import json
from collections.abc import Mapping

from aiohttp import web

from common.errors import InvalidRequest, MissingParameter


async def read_params(request: web.Request) -> dict[str, str]:
    """Query parameters merged with a JSON object body; the body wins on a clash."""
    params = {key: value for key, value in request.query.items()}
    if request.can_read_body and request.content_type == "application/json":
        try:
            body = json.loads(await request.read())
        except UnicodeDecodeError as exc:
            raise InvalidRequest("request body is not UTF-8 text") from exc
        except json.JSONDecodeError as exc:
            raise InvalidRequest(f"request body is not valid JSON: {exc.msg}") from exc
        if not isinstance(body, dict):
            raise InvalidRequest("request body must be a JSON object")
        params.update({key: str(value) for key, value in body.items() if value is not None})
    return params


def require(params: Mapping[str, str], name: str) -> str:
    value = params.get(name, "").strip()
    if not value:
        raise MissingParameter(f"parameter '{name}' is required")
    return value
