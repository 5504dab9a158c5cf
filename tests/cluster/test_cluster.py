"""Cluster mode on this host: three NATS servers, MinIO over four nodes, streams at three replicas.

Killing the work stream's JetStream leader and a MinIO node while jobs are in flight loses nothing
and runs nothing twice; losing two of three NATS servers makes the API answer 503 until they are back.
"""
from __future__ import annotations

import asyncio
import time

import pytest
import requests

from infra.broker import connect_nats
from operations.provision import provision_patiently
from tests.clips import make_clip
from tests.cluster_env import ClusterEnv, kill_hard, start_cluster, start_services
from tests.conftest import _in_ci
from tests.helpers import FINAL_STATUSES
from tests.services import ServicesMissing

JOBS_BEFORE, JOBS_DURING = 6, 4


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory):
    try:
        env = start_cluster(tmp_path_factory.mktemp("cluster"))
    except ServicesMissing as exc:
        if _in_ci():
            pytest.fail(f"real MinIO and NATS are required in CI: {exc}")
        pytest.skip(str(exc))
    try:
        await provision_patiently(env.settings)
        start_services(env)
        yield env
    finally:
        env.stop()


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("cluster-clip") / "dance.mp4", seconds=1.0, size=(320, 180))


def call(method: str, url: str, patience_s: float = 60, **kwargs) -> requests.Response:
    """As a client should: a 503 (or no answer) is tried again after its Retry-After."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            answer = requests.request(method, url, timeout=15, **kwargs)
            if answer.status_code != 503:
                return answer
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, f"{method} {url} kept failing"
        time.sleep(1)


def upload(env: ClusterEnv, clip) -> str:
    grant = call("POST", f"{env.api}/api/v1/analyze/upload-url", params={"filename": clip.name, "content_type": "video/mp4"})
    assert grant.status_code == 200, grant.text
    body = grant.json()
    put = call("PUT", body["upload_url"], data=clip.read_bytes(), headers={"Content-Type": "video/mp4"})
    assert put.status_code == 200, put.text
    confirmed = call("POST", f"{env.api}/api/v1/analyze/confirm", params={"job_id": body["job_id"], "s3_key": body["s3_key"]})
    assert confirmed.status_code == 200, confirmed.text
    return body["job_id"]


def wait_for_final(env: ClusterEnv, job_ids: list[str], timeout_s: float = 300) -> dict[str, dict]:
    deadline, final = time.monotonic() + timeout_s, {}
    while len(final) < len(job_ids):
        for job_id in job_ids:
            if job_id not in final:
                job = call("GET", f"{env.api}/api/v1/analyze/{job_id}").json()
                if job["status"] in FINAL_STATUSES:
                    final[job_id] = job
        assert time.monotonic() < deadline, f"{len(job_ids) - len(final)} jobs never ended"
        time.sleep(1)
    return final


async def replicas_current(env: ClusterEnv, streams: list[str], timeout_s: float = 90) -> None:
    nc = await connect_nats(env.settings, "tests-cluster")
    try:
        js = nc.jetstream()
        deadline = time.monotonic() + timeout_s
        for name in streams:
            while True:
                try:
                    cluster = (await js.stream_info(name)).cluster
                    if cluster and cluster.leader and len(cluster.replicas or []) == 2 and all(r.current for r in cluster.replicas):
                        break
                except Exception:  # no leader yet: asked again
                    pass
                assert time.monotonic() < deadline, f"stream {name}'s replicas did not catch up"
                await asyncio.sleep(1)
    finally:
        await nc.close()


async def test_every_stream_and_the_job_store_have_three_replicas(cluster):
    nc = await connect_nats(cluster.settings, "tests-cluster")
    try:
        js = nc.jetstream()
        for name in ("MINIO_EVENTS", "POSE_WORK", "KV_jobs", "KV_jobs-index", "UPLOAD_CHECKS", "WEBHOOK_DELIVERIES"):
            assert (await js.stream_info(name)).config.num_replicas == 3, name
    finally:
        await nc.close()


async def test_killing_the_work_leader_and_a_minio_node_loses_no_job_and_runs_none_twice(cluster, clip):
    env = cluster
    job_ids = [await asyncio.to_thread(upload, env, clip) for _ in range(JOBS_BEFORE)]
    nc = await connect_nats(env.settings, "tests-cluster")
    try:
        js = nc.jetstream()
        leader = (await js.stream_info(env.settings.work_stream)).cluster.leader
        nats_victim, minio_victim = env.nats_node(leader), env.minio[-1]
        kill_hard(nats_victim)
        kill_hard(minio_victim)
        try:
            job_ids += [await asyncio.to_thread(upload, env, clip) for _ in range(JOBS_DURING)]
        finally:
            nats_victim.start()
            minio_victim.start()
        final = await asyncio.to_thread(wait_for_final, env, job_ids)
        assert {job["status"] for job in final.values()} == {"completed"}, {k: v["error"] for k, v in final.items()}
        assert all(job["result"]["frames"] == 30 and job["progress"] == 1.0 for job in final.values())
        work = await js.stream_info(env.settings.work_stream)
        assert work.state.last_seq == len(job_ids)  # one work message per job: re-publishes were dropped
        assert work.state.messages == 0  # and every one acked
    finally:
        await nc.close()
    await replicas_current(env, [env.settings.work_stream, "KV_jobs", "MINIO_EVENTS"])
    minio_victim.wait_for_url(env.minio_health_url(len(env.minio) - 1).replace("/cluster", "/live"))


async def test_with_two_of_three_nats_servers_down_the_api_answers_503_and_recovers(cluster):
    env = cluster
    down = env.nats[1:]
    for process in down:
        kill_hard(process)
    try:
        deadline, answer = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            answer = await asyncio.to_thread(
                requests.post, f"{env.api}/api/v1/analyze/upload-url",
                params={"filename": "dance.mp4", "content_type": "video/mp4"}, timeout=30,
            )
            if answer.status_code == 503:
                break
            await asyncio.sleep(1)
        assert answer is not None and answer.status_code == 503, answer.text if answer else None
        assert answer.json()["error"]["code"] == "broker_unavailable"
    finally:
        for process in down:
            process.start()
    recovered = await asyncio.to_thread(
        call, "POST", f"{env.api}/api/v1/analyze/upload-url", 120, params={"filename": "dance.mp4", "content_type": "video/mp4"}
    )
    assert recovered.status_code == 200, recovered.text
