"""Bearer API keys: who is calling (which records they may see: ``RecordStore.get_owned``)."""
from __future__ import annotations

import hashlib
import hmac
import logging

from aiohttp import web

from infra.errors import Unauthorized
from infra.settings import Settings

log = logging.getLogger(__name__)

#: Paths anyone may read: probes, metrics, documentation and the upload page with its assets (keep the
#: port private in production). The page's own API calls still send the key the user types into it.
PUBLIC_PATHS = ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/", "/web")
#: Where the middleware leaves the caller's identity on the request.
OWNER = "owner"


def owner_of_key(key: str) -> str:
    """A stable, non-secret id for a key, stored on the jobs it creates."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def auth_middleware(settings: Settings):
    """Require ``Authorization: Bearer <key>`` when keys are configured; open otherwise."""
    keys = settings.api_key_list
    if not keys:
        log.warning(
            "no API keys configured: anyone who can reach the API can list, read and delete every job; "
            "set DANCE_API_KEYS=<key>[,<key>...] to require 'Authorization: Bearer <key>'"
        )

    @web.middleware
    async def middleware(request: web.Request, handler) -> web.StreamResponse:
        request[OWNER] = None
        if keys and not _is_public(request.path):
            request[OWNER] = _authenticate(request.headers.get("Authorization", ""), keys)
        return await handler(request)

    return middleware


def _is_public(path: str) -> bool:
    # "/" is the page alone; every other entry also covers what lies under it (/docs/assets/..., /web/app.js).
    return any(path == public or (public != "/" and path.startswith(public + "/")) for public in PUBLIC_PATHS)


def _authenticate(header: str, keys: list[str]) -> str:
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise Unauthorized("an API key is required: send 'Authorization: Bearer <key>'")
    presented = presented.strip()
    # Compare against every key so the time taken does not reveal which one nearly matched.
    matches = [key for key in keys if hmac.compare_digest(key.encode(), presented.encode())]
    if not matches:
        raise Unauthorized("the API key is not valid")
    return owner_of_key(matches[0])

