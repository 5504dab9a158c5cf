"""Endpoints: each route together with its models and documentation, registered in one step.

A handler declares what it takes (a parameters model, filled from path, query and JSON body) and
what it answers (a response model); the table turns the one into the other and keeps the metadata
the OpenAPI document is generated from (``gateway/openapi.py``)::

    api = EndpointTable()

    @api.post("/api/v1/analyze/confirm", "confirmUpload", "Confirm the upload",
              params=ConfirmParams, response=Confirmation, errors=(KeyMismatch, JobNotFound))
    async def confirm_upload(request: web.Request, params: ConfirmParams) -> Confirmation: ...
"""
from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from gateway.app_keys import SETTINGS
from gateway.request_params import read_params
from infra.errors import DanceError

Handler = Callable[..., Awaitable[BaseModel | web.StreamResponse]]


@dataclass(frozen=True)
class Endpoint:
    """One operation: its route, models and what the document says of it."""

    method: str
    path: str
    operation_id: str
    summary: str
    description: str = ""
    #: Path, query and JSON body parameters; None when the operation takes none.
    params: type[BaseModel] | None = None
    #: Whether the parameters may come as a JSON object body as well as a query string.
    json_body: bool = True
    #: Parameters only a JSON body can carry (a list of objects has no query-string form).
    body_only: tuple[str, ...] = ()
    #: The success answer's model, or None for answers that are not JSON (see ``content_type``).
    response: type[BaseModel] | None = None
    #: The success answer's status: 200, or 202 for work accepted to run later.
    status: int = 200
    #: Media type of a non-JSON answer; with ``response`` set too, that model describes each item (an event stream).
    content_type: str | None = None
    #: Other answers that are not errors, by status (readiness' 503).
    other_responses: Mapping[int, type[BaseModel]] = field(default_factory=dict)
    #: Domain errors the operation raises on purpose; their statuses come from the error middleware.
    errors: tuple[type[DanceError], ...] = ()
    #: A request body other than parameters (the legacy upload's multipart form): media type and model.
    body: tuple[str, type[BaseModel]] | None = None
    #: OpenAPI ``encoding`` of that body's fields (the content types a file part may have).
    body_encoding: Mapping[str, Any] = field(default_factory=dict)
    #: Headers of the 200 answer: name -> description.
    headers: Mapping[str, str] = field(default_factory=dict)
    #: OpenAPI links from the 200 answer to the operations that follow it.
    links: Mapping[str, Any] = field(default_factory=dict)
    #: Needs no API key (probes, metrics, documentation, the page).
    public: bool = False
    deprecated: bool = False

    @property
    def openapi_path(self) -> str:
        """The path as OpenAPI writes it, without the route's patterns: ``/api/v1/analyze/{job_id}``."""
        return re.sub(r"{(\w+):[^}]*}", r"{\1}", self.path)

    @property
    def path_names(self) -> set[str]:
        """The parameters the path carries: ``{job_id}``."""
        return set(re.findall(r"{(\w+)[:}]", self.path))

    @property
    def query_names(self) -> set[str]:
        """The parameters that come from the query string (or the JSON body)."""
        return set(self.params.model_fields) - self.path_names - set(self.body_only) if self.params is not None else set()

    def wrap(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """The aiohttp handler: parameters parsed into ``params``, a returned model rendered as JSON."""

        @functools.wraps(handler)
        async def serve(request: web.Request) -> web.StreamResponse:
            if self.params is None:
                answer = await handler(request)
            else:
                context = {"settings": request.app[SETTINGS]}
                params = await read_params(
                    request, self.params, json_body=self.json_body, body_only=self.body_only, context=context
                )
                answer = await handler(request, params)
            if isinstance(answer, web.StreamResponse):
                return answer
            if self.response is None or not isinstance(answer, self.response):
                raise TypeError(f"{self.operation_id} answered {type(answer).__name__}, not its declared {self.response}")
            return model_response(answer, status=self.status)

        return serve


def model_response(model: BaseModel, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    """A model as a JSON answer (field order as declared; the API's bytes have always looked like this)."""
    return web.json_response(model.model_dump(mode="json"), status=status, headers=headers)


class EndpointTable:
    """A module's endpoints; ``plain`` holds routes outside the API description (static assets)."""

    def __init__(self) -> None:
        self.endpoints: list[Endpoint] = []
        self.plain = web.RouteTableDef()
        self._routes = web.RouteTableDef()

    def get(self, path: str, operation_id: str, summary: str, **details: Any) -> Callable[[Handler], Handler]:
        return self._register("GET", path, operation_id, summary, details)

    def post(self, path: str, operation_id: str, summary: str, **details: Any) -> Callable[[Handler], Handler]:
        return self._register("POST", path, operation_id, summary, details)

    def delete(self, path: str, operation_id: str, summary: str, **details: Any) -> Callable[[Handler], Handler]:
        return self._register("DELETE", path, operation_id, summary, details)

    def _register(self, method: str, path: str, operation_id: str, summary: str, details: dict) -> Callable[[Handler], Handler]:
        endpoint = Endpoint(method, path, operation_id, summary, **details)

        def register(handler: Handler) -> Handler:
            self.endpoints.append(endpoint)
            self._routes.route(method, path)(endpoint.wrap(handler))
            return handler

        return register

    def install(self, app: web.Application) -> None:
        app.add_routes(self._routes)
        app.add_routes(self.plain)
