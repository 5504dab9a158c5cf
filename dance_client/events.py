"""Waiting for a job or a comparison to end: its server-sent events, followed until a final status."""
from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator

from dance_client.api import (
    ADMITTED_JOB_STATUSES,
    COMPARISON_EVENTS,
    COMPLETED,
    FINAL_COMPARISON_STATUSES,
    FINAL_JOB_STATUSES,
    GET_JOB,
    JOB_EVENTS,
    Operation,
    Record,
)
from dance_client.errors import JobFailed, Unreachable
from dance_client.progress import ProgressBar
from dance_client.transport import ApiClient

#: The events stream sends a heartbeat every 15 s; four missed ones mean the connection is dead.
EVENTS_TIMEOUT_S = 60
#: How often the events stream may end before the job does (a restarted gateway) before giving up.
EVENTS_RECONNECTS = 3


def server_sent_events(lines: Iterable[bytes]) -> Iterator[tuple[str, str]]:
    """``(event, data)`` pairs from a text/event-stream; comment lines (heartbeats) are skipped."""
    event, data = "message", []
    for raw in lines:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = "message", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)


def watch(client: ApiClient, operation: Operation, **params: str) -> Iterator[Record]:
    """Each state the stream of ``operation`` sends (its ``operation.event`` events), until the server ends it."""
    for event, data in server_sent_events(client.stream(operation, EVENTS_TIMEOUT_S, **params)):
        if event == operation.event:
            yield json.loads(data)


def follow(
    client: ApiClient, operation: Operation, final: Collection[str], seen: Callable[[Record], None], **params: str
) -> Record:
    """The first state in ``final`` from the stream of ``operation``, each state on the way passed to
    ``seen``; the stream is opened again when it ends early (a restarted gateway)."""
    for _ in range(EVENTS_RECONNECTS + 1):
        for state in watch(client, operation, **params):
            seen(state)
            if state["status"] in final:
                return state
    what = f"{operation.event} {' '.join(params.values())}"
    raise Unreachable(f"the events stream of {what} kept ending before the {operation.event} did")


def follow_job(client: ApiClient, job_id: str) -> Record:
    """The job's final state, with a progress bar of its analysis from the events stream."""
    bar = ProgressBar("analysis")

    def seen(job: Record) -> None:
        bar.show(job.get("progress") or 0.0, job["status"], phase=job["status"])

    try:
        return follow(client, JOB_EVENTS, FINAL_JOB_STATUSES, seen, job_id=job_id)
    finally:
        bar.close()


def follow_comparison(client: ApiClient, comparison_id: str) -> Record:
    """The comparison's final state (completed or failed), from its events stream."""
    return follow(client, COMPARISON_EVENTS, FINAL_COMPARISON_STATUSES, lambda _: None, comparison_id=comparison_id)


def check_final(job: Record) -> None:
    """Nothing if the job completed; ``JobFailed`` with its error otherwise."""
    if job["status"] == COMPLETED:
        return
    error = job.get("error") or {}
    reason = f": {error.get('code')}: {error.get('message')}" if error else ""
    raise JobFailed(f"job {job['job_id']} {job['status']}{reason}")


def check_admitted(client: ApiClient, job: Record) -> None:
    """Nothing if the job is queued (or further); ``JobFailed`` with its error otherwise."""
    if job["status"] in ADMITTED_JOB_STATUSES:
        return
    # Answers to confirm carry no error: read the job for it.
    current = client.send(GET_JOB, job_id=job["job_id"])
    if current["status"] in ADMITTED_JOB_STATUSES:
        return
    check_final(current)


def check_comparison(comparison: Record) -> None:
    """Nothing if the comparison completed; ``JobFailed`` with its error otherwise."""
    if comparison["status"] == COMPLETED:
        return
    error = comparison.get("error") or {}
    raise JobFailed(
        f"comparison {comparison['comparison_id']} {comparison['status']}: {error.get('code')}: {error.get('message')}"
    )
