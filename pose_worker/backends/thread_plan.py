"""How a worker spreads inference over the CPU's cores: frames in flight ("streams") and threads each.

A model this small does not keep many threads busy on one frame: on a 2-core EPYC, ONNX Runtime
ran 22-24 frames/s with two threads on one frame and 30-34 with one thread on each of two frames
at once (the same for the whole pose stage, 1.35x). So on a CPU a worker infers two frames at a
time by default, in order of arrival, and tracks them in order. A GPU takes frames in batches
instead (``DANCE_BATCH_SIZE``) and gets one stream.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from infra.settings import Settings

#: Frames inferred at once on a CPU when DANCE_INFERENCE_STREAMS is 0 (auto).
AUTO_CPU_STREAMS = 2


@dataclass(frozen=True)
class ThreadPlan:
    #: Frames (or batches) inferred at once, each on its own thread.
    streams: int
    #: Threads one inference uses.
    threads_per_stream: int

    @property
    def threads(self) -> int:
        return self.streams * self.threads_per_stream


def plan_threads(settings: Settings, cores: int | None = None) -> ThreadPlan:
    """``DANCE_INFERENCE_THREADS`` (0: every core) split over ``DANCE_INFERENCE_STREAMS`` (0: auto)."""
    total = settings.inference_threads or cores or os.cpu_count() or 1
    if settings.on_gpu:
        return ThreadPlan(streams=1, threads_per_stream=total)
    streams = min(settings.inference_streams or AUTO_CPU_STREAMS, total)
    return ThreadPlan(streams=streams, threads_per_stream=max(1, total // streams))
