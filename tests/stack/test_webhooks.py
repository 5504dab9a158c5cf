"""Webhooks on the real stack: signed (Standard Webhooks, verified with its library), retried with one
webhook-id, durable across a dispatcher restart, once per ending, per API key, and never to private
addresses unless allowed."""
from __future__ import annotations

import asyncio
import time

import pytest
import requests
from standardwebhooks.webhooks import Webhook as Verifier

from domain.webhook_targets import GuardedResolver
from tests.clips import make_clip
from tests.conftest import API_KEYS
from tests.helpers import confirm, put_file, request_upload
from tests.processes import free_port
from tests.webhook_receiver import receiving

PUBLIC_URL = "https://93.184.215.14/hooks/dance"  # a public address literal: nothing resolves, nothing is sent


def register(api: str, url: str, headers: dict | None = None, **fields) -> requests.Response:
    return requests.post(f"{api}/api/v1/webhooks", json={"url": url, **fields}, headers=headers, timeout=10)


def new_job(api: str, headers: dict | None = None) -> str:
    return request_upload(api, "dance.mp4", headers=headers)["job_id"]


def cancel(api: str, job_id: str, headers: dict | None = None) -> None:
    answer = requests.post(f"{api}/api/v1/analyze/{job_id}/cancel", headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text


def deliveries(api: str, webhook_id: str, headers: dict | None = None) -> list[dict]:
    answer = requests.get(f"{api}/api/v1/webhooks/{webhook_id}/deliveries", headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["deliveries"]


def wait_for_delivery(api: str, webhook_id: str, record_id: str, done, timeout_s: float = 30) -> dict:
    """The endpoint's delivery about ``record_id`` once ``done(delivery)``; other tests' jobs may end
    meanwhile (an endpoint of the open namespace gets every ending), so it is picked by its event."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = [d for d in deliveries(api, webhook_id) if d["event_id"].endswith(f".{record_id}")]
        if found and done(found[0]):
            return found[0]
        assert time.monotonic() < deadline, f"the delivery did not get there: {found[:1]}"
        time.sleep(0.2)


@pytest.fixture
def hook(stack):
    """Registers webhooks on the main stack and deletes them after the test."""
    made: list[str] = []

    def make(url: str, **fields) -> dict:
        answer = register(stack.api, url, **fields)
        assert answer.status_code == 201, answer.text
        made.append(answer.json()["webhook_id"])
        return answer.json()

    yield make
    for webhook_id in made:
        requests.delete(f"{stack.api}/api/v1/webhooks/{webhook_id}", timeout=10)


def test_a_webhook_is_created_listed_and_deleted_and_its_secret_is_shown_once(stack):
    created = register(stack.api, PUBLIC_URL, events=["job.completed", "job.failed"])
    assert created.status_code == 201, created.text
    webhook = created.json()
    assert webhook["secret"].startswith("whsec_") and len(webhook["secret"]) > 40
    assert webhook["events"] == ["job.completed", "job.failed"]
    path = f"{stack.api}/api/v1/webhooks/{webhook['webhook_id']}"
    listed = requests.get(f"{stack.api}/api/v1/webhooks", timeout=10).json()["webhooks"]
    assert [item for item in listed if item["webhook_id"] == webhook["webhook_id"]] == [
        {key: webhook[key] for key in ("webhook_id", "url", "events", "created_at")}
    ]
    assert "secret" not in requests.get(path, timeout=10).json()
    assert requests.delete(path, timeout=10).json() == {"webhook_id": webhook["webhook_id"], "deleted": True}
    gone = requests.get(path, timeout=10)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "webhook_not_found"


def test_unknown_event_types_and_missing_urls_are_refused(stack):
    unknown = register(stack.api, PUBLIC_URL, events=["job.exploded"])
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "invalid_parameter"
    missing = requests.post(f"{stack.api}/api/v1/webhooks", json={}, timeout=10)
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "missing_parameter"


def test_an_ended_job_is_delivered_signed_as_the_standard_webhooks_library_verifies(stack, hook):
    with receiving() as receiver:
        webhook = hook(receiver.url)
        job_id = new_job(stack.api)
        cancel(stack.api, job_id)
        [received] = receiver.wait_for(job_id)
        event = Verifier(webhook["secret"]).verify(received.body, received.headers)
        assert event["type"] == "job.cancelled"
        assert event["data"] == stack.get_job(job_id)  # as the API shows it (no result, so no URLs)
        assert event["timestamp"] == event["data"]["updated_at"]
        assert received.headers["webhook-id"].startswith("msg_")
        with pytest.raises(Exception):
            Verifier(webhook["secret"]).verify(received.body.replace("cancelled", "completed"), received.headers)
    delivery = wait_for_delivery(stack.api, webhook["webhook_id"], job_id, lambda d: d["state"] == "succeeded")
    assert delivery["message_id"] == received.headers["webhook-id"] and delivery["event_type"] == "job.cancelled"
    assert delivery["event_id"] == f"job.cancelled.{job_id}"
    assert [attempt["status_code"] for attempt in delivery["attempts"]] == [204]


def test_a_completed_job_and_its_comparison_carry_object_keys_and_no_urls(stack, hook, tmp_path):
    clip = make_clip(tmp_path / "dance.mp4", seconds=2.0, size=(640, 360))
    with receiving() as receiver:
        webhook = hook(receiver.url, events=["job.completed", "comparison.completed"])
        grant = request_upload(stack.api, clip.name)
        assert put_file(grant["upload_url"], clip).status_code == 200
        assert confirm(stack.api, grant["job_id"], grant["s3_key"]).status_code == 200
        [received] = receiver.wait_for(grant["job_id"], timeout_s=120)
        event = Verifier(webhook["secret"]).verify(received.body, received.headers)
        shown = stack.get_job(grant["job_id"])
        assert event["type"] == "job.completed"
        assert "url" not in received.body.lower().replace("s3_key", "")
        assert event["data"]["result"] == {k: v for k, v in shown["result"].items() if not k.endswith("_url")}
        assert {k: v for k, v in event["data"].items() if k != "result"} == {k: v for k, v in shown.items() if k != "result"}
        answer = requests.post(
            f"{stack.api}/api/v1/compare", json={"reference_job_id": grant["job_id"], "job_id": grant["job_id"]}, timeout=10
        )
        comparison_id = answer.json()["comparison_id"]
        [compared] = receiver.wait_for(comparison_id, timeout_s=120)
        event = Verifier(webhook["secret"]).verify(compared.body, compared.headers)
        assert event["type"] == "comparison.completed" and event["data"]["result"]["score"] == pytest.approx(100, abs=0.5)
        assert "comparison_key" in event["data"]["result"] and "comparison_url" not in event["data"]["result"]


def test_a_receiver_failing_twice_gets_three_attempts_with_one_webhook_id(stack, hook):
    with receiving(answers=(500, 500, 200)) as receiver:
        webhook = hook(receiver.url)
        job_id = new_job(stack.api)
        cancel(stack.api, job_id)
        attempts = receiver.wait_for(job_id, count=3)
        time.sleep(1.5)  # nothing more comes once one succeeded
        attempts = receiver.events_for(job_id)
    assert len(attempts) == 3
    assert len({attempt.headers["webhook-id"] for attempt in attempts}) == 1
    assert len({attempt.body for attempt in attempts}) == 1
    for attempt in attempts:
        Verifier(webhook["secret"]).verify(attempt.body, attempt.headers)
    delivery = wait_for_delivery(stack.api, webhook["webhook_id"], job_id, lambda d: d["state"] == "succeeded")
    assert [attempt["status_code"] for attempt in delivery["attempts"]] == [500, 500, 200]
    assert delivery["attempts"][0]["error"] == "the endpoint answered HTTP 500" and delivery["next_retry_at"] is None


def test_a_delivery_that_keeps_failing_is_given_up_then_sent_again_on_request(stack, hook):
    with receiving(answers=(503,)) as receiver:
        webhook = hook(receiver.url)
        job_id = new_job(stack.api)
        cancel(stack.api, job_id)
        failed = wait_for_delivery(stack.api, webhook["webhook_id"], job_id, lambda d: d["state"] == "failed", timeout_s=60)
        # the test stack waits 0.5, 1, 1, 1, 1, 1 s: seven attempts, then it gives up
        assert len(failed["attempts"]) == 7 and failed["next_retry_at"] is None
        assert len(receiver.events_for(job_id)) == 7
        receiver.answers = [200]
        retried = requests.post(
            f"{stack.api}/api/v1/webhooks/{webhook['webhook_id']}/deliveries/{failed['delivery_id']}/retry", timeout=10
        )
        assert retried.status_code == 202 and retried.json()["state"] == "pending"
        received = receiver.wait_for(job_id, count=8)
        assert len({item.headers["webhook-id"] for item in received}) == 1
    done = wait_for_delivery(stack.api, webhook["webhook_id"], job_id, lambda d: d["state"] == "succeeded")
    assert [attempt["status_code"] for attempt in done["attempts"]][-2:] == [503, 200]
    unknown = requests.post(f"{stack.api}/api/v1/webhooks/{webhook['webhook_id']}/deliveries/nope/retry", timeout=10)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "delivery_not_found"


def test_a_receiver_down_while_the_dispatcher_restarts_still_gets_the_event(stack, hook):
    port = free_port()
    webhook = hook(f"http://127.0.0.1:{port}/hooks/dance")
    job_id = new_job(stack.api)
    cancel(stack.api, job_id)
    first = wait_for_delivery(stack.api, webhook["webhook_id"], job_id, lambda d: len(d["attempts"]) >= 1)
    assert first["attempts"][0]["status_code"] is None and first["state"] == "pending"
    dispatcher = stack.processes["webhook_dispatcher"]
    dispatcher.stop()
    try:
        with receiving(port=port) as receiver:
            dispatcher.start()
            [received] = receiver.wait_for(job_id)
            assert received.headers["webhook-id"] == first["message_id"]
            Verifier(webhook["secret"]).verify(received.body, received.headers)
    finally:
        if not dispatcher.running:
            dispatcher.start()
    done = wait_for_delivery(stack.api, webhook["webhook_id"], job_id, lambda d: d["state"] == "succeeded")
    assert done["attempts"][-1]["status_code"] == 204


async def test_a_job_ended_by_two_racing_paths_yields_one_event(stack, hook, job_store):
    with receiving() as receiver:
        webhook = hook(receiver.url)
        job_ids = [await asyncio.to_thread(new_job, stack.api) for _ in range(3)]
        for job_id in job_ids:
            await asyncio.gather(
                job_store.fail(job_id, "worker_gave_up", "first path"),
                job_store.fail(job_id, "upload_rejected", "second path"),
                asyncio.to_thread(requests.post, f"{stack.api}/api/v1/analyze/{job_id}/cancel", timeout=10),
            )
            # a later touch of the ended record (what a late upload's warning does) is no new ending
            await job_store.update(job_id, lambda job: job.with_warning("touched after the end"))
        for job_id in job_ids:
            await asyncio.to_thread(receiver.wait_for, job_id)
        await asyncio.sleep(2)
        for job_id in job_ids:
            [received] = receiver.events_for(job_id)
            event = Verifier(webhook["secret"]).verify(received.body, received.headers)
            assert event["type"] in ("job.failed", "job.cancelled")
            assert event["data"]["status"] == (await job_store.get(job_id)).status.value
    listed = [d for d in deliveries(stack.api, webhook["webhook_id"]) if d["event_id"].split(".", 2)[2] in job_ids]
    assert len(listed) == 3


def test_events_go_only_to_the_webhooks_of_the_key_that_made_the_job(secured_gateway):
    alice, bob = ({"Authorization": f"Bearer {key}"} for key in API_KEYS)
    api = secured_gateway.api
    with receiving() as alice_receiver, receiving() as bob_receiver:
        alice_hook = register(api, alice_receiver.url, alice).json()
        bob_hook = register(api, bob_receiver.url, bob).json()
        try:
            assert requests.get(f"{api}/api/v1/webhooks/{alice_hook['webhook_id']}", headers=bob, timeout=10).status_code == 404
            assert [w["webhook_id"] for w in requests.get(f"{api}/api/v1/webhooks", headers=bob, timeout=10).json()["webhooks"]] == [
                bob_hook["webhook_id"]
            ]
            job_id = new_job(api, alice)
            cancel(api, job_id, alice)
            alice_receiver.wait_for(job_id)
            time.sleep(1.5)
            assert bob_receiver.events_for(job_id) == []
        finally:
            requests.delete(f"{api}/api/v1/webhooks/{alice_hook['webhook_id']}", headers=alice, timeout=10)
            requests.delete(f"{api}/api/v1/webhooks/{bob_hook['webhook_id']}", headers=bob, timeout=10)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://localhost/hook",  # a name resolving to 127.0.0.1
        "http://93.184.215.14/hook",  # plain http
        "ftp://93.184.215.14/hook",
    ],
)
def test_webhook_urls_that_could_reach_inside_are_refused_by_default(limits_stack, url):
    answer = register(limits_stack.api, url)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "webhook_url_not_allowed"


def test_a_public_https_url_is_accepted_by_default(limits_stack):
    answer = register(limits_stack.api, PUBLIC_URL)
    assert answer.status_code == 201, answer.text
    requests.delete(f"{limits_stack.api}/api/v1/webhooks/{answer.json()['webhook_id']}", timeout=10)


async def test_names_are_checked_again_when_connecting_so_a_rebound_name_is_refused():
    with pytest.raises(OSError, match="may not reach"):
        await GuardedResolver(allow_private=False).resolve("localhost", 443)
    assert await GuardedResolver(allow_private=True).resolve("localhost", 443)
