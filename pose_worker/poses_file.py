"""Write ``poses.json`` frame by frame, so memory stays flat however long the video is, and read its
frames back one at a time (one frame record per line, as the writer lays them out)."""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from pose_worker.decode import Person
from pose_worker.video import VideoProperties

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


def person_of(record: Mapping) -> Person:
    """A ``poses.json`` person record as the detector's ``Person``."""
    return Person(score=record["score"], box=tuple(record["box"]), keypoints=np.asarray(record["keypoints"], dtype=np.float32))


#: Turns one frame's person records into their final track ids (``pose_worker/relinking.py``).
IdentityMap = Callable[[Sequence[Mapping]], list[int | None]]


def iter_frames(path: Path) -> Iterator[dict]:
    """The frame records of a poses file written by ``PosesFileWriter``, in order, one at a time."""
    with path.open(encoding="utf-8") as file:
        file.readline()  # the header, up to '"frames":['
        for line in file:
            line = line.rstrip().removesuffix(",")
            if line.startswith("]"):
                return
            yield json.loads(line)


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

    def finish(
        self, info: VideoProperties, duration_s: float, identities: IdentityMap | None = None, extra: Mapping[str, Any] | None = None,
    ) -> Path:
        """Write the complete document to ``path`` and remove the side file; with ``identities``, each
        frame's track ids are the ones it gives; ``extra`` fields join the header."""
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
            **(extra or {}),
        }
        with self.path.open("w", encoding="utf-8") as out:
            out.write(json.dumps(header, separators=(",", ":"))[:-1])
            out.write(',"frames":[\n')
            with self._frames_path.open(encoding="utf-8") as frames:
                if identities is None:
                    shutil.copyfileobj(frames, out)
                else:
                    _copy_with_identities(frames, out, identities)
            out.write("\n]}\n")
        self._frames_path.unlink()
        return self.path


def _copy_with_identities(frames: IO[str], out: IO[str], identities: IdentityMap) -> None:
    """The side file's frame lines, each person's ``track_id`` replaced by its final identity."""
    for number, line in enumerate(frames):
        record = json.loads(line.rstrip().removesuffix(","))
        for person, final in zip(record["people"], identities(record["people"])):
            person["track_id"] = final
        out.write((",\n" if number else "") + json.dumps(record, separators=(",", ":")))
