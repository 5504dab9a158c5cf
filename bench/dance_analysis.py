"""Benchmark: the dance analysis stage's time as a share of the pose stage, on clips with audio.

``make bench`` (``python -m bench.dance_analysis``). For a 10 s 720p clip and a 3-minute clip, both
with a 120 BPM click track muxed in as AAC, it times what the worker runs per job: ``estimate_poses``
(overlay off) then ``analyse_dance``, and the analysis's parts (poses.json read, audio decode, music
beats, report) by calling them again in the order ``analyse_dance`` does. librosa's one-off warm-up,
which a running worker pays once at start-up, is measured first and kept out of the shares.
Figures only, never a gate.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from choreo.music import music_beats, warm_up
from choreo.report import build_report
from infra.settings import Settings
from pose_worker.audio import read_audio
from pose_worker.dance_analysis import analyse_dance
from pose_worker.model import PoseModel
from pose_worker.pose_estimation import PoseOptions, estimate_poses
from tests.clips import make_clip

#: Tempo of the click track: inside the 60-180 BPM band the analysis looks at.
CLICK_BPM = 120
#: A phone video's usual audio: 44.1 kHz stereo AAC.
AUDIO_RATE = 44100
#: The 3-minute clip is made at 640x360 so its pose stage stays affordable; the model's input is
#: 640x384 either way, so per-frame inference costs the same and the share is comparable.
LONG_SIZE = (640, 360)


@dataclass(frozen=True)
class StageTimes:
    frames: int
    dancers: int
    music_bpm: float | None
    pose_s: float
    analysis_s: float
    read_poses_s: float
    audio_s: float
    beats_s: float
    report_s: float


def add_click_track(video: Path, out: Path, seconds: float) -> Path:
    """``video`` with a 1 kHz decaying click on every beat at ``CLICK_BPM``, stereo AAC."""
    import imageio_ffmpeg

    period = 60 / CLICK_BPM
    clicks = f"aevalsrc='0.8*sin(2*PI*1000*t)*exp(-60*mod(t,{period}))':s={AUDIO_RATE}:c=stereo:d={seconds}"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(video), "-f", "lavfi", "-i", clicks,
         "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-shortest", str(out)],
        check=True,
    )
    return out


def make_clip_with_audio(folder: Path, name: str, seconds: float, size: tuple[int, int], fps: float) -> Path:
    silent = make_clip(folder / f"{name}-silent.mp4", seconds=seconds, size=size, fps=fps)
    clip = add_click_track(silent, folder / f"{name}.mp4", seconds)
    silent.unlink()
    return clip


def time_stages(clip: Path, out_dir: Path, model: PoseModel, settings: Settings) -> StageTimes:
    """Both stages as the worker runs them, then the analysis's parts in ``analyse_dance``'s order."""
    options = dataclasses.replace(PoseOptions.from_settings(settings), overlay=False)
    limit = settings.max_video_duration_s
    started = time.perf_counter()
    summary = estimate_poses(clip, out_dir, "bench", model, lambda _: None, options=options)
    pose_s = time.perf_counter() - started
    started = time.perf_counter()
    dance = analyse_dance(clip, summary.poses_path, out_dir, limit)
    analysis_s = time.perf_counter() - started

    started = time.perf_counter()
    with summary.poses_path.open(encoding="utf-8") as file:
        poses = json.load(file)
    read_poses_s = time.perf_counter() - started
    started = time.perf_counter()
    samples = read_audio(clip, max_duration_s=limit)
    audio_s = time.perf_counter() - started
    started = time.perf_counter()
    music = music_beats(samples) if samples is not None else None
    beats_s = time.perf_counter() - started
    started = time.perf_counter()
    build_report(poses, has_audio=samples is not None, music=music)
    report_s = time.perf_counter() - started
    return StageTimes(
        summary.frames, dance.summary.dancers, dance.summary.music_bpm,
        pose_s, analysis_s, read_poses_s, audio_s, beats_s, report_s,
    )


def _row(label: str, times: StageTimes) -> str:
    bpm = "-" if times.music_bpm is None else f"{times.music_bpm:.1f}"
    return (
        f"  {label:<16} {times.frames:>6} {times.dancers:>7} {bpm:>9} {times.pose_s:>8.2f} {times.analysis_s:>10.3f}"
        f" {times.analysis_s / times.pose_s:>7.2%}"
        f" | {times.read_poses_s:>10.3f} {times.audio_s:>7.3f} {times.beats_s:>7.3f} {times.report_s:>7.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the 720p clip")
    parser.add_argument("--long-seconds", type=float, default=180.0, help="length of the long clip")
    parser.add_argument("--fps", type=float, default=30.0)
    args = parser.parse_args()
    settings = Settings()

    started = time.perf_counter()
    warm_up()
    warm_up_s = time.perf_counter() - started

    model = PoseModel.load(settings)
    clips = [
        (f"{args.seconds:g} s 1280x720", args.seconds, (1280, 720)),
        (f"{args.long_seconds:g} s {LONG_SIZE[0]}x{LONG_SIZE[1]}", args.long_seconds, LONG_SIZE),
    ]
    print(
        f"Dance analysis vs pose stage: {args.fps:g} fps clips with a {CLICK_BPM} BPM click track (AAC, "
        f"{AUDIO_RATE} Hz stereo); overlay off; {model.threads} ORT threads"
    )
    print(f"  librosa warm-up (once per worker, at start-up, not counted below): {warm_up_s:.2f} s")
    print(
        f"  {'clip':<16} {'frames':>6} {'dancers':>7} {'music BPM':>9} {'pose s':>8} {'analysis s':>10} {'share':>7}"
        f" | {'poses.json':>10} {'audio':>7} {'beats':>7} {'report':>7}  (s)"
    )
    with tempfile.TemporaryDirectory(prefix="dance-bench-") as tmp:
        for index, (label, seconds, size) in enumerate(clips):
            folder = Path(tmp) / str(index)
            folder.mkdir()
            clip = make_clip_with_audio(folder, "clip", seconds, size, args.fps)
            times = time_stages(clip, folder, model, settings)
            print(_row(label, times))
    print(
        "  share = analysis s / pose s; the parts are a second pass of analyse_dance's calls, timed one by one"
        " (writing analysis.json is not among them)."
    )
    print(f"  The long clip is {LONG_SIZE[0]}x{LONG_SIZE[1]} to keep its pose stage short (model input 640x384 both).")


if __name__ == "__main__":
    main()
