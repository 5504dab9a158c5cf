"""Listing a caller's jobs, newest first, page by page, on the real stack."""
from __future__ import annotations

import requests

from tests.conftest import API_KEYS
from tests.helpers import list_everything, list_page


def create(api: str, headers: dict, name: str) -> str:
    answer = requests.post(f"{api}/api/v1/analyze/upload-url", params={"filename": name}, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["job_id"]


def page(api: str, headers: dict, **params) -> dict:
    return list_page(api, "/api/v1/analyze", headers, **params)


def test_paging_through_120_jobs_while_new_ones_arrive_has_no_duplicates_or_gaps(secured_gateway):
    api = secured_gateway.api
    alice, bob = ({"Authorization": f"Bearer {key}"} for key in API_KEYS)
    before = {job["job_id"] for job in _all(api, alice)}
    created = [create(api, alice, f"list-{n}.mp4") for n in range(120)]
    bobs = create(api, bob, "bob.mp4")
    seen: list[str] = []
    cursor = None
    arrivals = []
    while True:
        body = page(api, alice, limit=25, **({"cursor": cursor} if cursor else {}))
        seen += [job["job_id"] for job in body["jobs"]]
        arrivals.append(create(api, alice, f"arrived-{len(arrivals)}.mp4"))  # a new job between pages
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen, "nothing listed"
    assert len(seen) == len(set(seen)), "a job was listed twice"
    assert set(created) <= set(seen), "a job was skipped"
    assert bobs not in seen and not set(arrivals) & set(seen[25:])
    mine = [job_id for job_id in seen if job_id not in before]
    assert mine[:120] == list(reversed(created))  # newest first
    assert page(api, bob)["jobs"][0]["job_id"] == bobs


def _all(api: str, headers: dict) -> list[dict]:
    return list_everything(api, "/api/v1/analyze", "jobs", headers)


def test_a_status_filter_and_a_foreign_cursor(secured_gateway):
    api = secured_gateway.api
    alice, bob = ({"Authorization": f"Bearer {key}"} for key in API_KEYS)
    job_id = create(api, alice, "to-cancel.mp4")
    requests.post(f"{api}/api/v1/analyze/{job_id}/cancel", headers=alice, timeout=10)
    cancelled = page(api, alice, status="cancelled", limit=100)["jobs"]
    assert job_id in [job["job_id"] for job in cancelled]
    assert {job["status"] for job in cancelled} == {"cancelled"}
    first = page(api, alice, limit=1)
    foreign = requests.get(f"{api}/api/v1/analyze", params={"cursor": first["next_cursor"]}, headers=bob, timeout=10)
    assert foreign.status_code == 400 and foreign.json()["error"]["code"] == "invalid_parameter"
    too_many = requests.get(f"{api}/api/v1/analyze", params={"limit": 101}, headers=alice, timeout=10)
    assert too_many.status_code == 400
