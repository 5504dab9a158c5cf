"""Faults on real processes: a worker killed mid-job, NATS, MinIO and the listener restarted, bad events.

Each test gets a private nats-server, MinIO, gateway and listener (``tests.fault_env``) and
starts its own pose workers, so it can break things without touching the session's stack.
"""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import requests
from nats.js.errors import NotFoundError

from domain.job_store import JobStore
from infra.broker import connect_nats
from tests.clips import make_clip
from tests.fault_env import FaultEnv
from tests.helpers import confirm, put_file, request_upload, wait_for_event

CLIP_FPS = 30.0
#: Small frames keep every test quick: about 20 ms of inference each on a 2-core machine.
CLIP_SIZE = (640, 360)
#: Long enough that a worker is seen mid-job (processing, progress > 0) before it is killed.
LONG_CLIP_SECONDS = 10.0
SHORT_CLIP_SECONDS = 1.0
#: An event that is not JSON at all.
GARBAGE_EVENT = b"{not json"


@pytest.fixture
def short_clip(tmp_path: Path) -> Path:
    return make_clip(tmp_path / "short.mp4", seconds=SHORT_CLIP_SECONDS, fps=CLIP_FPS, size=CLIP_SIZE)


def upload(env: FaultEnv, clip: Path, filename: str) -> dict:
    """Steps 1 and 2 of the flow: an upload URL, then the PUT straight to MinIO."""
    ticket = request_upload(env.api, filename)
    put = put_file(ticket["upload_url"], clip)
    assert put.status_code == 200, f"PUT to MinIO answered {put.status_code}: {put.text}\n{env.log_tails()}"
    return ticket


def assert_completed(env: FaultEnv, job: dict, frames: int) -> None:
    assert job["status"] == "completed", f"{job}\n{env.log_tails()}"
    assert job["result"]["frames"] == frames, job


async def test_a_worker_killed_mid_job_leaves_the_job_to_another_worker_which_completes_it_once(env, tmp_path):
    clip = make_clip(tmp_path / "long.mp4", seconds=LONG_CLIP_SECONDS, fps=CLIP_FPS, size=CLIP_SIZE)
    frames = int(LONG_CLIP_SECONDS * CLIP_FPS)
    first, second = env.worker("pose-worker-1"), env.worker("pose-worker-2")
    first.start()
    before = await env.work_last_seq()

    ticket = await asyncio.to_thread(upload, env, clip, "long.mp4")
    assert confirm(env.api, ticket["job_id"], ticket["s3_key"]).status_code == 200
    running = await asyncio.to_thread(
        env.wait_for_job,
        ticket["job_id"],
        lambda job: job["status"] == "processing" and job["progress"] > 0,
        "processing with progress",
    )
    first.kill()
    assert not first.running
    after_kill = env.read_job(ticket["job_id"])
    assert after_kill is not None and after_kill["status"] == "processing", (
        f"the job should still be processing when its worker dies; was {running}, now {after_kill}"
    )

    second.start()
    job = await asyncio.to_thread(env.wait_for_final, ticket["job_id"], 120)
    assert_completed(env, job, frames)
    assert job["progress"] == 1.0 and job["error"] is None, job
    poses = requests.get(job["result"]["poses_url"], timeout=30).json()
    assert [frame["index"] for frame in poses["frames"]] == list(range(frames))
    assert poses["video"]["frames"] == frames

    await env.wait_until_listener_caught_up()
    after = await env.work_last_seq()
    assert after - before == 1, f"the work stream got {after - before} messages for one job\n{env.log_tails()}"
    record = await (await JobStore.open(await env.jetstream(), env.settings.jobs_bucket)).get(ticket["job_id"])
    assert record.attempts == 2, f"expected the redelivery (attempt 2) to finish the job: {record}"
    assert f"job {ticket['job_id']} completed" not in env.log_text(first), "the killed worker cannot have finished"
    # The killed worker's downloaded video is cleaned up by the next worker to start.
    assert not (env.settings.work_dir / f"worker-{first.process.pid}").exists()


async def test_uploads_made_while_nats_is_down_are_all_analysed_once_it_is_back(env, short_clip):
    count = 3
    env.worker().start()
    before = await env.work_last_seq()
    tickets = [await asyncio.to_thread(request_upload, env.api, f"outage-{n}.mp4") for n in range(count)]
    await env.close_client()  # ours would only retry through the outage

    env.nats.stop()
    assert not env.nats.running
    for ticket in tickets:
        # MinIO takes the upload and keeps its event in the queue directory until NATS is back.
        put = await asyncio.to_thread(put_file, ticket["upload_url"], short_clip)
        assert put.status_code == 200, put.text
    await asyncio.to_thread(env.start, env.nats)  # same port and store directory

    js = await env.jetstream()
    for ticket in tickets:
        await wait_for_event(js, env.settings, ticket["s3_key"], timeout_s=60)
    jobs = [await asyncio.to_thread(env.wait_for_final, ticket["job_id"], 90) for ticket in tickets]
    for job in jobs:
        assert_completed(env, job, int(SHORT_CLIP_SECONDS * CLIP_FPS))
    await env.wait_until_listener_caught_up()
    assert await env.work_last_seq() - before == count


async def test_restarting_the_listener_while_events_arrive_loses_none_and_doubles_none(env, short_clip):
    env.worker().start()
    before = await env.work_last_seq()
    tickets, exit_codes = [], []
    # Two uploads with the listener up, two while it is down, the rest across a second restart.
    # MinIO's second copy of each event comes up to 3 s later, so copies also land in the gaps.
    await asyncio.to_thread(env.wait_until_connected, env.listener, "listener")
    for n in range(2):
        tickets.append(await asyncio.to_thread(upload, env, short_clip, f"steady-{n}.mp4"))
    exit_codes.append(await asyncio.to_thread(env.listener.stop))
    for n in range(2):
        tickets.append(await asyncio.to_thread(upload, env, short_clip, f"while-down-{n}.mp4"))
    env.listener.start()
    # Up far enough to be stopped by its own signal handler, not by SIGTERM's default action.
    await asyncio.to_thread(env.wait_until_connected, env.listener, "listener")
    tickets.append(await asyncio.to_thread(upload, env, short_clip, "after-restart.mp4"))
    exit_codes.append(await asyncio.to_thread(env.listener.stop))
    tickets.append(await asyncio.to_thread(upload, env, short_clip, "second-restart.mp4"))
    env.listener.start()

    jobs = [await asyncio.to_thread(env.wait_for_final, ticket["job_id"], 90) for ticket in tickets]
    for job in jobs:
        assert_completed(env, job, int(SHORT_CLIP_SECONDS * CLIP_FPS))
    await env.wait_until_listener_caught_up()
    added = await env.work_last_seq() - before
    assert added == len(tickets), f"{len(tickets)} jobs put {added} messages on the work stream\n{env.log_tails()}"
    assert exit_codes == [0, 0], f"the listener did not stop cleanly on SIGTERM\n{env.log_tails(['listener'])}"


async def test_restarting_minio_between_upload_and_processing_still_completes_the_job(env, short_clip):
    before = await env.work_last_seq()
    ticket = await asyncio.to_thread(upload, env, short_clip, "minio-restart.mp4")
    confirmed = confirm(env.api, ticket["job_id"], ticket["s3_key"])
    assert confirmed.status_code == 200, confirmed.text
    assert env.read_job(ticket["job_id"])["status"] == "queued"

    minio_exit = await asyncio.to_thread(env.restart, env.minio)
    assert minio_exit == 0, f"MinIO did not stop cleanly\n{env.log_tails(['minio'])}"
    env.worker().start()

    job = await asyncio.to_thread(env.wait_for_final, ticket["job_id"], 90)
    assert_completed(env, job, int(SHORT_CLIP_SECONDS * CLIP_FPS))
    poses = requests.get(job["result"]["poses_url"], timeout=30)
    assert poses.status_code == 200 and poses.json()["job_id"] == ticket["job_id"]
    await env.wait_until_listener_caught_up()
    assert await env.work_last_seq() - before == 1


async def test_a_duplicated_and_a_malformed_event_start_one_run_and_the_listener_survives(env, short_clip):
    settings = env.settings
    js = await env.jetstream()
    dead_letters: list[bytes] = []
    injector = await connect_nats(settings, "fault-injector")
    try:
        if hasattr(settings, "dead_letter_subject"):
            # The listener copies events it cannot act on to this subject. Guarded rather than
            # required, so this test also runs against a listener that predates dead letters.
            async def keep(message) -> None:
                dead_letters.append(message.data)

            for subject in (settings.dead_letter_subject, f"{settings.dead_letter_subject}.>"):
                await injector.subscribe(subject, cb=keep)
            await injector.flush()

        before = await env.work_last_seq()
        ticket = await asyncio.to_thread(upload, env, short_clip, "injected.mp4")  # no worker yet
        event = await wait_for_event(js, settings, ticket["s3_key"])
        injected = injector.jetstream()
        await injected.publish(settings.events_subject, event.data)
        garbage_ack = await injected.publish(settings.events_subject, GARBAGE_EVENT)
        await env.wait_until_listener_caught_up()
        assert env.listener.running, f"the listener died on the injected events\n{env.log_tails(['listener'])}"

        env.worker().start()
        job = await asyncio.to_thread(env.wait_for_final, ticket["job_id"], 90)
        assert_completed(env, job, int(SHORT_CLIP_SECONDS * CLIP_FPS))
        await env.wait_until_listener_caught_up()
        assert await env.work_last_seq() - before == 1, f"the duplicate event queued the job again\n{env.log_tails()}"

        if hasattr(settings, "dead_letter_subject"):
            if not dead_letters and hasattr(settings, "dead_letter_stream"):
                dead_letters.extend(await stream_bodies(js, settings.dead_letter_stream))
            assert any(GARBAGE_EVENT in body for body in dead_letters), (
                f"event seq {garbage_ack.seq} ({GARBAGE_EVENT!r}) never reached {settings.dead_letter_subject}; "
                f"got {dead_letters}\n{env.log_tails(['listener'])}"
            )

        assert env.listener.running
        later = await asyncio.to_thread(upload, env, short_clip, "after-injection.mp4")
        later_job = await asyncio.to_thread(env.wait_for_final, later["job_id"], 90)
        assert_completed(env, later_job, int(SHORT_CLIP_SECONDS * CLIP_FPS))
        assert env.listener.running, env.log_tails(["listener"])
    finally:
        await injector.close()


async def stream_bodies(js, stream: str) -> list[bytes]:
    """Every message body still in ``stream``."""
    state = (await js.stream_info(stream)).state
    bodies = []
    for seq in range(state.first_seq, state.last_seq + 1):
        try:
            bodies.append((await js.get_msg(stream, seq)).data)
        except NotFoundError:  # deleted or acked away: nothing to read there
            continue
    return bodies


def graceful_worker(env: FaultEnv, name: str, grace_s: float):
    """A pose worker with its own shutdown grace, registered with ``env`` so it is cleaned up."""
    from tests.processes import python_service

    worker = python_service(name, "pose_worker", env.settings.model_copy(update={"shutdown_grace_s": grace_s}), env.log_dir)
    env.workers[name] = worker
    return worker


@pytest.mark.parametrize(
    ("grace_s", "attempts", "log_line"),
    [
        pytest.param(60.0, 1, "completed", id="finishes-within-the-grace-period"),
        pytest.param(0.2, 2, "released for another worker", id="hands-the-job-back-after-the-grace-period"),
    ],
)
async def test_a_worker_stopped_mid_job_finishes_or_hands_the_job_back(env, tmp_path, grace_s, attempts, log_line):
    clip = make_clip(tmp_path / "long.mp4", seconds=LONG_CLIP_SECONDS, fps=CLIP_FPS, size=CLIP_SIZE)
    first = graceful_worker(env, "pose-worker-graceful", grace_s)
    first.start()
    before = await env.work_last_seq()
    ticket = await asyncio.to_thread(upload, env, clip, "graceful.mp4")
    assert confirm(env.api, ticket["job_id"], ticket["s3_key"]).status_code == 200
    await asyncio.to_thread(
        env.wait_for_job, ticket["job_id"], lambda job: job["status"] == "processing" and job["progress"] > 0, "running"
    )
    exit_code = await asyncio.to_thread(first.stop, 90)
    assert exit_code == 0, env.log_tails()
    assert log_line in env.log_text(first)

    env.worker("pose-worker-2").start()  # takes over a handed-back job at once (no ack-wait)
    job = await asyncio.to_thread(env.wait_for_final, ticket["job_id"], 120)
    assert_completed(env, job, int(LONG_CLIP_SECONDS * CLIP_FPS))
    record = await (await JobStore.open(await env.jetstream(), env.settings.jobs_bucket)).get(ticket["job_id"])
    assert record.attempts == attempts
    assert await env.work_last_seq() - before == 1


async def test_a_job_whose_worker_dies_on_every_delivery_ends_failed_not_stuck(env, tmp_path):
    clip = make_clip(tmp_path / "long.mp4", seconds=LONG_CLIP_SECONDS, fps=CLIP_FPS, size=CLIP_SIZE)
    ticket = await asyncio.to_thread(upload, env, clip, "cursed.mp4")
    assert confirm(env.api, ticket["job_id"], ticket["s3_key"]).status_code == 200
    jobs = await JobStore.open(await env.jetstream(), env.settings.jobs_bucket)
    for attempt in range(1, env.settings.work_max_deliver + 1):
        worker = env.worker(f"pose-worker-doomed-{attempt}")
        worker.start()
        deadline = asyncio.get_running_loop().time() + 60
        while (record := await jobs.get(ticket["job_id"])).attempts < attempt or record.progress == 0:
            assert asyncio.get_running_loop().time() < deadline, f"attempt {attempt} never started\n{env.log_tails()}"
            await asyncio.sleep(0.1)
        worker.kill()
    # JetStream notices the exhausted message when a worker next asks for work: a healthy one
    # must never get it, and the listener fails the job from the max-deliveries advisory.
    healthy = env.worker("pose-worker-healthy")
    healthy.start()
    job = await asyncio.to_thread(env.wait_for_final, ticket["job_id"], 90)
    assert job["status"] == "failed", f"{job}\n{env.log_tails()}"
    assert job["error"]["code"] == "too_many_attempts"
    js = await env.jetstream()
    consumer = await js.consumer_info(env.settings.work_stream, env.settings.worker_durable)
    assert consumer.num_pending == 0 and consumer.num_ack_pending == 0  # nothing left to loop
    assert "processing" not in env.log_text(healthy)
