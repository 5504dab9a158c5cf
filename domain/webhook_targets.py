"""Where a webhook may point: public https endpoints only, unless private targets are allowed.

A URL is checked when the endpoint is registered and again on every delivery, where the addresses
the name resolves to are checked at connect time (``GuardedResolver``): a name that resolved to a
public address at registration and to 127.0.0.1 later (DNS rebinding) is refused then.
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from infra.errors import WebhookUrlNotAllowed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL_LENGTH = 2048


def check_url(url: str, allow_private: bool) -> str:
    """The URL if its form is acceptable (scheme, host, no credentials); its addresses are checked apart."""
    parts = urlsplit(url)
    if len(url) > MAX_URL_LENGTH or parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookUrlNotAllowed(f"webhook url {url[:200]!r} is not an http(s) URL with a host")
    if parts.scheme != "https" and not allow_private:
        raise WebhookUrlNotAllowed("webhook urls must use https")
    if parts.username or parts.password:
        raise WebhookUrlNotAllowed("webhook urls must not carry credentials")
    try:
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError as exc:
        raise WebhookUrlNotAllowed(f"webhook url {url[:200]!r} has an invalid port") from exc
    return url


def address_allowed(address: IPAddress, allow_private: bool) -> bool:
    """Only globally routable unicast addresses: not loopback, private, link-local (169.254.169.254,
    the cloud metadata service, is link-local), shared, reserved, multicast or unspecified."""
    if allow_private:
        return True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


async def check_target(url: str, allow_private: bool) -> str:
    """Check the URL's form and every address its host resolves to; raises ``WebhookUrlNotAllowed``."""
    check_url(url, allow_private)
    host = urlsplit(url).hostname or ""
    for address in await resolve(host):
        if not address_allowed(address, allow_private):
            raise WebhookUrlNotAllowed(
                f"webhook url host {host!r} resolves to {address}, a loopback, private, link-local or "
                "metadata address; only public endpoints can receive webhooks"
            )
    return url


async def resolve(host: str) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise WebhookUrlNotAllowed(f"webhook url host {host!r} does not resolve: {exc.strerror or exc}") from exc
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver that refuses names resolving to addresses a webhook may not reach; the
    connection then goes to exactly the addresses checked here."""

    def __init__(self, allow_private: bool) -> None:
        self._resolver = ThreadedResolver()
        self._allow_private = allow_private

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        results = await self._resolver.resolve(host, port, family)
        for result in results:
            if not address_allowed(ipaddress.ip_address(result["host"]), self._allow_private):
                raise OSError(f"{host} resolves to {result['host']}, which webhooks may not reach")
        return results

    async def close(self) -> None:
        await self._resolver.close()
