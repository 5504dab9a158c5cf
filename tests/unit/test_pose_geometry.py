"""Decoding on frames whose geometry we know: people found where the photo was put, at its scale."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from infra.settings import Settings
from pose_worker.model import PoseModel
from tests.clips import load_photo


@pytest.fixture(scope="module")
def model() -> PoseModel:
    return PoseModel.load(Settings())


def place(photo: np.ndarray, canvas_size: tuple[int, int], scale: float, offset: tuple[int, int]) -> np.ndarray:
    """The photo scaled by ``scale`` with its top-left corner at ``offset`` on a grey canvas."""
    width, height = canvas_size
    canvas = np.full((height, width, 3), 90, dtype=np.uint8)
    scaled = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    x, y = offset
    h, w = min(scaled.shape[0], height - y), min(scaled.shape[1], width - x)
    canvas[y : y + h, x : x + w] = scaled[:h, :w]
    return canvas


def people_in(model: PoseModel, image: np.ndarray):
    return model.predict(image, model.plan(image.shape[1], image.shape[0]))


@pytest.mark.parametrize(
    ("canvas", "scale", "offset"),
    [
        pytest.param((1280, 720), 0.5, (100, 200), id="landscape-720p-half-size"),
        pytest.param((1920, 1080), 0.8, (600, 300), id="landscape-1080p"),
        pytest.param((720, 1280), 0.55, (20, 500), id="portrait-phone"),
        pytest.param((640, 480), 0.45, (200, 100), id="vga"),
    ],
)
def test_people_are_found_where_the_photo_was_placed(model, canvas, scale, offset):
    photo = load_photo("zidane.jpg")
    reference = sorted(people_in(model, photo), key=lambda p: p.box[0])
    placed = sorted(people_in(model, place(photo, canvas, scale, offset)), key=lambda p: p.box[0])
    assert len(placed) == len(reference) >= 2
    errors = []
    for ref, got in zip(reference, placed):
        expected_box = np.array(ref.box) * scale + np.array([offset[0], offset[1], offset[0], offset[1]])
        expected_box = np.minimum(expected_box, [canvas[0], canvas[1], canvas[0], canvas[1]])  # cut by the edge
        diagonal = float(np.hypot(expected_box[2] - expected_box[0], expected_box[3] - expected_box[1]))
        # Same people in the same place; the model's own output varies a little with scale.
        assert np.abs(np.array(got.box) - expected_box).max() < 0.08 * diagonal
        expected_points = ref.keypoints[:, :2] * scale + np.array(offset)
        inside = (expected_points[:, 0] < canvas[0]) & (expected_points[:, 1] < canvas[1])
        visible = (ref.keypoints[:, 2] > 0.5) & (got.keypoints[:, 2] > 0.5) & inside
        errors.append(got.keypoints[visible, :2] - expected_points[visible])
    # No systematic shift: a letterbox padding or scale mistake would move every keypoint the same way
    # by 10 px or more; the model's scatter leaves the median within a few pixels.
    median_dx, median_dy = np.median(np.concatenate(errors), axis=0)
    assert abs(median_dx) < 6 and abs(median_dy) < 6
