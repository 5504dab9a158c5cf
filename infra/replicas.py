"""Stream replicas: every stream and key-value bucket at ``DANCE_STREAM_REPLICAS`` (3 in a cluster).

New streams get the setting from their configs; provisioning moves the ones that exist already
(the key-value buckets, streams made before the setting changed), so a single-node stack grown into
a cluster keeps its data and gains replicas by provisioning again.
"""
from __future__ import annotations

import logging

from nats.js import JetStreamContext

from infra.broker import broker_errors
from infra.settings import Settings

log = logging.getLogger(__name__)


async def apply_stream_replicas(js: JetStreamContext, settings: Settings) -> int:
    """Set every stream of the account to the configured replicas; returns how many were moved."""
    moved = 0
    async with broker_errors("setting stream replicas"):
        for info in await _all_streams(js):
            if (info.config.num_replicas or 1) == settings.stream_replicas:
                continue
            info.config.num_replicas = settings.stream_replicas
            await js.update_stream(info.config)
            log.info("stream %s now has %d replicas", info.config.name, settings.stream_replicas)
            moved += 1
    return moved


async def _all_streams(js: JetStreamContext) -> list:
    streams: list = []
    while page := await js.streams_info(offset=len(streams)):
        streams.extend(page)
    return streams
