"""Offline re-linking of the online tracker's pieces into one identity per person, on pieces with known answers."""
from __future__ import annotations

import numpy as np
import pytest

from pose_worker.appearance import appearance_distance, describe
from pose_worker.decode import Person
from pose_worker.relinking import FrameSize, assign_identities, relink
from pose_worker.tracklets import SameBody, Tracklet, TrackletLog

FRAME = FrameSize(1280, 720)
FPS = 30.0


def clothes(top_bgr: tuple[int, int, int], bottom_bgr: tuple[int, int, int]) -> np.ndarray:
    """The descriptor of a person wearing these colours, from a picture of them."""
    image = np.zeros((200, 100, 3), np.uint8)
    image[:100] = top_bgr
    image[100:] = bottom_bgr
    descriptor = describe(image, (0, 0, 100, 200))
    assert descriptor is not None
    return descriptor


def blend(a: np.ndarray, b: np.ndarray, share_of_b: float) -> np.ndarray:
    """Clothes seen partly as ``a`` and partly as ``b`` (a descriptor is a histogram: mixtures add)."""
    return (1 - share_of_b) * a + share_of_b * b


RED_TOP = clothes((30, 30, 220), (20, 20, 20))
BLUE_TOP = clothes((220, 60, 30), (200, 200, 200))


def piece(track_id: int, start_s: float, end_s: float, x: float, *, look: np.ndarray = RED_TOP, y: float = 360.0,
          height: float = 300.0, vx: float = 0.0) -> Tracklet:
    """A piece of track: a person ``height`` px tall centred at (x + vx t, y) from ``start_s`` to ``end_s``."""
    t = np.arange(start_s, end_s, 1 / FPS)
    cx = x + vx * (t - start_s)
    boxes = np.stack([cx - height / 4, np.full_like(t, y - height / 2), cx + height / 4, np.full_like(t, y + height / 2)], axis=1)
    return Tracklet(track_id=track_id, t=t, boxes=boxes, scores=np.full(len(t), 0.8), well_seen=np.ones(len(t), bool),
                    torso=np.full(len(t), height / 3), appearance_sum=look * len(t), appearance_count=len(t))


def test_the_descriptor_tells_clothes_apart_and_finds_the_same_clothes_alike():
    assert appearance_distance(RED_TOP, clothes((30, 30, 220), (20, 20, 20))) == pytest.approx(0.0, abs=1e-9)
    assert appearance_distance(RED_TOP, BLUE_TOP) > 0.5


def test_a_dancer_lost_for_half_a_second_keeps_one_identity():
    identity = relink([piece(1, 0, 5, 600), piece(2, 5.5, 10, 640)], {}, FRAME)
    assert identity == {1: 1, 2: 1}


def test_a_dancer_hidden_for_four_seconds_comes_back_with_the_same_identity():
    identity = relink([piece(1, 0, 5, 600), piece(2, 9, 12, 700), piece(3, 0, 12, 200, look=BLUE_TOP)], {}, FRAME)
    assert identity[1] == identity[2] != identity[3]


def test_two_people_seen_at_once_are_never_joined_however_alike():
    identity = relink([piece(1, 0, 10, 300), piece(2, 2, 8, 900)], {}, FRAME)
    assert identity[1] != identity[2]


def test_someone_too_far_to_have_walked_there_in_the_gap_is_someone_else():
    identity = relink([piece(1, 0, 5, 100), piece(2, 5.2, 10, 1200)], {}, FRAME)
    assert identity[1] != identity[2]


def test_someone_much_smaller_at_the_same_place_after_a_cut_is_someone_else():
    # A cut between two scenes: a near person's piece ends, a far person's starts where they stood.
    identity = relink([piece(1, 0, 2, 600, height=500), piece(2, 2.03, 4, 600, height=200)], {}, FRAME)
    assert identity[1] != identity[2]


def test_a_box_ten_times_smaller_a_frame_later_is_someone_else_even_with_the_torso_unseen():
    near, far = piece(1, 0, 2, 600, height=450), piece(2, 2.03, 4, 600, height=140)
    unseen = [Tracklet(**{**vars(p), "torso": np.full(len(p.t), np.nan)}) for p in (near, far)]
    identity = relink(unseen, {}, FRAME)
    assert identity[1] != identity[2]


def test_different_clothes_after_a_gap_at_the_same_place_are_someone_else():
    identity = relink([piece(1, 0, 5, 600), piece(2, 7, 10, 620, look=BLUE_TOP), piece(3, 0, 10, 150, look=BLUE_TOP)], {}, FRAME)
    assert identity[1] != identity[2]


def test_one_body_detected_twice_is_one_identity_and_the_better_detection_keeps_it():
    whole, upper = piece(1, 0, 6, 600), piece(2, 2, 3, 600, height=150)
    identity = relink([whole, upper], {(1, 2): SameBody(shared_frames=30, same_frames=28)}, FRAME)
    assert identity == {1: 1, 2: 1}
    frame = [{"track_id": 1, "score": 0.6}, {"track_id": 2, "score": 0.8}, {"track_id": None, "score": 0.3}]
    assert assign_identities(frame, identity) == [None, 1, None]


def test_two_people_who_touch_now_and_then_are_not_one_body():
    identity = relink([piece(1, 0, 6, 500), piece(2, 0, 6, 700)], {(1, 2): SameBody(shared_frames=180, same_frames=9)}, FRAME)
    assert identity[1] != identity[2]


def test_a_handover_in_the_middle_of_the_picture_joins_pieces_that_look_different():
    # Lit from behind, then in the sun: the clothes read differently, but nobody else could be the one who landed.
    skin = clothes((90, 140, 210), (90, 140, 210))
    backlit = blend(clothes((40, 40, 40), (10, 10, 10)), skin, 0.6)
    sunlit = blend(clothes((60, 160, 230), (40, 40, 60)), skin, 0.6)
    assert 0.25 < appearance_distance(backlit, sunlit) < 0.5
    walker = piece(3, 1, 8, 150, look=BLUE_TOP)
    identity = relink([piece(1, 0, 5.6, 300, look=backlit, vx=100), piece(2, 6.1, 8, 950, look=sunlit), walker], {}, FRAME)
    assert identity[1] == identity[2] != identity[3]


def test_a_handover_is_refused_when_two_pieces_could_continue_it():
    dark, light_a, light_b = clothes((40, 40, 40), (10, 10, 10)), clothes((90, 140, 210), (40, 40, 60)), clothes((60, 160, 200), (60, 60, 60))
    identity = relink([piece(1, 0, 5, 600, look=dark), piece(2, 5.3, 8, 700, look=light_a), piece(3, 5.3, 8, 500, look=light_b)], {}, FRAME)
    assert identity[1] not in (identity[2], identity[3])


def test_a_piece_that_leaves_the_picture_is_not_handed_to_one_entering_elsewhere():
    leaving = piece(1, 0, 5, 40, look=clothes((40, 40, 40), (10, 10, 10)))
    entering = piece(2, 5.5, 9, 1240, look=clothes((90, 140, 210), (40, 40, 60)))
    assert relink([leaving, entering], {}, FRAME) == {1: 1, 2: 2}


def test_identities_are_numbered_by_first_appearance_then_left_to_right():
    identity = relink([piece(7, 1, 4, 900, look=BLUE_TOP), piece(8, 0, 9, 800), piece(9, 0, 9, 100, look=BLUE_TOP)], {}, FRAME)
    assert identity == {9: 1, 8: 2, 7: 3}


def test_the_log_describes_only_people_no_other_box_covers_and_counts_one_body_seen_twice():
    image = np.zeros((720, 1280, 3), np.uint8)
    image[:, :640] = (30, 30, 220)
    image[:, 640:] = (220, 60, 30)
    pose = np.zeros((17, 3), np.float32)
    pose[:, 0], pose[:, 1], pose[:, 2] = np.linspace(200, 300, 17), np.linspace(100, 500, 17), 0.9
    alone = Person(0.9, (100.0, 100.0, 400.0, 600.0), pose)
    twice = Person(0.6, (120.0, 100.0, 380.0, 350.0), pose)  # the same body, its upper half
    other = Person(0.9, (800.0, 100.0, 1100.0, 600.0), pose + [[700, 0, 0]])
    log = TrackletLog()
    log.add(0.0, [alone, other], [1, 2], image)
    log.add(1 / FPS, [alone, twice, other], [1, 3, 2], image)
    tracklets = {t.track_id: t for t in log.tracklets()}
    assert tracklets[1].appearance_count == 1 and tracklets[3].appearance_count == 0  # covered in frame 2
    assert appearance_distance(tracklets[1].appearance_sum, tracklets[2].appearance_sum) > 0.5
    same = log.same_bodies()
    assert same[(1, 3)] == SameBody(shared_frames=1, same_frames=1)
    assert same[(1, 2)] == SameBody(shared_frames=2, same_frames=0)
