"""Each frame's people, tracked, logged for the offline re-linking and written to a poses file (with
smoothed keypoints when asked): the step a whole video and a chunk of one share."""
from __future__ import annotations

from pose_worker.decode import Person
from pose_worker.poses_file import PosesFileWriter
from pose_worker.smoothing import KeypointSmoother
from pose_worker.tracking import PoseTracker
from pose_worker.tracklets import TrackletLog
from pose_worker.video import Frame


class FrameRecorder:
    def __init__(self, tracker: PoseTracker, writer: PosesFileWriter, smoother: KeypointSmoother | None = None) -> None:
        self.tracker = tracker
        self.writer = writer
        self.smoother = smoother
        self.tracklets = TrackletLog()

    def record(self, frame: Frame, people: list[Person]) -> list[int]:
        """Track the frame's people, write them, and return their track ids."""
        track_ids = self.tracker.update(people)
        self.tracklets.add(frame.t, people, track_ids, frame.image)
        smoothed = None
        if self.smoother is not None:
            smoothed = [self.smoother.smooth(tid, frame.t, p.keypoints) for p, tid in zip(people, track_ids)]
            for ended in self.smoother.track_ids - self.tracker.live_track_ids:
                self.smoother.forget(ended)
        self.writer.add_frame(frame.index, frame.t, people, track_ids, smoothed)
        return track_ids
