"""Joint angles on points whose angle is known."""
from __future__ import annotations

import math

import numpy as np
import pytest

from choreo.angles import JOINTS, joint_angle, joint_angles


@pytest.mark.parametrize(
    ("a", "b", "c", "degrees"),
    [
        pytest.param((1, 0), (0, 0), (0, 1), 90.0, id="right-angle"),
        pytest.param((1, 0), (0, 0), (-1, 0), 180.0, id="collinear"),
        pytest.param((1, 0), (0, 0), (2, 0), 0.0, id="folded"),
        pytest.param((1, 0), (0, 0), (1, 1), 45.0, id="forty-five"),
        pytest.param((0, 1), (0, 0), (1, 0), 90.0, id="order-of-ends-does-not-matter"),
    ],
)
def test_the_angle_at_the_middle_point(a, b, c, degrees):
    assert joint_angle(np.array(a), np.array(b), np.array(c)) == pytest.approx(degrees)


def test_coincident_points_have_no_angle():
    assert math.isnan(joint_angle(np.array((0, 0)), np.array((0, 0)), np.array((1, 0))))


def test_missing_keypoints_give_missing_angles_frame_by_frame():
    keypoints = np.zeros((2, 17, 2))
    a, b, c = JOINTS["left_knee"]
    keypoints[:, a], keypoints[:, b], keypoints[:, c] = (0, 0), (0, 1), (1, 1)
    keypoints[1, c] = np.nan
    knee = joint_angles(keypoints)["left_knee"]
    assert knee[0] == pytest.approx(90.0) and math.isnan(knee[1])
