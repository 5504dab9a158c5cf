"""Frames inferred in batches (the GPU path) give the same poses as frames inferred one by one."""
from __future__ import annotations

import json

import numpy as np
import pytest

from common.settings import Settings
from pose_worker.frame_pipeline import in_batches
from pose_worker.model import PoseModel
from pose_worker.pose_estimation import PoseOptions, estimate_poses, prepare_threads_for
from tests.clips import make_clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("batching") / "dance.mp4", seconds=1.0, size=(640, 360))


def poses_with(batch_size: int, clip, out_dir) -> dict:
    model = PoseModel.load(Settings(batch_size=batch_size))
    assert model.batch_size == batch_size
    out_dir.mkdir()
    estimate_poses(clip, out_dir, "job", model, lambda done: None, options=PoseOptions(overlay=False))
    return json.loads((out_dir / "poses.json").read_text())


def test_batches_of_frames_give_the_poses_one_by_one_gives(clip, tmp_path):
    single, batched = poses_with(1, clip, tmp_path / "one"), poses_with(4, clip, tmp_path / "four")
    assert len(single["frames"]) == len(batched["frames"]) == 30
    people = 0
    for one, four in zip(single["frames"], batched["frames"]):
        assert [p["track_id"] for p in one["people"]] == [p["track_id"] for p in four["people"]]
        for a, b in zip(one["people"], four["people"]):
            assert np.allclose(np.array(a["keypoints"]), np.array(b["keypoints"]), atol=0.05)
            people += 1
    assert people >= 30  # the clip shows people in every frame


class Prepared:
    def __init__(self, shape):
        self.tensor = np.zeros(shape, dtype=np.float32)


def test_a_batch_holds_frames_of_one_input_size_and_at_most_the_batch_size():
    frames = [Prepared((1, 3, 384, 640))] * 5 + [Prepared((1, 3, 640, 384))] * 2
    assert [len(batch) for batch in in_batches(frames, 4)] == [4, 1, 2]
    assert [len(batch) for batch in in_batches(frames, 1)] == [1] * 7


def test_auto_batching_is_one_frame_at_a_time_on_a_cpu():
    assert PoseModel.load(Settings()).batch_size == 1
    assert prepare_threads_for(1) == 1 and prepare_threads_for(16) >= 1


def test_work_ahead_keeps_the_order_and_passes_errors_on():
    from pose_worker.frame_pipeline import ahead

    batches = [[Prepared((1, 3, 8, 8))] * n for n in (1, 2, 3, 4)]
    for depth in (0, 2):
        assert [(len(batch), result) for batch, result in ahead(batches, len, depth)] == [(1, 1), (2, 2), (3, 3), (4, 4)]

    def fails_on_three(batch):
        if len(batch) == 3:
            raise ValueError("third")
        return len(batch)

    seen = []
    with pytest.raises(ValueError, match="third"):
        for batch, result in ahead(batches, fails_on_three, 2):
            seen.append(result)
    assert seen == [1, 2]
