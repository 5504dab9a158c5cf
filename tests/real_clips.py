"""The real dance videos in ``../shared/media/real`` (unknown licences: read there, never copied into the
repository), run once per test session through the pose pipeline and the soundtrack features.

Use the ``real_clips`` fixture (import it into the test module); it skips, saying why, when the folder is
missing. Its poses come from ``estimate_poses`` as a worker runs it (overlay off), so the tests see what
the tracker of the day makes of these videos: about 2.5 minutes for all six on a 2-core machine.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from choreo.dancer_choice import Visibility, visibility
from choreo.signals import TrackSeries, tracks_from_frames
from choreo.soundtrack import Soundtrack, soundtrack_of
from infra.settings import Settings
from pose_worker.audio import read_audio
from pose_worker.model import PoseModel
from pose_worker.pose_estimation import POSES_FILE, PoseOptions, estimate_poses
from tests.clips import REAL_DIR

TEACHER = "pair_teacher_22s_hevc"
STUDENT = "pair_student_18s_hevc"
CLIPS = (TEACHER, STUDENT, "group3_women_nuoyan_27s", "fitness_class_15s", "solo_ballet_70s", "sports2d_demo_8s")
#: The student's video starts this far into the teacher's song (measured on the soundtracks, README there).
STUDENT_STARTS_S = 0.81


@dataclass(frozen=True)
class RealClip:
    name: str
    path: Path
    #: poses.json as the worker writes it.
    poses: dict
    tracks: list[TrackSeries]
    seen: dict[int, Visibility]
    soundtrack: Soundtrack


def real_clip_paths() -> dict[str, Path]:
    """Each clip's path; skips the calling test when the folder or a clip is missing."""
    paths = {name: REAL_DIR / f"{name}.mp4" for name in CLIPS}
    missing = [name for name, path in paths.items() if not path.exists()]
    if missing:
        pytest.skip(f"real dance videos not found in {REAL_DIR} (missing: {', '.join(missing)}); "
                    "they live in ../shared/media/real beside the repository")
    return paths


@pytest.fixture(scope="session")
def real_clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RealClip]:
    """Every real clip's poses (pose pipeline, overlay off), dancers and soundtrack, computed once a session."""
    paths = real_clip_paths()
    model = PoseModel.load(Settings())
    clips = {}
    for name, path in paths.items():
        out_dir = tmp_path_factory.mktemp(name)
        estimate_poses(path, out_dir, name, model, lambda fraction: None, options=PoseOptions(overlay=False))
        poses = json.loads((out_dir / POSES_FILE).read_text(encoding="utf-8"))
        clips[name] = RealClip(
            name=name, path=path, poses=poses, tracks=tracks_from_frames(poses["frames"]),
            seen=visibility(tracks_from_frames(poses["frames"])), soundtrack=soundtrack_of(read_audio(path)),
        )
    return clips
