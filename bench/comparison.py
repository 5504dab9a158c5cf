"""Benchmark: comparing two 3-minute dances (5,400 frames each at 30 fps): wall time and peak memory.

``make bench`` (``python -m bench.comparison``). The reference is ``improvised_dancer`` for 3 minutes;
the attempt stands still ``LATE_S``, then dances the same dance ``TEMPO`` times slower with
``NOISE_PX`` of noise. The poses are synthetic on purpose: this measures the comparison stage
(``tracks_from_frames`` and ``compare``), not pose estimation. ``compare`` runs in fresh worker
processes, as the compare worker does: one pays the one-off warm-up with an empty numba cache,
then times the long pair; another, warmed from the on-disk cache, breaks one run down and traces
its allocations. Figures only, never a gate.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context

import numpy as np

from choreo import alignment, comparison
from choreo.signals import TrackSeries, tracks_from_frames
from tests.dance_series import frames_of, improvised_dancer

FPS = 30.0
#: The attempt stands still this long before it dances: a late start the alignment must skip.
LATE_S = 1.5
#: Attempt seconds per reference second: 10 % slower.
TEMPO = 1.1
NOISE_PX = 2.0
#: Long enough (a few hundred frames) that the warm-up compiles the numba kernel on a realistic band.
WARM_UP_S = 45.0
MIB = 2**20

Pair = tuple[TrackSeries, TrackSeries]


@dataclass(frozen=True)
class Timings:
    warm_up_s: float
    compare_s: list[float]
    max_rss_before: int
    max_rss_after: int


@dataclass(frozen=True)
class Probe:
    warm_up_s: float
    compare_s: float
    line_s: float
    align_s: float
    fine_s: float
    band: tuple[int, int]
    traced_peak: int
    score: float
    offset_s: float
    tempo_ratio: float
    mirrored: bool
    start_shift_s: float


def dance_frames(seconds: float) -> tuple[list[dict], list[dict]]:
    """poses.json frames of the reference and of the late, slower, noisy attempt."""
    ref_t = np.arange(round(seconds * FPS)) / FPS
    dance_t = np.arange(round(seconds * TEMPO * FPS)) / FPS
    dance = improvised_dancer(dance_t / TEMPO)  # the same dance, stretched in time
    attempt = np.concatenate([np.repeat(dance[:1], round(LATE_S * FPS), axis=0), dance])
    attempt[..., :2] += np.random.default_rng(1).normal(0, NOISE_PX, attempt[..., :2].shape)
    return frames_of(ref_t, improvised_dancer(ref_t)), frames_of(np.arange(len(attempt)) / FPS, attempt)


def series_of(frames: list[dict]) -> tuple[TrackSeries, float]:
    """The one dancer in ``frames``, and how long ``tracks_from_frames`` took (s)."""
    started = time.perf_counter()
    (series,) = tracks_from_frames(frames)
    return series, time.perf_counter() - started


def max_rss_bytes() -> int:
    """This process's high-water resident set size (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def time_compare(pair: Pair, warm_pair: Pair, runs: int) -> Timings:
    """In a fresh worker: the warm-up compare, then ``runs`` timed compares of ``pair``."""
    _, warm_up_s = timed(comparison.compare, *warm_pair)
    before = max_rss_bytes()
    compare_s = [timed(comparison.compare, *pair)[1] for _ in range(runs)]
    return Timings(warm_up_s, compare_s, before, max_rss_bytes())


def probe_compare(pair: Pair, warm_pair: Pair) -> Probe:
    """In a fresh worker: one compare with its alignment timed and its band read, then one traced."""
    _, warm_up_s = timed(comparison.compare, *warm_pair)
    spent = {"line": 0.0, "align": 0.0, "fine": 0.0}
    band = []

    def spy(name, function, record=None):
        def wrapper(*args):
            if record:
                record(*args)
            result, seconds = timed(function, *args)
            spent[name] = spent.get(name, 0.0) + seconds
            return result
        return wrapper

    comparison.pose_line = spy("line", comparison.pose_line)
    comparison.align_near = spy("align", comparison.align_near)
    alignment._banded_dtw_path = spy("fine", alignment._banded_dtw_path)
    alignment._banded_subsequence_dtw = spy("kernel", alignment._banded_subsequence_dtw, lambda cost, lo: band.append(cost.shape))
    result, compare_s = timed(comparison.compare, *pair)
    line_s, align_s, fine_s = spent["line"], spent["align"], spent["fine"]  # before the traced run adds to them
    tracemalloc.start()
    comparison.compare(*pair)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return Probe(
        warm_up_s, compare_s, line_s, align_s, fine_s, band[0] if band else (0, 0), traced_peak,
        result.score, result.offset_s, result.tempo_ratio, result.mirrored,
        float(result.path_s[0, 1] - result.path_s[0, 0]),
    )


@contextmanager
def numba_cache(folder: str | None):
    """Worker processes started inside see ``folder`` as numba's cache (an empty one: a cold start)."""
    saved = os.environ.get("NUMBA_CACHE_DIR")
    if folder:
        os.environ["NUMBA_CACHE_DIR"] = folder
    try:
        yield
    finally:
        os.environ.pop("NUMBA_CACHE_DIR", None)
        if saved is not None:
            os.environ["NUMBA_CACHE_DIR"] = saved


def in_fresh_worker(function, *args, cache: str | None = None):
    with numba_cache(cache), ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="length of the reference dance")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    ref_frames, att_frames = dance_frames(args.seconds)
    tracks_s = {"reference": [], "attempt": []}
    for _ in range(args.runs):
        reference, ref_s = series_of(ref_frames)
        attempt, att_s = series_of(att_frames)
        tracks_s["reference"].append(ref_s)
        tracks_s["attempt"].append(att_s)
    del ref_frames, att_frames
    warm_pair = tuple(series_of(frames)[0] for frames in dance_frames(WARM_UP_S))
    pair = (reference, attempt)
    n, m = len(reference.t), len(attempt.t)

    with tempfile.TemporaryDirectory(prefix="numba-cache-") as empty_cache:
        timings = in_fresh_worker(time_compare, pair, warm_pair, args.runs, cache=empty_cache)
    probe = in_fresh_worker(probe_compare, pair, warm_pair)

    print(
        f"Comparison stage: reference {args.seconds:g} s ({n} frames) vs attempt ({m} frames: stands still "
        f"{LATE_S:g} s, then the same dance {TEMPO:g}x slower, {NOISE_PX:g} px noise), {FPS:g} fps, one dancer each"
    )
    print("  Synthetic poses (tests/dance_series.improvised_dancer): this measures the comparison, not pose estimation.")
    print(
        f"  One-off warm-up per worker process (a {WARM_UP_S:g} s pair, {len(warm_pair[0].t)} x {len(warm_pair[1].t)}"
        " frames: numba import and kernel), not counted below:"
    )
    print(f"    numba cache empty (first start after a deploy): {timings.warm_up_s:6.2f} s")
    print(f"    numba cache on disk (a later start):            {probe.warm_up_s:6.2f} s")
    print(f"  Wall time, median of {args.runs} (s):")
    for side, seconds in tracks_s.items():
        print(f"    tracks_from_frames, {side:<9} {statistics.median(seconds):7.3f}")
    runs = " ".join(f"{s:.2f}" for s in timings.compare_s)
    print(f"    compare                       {statistics.median(timings.compare_s):7.3f}   (runs: {runs})")
    print(
        f"    one compare broken down (another worker, {probe.compare_s:.2f} s): pose line search (both ways, for the"
        f" mirror) {probe.line_s:.2f} s; align {probe.align_s:.2f} s (banded DTW {probe.fine_s:.2f} s, band cost and the rest"
        f" {probe.align_s - probe.fine_s:.2f} s); resampling, scoring, segments"
        f" {probe.compare_s - probe.line_s - probe.align_s:.2f} s"
    )
    print("  Peak memory of compare:")
    print(
        f"    tracemalloc peak, Python/numpy allocations during one compare: {probe.traced_peak / MIB:7.1f} MiB"
        " (numba's arrays inside the banded kernel are not traced)"
    )
    print(
        f"    ru_maxrss of the worker process: {timings.max_rss_before / MIB:.1f} MiB after warm-up, "
        f"{timings.max_rss_after / MIB:.1f} MiB after {args.runs} compares: "
        f"+{(timings.max_rss_after - timings.max_rss_before) / MIB:.1f} MiB (a high-water mark, whole process)"
    )
    rows, width = probe.band
    print("  For scale:")
    print(f"    a full N x M float64 cost matrix, {n} x {m} x 8 B: {n * m * 8 / MIB:7.1f} MiB")
    if rows:
        print(
            f"    the band used at full rate, {rows} x {width} x 8 B:        {rows * width * 8 / MIB:7.1f} MiB per float64 array"
            f" ({width / m:.1%} of the columns; the fine pass holds cost and total as float64, columns int64, steps int8)"
        )
    print(
        f"  Result: score {probe.score:.1f}, offset_s {probe.offset_s:.2f}, tempo_ratio {probe.tempo_ratio:.3f}, "
        f"mirrored {probe.mirrored}, shift at the first reference frame {probe.start_shift_s:.2f} s"
    )
    print(f"    by construction: offset_s {LATE_S:g} s (the late start), tempo_ratio {TEMPO:g}")


if __name__ == "__main__":
    main()
