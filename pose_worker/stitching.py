"""Join the poses of a split video's chunks into one timeline with one set of track ids.

Each chunk was tracked on its own (local ids 1, 2, ...) from an overlap before its own range.
In the overlap the previous chunks' frames are already merged: the same frames, the same
detections. People are paired within each shared frame by box IoU, each (local id, merged id)
pair collects a vote per frame, and the assignment of most votes (Hungarian method,
``scipy.optimize.linear_sum_assignment``) says which local track continues which merged one.
Local tracks that continue none get the next new ids, in the order they started.
"""
from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from pose_worker.tracking import box_iou

#: Two boxes in one frame are the same detection when they overlap this much; the two chunks
#: decoded the same pixels, so a shared detection overlaps fully (IoU 1) in practice.
SAME_PERSON_IOU = 0.5


class ChunkGapError(ValueError):
    """Raised when a chunk's overlap does not reach back to the frames before it (frames would be lost)."""


@dataclass(frozen=True)
class StitchedPoses:
    #: ``poses.json`` frame records (index renumbered from 0, global ``track_id``s), in time order.
    frames: list[dict]
    #: Distinct track ids given: ids run 1, 2, 3, ... as in an unsplit run.
    tracks: int
    #: For each chunk, its local track ids -> the merged ids.
    mappings: list[dict[int, int]]


def stitch_chunks(chunks: Sequence[Sequence[dict]], starts: Sequence[float], frame_s: float) -> StitchedPoses:
    """One timeline from each chunk's frame records (``t`` in seconds, local track ids).

    Chunk ``k`` owns the frames from ``starts[k]`` to ``starts[k + 1]`` (half a frame period,
    ``frame_s`` seconds, of tolerance either side); its earlier frames are the overlap.
    """
    merged: list[dict] = []
    times: list[float] = []
    mappings: list[dict[int, int]] = []
    last_id = 0
    for k, frames in enumerate(chunks):
        begin = starts[k] - frame_s / 2 if k else float("-inf")
        until = starts[k + 1] - frame_s / 2 if k + 1 < len(starts) else float("inf")
        overlap = [frame for frame in frames if frame["t"] < begin]
        owned = [frame for frame in frames if begin <= frame["t"] < until]
        mapping: dict[int, int] = {}
        if k:
            if merged and not any(abs(frame["t"] - times[-1]) <= frame_s / 2 for frame in overlap):
                raise ChunkGapError(f"chunk {k} starts decoding after {times[-1]:.3f} s, the previous chunk's last frame")
            mapping = match_tracks(overlap, merged, times, frame_s)
        for local in sorted({p["track_id"] for f in owned for p in f["people"] if p["track_id"] is not None} - set(mapping)):
            last_id += 1
            mapping[local] = last_id
        mappings.append(mapping)
        for frame in owned:
            people = [{**p, "track_id": mapping.get(p["track_id"]) if p["track_id"] is not None else None} for p in frame["people"]]
            merged.append({**frame, "index": len(merged), "people": people})
            times.append(frame["t"])
    return StitchedPoses(frames=merged, tracks=last_id, mappings=mappings)


def match_tracks(overlap: Sequence[dict], merged: Sequence[dict], times: Sequence[float], frame_s: float) -> dict[int, int]:
    """Local track id -> merged track id, for the local tracks seen on the same people as merged ones."""
    votes: Counter[tuple[int, int]] = Counter()
    for frame in overlap:
        at = bisect.bisect_left(times, frame["t"] - frame_s / 2)
        if at == len(times) or abs(times[at] - frame["t"]) > frame_s / 2:
            continue
        for local, other in same_people(frame["people"], merged[at]["people"]):
            if local["track_id"] is not None and other["track_id"] is not None:
                votes[local["track_id"], other["track_id"]] += 1
    if not votes:
        return {}
    locals_ = sorted({local for local, _ in votes})
    others = sorted({other for _, other in votes})
    counts = np.zeros((len(locals_), len(others)))
    for (local, other), count in votes.items():
        counts[locals_.index(local), others.index(other)] = count
    rows, cols = linear_sum_assignment(counts, maximize=True)
    return {locals_[r]: others[c] for r, c in zip(rows, cols) if counts[r, c] > 0}


def same_people(people: Sequence[dict], others: Sequence[dict]) -> list[tuple[dict, dict]]:
    """Pairs of records of one person in two readings of the same frame, by box IoU (most overlap first)."""
    if not people or not others:
        return []
    iou = box_iou(np.array([p["box"] for p in people], dtype=np.float64), np.array([p["box"] for p in others], dtype=np.float64))
    rows, cols = linear_sum_assignment(iou, maximize=True)
    return [(people[r], others[c]) for r, c in zip(rows, cols) if iou[r, c] >= SAME_PERSON_IOU]
