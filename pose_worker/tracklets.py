"""What the online tracker's pieces of track looked like: the evidence the offline re-linking weighs.

``TrackletLog`` is fed every frame's tracked people (``add``) while the video is decoded and keeps,
per track id, only what ``pose_worker/relinking.py`` needs: each detection's time, box, score and
whether the body was well seen, and the sum of the clothes' descriptors (``pose_worker/appearance.py``)
over the detections no other box covered. It also counts, for every two ids seen in the same frame,
how often their keypoints lay on one body (a detector firing twice on one person, say on the whole
dancer and on the upper body mid-jump), the evidence that two overlapping pieces are one person.

A split video's merger has no frames in hand when it joins its chunks: it feeds the stitched records
without images (``add`` with ``image=None``) and adds each chunk's descriptor sums (``add_appearance``).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pose_worker.appearance import DESCRIPTOR_SIZE, describe
from pose_worker.decode import Person
from pose_worker.poses_file import person_of
from pose_worker.tracking import COCO_SIGMAS, box_iou

LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP = 5, 6, 11, 12
#: A keypoint is well seen at this visibility; a body is well seen with ``WELL_SEEN_KEYPOINTS`` of them.
KEYPOINT_SEEN = 0.5
WELL_SEEN_KEYPOINTS = 8
#: Two detections in one frame lie on one body when their shared keypoints agree this well (COCO OKS
#: at the smaller box's scale): 0.5 is COCO's loosest match between a prediction and the truth.
SAME_BODY_OKS = 0.5
#: Keypoints two detections must both see before their agreement means anything.
SAME_BODY_MIN_KEYPOINTS = 3
#: A box overlapping another this much (IoU) shows some of the other person's clothes: not described.
OCCLUDED_IOU = 0.2


@dataclass(frozen=True)
class Tracklet:
    """One online track id's detections, in time order."""

    track_id: int
    t: np.ndarray  # seconds, (n,)
    boxes: np.ndarray  # x1, y1, x2, y2 pixels, (n, 4)
    scores: np.ndarray  # (n,)
    well_seen: np.ndarray  # bool (n,): at least WELL_SEEN_KEYPOINTS keypoints seen
    #: Shoulder midpoint to hip midpoint, pixels (n,); NaN where a shoulder or hip is not seen. Unlike the box,
    #: it does not grow when the arms go up or the legs kick.
    torso: np.ndarray
    #: Sum of the clothes' descriptors and how many went into it (0: never seen alone).
    appearance_sum: np.ndarray
    appearance_count: int

    @property
    def first_t(self) -> float:
        return float(self.t[0])

    @property
    def last_t(self) -> float:
        return float(self.t[-1])


@dataclass(frozen=True)
class SameBody:
    """How often two track ids shared a frame, and in how many of those they lay on one body."""

    shared_frames: int
    same_frames: int


class TrackletLog:
    def __init__(self) -> None:
        self._rows: dict[int, list[tuple]] = defaultdict(list)
        self._appearance_sum: dict[int, np.ndarray] = {}
        self._appearance_count: dict[int, int] = defaultdict(int)
        self._shared: dict[tuple[int, int], int] = defaultdict(int)
        self._same: dict[tuple[int, int], int] = defaultdict(int)

    def add(self, t: float, people: Sequence[Person], track_ids: Sequence[int | None], image: np.ndarray | None = None) -> None:
        """One frame's people and their online track ids (None: not tracked, ignored)."""
        tracked = [(p, tid) for p, tid in zip(people, track_ids) if tid is not None]
        if not tracked:
            return
        boxes = np.array([p.box for p, _ in tracked], dtype=np.float64)
        keypoints = np.stack([p.keypoints for p, _ in tracked]).astype(np.float64)
        seen = keypoints[:, :, 2] >= KEYPOINT_SEEN
        torso = torso_lengths(keypoints, seen)
        for (person, track_id), box, count, length in zip(tracked, boxes, seen.sum(axis=1), torso):
            self._rows[track_id].append((t, *box, person.score, count >= WELL_SEEN_KEYPOINTS, length))
        if len(tracked) > 1:
            self._count_same_bodies([tid for _, tid in tracked], boxes, keypoints, seen)
        if image is not None:
            self._describe(image, tracked, boxes)

    def add_appearance(self, track_id: int, total: np.ndarray, count: int) -> None:
        """Descriptor sums measured elsewhere (a chunk's worker) for ``track_id``."""
        if count <= 0:
            return
        current = self._appearance_sum.get(track_id)
        self._appearance_sum[track_id] = np.asarray(total, float) + (0 if current is None else current)
        self._appearance_count[track_id] += count

    def appearance(self) -> dict[int, tuple[list[float], int]]:
        """Each id's descriptor sum (rounded, for a chunk's file) and count."""
        return {tid: ([round(float(v), 3) for v in total], self._appearance_count[tid])
                for tid, total in self._appearance_sum.items()}

    def tracklets(self) -> list[Tracklet]:
        """Every id's detections, ordered by id."""
        result = []
        for track_id in sorted(self._rows):
            rows = np.array(self._rows[track_id], dtype=np.float64)
            order = np.argsort(rows[:, 0], kind="stable")
            rows = rows[order]
            result.append(Tracklet(
                track_id=track_id, t=rows[:, 0], boxes=rows[:, 1:5], scores=rows[:, 5], well_seen=rows[:, 6] > 0,
                torso=rows[:, 7],
                appearance_sum=self._appearance_sum.get(track_id, np.zeros(DESCRIPTOR_SIZE)),
                appearance_count=self._appearance_count.get(track_id, 0),
            ))
        return result

    def same_bodies(self) -> dict[tuple[int, int], SameBody]:
        """For every two ids (lower first) that shared a frame."""
        return {pair: SameBody(shared, self._same.get(pair, 0)) for pair, shared in self._shared.items()}

    def _count_same_bodies(self, ids: list[int], boxes: np.ndarray, keypoints: np.ndarray, seen: np.ndarray) -> None:
        areas = np.maximum((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]), 1.0)
        scale = np.minimum(areas[:, None], areas[None, :])  # the smaller box's area
        both = seen[:, None, :] & seen[None, :, :]  # [P, P, 17]
        squared = np.sum((keypoints[:, None, :, :2] - keypoints[None, :, :, :2]) ** 2, axis=-1)
        similarity = np.exp(-squared / (2 * scale[:, :, None] * (2 * COCO_SIGMAS) ** 2))
        shared = both.sum(axis=-1)
        oks = np.where(shared > 0, np.sum(similarity * both, axis=-1) / np.maximum(shared, 1), 0.0)
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                pair = (min(ids[i], ids[j]), max(ids[i], ids[j]))
                self._shared[pair] += 1
                if shared[i, j] >= SAME_BODY_MIN_KEYPOINTS and oks[i, j] >= SAME_BODY_OKS:
                    self._same[pair] += 1

    def _describe(self, image: np.ndarray, tracked: list[tuple[Person, int]], boxes: np.ndarray) -> None:
        overlap = box_iou(boxes, boxes)
        np.fill_diagonal(overlap, 0.0)
        for (_, track_id), box, worst in zip(tracked, boxes, overlap.max(axis=1)):
            if worst > OCCLUDED_IOU:
                continue
            descriptor = describe(image, box)
            if descriptor is not None:
                self.add_appearance(track_id, descriptor, 1)


def torso_lengths(keypoints: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """Shoulder midpoint to hip midpoint of each pose (P, 17, 3), pixels; NaN unless both shoulders and hips are seen."""
    shoulders = (keypoints[:, LEFT_SHOULDER, :2] + keypoints[:, RIGHT_SHOULDER, :2]) / 2
    hips = (keypoints[:, LEFT_HIP, :2] + keypoints[:, RIGHT_HIP, :2]) / 2
    known = seen[:, [LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP]].all(axis=1)
    return np.where(known, np.linalg.norm(shoulders - hips, axis=1), np.nan)


def log_from_records(frames: Sequence[Mapping], appearance: Mapping[int, tuple[Sequence[float], int]] | None = None) -> TrackletLog:
    """A log rebuilt from ``poses.json`` frame records (no images) and descriptor sums measured earlier."""
    log = TrackletLog()
    for frame in frames:
        people = frame["people"]
        log.add(float(frame["t"]), [person_of(p) for p in people], [p["track_id"] for p in people])
    for track_id, (total, count) in (appearance or {}).items():
        log.add_appearance(int(track_id), np.asarray(total, float), int(count))
    return log
