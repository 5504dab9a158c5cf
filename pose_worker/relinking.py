"""One identity per person over the whole video: the online tracker's pieces re-linked offline.

The online tracker (``pose_worker/tracking.py``) decides frame by frame and breaks a dancer's track
wherever the detector loses them for longer than its buffer, fires twice on one body, or the box
jumps (spins, jumps, arms across the body, a camera that zooms). The worker knows the whole video
before the analysis starts, so it joins the pieces afterwards, like the offline association
passes of StrongSORT (AFLink: pieces linked on their spatio-temporal features) and its kin:

1. **One body, two ids.** Two pieces whose keypoints lay on one body in at least
   ``DUPLICATE_SHARE`` of the frames they shared are one person seen twice (in those frames the
   better-scored detection keeps the id, the other gets none: ``assign_identities``).
2. **Links.** Otherwise two identities can only be one person if they are never seen at the same
   time. Every way of joining two identities is costed at each junction where one hands over to the
   other (the end of a piece, the start of the next): clothes (``appearance_distance`` of their
   mean descriptors), the distance from where the first was, or was heading, to where the next
   appears, in body heights, against how far a person moves in that time, and the length of the
   gap; a join is impossible where a person would have to be in two places at once, outrun a
   brisk run or change size suddenly (``pose_worker/continuity.py``). The cheapest join is made first and the costs recomputed, until no join is
   cheap enough (greedy agglomeration, as offline trackers do).
3. **Hand-overs.** A piece that ends in the middle of the picture and a piece that starts in the
   middle of it shortly after, within reach, each the other's only possible continuation, are one
   person even when the clothes look different (a dancer lit from behind on a roof, then in the
   sun on the grass): people do not vanish mid-picture, detectors do lose them.

Identities are then numbered 1, 2, 3, ... in the order they first appear (left to right on a tie).
A pure function of the tracklets: no I/O, no frames.
"""
from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from pose_worker.appearance import appearance_distance
from pose_worker.continuity import MAX_GAP_S, apart, reach_share
from pose_worker.tracklets import SameBody, Tracklet, TrackletLog

#: Share of shared frames in which two ids must lie on one body to be one person seen twice.
DUPLICATE_SHARE = 0.5
#: Clothes this different (Bhattacharyya distance of mean descriptors) cost a whole link; within one
#: dancer's track, halves of the video differ by 0.005-0.15 (lighting, turning), two people by 0.04 up.
APPEARANCE_TOLERANCE = 0.25
#: Weights of the motion and the gap in a link's cost, next to the clothes (weight 1).
MOTION_WEIGHT = 0.35
GAP_WEIGHT = 0.25
#: A link is made when its cost is at most this.
MAX_LINK_COST = 1.0
#: Pieces without a clothes descriptor (never seen alone) are judged as if their clothes half agreed.
UNKNOWN_APPEARANCE = 0.5 * APPEARANCE_TOLERANCE
#: Hand-overs: the longest gap, the widest clothes difference still allowed, and the margin (share
#: of the frame's shorter side) that counts as the picture's edge, where people do walk out.
HANDOVER_GAP_S = 1.0
HANDOVER_MAX_APPEARANCE = 0.5
EDGE_MARGIN = 0.03
#: Pieces shorter than this (seconds of detections) are not rivals in a hand-over: glitches.
SUBSTANTIAL_S = 0.5


@dataclass
class _Identity:
    members: list[Tracklet]
    appearance_sum: np.ndarray
    appearance_count: int
    #: Pieces (first_t, last_t, tracklet) in time order; duplicates share one piece's span.
    pieces: list[tuple[float, float, Tracklet]] = field(default_factory=list)

    @classmethod
    def of(cls, tracklet: Tracklet) -> _Identity:
        return cls([tracklet], tracklet.appearance_sum.copy(), tracklet.appearance_count,
                   [(tracklet.first_t, tracklet.last_t, tracklet)])

    @property
    def first_t(self) -> float:
        return self.pieces[0][0]

    @property
    def last_t(self) -> float:
        return max(last for _, last, _ in self.pieces)

    @property
    def detected_s(self) -> float:
        return sum(p.last_t - p.first_t for p in self.members)

    def appearance(self) -> np.ndarray | None:
        return self.appearance_sum / self.appearance_count if self.appearance_count else None

    def absorb(self, other: _Identity) -> None:
        self.members += other.members
        self.appearance_sum = self.appearance_sum + other.appearance_sum
        self.appearance_count += other.appearance_count
        self.pieces = sorted(self.pieces + other.pieces, key=lambda piece: (piece[0], piece[1]))


@dataclass(frozen=True)
class FrameSize:
    """The picture's size, for telling a piece that leaves the picture from one lost inside it."""

    width: int
    height: int


@dataclass(frozen=True)
class Identities:
    """The final identity of every online track id; called with one frame's person records, it gives
    their final ids (``assign_identities``)."""

    of_track: dict[int, int]

    @property
    def count(self) -> int:
        return len(set(self.of_track.values()))

    def __call__(self, people: Sequence[Mapping]) -> list[int | None]:
        return assign_identities(people, self.of_track)


def identify(log: TrackletLog, frame: FrameSize) -> Identities:
    """The identities of a whole video's (or a split video's merged) online tracks."""
    return Identities(relink(log.tracklets(), log.same_bodies(), frame))


def relink(tracklets: Sequence[Tracklet], same_bodies: Mapping[tuple[int, int], SameBody], frame: FrameSize) -> dict[int, int]:
    """Online track id -> final identity (1, 2, 3, ... by first appearance)."""
    identities = {t.track_id: _Identity.of(t) for t in tracklets}
    owner = {t.track_id: t.track_id for t in tracklets}
    _join_duplicates(identities, owner, same_bodies)
    _join_links(identities)
    _join_handovers(identities, frame)
    ordered = sorted(identities.values(), key=lambda i: (i.first_t, float(np.mean(i.pieces[0][2].boxes[0, [0, 2]]))))
    return {member.track_id: number for number, identity in enumerate(ordered, 1) for member in identity.members}


def _join_duplicates(identities: dict[int, _Identity], owner: dict[int, int], same_bodies: Mapping[tuple[int, int], SameBody]) -> None:
    pairs = [(pair, seen) for pair, seen in same_bodies.items()
             if seen.shared_frames and seen.same_frames / seen.shared_frames >= DUPLICATE_SHARE]
    for (a, b), _ in sorted(pairs, key=lambda item: -item[1].same_frames):
        if a not in owner or b not in owner:
            continue
        keep, gone = _root(owner, a), _root(owner, b)
        if keep == gone:
            continue
        identities[keep].absorb(identities.pop(gone))
        owner[gone] = keep


def _root(owner: dict[int, int], track_id: int) -> int:
    while owner[track_id] != track_id:
        track_id = owner[track_id]
    return track_id


def _join_links(identities: dict[int, _Identity]) -> None:
    costs: dict[tuple[int, int], float] = {}
    for a, b in itertools.combinations(sorted(identities), 2):
        cost = link_cost(identities[a], identities[b])
        if cost is not None:
            costs[a, b] = cost
    while costs:
        (a, b), cost = min(costs.items(), key=lambda item: item[1])
        if cost > MAX_LINK_COST:
            return
        identities[a].absorb(identities.pop(b))
        costs = {pair: c for pair, c in costs.items() if not {a, b} & set(pair)}
        for other in identities:
            if other != a:
                cost = link_cost(identities[min(a, other)], identities[max(a, other)])
                if cost is not None:
                    costs[min(a, other), max(a, other)] = cost


def link_cost(a: _Identity, b: _Identity) -> float | None:
    """Cost of ``a`` and ``b`` being one person (None: impossible, they are seen at once or too far)."""
    junctions = _junctions(a, b)
    if junctions is None:
        return None
    motion, gap = 0.0, 0.0
    for before, after in junctions:
        reached = reach_share(before, after)
        if reached is None:
            return None
        motion, gap = max(motion, reached), max(gap, after.first_t - before.last_t)
    clothes = _clothes(a, b)
    return clothes / APPEARANCE_TOLERANCE + MOTION_WEIGHT * motion + GAP_WEIGHT * gap / MAX_GAP_S


def _clothes(a: _Identity, b: _Identity) -> float:
    seen_a, seen_b = a.appearance(), b.appearance()
    if seen_a is None or seen_b is None:
        return UNKNOWN_APPEARANCE
    return appearance_distance(seen_a, seen_b)


def _junctions(a: _Identity, b: _Identity) -> list[tuple[Tracklet, Tracklet]] | None:
    """Where one identity hands over to the other in their joined timeline; None if both are seen at once."""
    for first_a, last_a, _ in a.pieces:
        for first_b, last_b, _ in b.pieces:
            if not apart(first_a, last_a, first_b, last_b):
                return None
    pieces = sorted([(*piece, 0) for piece in a.pieces] + [(*piece, 1) for piece in b.pieces], key=lambda p: (p[0], p[1]))
    junctions = []
    current: tuple[float, Tracklet, int] | None = None  # the piece that ends latest so far
    for _, last, tracklet, side in pieces:
        if current is not None and current[2] != side:
            junctions.append((current[1], tracklet))
        if current is None or last > current[0]:
            current = (last, tracklet, side)
    return junctions


def _join_handovers(identities: dict[int, _Identity], frame: FrameSize) -> None:
    while True:
        substantial = [k for k, i in identities.items() if i.detected_s >= SUBSTANTIAL_S]
        successors = {k: [m for m in substantial if m != k and _hands_over(identities[k], identities[m], frame)]
                      for k in substantial}
        predecessors: dict[int, list[int]] = {k: [] for k in substantial}
        for k, after in successors.items():
            for m in after:
                predecessors[m].append(k)
        pairs = [(k, after[0]) for k, after in successors.items() if len(after) == 1 and predecessors[after[0]] == [k]]
        if not pairs:
            return
        k, m = pairs[0]
        identities[k].absorb(identities.pop(m))


def _hands_over(a: _Identity, b: _Identity, frame: FrameSize) -> bool:
    """Whether ``b`` can continue ``a``: ``a`` entirely before, lost and found inside the picture, in reach."""
    end, start = a.pieces[-1][2], b.pieces[0][2]
    if a.last_t >= b.first_t or b.first_t - a.last_t > HANDOVER_GAP_S:
        return False
    if _at_edge(end.boxes[-1], frame) or _at_edge(start.boxes[0], frame):
        return False
    if _clothes(a, b) > HANDOVER_MAX_APPEARANCE:
        return False
    return reach_share(end, start) is not None


def _at_edge(box: np.ndarray, frame: FrameSize) -> bool:
    margin = EDGE_MARGIN * min(frame.width, frame.height)
    return bool(box[0] <= margin or box[1] <= margin or box[2] >= frame.width - margin or box[3] >= frame.height - margin)


def assign_identities(people: Sequence[Mapping], identity: Mapping[int, int]) -> list[int | None]:
    """The final id of each person record of one frame (``track_id`` online ids mapped through
    ``identity``); when two records of the frame map to one identity (one body detected twice) the
    better-scored keeps it and the other gets None."""
    ids = [identity.get(p["track_id"]) if p.get("track_id") is not None else None for p in people]
    best: dict[int, int] = {}
    for index, final in enumerate(ids):
        if final is not None and (final not in best or people[index]["score"] > people[best[final]]["score"]):
            best[final] = index
    return [final if final is not None and best[final] == index else None for index, final in enumerate(ids)]
