"""One colour per dancer: the overlay video draws each track id in the colour the page gives it."""
from __future__ import annotations

import itertools
import re

import cv2
import numpy as np
import pytest

from gateway.web_page import WEB_DIR
from pose_worker.decode import Person
from pose_worker.overlay import PALETTE_HEX, UNTRACKED_HEX, bgr_of_hex, draw_people, track_colour

#: The fewest dancers told apart by colour before one comes round again (the issue asks for 12).
MIN_DISTINCT = 12
#: CIE76 distance in Lab: about 2.3 is just noticeable; under 20 two skeletons side by side look alike.
MIN_DELTA_E = 20.0


def page_colours() -> tuple[list[str], str]:
    """colours.js' PALETTE and UNTRACKED_COLOUR, read from its source."""
    source = (WEB_DIR / "colours.js").read_text(encoding="utf-8")
    palette = re.search(r"export const PALETTE = \[(.*?)\];", source, re.DOTALL)
    untracked = re.search(r'export const UNTRACKED_COLOUR = "(#[0-9a-f]{6})";', source)
    assert palette and untracked, "colours.js no longer declares PALETTE and UNTRACKED_COLOUR as this test reads them"
    return re.findall(r'"(#[0-9a-f]{6})"', palette.group(1)), untracked.group(1)


def test_the_overlay_palette_is_the_pages_palette_exactly():
    palette, untracked = page_colours()
    assert list(PALETTE_HEX) == palette
    assert UNTRACKED_HEX == untracked


def test_the_pages_colour_of_each_track_id_is_the_overlays():
    palette, untracked = page_colours()
    # colourOf in colours.js: id 1 is the palette's first colour, the ids start again after its last.
    for track_id in range(1, 3 * len(palette) + 1):
        assert track_colour(track_id) == bgr_of_hex(palette[(track_id - 1) % len(palette)]), track_id
    assert track_colour(None) == bgr_of_hex(untracked)


def lab_of(hex_colour: str) -> np.ndarray:
    rgb = np.array([[[int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]]], dtype=np.float32) / 255
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)[0, 0]


def test_at_least_twelve_track_ids_have_colours_far_apart():
    assert len(PALETTE_HEX) >= MIN_DISTINCT
    for a, b in itertools.combinations(PALETTE_HEX, 2):
        assert np.linalg.norm(lab_of(a) - lab_of(b)) >= MIN_DELTA_E, (a, b)
    assert all(lab_of(colour)[0] >= 25 for colour in PALETTE_HEX)  # none near black, lost on a dark video


@pytest.mark.parametrize("track_id", [pytest.param(1, id="first"), pytest.param(13, id="past-twelve"),
                                      pytest.param(len(PALETTE_HEX) + 2, id="round-again")])
def test_the_overlay_draws_a_skeleton_in_its_tracks_colour(track_id):
    image = np.zeros((200, 200, 3), dtype=np.uint8)
    keypoints = np.zeros((17, 3), dtype=np.float32)
    keypoints[5] = (60, 60, 1.0)  # left shoulder
    keypoints[11] = (60, 160, 1.0)  # left hip: one bone between them
    draw_people(image, [Person(score=0.9, box=(40, 40, 160, 180), keypoints=keypoints)],
                [track_id])
    middle_of_the_bone = tuple(int(v) for v in image[110, 60])
    assert middle_of_the_bone == bgr_of_hex(PALETTE_HEX[(track_id - 1) % len(PALETTE_HEX)])
