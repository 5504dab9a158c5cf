"""Track ids across frames, on synthetic dancers whose every position is known."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from pose_worker.decode import NUM_KEYPOINTS, Person
from pose_worker.tracking import FORBIDDEN, PoseTracker, match_pairs, solve_assignment

FPS = 30.0
WIDTH, HEIGHT = 120.0, 360.0


def dancer(cx: float, cy: float = 400.0, score: float = 0.9, arms_up: bool = False) -> Person:
    """A person standing in a 120 x 360 box centred on (cx, cy), arms up or down."""
    # Keypoints as fractions of the box: a rough COCO skeleton, head at the top.
    fx = np.array([0.5, 0.45, 0.55, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.15, 0.85, 0.35, 0.65, 0.35, 0.65, 0.35, 0.65])
    fy = np.array([0.08, 0.06, 0.06, 0.07, 0.07, 0.2, 0.2, 0.35, 0.35, 0.5, 0.5, 0.55, 0.55, 0.75, 0.75, 0.95, 0.95])
    if arms_up:
        fy[7:11] = [0.1, 0.1, 0.0, 0.0]
    x1, y1 = cx - WIDTH / 2, cy - HEIGHT / 2
    keypoints = np.stack([x1 + fx * WIDTH, y1 + fy * HEIGHT, np.full(NUM_KEYPOINTS, 0.9)], axis=1)
    return Person(score=score, box=(x1, y1, x1 + WIDTH, y1 + HEIGHT), keypoints=keypoints.astype(np.float32))


def run(tracker: PoseTracker, frames: list[list[Person]]) -> list[list[int | None]]:
    return [tracker.update(people) for people in frames]


def jittered(person: Person, rng: np.random.Generator, pixels: float) -> Person:
    """``person`` as a detector reports it: box and keypoints off by a few pixels."""
    keypoints = person.keypoints.copy()
    keypoints[:, :2] += rng.normal(0, pixels, (NUM_KEYPOINTS, 2))
    box = tuple(float(v) for v in np.asarray(person.box) + rng.normal(0, pixels, 4))
    return Person(score=person.score, box=box, keypoints=keypoints)


def crossing(occluded_frames: int, jitter_px: float = 2.0) -> tuple[list[list[Person]], list[list[str]]]:
    """Two dancers 900 px apart walking 15 px/frame toward each other and past; the left-mover,
    behind, is hidden for ``occluded_frames`` frames around frame 30, where their boxes coincide."""
    rng = np.random.default_rng(occluded_frames)
    hidden = range(30 - occluded_frames // 2, 30 - occluded_frames // 2 + occluded_frames)
    frames, names = [], []
    for f in range(60):
        right_x, left_x = 100 + 15 * f, 1000 - 15 * f
        people, who = [jittered(dancer(right_x, arms_up=False), rng, jitter_px)], ["right"]
        if f not in hidden:
            people.append(jittered(dancer(left_x, arms_up=True), rng, jitter_px))
            who.append("left")
        frames.append(people)
        names.append(who)
    return frames, names


@pytest.mark.parametrize(
    "occluded_frames",
    [
        pytest.param(0, id="both-visible-while-overlapping"),
        pytest.param(3, id="back-dancer-hidden-3-frames"),
        pytest.param(5, id="back-dancer-hidden-5-frames"),
    ],
)
def test_crossing_dancers_keep_their_own_ids(occluded_frames):
    frames, names = crossing(occluded_frames)
    ids = run(PoseTracker(fps=FPS), frames)

    by_name: dict[str, set] = {"right": set(), "left": set()}
    for frame_ids, frame_names in zip(ids, names):
        for track_id, name in zip(frame_ids, frame_names):
            by_name[name].add(track_id)
    assert sum(len(n) for n in names) > 100  # the scenario really has both dancers most of the time
    assert by_name["right"] == {ids[0][0]}
    assert by_name["left"] == {ids[0][1]}
    assert ids[0][0] != ids[0][1]
    assert ids[-1][0] == ids[0][0]  # the dancer moving right ends with the id it started with


@pytest.mark.parametrize(
    ("fps", "missing_frames", "moving", "keeps_id"),
    [
        pytest.param(30.0, 10, False, True, id="still-dancer-hidden-under-buffer-keeps-id"),
        pytest.param(30.0, 25, True, True, id="moving-dancer-hidden-under-buffer-keeps-id"),
        pytest.param(30.0, 31, False, False, id="hidden-past-buffer-gets-new-id"),
        pytest.param(60.0, 45, False, True, id="buffer-scales-with-fps"),
        pytest.param(60.0, 61, False, False, id="past-60fps-buffer-gets-new-id"),
    ],
)
def test_track_buffer_bridges_short_absences_only(fps, missing_frames, moving, keeps_id):
    step = 4.0 if moving else 0.0
    frames = [[dancer(300 + step * f)] for f in range(10)]
    frames += [[] for _ in range(missing_frames)]
    frames += [[dancer(300 + step * f)] for f in range(10 + missing_frames, 20 + missing_frames)]
    ids = run(PoseTracker(fps=fps), frames)

    before, after = ids[9][0], ids[10 + missing_frames][0]
    assert (before == after) is keeps_id
    assert all(frame == [after] for frame in ids[10 + missing_frames:])


def test_new_people_get_new_ids_and_ids_are_never_reused():
    tracker = PoseTracker(fps=FPS)
    first = run(tracker, [[dancer(300)] for _ in range(5)])
    gone = run(tracker, [[] for _ in range(40)])  # longer than the 30-frame buffer
    returned = run(tracker, [[dancer(300)] for _ in range(5)])  # same place, but a new track
    joined = run(tracker, [[dancer(300), dancer(800)] for _ in range(5)])

    assert first == [[1]] * 5
    assert gone == [[]] * 40
    assert returned == [[2]] * 5
    assert joined == [[2, 3]] * 5
    assert tracker.tracks_started == 3
    assert tracker.live_track_ids == {2, 3}  # track 1 ended when its buffer ran out


def test_detection_order_does_not_change_the_assignment():
    frames, _ = crossing(occluded_frames=3)
    frames = [people + [dancer(1500, score=0.7)] for people in frames]  # a third, still dancer
    rng = np.random.default_rng(7)
    shuffled_frames, orders = [], []
    for people in frames:
        order = rng.permutation(len(people))
        orders.append(order)
        shuffled_frames.append([people[i] for i in order])

    straight = run(PoseTracker(fps=FPS), frames)
    shuffled = run(PoseTracker(fps=FPS), shuffled_frames)

    unshuffled = [[ids[list(order).index(i)] for i in range(len(order))] for ids, order in zip(shuffled, orders)]
    assert any(list(order) != sorted(order) for order in orders)
    assert unshuffled == straight


def test_low_score_boxes_continue_a_track_but_never_start_one():
    tracker = PoseTracker(fps=FPS)
    seen = run(tracker, [[dancer(300)] for _ in range(5)])
    # Half hidden, the dancer's score falls under HIGH_SCORE; a faint stranger appears elsewhere.
    faint = run(tracker, [[dancer(300 + 2 * f, score=0.3), dancer(900, score=0.3)] for f in range(5)])

    assert seen[-1] == [1]
    assert faint == [[1, None]] * 5


def test_assignment_is_optimal_where_greedy_would_strand_a_track():
    # Greedy takes the cheapest pair (0, 0) first and leaves row 1 with no admissible column.
    cost = np.array([[0.1, 0.2], [0.15, FORBIDDEN]])
    assert sorted(match_pairs(cost)) == [(0, 1), (1, 0)]


def test_pairs_too_weak_to_beat_leaving_both_unmatched_are_not_made():
    # Swapping would make two pairs of similarity 0.3 (cost 0.7) instead of one of 0.9.
    cost = np.array([[0.1, 0.7], [0.7, FORBIDDEN]])
    assert match_pairs(cost) == [(0, 0)]


@pytest.mark.parametrize("size", [pytest.param(n, id=f"{n}x{n}") for n in (1, 2, 4, 6)])
def test_solve_assignment_finds_the_brute_force_minimum(size):
    rng = np.random.default_rng(size)
    for _ in range(50):
        cost = rng.integers(0, 20, (size, size)).astype(float)
        columns = solve_assignment(cost)
        best = min(cost[np.arange(size), list(p)].sum() for p in itertools.permutations(range(size)))
        assert sorted(columns) == list(range(size))
        assert cost[np.arange(size), columns].sum() == best
