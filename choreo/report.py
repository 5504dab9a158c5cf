"""Assemble ``analysis.json`` from the poses document and the music beats: every measure, per dancer
and for the group. The document's fields are described in docs/analysis.md and the OpenAPI schema
``Analysis`` (gateway/models/analysis.py); ``DEFINITIONS`` travels inside each document.
"""
from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from choreo.angles import JOINT_PAIRS, joint_angles
from choreo.beat_alignment import BeatAlignmentFigures, align_beats
from choreo.dancers import dancers_of
from choreo.energy import energy
from choreo.entrainment import movement_velocities
from choreo.figures import json_number
from choreo.kinematic_beats import kinematic_beats
from choreo.metre import danced_reading
from choreo.music import MusicBeats
from choreo.on_beat import BeatFollowing, tempo_fields
from choreo.pose_similarity import normalise_poses, oks
from choreo.signals import TrackSeries, frame_rate, nanmean, resample, tracks_from_frames
from choreo.synchrony import MAX_LAG_S, envelope_lag, group_synchrony

VERSION = 1

DEFINITIONS = {
    "signals": "Keypoints under 0.3 confidence dropped, gaps up to 5 frames interpolated, lengths in torso "
    "lengths (shoulder midpoint to hip midpoint), times from each frame's timestamp.",
    "speed_envelope": "Mean joint speed per frame, torso lengths per second.",
    "dancers": "People whose body is well seen (8 or more keypoints) for at least 1 s and for a tenth of the video "
    "or 10 s, whichever is less; bystanders at the edge, passers-by and glitches are left out. Ids are one per person "
    "over the whole video (the tracker's pieces re-linked afterwards).",
    "tempo": "With music the movement follows (on_beat.locked): the music's tempo at the movement's level "
    "(cycles_per_beat 0.5, 1 or 2; motion_source 'beat'). Otherwise (motion_source 'movement'): the peak between 60 "
    "and 180 BPM of the movement's spectrum: the power spectra of the velocities of 13 keypoints (x and y, 2 s moving "
    "average removed, Hann window, zero-padded) summed, so each limb keeps its own rhythm and a swing counts once per "
    "cycle. Confidence: the movement's share of rhythmic power at the reported tempo (0..1).",
    "on_beat": "How much the movement follows the music's beat. locking (0..1): the share of the movement (velocities "
    "of 13 keypoints) that repeats with the music's beat clock, at the level where it is strongest (every 2 beats, "
    "every beat, twice a beat); chance: the same against clocks 5-15 % off the music's tempo; z: how many of their "
    "spreads above chance; locked: z >= 1.645 (one-sided 5 %); score_above_chance = (locking - chance) / (1 - chance). "
    "Hits (single limbs stopping after a move) on that clock: vector_strength (0..1, how tightly they cluster in the "
    "beat cycle), rayleigh_p (chance of that clustering with no beat), mean_asynchrony_ms (negative: early) and its "
    "spread, as in sensorimotor-synchronisation research.",
    "music": "Beats from librosa.beat.beat_track on the video's own audio track (mono, 22050 Hz); "
    "music_bpm = 60 / mean inter-beat interval. music_confidence: pulse clarity, the autocorrelation of the onset "
    "envelope at one beat period (near 1 for a metronome, near 0 for noise); clear_beat: it is at least 0.2 (under "
    "it, movement that does not follow the beat may be following one the tracker cannot hear). Where the music "
    "pulses at two levels a third apart, the tracker picks one; when the dancers follow not its reading but the music "
    "read at 3/2 or 2/3 of its tempo (a clear pulse there, z >= 3.09), that reading is the music's beat: music_bpm "
    "and beats are it, and tracker_bpm is the tracker's own tempo (equal to music_bpm otherwise).",
    "kinematic_beats": "Local minima of the speed envelope smoothed with a 0.08 s Gaussian (moments the "
    "movement stops), AIST++ (Li et al. 2021) and Bailando (Siyao et al. 2022).",
    "beat_alignment": "Beat Align Score, sigma 50 ms: music_to_motion = mean over music beats of "
    "exp(-d^2/2 sigma^2), d = distance to the nearest kinematic beat (Bailando); motion_to_music = the same over "
    "kinematic beats (AIST++); score = their harmonic mean; chance = the score with the kinematic beats shifted "
    "at random within one beat; offsets = kinematic beat minus music beat, negative when the movement is early.",
    "energy": "Mean squared joint speed, (torso lengths per second)^2, averaged over 1 s windows of the video's clock.",
    "joint_angles": "2-D angles in the image plane, degrees, at elbows (shoulder-elbow-wrist), shoulders "
    "(hip-shoulder-elbow), hips (shoulder-hip-knee) and knees (hip-knee-ankle); null where a keypoint is missing.",
    "range_of_motion": "min, max, 5th and 95th percentile of each joint angle, degrees.",
    "symmetry": "Mean |left - right| joint angle per joint pair, degrees (0: both sides alike).",
    "synchrony": "Pairs: peak normalised cross-correlation of speed envelopes within +-0.5 s (or half a beat), "
    "its lag and who moves first; pose_similarity: mean COCO OKS of torso-normalised poses. Group: Kuramoto order "
    "parameter R of the envelopes' Hilbert phases around the tempo (Richardson et al. 2012); chance = 1/sqrt(N).",
}


def build_report(poses: Mapping[str, Any], *, has_audio: bool, music: MusicBeats | None) -> dict[str, Any]:
    """The analysis document for a poses document (poses.json, parsed) and the music beats (None
    when the video has no audio track)."""
    frames = poses["frames"]
    times = np.array([float(f["t"]) for f in frames])
    rate = frame_rate(times)
    grid = np.arange(times[0], times[-1] + 0.5 / rate, 1 / rate) if len(times) else np.array([])
    duration_s = float(poses.get("video", {}).get("duration_s") or (np.ptp(times) if len(times) else 0.0))
    dancers = dancers_of(tracks_from_frames(frames), duration_s)
    envelopes = np.array([resample(d.t, d.speed_envelope, grid) for d in dancers]).reshape(len(dancers), len(grid))
    group = nanmean(envelopes, axis=0) if len(dancers) else np.full(len(grid), np.nan)
    velocities = [movement_velocities(d, grid) for d in dancers]
    stacked = np.concatenate(velocities) if velocities else np.empty((0, len(grid)))
    reading = danced_reading(music, stacked, grid)
    music, clock = reading.music, reading.clock
    music_beats = music.beats if music is not None else np.array([])
    movements = [BeatFollowing.of(d, v, grid, clock) for d, v in zip(dancers, velocities)]
    pooled = BeatFollowing.pooled(movements, stacked, clock, reading.locking)
    motion = pooled.tempo(rate, music.bpm if music else None)
    group_beats = kinematic_beats(grid, group, rate) if len(dancers) else np.array([])
    return {
        "version": VERSION,
        "job_id": poses.get("job_id"),
        "video": poses.get("video"),
        "definitions": DEFINITIONS,
        "tempo": {
            **tempo_fields(motion),
            "music_bpm": json_number(music.bpm, 2) if music else None,
            "music_confidence": json_number(music.confidence, 4) if music and music.bpm else None,
        },
        "music": {
            "has_audio": has_audio,
            "beats": _times(music_beats) if has_audio else None,
            "clear_beat": music.clear if music and music.bpm else None,
            "tracker_bpm": json_number(music.tracker_bpm or music.bpm, 2) if music and music.bpm else None,
        },
        "kinematic_beats": _times(group_beats),
        "on_beat": pooled.on_beat(),
        "beat_alignment": _alignment(music_beats, group_beats, _span(grid, group)),
        "dancers": [
            _dancer(d, grid, envelope, rate, music, movement) for d, envelope, movement in zip(dancers, envelopes, movements)
        ],
        "synchrony": _synchrony(dancers, envelopes, rate, motion.bpm or (music.bpm if music else None)),
    }


def summary_of(report: Mapping[str, Any]) -> dict[str, Any]:
    """The few figures the job's result carries."""
    alignment = report["beat_alignment"]
    synchrony = report["synchrony"]
    on_beat = report["on_beat"]
    return {
        "motion_bpm": report["tempo"]["motion_bpm"],
        "music_bpm": report["tempo"]["music_bpm"],
        "on_beat": (
            {name: on_beat[name] for name in ("locked", "locking", "chance", "score_above_chance", "mean_asynchrony_ms")}
            if on_beat else None
        ),
        "beat_alignment": (
            {"score": alignment["score"], "mean_offset_ms": alignment["mean_offset_ms"]} if alignment else None
        ),
        "clear_beat": report["music"].get("clear_beat"),
        "tracker_bpm": report["music"].get("tracker_bpm"),
        "dancers": len(report["dancers"]),
        "synchrony": {"R": synchrony["group"]["R"]} if synchrony and synchrony["group"] else None,
    }


def _span(grid: np.ndarray, envelope: np.ndarray) -> tuple[float, float] | None:
    valid = np.flatnonzero(~np.isnan(envelope))
    return (float(grid[valid[0]]), float(grid[valid[-1]])) if len(valid) else None


def _alignment(music_beats: np.ndarray, motion_beats: np.ndarray, span: tuple[float, float] | None) -> dict | None:
    """Beat alignment over the music beats that fall while the movement is measured."""
    if span is None or len(motion_beats) == 0:
        return None
    beats = music_beats[(music_beats >= span[0]) & (music_beats <= span[1])]
    if len(beats) == 0:
        return None
    result: BeatAlignmentFigures = align_beats(beats, motion_beats)
    return {
        "score": json_number(result.score, 4),
        "music_to_motion": json_number(result.music_to_motion, 4),
        "motion_to_music": json_number(result.motion_to_music, 4),
        "chance": json_number(result.chance, 4),
        "score_above_chance": json_number(result.score_above_chance, 4),
        "mean_offset_ms": json_number(result.mean_offset_ms, 1),
        "median_offset_ms": json_number(result.median_offset_ms, 1),
        "per_beat": [{"t": json_number(t, 3), "offset_ms": json_number(o, 1)} for t, o in zip(beats, result.offsets_ms)],
    }


def _dancer(
    dancer: TrackSeries, grid: np.ndarray, envelope: np.ndarray, rate: float, music: MusicBeats | None, movement: BeatFollowing
) -> dict[str, Any]:
    music_beats = music.beats if music is not None else np.array([])
    tempo = movement.tempo(rate, music.bpm if music else None)
    beats = kinematic_beats(grid, envelope, rate)
    angles = joint_angles(dancer.keypoints)
    moves = energy(dancer.t, dancer.joint_speeds)
    return {
        "track_id": dancer.track_id,
        "first_t": json_number(dancer.first_t, 3),
        "last_t": json_number(dancer.last_t, 3),
        **tempo_fields(tempo),
        "on_beat": movement.on_beat(),
        "kinematic_beats": _times(beats),
        "energy": {
            "mean": json_number(moves.mean, 4),
            "peak": json_number(moves.peak, 4),
            "start_s": moves.start_s,
            "window_s": moves.window_s,
            "series": [json_number(v, 4) for v in moves.series],
        },
        "t": _times(dancer.t),
        "joint_angles": {name: [json_number(a, 1) for a in series] for name, series in angles.items()},
        "range_of_motion": {name: _range(series) for name, series in angles.items()},
        "symmetry": {f"{left.removeprefix('left_')}": json_number(_mean_abs(angles[left] - angles[right]), 1)
                     for left, right in JOINT_PAIRS},
        "beat_alignment": _alignment(music_beats, beats, (dancer.first_t, dancer.last_t)),
    }


def _range(angles: np.ndarray) -> dict[str, float | None]:
    known = angles[~np.isnan(angles)]
    if len(known) == 0:
        return {"min": None, "max": None, "p5": None, "p95": None}
    p5, p95 = np.percentile(known, [5, 95])
    return {"min": json_number(known.min(), 1), "max": json_number(known.max(), 1), "p5": json_number(p5, 1), "p95": json_number(p95, 1)}


def _mean_abs(values: np.ndarray) -> float | None:
    known = values[~np.isnan(values)]
    return float(np.abs(known).mean()) if len(known) else None


def _synchrony(
    dancers: Sequence[TrackSeries], envelopes: np.ndarray, rate: float, bpm: float | None
) -> dict[str, Any] | None:
    max_lag_s = min(MAX_LAG_S, 30 / bpm) if bpm else MAX_LAG_S  # half a beat
    pairs = []
    for (i, a), (j, b) in itertools.combinations(enumerate(dancers), 2):
        lag = envelope_lag(envelopes[i], envelopes[j], rate, max_lag_s)
        if lag is None:
            continue
        leader = None if lag.samples == 0 else (a.track_id if lag.samples > 0 else b.track_id)
        pairs.append({
            "track_ids": [a.track_id, b.track_id],
            "score": json_number(lag.score, 4),
            "lag_s": json_number(abs(lag.samples) / rate, 3),
            "leader_track_id": leader,
            "pose_similarity": json_number(_pose_similarity(a, b), 4),
        })
    if not pairs:
        return None
    group = group_synchrony(envelopes, rate, bpm)
    return {
        "pairs": pairs,
        "group": {"R": json_number(group.R, 4), "chance": json_number(group.chance, 4)} if group else None,
    }


def _pose_similarity(a: TrackSeries, b: TrackSeries) -> float | None:
    _, in_a, in_b = np.intersect1d(a.t, b.t, return_indices=True)
    if len(in_a) == 0:
        return None
    pose_a = normalise_poses(a.keypoints[in_a], a.torso_length[in_a])
    pose_b = normalise_poses(b.keypoints[in_b], b.torso_length[in_b])
    per_frame = oks(pose_a, pose_b)
    known = per_frame[~np.isnan(per_frame)]
    return float(known.mean()) if len(known) else None


def _times(values: np.ndarray) -> list[float]:
    return [round(float(v), 3) for v in values]


