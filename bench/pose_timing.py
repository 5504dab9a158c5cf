"""Timing pose models fairly on a busy machine: variants interleaved, medians, repeated rounds.

Other work on the machine comes and goes within seconds, so the variants are never timed one
after the other: inference-only takes turns every few calls, end to end takes turns clip by clip
(a short clip, many times), and each round's figure is a median. Ratios between variants of
the same round hold up much better than the absolute numbers.
"""
from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from pose_worker.model import PoseModel
from pose_worker.pose_estimation import PoseOptions, estimate_poses

#: name -> one measurement (seconds) of the thing timed
Timed = Callable[[], float]
#: Inference-only calls timed per turn.
INFERENCE_BURST = 5


def interleaved(timers: Mapping[Hashable, Timed], repeats: int, rounds: int) -> dict[Hashable, list[float]]:
    """Per round and name, the median of ``repeats`` measurements taken in turns (rotating the order)."""
    names = list(timers)
    result: dict[Hashable, list[float]] = {name: [] for name in names}
    for _ in range(rounds):
        seconds: dict[Hashable, list[float]] = {name: [] for name in names}
        for i in range(repeats):
            shift = i % len(names)
            for name in names[shift:] + names[:shift]:
                seconds[name].append(timers[name]())
        for name in names:
            result[name].append(statistics.median(seconds[name]))
    return result


def inference_timer(model: PoseModel, tensor: np.ndarray, burst: int = INFERENCE_BURST) -> Timed:
    """Seconds per frame of ``model.infer`` on an already letterboxed input, with as many calls at once
    as the model has streams (as the worker makes them): the mean of a short burst after one untimed
    call, so that each turn starts with the model's weights back in the caches."""
    streams = model.streams
    pool = ThreadPoolExecutor(streams, thread_name_prefix="bench-infer") if streams > 1 else None

    def call_all(calls: int) -> None:
        if pool is None:
            for _ in range(calls):
                model.infer(tensor)
        else:
            list(pool.map(lambda _: model.infer(tensor), range(calls)))

    call_all(3 * streams)

    def once() -> float:
        call_all(streams)
        started = time.perf_counter()
        call_all(burst * streams)
        return (time.perf_counter() - started) / (burst * streams)

    return once


def end_to_end_timer(model: PoseModel, clip: Path, frames: int) -> Timed:
    """Seconds per frame of the worker's pose stage on ``clip``: decoding, letterboxing (in its thread),
    inference, people decoding, tracking and poses.json; no overlay video."""

    def once() -> float:
        with tempfile.TemporaryDirectory(prefix="dance-bench-") as out:
            started = time.perf_counter()
            estimate_poses(clip, Path(out), "bench", model, lambda _: None, options=PoseOptions(overlay=False))
            return (time.perf_counter() - started) / frames

    once()  # warm-up: compiles shapes, fills caches
    return once


def per_second(seconds: list[float]) -> list[float]:
    return [1 / s for s in seconds]
