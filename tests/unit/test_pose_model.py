"""The real ONNX model on real photographs: people found, keypoints where people are."""
from __future__ import annotations

import numpy as np
import pytest

from infra.settings import Settings
from pose_worker.model import PoseModel
from tests.clips import load_photo


@pytest.fixture(scope="module")
def model() -> PoseModel:
    return PoseModel.load(Settings())


@pytest.mark.parametrize(
    ("photo", "at_least"),
    [
        pytest.param("zidane.jpg", 2, id="two-people-upper-body"),
        pytest.param("bus.jpg", 4, id="people-standing-full-body"),
    ],
)
def test_model_finds_the_people_in_a_photo(model, photo, at_least):
    image = load_photo(photo)
    height, width = image.shape[:2]
    people = model.predict(image, model.plan(width, height))
    assert len(people) >= at_least
    for person in people:
        assert person.score > 0.25
        assert person.keypoints.shape == (17, 3)
        x1, y1, x2, y2 = person.box
        assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height
        assert (person.keypoints[:, 0] >= 0).all() and (person.keypoints[:, 0] <= width).all()
        assert (person.keypoints[:, 1] >= 0).all() and (person.keypoints[:, 1] <= height).all()
        confident = person.keypoints[person.keypoints[:, 2] > 0.5]
        if len(confident) == 0:
            continue  # a person cut by the edge may have no confident keypoint
        # The confident keypoints are on the person: their middle lies inside the person's box.
        mid_x, mid_y = float(np.median(confident[:, 0])), float(np.median(confident[:, 1]))
        assert x1 <= mid_x <= x2 and y1 <= mid_y <= y2
