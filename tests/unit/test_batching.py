"""Frames inferred in batches (the GPU path) or several at once (the CPU's streams) give the same
poses, in the same order, as frames inferred one by one."""
from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest

from infra.settings import Settings
from pose_worker.backends.thread_plan import plan_threads
from pose_worker.frame_pipeline import in_batches
from pose_worker.model import PoseModel
from pose_worker.pose_estimation import PoseOptions, estimate_poses, prepare_threads_for
from tests.clips import make_clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("batching") / "dance.mp4", seconds=1.0, size=(640, 360))


def poses_with(batch_size: int, clip, out_dir, streams: int = 1, backend: str = "onnxruntime") -> dict:
    model = PoseModel.load(Settings(batch_size=batch_size, inference_streams=streams, inference_threads=2, inference_backend=backend))
    assert (model.batch_size, model.streams) == (batch_size, streams)
    out_dir.mkdir()
    estimate_poses(clip, out_dir, "job", model, lambda done: None, options=PoseOptions(overlay=False))
    return json.loads((out_dir / "poses.json").read_text())


def assert_same_poses(expected: dict, got: dict) -> None:
    """The same frames in the same order, the same track ids, keypoints within rounding; people in every frame."""
    assert [frame["t"] for frame in got["frames"]] == [frame["t"] for frame in expected["frames"]]
    people = 0
    for one, other in zip(expected["frames"], got["frames"]):
        assert [p["track_id"] for p in one["people"]] == [p["track_id"] for p in other["people"]]
        for a, b in zip(one["people"], other["people"]):
            assert np.allclose(np.array(a["keypoints"]), np.array(b["keypoints"]), atol=0.05)
            people += 1
    assert people >= len(expected["frames"])  # the clip shows people in every frame


def test_batches_of_frames_give_the_poses_one_by_one_gives(clip, tmp_path):
    single, batched = poses_with(1, clip, tmp_path / "one"), poses_with(4, clip, tmp_path / "four")
    assert len(single["frames"]) == 30
    assert_same_poses(single, batched)


@pytest.mark.parametrize("backend", ["onnxruntime", "openvino"])
def test_frames_inferred_two_at_a_time_give_the_poses_and_order_of_one_at_a_time(backend, clip, tmp_path):
    one_stream = poses_with(1, clip, tmp_path / "one", streams=1, backend=backend)
    two_streams = poses_with(1, clip, tmp_path / "two", streams=2, backend=backend)
    assert len(one_stream["frames"]) == 30
    assert_same_poses(one_stream, two_streams)


@pytest.mark.parametrize(
    ("settings", "cores", "expected"),
    [
        pytest.param({}, 2, (2, 1), id="two-cores-two-frames-at-once"),
        pytest.param({}, 16, (2, 8), id="sixteen-cores-split-in-two"),
        pytest.param({}, 1, (1, 1), id="one-core-one-frame"),
        pytest.param({"inference_streams": 1}, 4, (1, 4), id="one-stream-takes-every-core"),
        pytest.param({"inference_streams": 4, "inference_threads": 8}, 2, (4, 2), id="threads-given-for-all-streams"),
        pytest.param({"execution_providers": "CUDAExecutionProvider,CPUExecutionProvider"}, 16, (1, 16), id="gpu-one-stream"),
    ],
)
def test_the_inference_threads_are_split_over_frames_in_flight(settings, cores, expected):
    plan = plan_threads(Settings(**settings), cores=cores)
    assert (plan.streams, plan.threads_per_stream) == expected


class Prepared:
    def __init__(self, shape):
        self.tensor = np.zeros(shape, dtype=np.float32)


def test_a_batch_holds_frames_of_one_input_size_and_at_most_the_batch_size():
    frames = [Prepared((1, 3, 384, 640))] * 5 + [Prepared((1, 3, 640, 384))] * 2
    assert [len(batch) for batch in in_batches(frames, 4)] == [4, 1, 2]
    assert [len(batch) for batch in in_batches(frames, 1)] == [1] * 7


def test_auto_batching_is_one_frame_at_a_time_on_a_cpu():
    model = PoseModel.load(Settings())
    assert model.batch_size == 1 and model.streams == min(2, os.cpu_count() or 1)
    assert prepare_threads_for(1) == 1 and prepare_threads_for(16) >= 1


def test_work_ahead_keeps_the_order_and_passes_errors_on():
    from pose_worker.frame_pipeline import ahead

    batches = [[Prepared((1, 3, 8, 8))] * n for n in (1, 2, 3, 4)]
    def slower_when_shorter(batch):  # with several threads the later batches finish first
        time.sleep(0.05 / len(batch))
        return len(batch)

    for depth, threads in ((0, 1), (2, 1), (2, 3)):
        in_order = [(len(batch), result) for batch, result in ahead(batches, slower_when_shorter, depth, threads)]
        assert in_order == [(1, 1), (2, 2), (3, 3), (4, 4)]

    def fails_on_three(batch):
        if len(batch) == 3:
            raise ValueError("third")
        return len(batch)

    seen = []
    with pytest.raises(ValueError, match="third"):
        for batch, result in ahead(batches, fails_on_three, 2):
            seen.append(result)
    assert seen == [1, 2]
