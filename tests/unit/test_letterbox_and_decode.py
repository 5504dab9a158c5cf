"""Letterbox geometry and keypoint decoding, checked against numbers worked out by hand."""
from __future__ import annotations

import numpy as np
import pytest

from pose_worker.decode import NUM_KEYPOINTS, decode_people, non_max_suppression
from pose_worker.letterbox import plan_letterbox


@pytest.mark.parametrize(
    ("frame", "expected_input", "expected_pad"),
    [
        pytest.param((1280, 720), (640, 384), (0, 12), id="720p-landscape-becomes-640x384"),
        pytest.param((720, 1280), (384, 640), (12, 0), id="portrait-phone-becomes-384x640"),
        pytest.param((1920, 1080), (640, 384), (0, 12), id="1080p-same-as-720p"),
        pytest.param((640, 480), (640, 480), (0, 0), id="vga-needs-no-padding"),
        pytest.param((320, 240), (640, 480), (0, 0), id="small-frames-scale-up"),
    ],
)
def test_letterbox_keeps_aspect_and_pads_to_stride(frame, expected_input, expected_pad):
    box = plan_letterbox(*frame)
    assert (box.input_width, box.input_height) == expected_input
    assert (box.pad_left, box.pad_top) == expected_pad
    assert box.input_width % 32 == 0 and box.input_height % 32 == 0


def _anchor(cx, cy, w, h, score, keypoints) -> np.ndarray:
    column = np.zeros(56, dtype=np.float32)
    column[:5] = (cx, cy, w, h, score)
    column[5:] = np.asarray(keypoints, dtype=np.float32).reshape(-1)
    return column


def _keypoints_around(cx, cy, visibility=0.9) -> np.ndarray:
    points = np.zeros((NUM_KEYPOINTS, 3), dtype=np.float32)
    points[:, 0] = cx + np.arange(NUM_KEYPOINTS)
    points[:, 1] = cy - np.arange(NUM_KEYPOINTS)
    points[:, 2] = visibility
    return points


def test_decode_filters_suppresses_and_maps_back_to_frame_pixels():
    box = plan_letterbox(1280, 720)  # gain 0.5, 12 px of padding on top
    main = _anchor(320, 192, 100, 200, 0.9, _keypoints_around(320, 192))
    duplicate = _anchor(322, 194, 100, 200, 0.8, _keypoints_around(322, 194))  # IoU ~0.94 with main
    faint = _anchor(100, 100, 50, 50, 0.2, _keypoints_around(100, 100))  # under the 0.25 threshold
    other = _anchor(500, 200, 80, 160, 0.5, _keypoints_around(500, 200, 0.3))
    output = np.stack([main, duplicate, faint, other], axis=1)

    people = decode_people(output, box, confidence=0.25, iou=0.7)

    assert [round(p.score, 2) for p in people] == [0.9, 0.5]
    first = people[0]
    # x: (320 -+ 50) / 0.5; y: (192 -+ 100 - 12) / 0.5
    assert first.box == pytest.approx((540.0, 160.0, 740.0, 560.0))
    assert first.keypoints.shape == (NUM_KEYPOINTS, 3)
    assert first.keypoints[0] == pytest.approx((640.0, 360.0, 0.9))
    assert first.keypoints[16] == pytest.approx(((320 + 16) * 2, (192 - 16 - 12) * 2, 0.9))
    assert people[1].keypoints[:, 2] == pytest.approx(np.full(NUM_KEYPOINTS, 0.3))


def test_decode_clips_points_to_the_frame():
    box = plan_letterbox(1280, 720)
    # A box reaching into the bottom padding and past the right edge.
    person = _anchor(630, 380, 40, 40, 0.9, _keypoints_around(639, 383))
    (decoded,) = decode_people(person[:, None], box, confidence=0.25, iou=0.7)
    x1, y1, x2, y2 = decoded.box
    assert 0 <= x1 <= x2 <= 1280 and 0 <= y1 <= y2 <= 720
    assert (decoded.keypoints[:, 0] <= 1280).all() and (decoded.keypoints[:, 1] <= 720).all()


def test_decode_of_an_empty_output_finds_nobody():
    box = plan_letterbox(1280, 720)
    assert decode_people(np.zeros((56, 5040), dtype=np.float32), box, 0.25, 0.7) == []


def test_nms_keeps_separate_boxes_and_drops_overlaps():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], dtype=np.float32)
    scores = np.array([0.9, 0.95, 0.5], dtype=np.float32)
    assert non_max_suppression(boxes, scores, 0.5).tolist() == [1, 2]
    assert non_max_suppression(boxes, scores, 0.7).tolist() == [1, 0, 2]  # IoU 0.68 stays under 0.7
