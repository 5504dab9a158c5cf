"""Listing a caller's comparisons, newest first, page by page, on the real stack (``GET /api/v1/compare``)."""
from __future__ import annotations

import pytest
import requests

from tests.clips import make_swaying_clip
from tests.conftest import API_KEYS, start_stack
from tests.helpers import list_everything, list_page
from tests.stack.test_comparisons import compare, completed_job

ALICE, BOB = ({"Authorization": f"Bearer {key}"} for key in API_KEYS)
#: A key no other test uses, on a gateway of its own: a caller who has never compared anything.
CAROL_KEY = "key-carol-never-compared"


def page(api: str, headers: dict | None, **params) -> dict:
    return list_page(api, "/api/v1/compare", headers, **params)


def every_comparison(api: str, headers: dict | None) -> list[dict]:
    return list_everything(api, "/api/v1/compare", "comparisons", headers)


@pytest.fixture(scope="module")
def alices_job(stack, secured_gateway, tmp_path_factory) -> str:
    """A completed job of Alice's; ``stack`` runs the listener and workers the secured gateway shares."""
    clip = make_swaying_clip(tmp_path_factory.mktemp("listing") / "mine.mp4", seconds=3.0)
    return completed_job(secured_gateway.api, clip, ALICE)


def create(api: str, headers: dict, job_id: str) -> str:
    answer = compare(api, headers, reference_job_id=job_id, job_id=job_id)
    assert answer.status_code == 202, answer.text
    return answer.json()["comparison_id"]


def test_paging_through_comparisons_while_new_ones_arrive_has_no_duplicates_or_gaps(secured_gateway, alices_job):
    api = secured_gateway.api
    before = {comparison["comparison_id"] for comparison in every_comparison(api, ALICE)}
    created = [create(api, ALICE, alices_job) for _ in range(7)]
    seen: list[str] = []
    arrivals: list[str] = []
    cursor = None
    while True:
        body = page(api, ALICE, limit=3, **({"cursor": cursor} if cursor else {}))
        assert len(body["comparisons"]) <= 3
        seen += [comparison["comparison_id"] for comparison in body["comparisons"]]
        arrivals.append(create(api, ALICE, alices_job))  # a new comparison between pages
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)), "a comparison was listed twice"
    assert set(created) <= set(seen), "a comparison was skipped"
    assert not set(arrivals) & set(seen[3:])  # made while paging: never in a later page
    mine = [comparison_id for comparison_id in seen if comparison_id not in before]
    assert mine[:7] == list(reversed(created))  # newest first
    first = page(api, ALICE, limit=1)["comparisons"][0]
    assert first["comparison_id"] == arrivals[-1]
    # Each entry is the comparison as GET returns it.
    assert (first["reference_job_id"], first["job_id"]) == (alices_job, alices_job)
    single = requests.get(f"{api}/api/v1/compare/{first['comparison_id']}", headers=ALICE, timeout=10).json()
    assert {key: single[key] for key in ("comparison_id", "created_at", "reference_job_id")} == {
        key: first[key] for key in ("comparison_id", "created_at", "reference_job_id")
    }


def test_a_key_sees_only_its_own_comparisons_and_cannot_use_anothers_cursor(secured_gateway, alices_job):
    api = secured_gateway.api
    alices = create(api, ALICE, alices_job)
    bobs = {comparison["comparison_id"] for comparison in every_comparison(api, BOB)}
    assert alices not in bobs
    assert alices in {comparison["comparison_id"] for comparison in every_comparison(api, ALICE)}
    first = page(api, ALICE, limit=1)
    assert first["next_cursor"]
    foreign = requests.get(f"{api}/api/v1/compare", params={"cursor": first["next_cursor"]}, headers=BOB, timeout=10)
    assert foreign.status_code == 400 and foreign.json()["error"]["code"] == "invalid_parameter"
    assert requests.get(f"{api}/api/v1/compare", timeout=10).status_code == 401  # no key, no list
    too_many = requests.get(f"{api}/api/v1/compare", params={"limit": 101}, headers=ALICE, timeout=10)
    assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "invalid_parameter"


def test_a_caller_who_never_compared_gets_an_empty_list(provisioned):
    gateway = start_stack(provisioned.model_copy(update={"api_keys": CAROL_KEY}), services=("gateway",))
    try:
        assert page(gateway.api, {"Authorization": f"Bearer {CAROL_KEY}"}) == {"comparisons": [], "next_cursor": None}
    finally:
        gateway.stop()


def test_without_keys_the_open_gateway_lists_the_comparisons_made_without_a_key(stack, secured_gateway, alices_job):
    listed = {comparison["comparison_id"] for comparison in every_comparison(stack.api, None)}
    alices = {comparison["comparison_id"] for comparison in every_comparison(secured_gateway.api, ALICE)}
    assert alices and not listed & alices  # a key's comparisons are not the open API's
