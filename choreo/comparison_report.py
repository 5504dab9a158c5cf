"""Assemble ``comparison.json`` and the result fields an API answer carries, from a ``Comparison``."""
from __future__ import annotations

from typing import Any

from choreo.comparison import Comparison, Segment

VERSION = 1
#: Within this, a segment's timing is "on time" (a frame at 20-30 fps, about).
ON_TIME_MS = 50.0

DEFINITIONS = {
    "score": "100 x the mean over reference frames of COCO OKS (torso-normalised poses) with the attempt's pose "
    "at the aligned time; reference frames the attempt did not dance score low, the attempt's run-up and run-out "
    "are not scored.",
    "alignment": "Subsequence DTW on 1 - OKS (at most 1,200 frames a side, refined in a 1 s band at full rate "
    "for longer videos), made continuous by smoothing over 0.5 s.",
    "offset_s": "How much later the attempt starts: the median of attempt time minus reference time along the "
    "alignment once the tempo ratio's drift is taken out (positive: later).",
    "tempo_ratio": "Slope of attempt time against reference time: attempt duration / reference duration.",
    "mirror": "auto flips the attempt (x mirrored, left and right swapped) when its best-diagonal similarity is "
    "higher by more than 0.05.",
    "segments": "The reference's 8-beat phrases when it has music beats, else 2 s windows; timing is the segment's "
    "median shift minus offset_s (positive: late), 'on time' within 50 ms.",
}


def result_fields(comparison: Comparison) -> dict[str, Any]:
    """The figures of the API's ``result`` (ids and the document's key are added by the worker)."""
    return {
        "score": round(comparison.score, 2),
        "offset_s": round(comparison.offset_s, 3),
        "tempo_ratio": round(comparison.tempo_ratio, 4),
        "mirrored": comparison.mirrored,
        "body_parts": {name: _round(value, 2) for name, value in comparison.body_parts.items()},
        "segments": [_segment_score(s) for s in comparison.segments],
        "worst_segments": [
            {**_segment_score(s), "body_part": s.worst_body_part, "feedback": s.feedback} for s in comparison.worst_segments
        ],
        "timing": [_timing(s) for s in comparison.segments],
    }


def comparison_document(comparison: Comparison, header: dict[str, Any]) -> dict[str, Any]:
    """The whole comparison: ``header`` (ids), the result, every segment in full, and the alignment."""
    return {
        "version": VERSION,
        **header,
        "definitions": DEFINITIONS,
        **result_fields(comparison),
        "segments_detail": [
            {
                **_segment_score(s), "timing_ms": _round(s.timing_ms, 1), "body_parts": {
                    name: _round(value, 2) for name, value in s.body_parts.items()
                }, "worst_body_part": s.worst_body_part, "feedback": s.feedback,
            }
            for s in comparison.segments
        ],
        "alignment": {
            "reference_t": [round(float(t), 3) for t in comparison.path_s[:, 0]],
            "attempt_t": [round(float(t), 3) for t in comparison.path_s[:, 1]],
            "similarity": [_round(float(v), 4) for v in comparison.frame_similarity],
        },
    }


def _segment_score(segment: Segment) -> dict[str, Any]:
    return {"start_s": round(segment.start_s, 3), "end_s": round(segment.end_s, 3), "score": _round(segment.score, 2)}


def _timing(segment: Segment) -> dict[str, Any]:
    offset = segment.timing_ms
    if offset is None or abs(offset) <= ON_TIME_MS:
        verdict = "on time"
    else:
        verdict = "late" if offset > 0 else "early"
    return {"start_s": round(segment.start_s, 3), "end_s": round(segment.end_s, 3), "verdict": verdict,
            "offset_ms": _round(offset, 1)}


def _round(value: float | None, digits: int) -> float | None:
    if value is None or value != value:  # NaN
        return None
    return round(float(value), digits)
