"""The letterbox on the inference device (the model behind a resize, pad and cast, returning its top candidates)
finds the people the host's letterbox finds, at the same places; checked on the CPU provider, which runs the
same graph a GPU would."""
from __future__ import annotations

import json

import cv2
import numpy as np
import onnx
import onnxruntime as ort
import pytest

from infra.settings import Settings
from pose_worker.backends.fused_graph import CANDIDATES, anchors_of, fused_model
from pose_worker.decode import decode_people
from pose_worker.letterbox import letterbox_frame, plan_letterbox
from pose_worker.model import BUNDLED_MODEL, PoseModel
from pose_worker.pose_estimation import POSES_FILE, PoseOptions, estimate_poses
from tests.clips import make_clip

#: A pixel's grey level may differ by one from OpenCV's fixed-point resize; the poses move by a fraction of a pixel.
MEAN_KEYPOINT_PX = 0.5


def frames_of(path, count: int = 8) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    frames = []
    while len(frames) < count:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return frames


@pytest.mark.parametrize("size", [(1280, 720), (640, 360), (360, 640)], ids=["720p", "360p", "portrait"])
def test_the_device_letterbox_finds_the_same_people_at_the_same_places(tmp_path, size):
    frames = frames_of(make_clip(tmp_path / "clip.mp4", seconds=1.0, size=size, fps=8.0))
    box = plan_letterbox(*size)
    plain = ort.InferenceSession(str(BUNDLED_MODEL), providers=["CPUExecutionProvider"])
    fused = ort.InferenceSession(fused_model(onnx.load(str(BUNDLED_MODEL)), box).SerializeToString(),
                                 providers=["CPUExecutionProvider"])
    host = plain.run(None, {"images": np.concatenate([letterbox_frame(f, box) for f in frames])})[0]
    device = fused.run(None, {"frames": np.stack(frames)})[0]
    assert device.shape == (len(frames), 56, min(CANDIDATES, anchors_of(box)))
    distances = []
    for ours, theirs in zip(device, host):
        found, expected = decode_people(ours, box, 0.25, 0.7), decode_people(theirs, box, 0.25, 0.7)
        assert len(found) == len(expected) > 0
        for a, b in zip(found, expected):
            seen = (a.keypoints[:, 2] >= 0.5) & (b.keypoints[:, 2] >= 0.5)
            distances += np.linalg.norm(a.keypoints[seen, :2] - b.keypoints[seen, :2], axis=1).tolist()
    assert np.mean(distances) < MEAN_KEYPOINT_PX


def test_a_worker_letterboxing_on_the_device_writes_the_same_frames_and_people(tmp_path):
    clip = make_clip(tmp_path / "clip.mp4", seconds=1.0, size=(640, 360), fps=10.0)
    counts = {}
    for device in (False, True):
        model = PoseModel.load(Settings(device_letterbox=device, batch_size=4))
        assert model.takes_frames is device
        out = tmp_path / str(device)
        out.mkdir()
        estimate_poses(clip, out, "job", model, lambda _: None, options=PoseOptions(overlay=False))
        frames = json.loads((out / POSES_FILE).read_text())["frames"]
        counts[device] = [len(frame["people"]) for frame in frames]
    assert counts[True] == counts[False] and sum(counts[True]) > 0
