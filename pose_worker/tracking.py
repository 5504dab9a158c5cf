"""Give each dancer a stable ``track_id`` across frames: ByteTrack's two-stage association, numpy only.

Each frame, high-score detections are matched first against every live track (tracked or
recently lost) by IoU with the track's predicted box, blended with keypoint similarity;
then low-score detections, which are often people half hidden by another, may continue
the tracks still unmatched but seen last frame. Unmatched high-score detections start
tracks; a track unseen for longer than the buffer ends and its id is never reused.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from pose_worker.decode import Person

#: ByteTrack's split: at or above this a detection is trusted enough to start a track.
HIGH_SCORE = 0.5
#: Below this a detection is ignored; the worker already drops everything under 0.25.
LOW_SCORE = 0.1
#: ByteTrack's first-stage gate (IoU 0.2): a dancer moves far in one frame, and lost tracks drift.
MATCH_IOU = 0.2
#: ByteTrack's second-stage gate: a low-score box must sit squarely on the track to continue it.
LOW_SCORE_MATCH_IOU = 0.5
#: Share of keypoint similarity (OKS) in the match score. A typical pose difference (OKS 0.25 apart,
#: arms up vs down) then outweighs an IoU gap of ~0.1: it decides between crossing dancers whose
#: boxes overlap a track about equally, and defers to IoU otherwise. With 5 px of jitter, 0.2 swapped
#: ids at the moment of full overlap in 10-16% of synthetic crossings, 0.3 in 2-6%.
KEYPOINT_WEIGHT = 0.3
#: A keypoint counts for similarity only when both poses see it at least this well.
KEYPOINT_VISIBLE = 0.5
#: COCO's per-keypoint OKS sigmas: the hips are forgiven more pixels than the eyes.
COCO_SIGMAS = np.array(
    [0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87, 0.89, 0.89]
) / 10
#: Weight of the previous velocity when a new one is measured: halves detector jitter for
#: one frame of lag; 0 would be the plain difference of the last two observations.
VELOCITY_MOMENTUM = 0.5
#: One second covers a dancer passing behind another; ByteTrack's 30 frames at 30 fps.
TRACK_BUFFER_S = 1.0
#: Frame rate assumed when the container reports none (OpenCV gives 0): the commonest phone rate.
FALLBACK_FPS = 30.0
#: Stands in for "never" in the assignment's cost matrix; finite so sums stay well defined.
FORBIDDEN = 1e6


@dataclass
class _Track:
    track_id: int
    box: np.ndarray  # last observed cx, cy, w, h
    velocity: np.ndarray  # cx, cy, w, h per frame
    keypoints: np.ndarray
    last_frame: int
    hits: int = 1

    def predict(self, frame: int) -> tuple[np.ndarray, np.ndarray]:
        """Box (x1, y1, x2, y2) and keypoints expected at ``frame`` under constant velocity."""
        gap = frame - self.last_frame
        center = self.box[:2] + self.velocity[:2] * gap
        # A size trend extrapolated across an occlusion balloons or collapses the box; ByteTrack
        # likewise freezes the height velocity of lost tracks.
        size = np.maximum(self.box[2:] + self.velocity[2:] * min(gap, 1), 1.0)
        keypoints = self.keypoints.copy()
        keypoints[:, :2] += center - self.box[:2]
        return np.concatenate([center - size / 2, center + size / 2]), keypoints

    def observe(self, person: Person, frame: int) -> None:
        """Move the track onto a matched detection and update its velocity."""
        box = xyxy_to_cxcywh(np.asarray(person.box, dtype=np.float64))
        measured = (box - self.box) / (frame - self.last_frame)
        momentum = VELOCITY_MOMENTUM if self.hits > 1 else 0.0
        self.velocity = momentum * self.velocity + (1 - momentum) * measured
        self.box, self.keypoints, self.last_frame = box, person.keypoints.astype(np.float64), frame
        self.hits += 1


class PoseTracker:
    """Assigns track ids to one video's detections, frame after frame."""

    def __init__(self, fps: float, track_buffer_s: float = TRACK_BUFFER_S) -> None:
        self.max_lost_frames = max(1, round(track_buffer_s * (fps if fps > 0 else FALLBACK_FPS)))
        self._tracks: list[_Track] = []
        self._frame = 0
        self.tracks_started = 0  # also the last id given: ids run 1, 2, 3, ... and never repeat

    @property
    def live_track_ids(self) -> set[int]:
        """Ids of the tracks still tracked or within their buffer; any other id has ended for good."""
        return {t.track_id for t in self._tracks}

    def update(self, people: list[Person]) -> list[int | None]:
        """One track id per detection, in input order; ``None`` for a low-score box that continues no track."""
        self._frame += 1
        # A canonical order makes the result independent of the order detections arrive in.
        order = sorted(range(len(people)), key=lambda i: (-people[i].score, people[i].box))
        high = [i for i in order if people[i].score >= HIGH_SCORE]
        low = [i for i in order if LOW_SCORE <= people[i].score < HIGH_SCORE]
        ids: list[int | None] = [None] * len(people)

        matched, tracks_left, high_left = self._associate(self._tracks, people, high, MATCH_IOU)
        # Stage two, as ByteTrack: low-score boxes may only continue tracks seen last frame.
        recent = [t for t in tracks_left if t.last_frame == self._frame - 1]
        matched += self._associate(recent, people, low, LOW_SCORE_MATCH_IOU)[0]
        for track, i in matched:
            track.observe(people[i], self._frame)
            ids[i] = track.track_id
        for i in high_left:
            self._tracks.append(self._start_track(people[i]))
            ids[i] = self._tracks[-1].track_id
        self._tracks = [t for t in self._tracks if self._keeps(t)]
        return ids

    def _associate(
        self, tracks: list[_Track], people: list[Person], candidates: list[int], min_iou: float
    ) -> tuple[list[tuple[_Track, int]], list[_Track], list[int]]:
        """Matched (track, detection index) pairs, then the tracks and detections left over."""
        if not tracks or not candidates:
            return [], tracks, candidates
        predicted = [t.predict(self._frame) for t in tracks]
        boxes = np.array([people[i].box for i in candidates], dtype=np.float64)
        iou = box_iou(np.array([box for box, _ in predicted]), boxes)
        oks = keypoint_similarities(np.array([kp for _, kp in predicted]), [people[i] for i in candidates])
        similarity = (1 - KEYPOINT_WEIGHT) * iou + KEYPOINT_WEIGHT * oks
        pairs = match_pairs(np.where(iou >= min_iou, 1 - similarity, FORBIDDEN))
        taken_tracks = {r for r, _ in pairs}
        taken_people = {c for _, c in pairs}
        return (
            [(tracks[r], candidates[c]) for r, c in pairs],
            [t for r, t in enumerate(tracks) if r not in taken_tracks],
            [i for c, i in enumerate(candidates) if c not in taken_people],
        )

    def _start_track(self, person: Person) -> _Track:
        self.tracks_started += 1
        box = xyxy_to_cxcywh(np.asarray(person.box, dtype=np.float64))
        return _Track(self.tracks_started, box, np.zeros(4), person.keypoints.astype(np.float64), self._frame)

    def _keeps(self, track: _Track) -> bool:
        missed = self._frame - track.last_frame
        # ByteTrack's unconfirmed rule: a box seen once and gone next frame was most likely noise.
        if track.hits == 1 and missed > 0:
            return False
        return missed <= self.max_lost_frames


def match_pairs(cost: np.ndarray) -> list[tuple[int, int]]:
    """Row-column pairs of least total cost; a pair costing ``FORBIDDEN`` is never made.

    Like ByteTrack's ``lap.lapjv(cost, extend_cost=True, cost_limit=...)``, with the limit at 1:
    each row and column may instead stay unmatched at a cost of 0.5, so a pair is made only when
    that beats leaving both apart, and the result maximises the summed similarity of its pairs.
    Optimal rather than greedy because greedy, when dancers cross, can give the best box to
    one track and leave the other with none it can take.
    """
    rows, cols = cost.shape
    extended = np.full((rows + cols, rows + cols), FORBIDDEN)
    extended[:rows, :cols] = cost
    extended[np.arange(rows), cols + np.arange(rows)] = 0.5
    extended[rows + np.arange(cols), np.arange(cols)] = 0.5
    extended[rows:, cols:] = 0.0
    chosen = solve_assignment(extended)
    return [(r, int(c)) for r, c in enumerate(chosen[:rows]) if c < cols and cost[r, c] < FORBIDDEN]


def solve_assignment(cost: np.ndarray) -> np.ndarray:
    """Column for each row of a square cost matrix, minimising the total (SciPy's Hungarian solver)."""
    rows, columns = linear_sum_assignment(cost)
    assignment = np.empty(cost.shape[0], dtype=np.int64)
    assignment[rows] = columns
    return assignment


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of boxes ``a`` [n, 4] and ``b`` [m, 4], both x1, y1, x2, y2."""
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    overlap = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return overlap / (area_a[:, None] + area_b[None, :] - overlap + 1e-9)


def keypoint_similarities(expected: np.ndarray, people: list[Person]) -> np.ndarray:
    """COCO's object keypoint similarity of each expected pose ``[T, 17, 3]`` with each person, ``[T, P]``,
    over the keypoints both see (0 where they share none); the person's box area sets the scale."""
    keypoints = np.stack([person.keypoints for person in people]).astype(np.float64)  # [P, 17, 3]
    boxes = np.array([person.box for person in people], dtype=np.float64)
    areas = np.maximum((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]), 1.0)
    seen = (expected[:, None, :, 2] >= KEYPOINT_VISIBLE) & (keypoints[None, :, :, 2] >= KEYPOINT_VISIBLE)
    squared = np.sum((expected[:, None, :, :2] - keypoints[None, :, :, :2]) ** 2, axis=-1)  # [T, P, 17]
    similarity = np.exp(-squared / (2 * areas[None, :, None] * (2 * COCO_SIGMAS) ** 2))
    shared = seen.sum(axis=-1)
    return np.where(shared > 0, np.sum(similarity * seen, axis=-1) / np.maximum(shared, 1), 0.0)


def xyxy_to_cxcywh(box: np.ndarray) -> np.ndarray:
    return np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2, box[2] - box[0], box[3] - box[1]])
