"""Assemble ``comparison.json`` and the result fields an API answer carries, from a ``Comparison``."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from choreo.comparison import DanceComparison, Segment
from choreo.comparison_segments import FEEDBACK_BELOW
from choreo.dancer_choice import ChosenDancer
from choreo.figures import json_number
from choreo.soundtrack_alignment import MIN_CHROMA_CORRELATION, MIN_CORRELATION

#: 2: movement-match scores, alignment by soundtrack, dancers chosen by visibility.
VERSION = 2
#: Within this, a segment's timing is "on time" (a frame at 20-30 fps, about).
ON_TIME_MS = 50.0

DEFINITIONS = {
    "score": "100 x the movement match along the alignment: the correlation of the two dancers' movements, each "
    "dancer's torso-normalised pose minus that dancer's own average pose, pooled over keypoints and both axes (the "
    "keypoints that move most count most). 100: the same movements at the same times, whatever each dancer's build, "
    "stance or camera; 0: unrelated (or opposite) movement, or one dancer holding still while the other moves; "
    "where neither moves (a pose held by both), 100 x the held poses' mean OKS. Pose similarity (OKS) is not the "
    "score because any two upright people score 0.5-0.6 OKS once centred on the torso, and two people dancing the "
    "same choreography score no higher.",
    "pose_similarity": "100 x the mean COCO OKS of the torso-normalised poses paired by the alignment: how close the "
    "shapes are, build and camera included.",
    "aligned_by": "soundtrack: both videos carry one recording of a song, and its line (offset and tempo ratio, from "
    "the onset-strength envelopes' cross-correlation over a grid of playback speeds 0.5-2x) puts them on one clock; "
    "only the reference's frames whose music the attempt's dancer is on screen for are compared. poses: no shared "
    "music (no soundtrack features, no sound, different songs, or the dancers on screen at different moments of "
    "it): the line is the one through the pose-similarity matrix with the highest mean (tempo ratios 0.67-1.5), "
    "and every reference frame is compared. alignment_reason says which case.",
    "soundtrack_correlation": "Pearson's r of the two soundtracks' onset-strength envelopes along their best line; "
    f"one recording reads 0.7-0.95, different songs mostly under 0.4; the soundtrack is used from {MIN_CORRELATION} "
    "up when that peak also stands clear of every shift by a beat or more and the notes agree "
    "(soundtrack_chroma_correlation). null when either job has no soundtrack.",
    "soundtrack_chroma_correlation": "Pearson's r of the two soundtracks' chroma (which of the 12 pitch classes "
    "sound) along the same line: one recording reads 0.6-0.9 (lower under noise), different songs whose beats "
    f"line up under 0.15; under {MIN_CHROMA_CORRELATION} they are different music. null when either job's "
    "soundtrack was kept before the chroma was, or has no sound.",
    "alignment": "Subsequence DTW on 1 - OKS within a band around the line (0.5 s by the soundtrack, 1 s by poses), "
    "made continuous by smoothing over 0.5 s.",
    "offset_s": "Attempt time minus reference time at the first compared reference frame (positive: the attempt "
    "starts later): the soundtrack's line, or by poses the median along the alignment once the tempo ratio's "
    "drift is taken out.",
    "tempo_ratio": "Attempt seconds per reference second: the soundtrack's playback speed ratio, or by poses the slope "
    "of attempt time against reference time along the alignment.",
    "mirror": "auto flips the attempt (x mirrored, left and right swapped) when it matches better by more than "
    "0.05 OKS that way.",
    "segments": "The reference's 8-beat phrases when it has music beats, else 2 s windows (under 1 s at either end "
    "joins its neighbour). Phrases start on every 8th beat from the music's first, as a teacher counts, and eight "
    "numbers them (1: the first eight beats of the music; null for windows or before the first beat). Each is scored like score over its frames; timing is the segment's median shift from the "
    "soundtrack's line (positive: late to the music), or by poses from offset_s, 'on time' within 50 ms.",
    "worst_segments": f"Up to three lowest segments scoring under {FEEDBACK_BELOW:g} (less than half the movement "
    "shared), with the body part that scored lowest and the joint angle that differs most, in words; empty when "
    "every segment scores at least that.",
    "dancers": "reference_dancer and dancer: the track compared in each video, the one asked for or else the most "
    "visible (most frames with at least 13 of 17 keypoints seen, then the taller on screen), and why.",
}


def result_fields(comparison: DanceComparison) -> dict[str, Any]:
    """The figures of the API's ``result`` (ids, dancers and the document's key are added by the worker)."""
    choice = comparison.alignment
    return {
        "score": round(comparison.score, 2),
        "pose_similarity": round(comparison.pose_similarity, 2),
        "offset_s": round(comparison.offset_s, 3),
        "tempo_ratio": round(comparison.tempo_ratio, 4),
        "mirrored": comparison.mirrored,
        "aligned_by": choice.method,
        "alignment_reason": choice.reason,
        "soundtrack_correlation": json_number(choice.match.correlation, 3) if choice.match is not None else None,
        "soundtrack_chroma_correlation": (
            json_number(choice.match.chroma_correlation, 3)
            if choice.match is not None and choice.match.chroma_correlation is not None else None
        ),
        "body_parts": {name: json_number(value, 2) for name, value in comparison.body_parts.items()},
        "segments": [_segment_score(s) for s in comparison.segments],
        "worst_segments": [
            {**_segment_score(s), "body_part": s.worst_body_part, "feedback": s.feedback} for s in comparison.worst_segments
        ],
        "timing": [_timing(s) for s in comparison.segments],
    }


def dancer_fields(reference: ChosenDancer, attempt: ChosenDancer) -> dict[str, Any]:
    """``reference_dancer`` and ``dancer``: which track of each video was compared, and why."""
    return {"reference_dancer": _dancer(reference), "dancer": _dancer(attempt)}


def comparison_document(comparison: DanceComparison, header: dict[str, Any]) -> dict[str, Any]:
    """The whole comparison: ``header`` (ids, dancers), the result, every segment in full, and the alignment."""
    return {
        "version": VERSION,
        **header,
        "definitions": DEFINITIONS,
        **result_fields(comparison),
        "segments_detail": [
            {
                **_segment_score(s), "timing_ms": json_number(s.timing_ms, 1), "body_parts": {
                    name: json_number(value, 2) for name, value in s.body_parts.items()
                }, "worst_body_part": s.worst_body_part, "feedback": s.feedback,
            }
            for s in comparison.segments
        ],
        "alignment": {
            "reference_t": [round(float(t), 3) for t in comparison.path_s[:, 0]],
            "attempt_t": [round(float(t), 3) for t in comparison.path_s[:, 1]],
            "similarity": [json_number(float(v), 4) for v in comparison.frame_similarity],
        },
    }


def _dancer(choice: ChosenDancer) -> dict[str, Any]:
    return {**asdict(choice), "well_seen_s": round(choice.well_seen_s, 2)}


def _segment_score(segment: Segment) -> dict[str, Any]:
    return {
        "start_s": round(segment.start_s, 3), "end_s": round(segment.end_s, 3), "eight": segment.eight,
        "score": json_number(segment.score, 2),
    }


def _timing(segment: Segment) -> dict[str, Any]:
    offset = segment.timing_ms
    if offset is None or abs(offset) <= ON_TIME_MS:
        verdict = "on time"
    else:
        verdict = "late" if offset > 0 else "early"
    return {"start_s": round(segment.start_s, 3), "end_s": round(segment.end_s, 3), "eight": segment.eight,
            "verdict": verdict, "offset_ms": json_number(offset, 1)}
