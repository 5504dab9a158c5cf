"""``python -m listener``: match MinIO upload events to jobs and queue them.

``python -m listener replay --since 1h`` (or ``--from-seq N``) re-matches stored events.
"""
from __future__ import annotations

import argparse
import asyncio

from infra.errors import InvalidParameter
from infra.lifecycle import configure_logging, stop_event_on_signals
from infra.settings import Settings
from listener.replay import parse_duration, replay
from listener.service import run_listener


def duration(text: str):
    try:
        return parse_duration(text)
    except InvalidParameter as exc:
        raise argparse.ArgumentTypeError(exc.message) from exc


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m listener", description="Bucket events -> pose jobs")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="consume the events stream (the default)")
    replaying = commands.add_parser("replay", help="re-read stored events and match them again (idempotent)")
    start = replaying.add_mutually_exclusive_group()
    start.add_argument("--since", type=duration, help="how far back, e.g. 90s, 15m, 1h, 7d")
    start.add_argument("--from-seq", type=int, help="first stream sequence to replay")
    return parser.parse_args()


async def run(settings: Settings) -> None:
    await run_listener(settings, stop_event_on_signals())


def main() -> None:
    args = parse_args()
    settings = Settings()
    configure_logging(settings)
    if args.command == "replay":
        outcomes = asyncio.run(replay(settings, since=args.since, from_seq=args.from_seq))
        total = sum(outcomes.values())
        print(f"replayed {total} event records: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    else:
        asyncio.run(run(settings))


if __name__ == "__main__":
    main()
