"""The job's second stage: analysis.json from poses.json and the video's own audio, and soundtrack.json,
the audio's onset envelope that comparisons align videos by (choreo/ does the maths)."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from choreo.music import music_beats
from choreo.report import build_report, summary_of
from choreo.soundtrack import soundtrack_document, soundtrack_of
from domain.jobs import AnalysisSummaryRecord
from domain.object_keys import SOUNDTRACK_FILE
from pose_worker.audio import read_audio

log = logging.getLogger(__name__)

ANALYSIS_FILE = "analysis.json"


@dataclass(frozen=True)
class DanceAnalysis:
    path: Path
    summary: AnalysisSummaryRecord
    #: soundtrack.json (written for every analysed job; ``silent`` when the video has no sound).
    soundtrack_path: Path


def analyse_dance(video_path: Path, poses_path: Path, out_dir: Path, max_duration_s: float | None = None) -> DanceAnalysis:
    """Write ``analysis.json`` and ``soundtrack.json`` to ``out_dir``. Blocking: run it in a thread."""
    with poses_path.open(encoding="utf-8") as file:
        poses = json.load(file)
    samples = read_audio(video_path, max_duration_s=max_duration_s)
    music = music_beats(samples) if samples is not None else None
    report = build_report(poses, has_audio=samples is not None, music=music)
    path = out_dir / ANALYSIS_FILE
    with path.open("w", encoding="utf-8") as file:
        json.dump(report, file, separators=(",", ":"), allow_nan=False)
    soundtrack_path = out_dir / SOUNDTRACK_FILE
    with soundtrack_path.open("w", encoding="utf-8") as file:
        json.dump(soundtrack_document(soundtrack_of(samples)), file, separators=(",", ":"), allow_nan=False)
    summary = AnalysisSummaryRecord.model_validate(summary_of(report))
    log.info(
        "job %s: %d dancers, motion %s BPM, music %s BPM",
        poses.get("job_id"), summary.dancers, summary.motion_bpm, summary.music_bpm,
    )
    return DanceAnalysis(path=path, summary=summary, soundtrack_path=soundtrack_path)
