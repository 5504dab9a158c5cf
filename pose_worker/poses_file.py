"""Write ``poses.json`` frame by frame, so memory stays flat however long the video is."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import IO

import numpy as np

from pose_worker.decode import Person
from pose_worker.video import VideoInfo

#: Pixel coordinates to 0.01 px and scores to 1e-4 keep the file small and lose nothing useful.
COORD_DECIMALS = 2
SCORE_DECIMALS = 4


def keypoints_to_lists(keypoints: np.ndarray) -> list[list[float]]:
    """``[17, 3]`` keypoints as lists, x and y to 0.01 px, visibility to 1e-4 (rounded in numpy: a
    GPU worker writes hundreds of frames a second from one thread)."""
    rounded = np.empty(keypoints.shape, dtype=np.float64)
    rounded[:, :2] = np.round(keypoints[:, :2], COORD_DECIMALS)
    rounded[:, 2] = np.round(keypoints[:, 2], SCORE_DECIMALS)
    return rounded.tolist()


def person_to_dict(person: Person, track_id: int | None, smoothed: np.ndarray | None = None) -> dict:
    record = {
        "track_id": track_id,
        "score": round(person.score, SCORE_DECIMALS),
        "box": [round(v, COORD_DECIMALS) for v in person.box],
        "keypoints": keypoints_to_lists(person.keypoints),
    }
    if smoothed is not None:
        record["keypoints_smoothed"] = keypoints_to_lists(smoothed)
    return record


class PosesFileWriter:
    """Collects frames in a side file, then assembles the final document around them."""

    def __init__(self, path: Path, job_id: str, model_name: str) -> None:
        self.path = path
        self._frames_path = path.with_suffix(".frames.part")
        self._frames: IO[str] = self._frames_path.open("w", encoding="utf-8")
        self._job_id = job_id
        self._model_name = model_name
        self.frames_written = 0
        self.people_max = 0

    def add_frame(
        self,
        index: int,
        t: float,
        people: list[Person],
        track_ids: list[int | None] | None = None,
        smoothed: list[np.ndarray] | None = None,
    ) -> None:
        if self.frames_written:
            self._frames.write(",\n")
        ids = track_ids or [None] * len(people)
        extra = smoothed or [None] * len(people)
        record = {
            "index": index,
            "t": round(t, 6),
            "people": [person_to_dict(p, tid, s) for p, tid, s in zip(people, ids, extra)],
        }
        self._frames.write(json.dumps(record, separators=(",", ":")))
        self.frames_written += 1
        self.people_max = max(self.people_max, len(people))

    def finish(self, info: VideoInfo, duration_s: float) -> Path:
        """Write the complete document to ``path`` and remove the side file."""
        self._frames.close()
        header = {
            "job_id": self._job_id,
            "model": {"name": self._model_name, "keypoints": "coco17"},
            "video": {
                "width": info.width,
                "height": info.height,
                "fps": round(info.fps, 6),
                "frames": self.frames_written,
                "duration_s": round(duration_s, 6),
            },
        }
        with self.path.open("w", encoding="utf-8") as out:
            out.write(json.dumps(header, separators=(",", ":"))[:-1])
            out.write(',"frames":[\n')
            with self._frames_path.open(encoding="utf-8") as frames:
                shutil.copyfileobj(frames, out)
            out.write("\n]}\n")
        self._frames_path.unlink()
        return self.path
