"""Benchmark: what the analysis reports on the real dance videos of ``../shared/media/real``, and what each stage costs.

``python -m bench.real_corpus`` (``make bench``). For every clip: the pose stage as a worker runs it
(``estimate_poses``, overlay off), timed whole and, inside it, the re-linking (the tracklet log fed every
frame, clothes descriptors included, and the offline pass); then the analysis stage (audio decode, music
beats, ``build_report``). One row per clip: real dancers (from the folder's README), dancers reported, tracks
before and after re-linking, tempo, music tempo and its pulse clarity, on-beat figures (locking, its chance, z,
score above chance, the hits' mean asynchrony) beside the papers' Beat Align Score. Then the comparisons of the
teacher (the reference) with every other clip: offset, tempo ratio, score and how they were aligned. Figures
only, never a gate; the videos are read where they are, never copied.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pose_worker.pose_estimation as pose_estimation
from choreo.comparison import compare
from choreo.comparison_report import result_fields
from choreo.dancer_choice import most_visible, visibility
from choreo.music import music_beats, warm_up
from choreo.report import build_report
from choreo.signals import tracks_from_frames
from choreo.soundtrack import soundtrack_of
from infra.settings import Settings
from pose_worker.audio import read_audio
from pose_worker.model import PoseModel
from pose_worker.pose_estimation import POSES_FILE, PoseOptions, estimate_poses
from pose_worker.tracklets import TrackletLog
from tests.real_clips import CLIPS, REAL_DIR, TEACHER

#: What the README of ../shared/media/real says each clip shows (None: "about 8", no count).
REAL_DANCERS = {
    "pair_teacher_22s_hevc": 1, "pair_student_18s_hevc": 1, "group3_women_nuoyan_27s": 3,
    "fitness_class_15s": None, "solo_ballet_70s": 1, "sports2d_demo_8s": 2,
}


@dataclass
class Clock:
    seconds: float = 0.0

    @contextmanager
    def running(self):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - started


@dataclass
class ClipRun:
    name: str
    poses: dict
    frames: int
    online_tracks: int
    pose_s: float
    relink_s: float
    analysis_s: float
    report: dict


def run_clip(path: Path, model: PoseModel, folder: Path) -> ClipRun:
    """The pose stage with its re-linking timed inside it, then the analysis stage."""
    relink, identities = Clock(), {}
    original_add, original_identify = TrackletLog.add, pose_estimation.identify

    def timed_add(self, *args, **kwargs):
        with relink.running():
            return original_add(self, *args, **kwargs)

    def timed_identify(log, frame):
        with relink.running():
            identities["last"] = original_identify(log, frame)
        return identities["last"]

    TrackletLog.add, pose_estimation.identify = timed_add, timed_identify
    try:
        started = time.perf_counter()
        summary = estimate_poses(path, folder, path.stem, model, lambda _: None, options=PoseOptions(overlay=False))
        pose_s = time.perf_counter() - started
    finally:
        TrackletLog.add, pose_estimation.identify = original_add, original_identify
    started = time.perf_counter()
    poses = json.loads((folder / POSES_FILE).read_text(encoding="utf-8"))
    samples = read_audio(path)
    music = music_beats(samples) if samples is not None else None
    report = build_report(poses, has_audio=samples is not None, music=music)
    analysis_s = time.perf_counter() - started
    return ClipRun(path.stem, poses, summary.frames, len(identities["last"].of_track), pose_s, relink.seconds,
                   analysis_s, report)


def _figure(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_table(runs: list[ClipRun]) -> None:
    print(f"  {'clip':<26} {'real':>4} {'dancers':>7} {'tracks':>9} {'motion BPM':>16} {'music':>6} {'pulse':>5} "
          f"{'locking':>7} {'chance':>6} {'z':>5} {'above':>6} {'async ms':>8} {'BAS above':>9} | "
          f"{'pose s':>6} {'relink s':>8} {'analysis s':>10} {'share':>6}")
    for run in runs:
        tempo, on_beat, bas = run.report["tempo"], run.report["on_beat"] or {}, run.report["beat_alignment"] or {}
        real = REAL_DANCERS.get(run.name)
        source = "" if tempo["motion_bpm"] is None else f" ({tempo['motion_source']})"
        tracks = f"{run.online_tracks}->{len({i for i in (p['track_id'] for f in run.poses['frames'] for p in f['people']) if i})}"
        print(
            f"  {run.name:<26} {'~8' if real is None else real:>4} {len(run.report['dancers']):>7} {tracks:>9} "
            f"{_figure(tempo['motion_bpm']) + source:>16} {_figure(tempo['music_bpm']):>6} "
            f"{_figure(tempo['music_confidence'], 2):>5} "
            f"{_figure(on_beat.get('locking'), 3):>7} {_figure(on_beat.get('chance'), 3):>6} {_figure(on_beat.get('z'), 1):>5} "
            f"{_figure(on_beat.get('score_above_chance'), 3):>6} {_figure(on_beat.get('mean_asynchrony_ms'), 0):>8} "
            f"{_figure(bas.get('score_above_chance'), 3):>9} | {run.pose_s:>6.1f} {run.relink_s:>8.2f} {run.analysis_s:>10.2f} "
            f"{(run.relink_s + run.analysis_s) / run.pose_s:>6.1%}"
        )


def print_comparisons(runs: list[ClipRun], paths: dict[str, Path]) -> None:
    """The teacher (reference) against every other clip, each side's most visible dancer."""
    prepared = {}
    for run in runs:
        frames = run.poses["frames"]
        tracks = tracks_from_frames(frames)
        choice = most_visible(visibility(tracks), [track.track_id for track in tracks])
        prepared[run.name] = (next(t for t in tracks if t.track_id == choice.track_id), soundtrack_of(read_audio(paths[run.name])))
    reference, reference_sound = prepared[TEACHER]
    print(f"  reference {TEACHER}; attempt time minus reference time")
    print(f"  {'attempt':<26} {'offset s':>8} {'ratio':>6} {'score':>6} {'aligned by':>10} {'seconds':>7}")
    for name, (attempt, attempt_sound) in prepared.items():
        started = time.perf_counter()
        result = result_fields(compare(reference, attempt, reference_soundtrack=reference_sound, attempt_soundtrack=attempt_sound))
        print(f"  {name:<26} {result['offset_s']:>8.2f} {result['tempo_ratio']:>6.3f} {result['score']:>6.1f} "
              f"{result['aligned_by']:>10} {time.perf_counter() - started:>7.2f}")


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    paths = {name: REAL_DIR / f"{name}.mp4" for name in CLIPS if (REAL_DIR / f"{name}.mp4").exists()}
    if not paths:
        print(f"real dance videos not found in {REAL_DIR}: nothing to measure")
        return
    warm_up()
    settings = Settings()
    model = PoseModel.load(settings)
    print(f"Real dance videos ({REAL_DIR}); pose stage overlay off, {model.threads} ORT threads, {model.streams} streams")
    with tempfile.TemporaryDirectory(prefix="real-corpus-") as tmp:
        runs = []
        for name, path in paths.items():
            folder = Path(tmp) / name
            folder.mkdir()
            runs.append(run_clip(path, model, folder))
        print_table(runs)
        print("  pulse = the music's pulse clarity (under 0.2: a faint beat); share = (relink s + analysis s) / pose s;")
        print("  relink s is inside pose s (the log fed every frame, and the offline pass)")
        if TEACHER in paths:
            print_comparisons(runs, paths)


if __name__ == "__main__":
    main()
