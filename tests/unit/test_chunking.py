"""Where a long video is cut, how a chunk starts mid-video, and how chunks' tracks are stitched together."""
from __future__ import annotations

import subprocess

import numpy as np
import pytest

from domain.jobs import ChunkPlan, ChunkRecord, JobRecord, JobStatus
from pose_worker.chunk_plan import OVERLAP_S, chunk_plan_of, plan_chunk_starts
from pose_worker.chunk_records import CHUNKS_SHARE, claim_chunk, mark_chunk_done, with_chunk_progress
from pose_worker.stitching import ChunkGapError, stitch_chunks
from pose_worker.video import VideoReader
from tests.clips import make_clip

FRAME_S = 0.5  # two frames a second keep the series short


@pytest.mark.parametrize(
    ("duration_s", "chunk_s"),
    [
        pytest.param(120.0, 60.0, id="exactly-twice-the-chunk"),
        pytest.param(300.0, 0.0, id="splitting-off"),
        pytest.param(None, 60.0, id="unknown-length"),
    ],
)
def test_a_video_not_longer_than_two_chunks_stays_whole(duration_s, chunk_s):
    assert plan_chunk_starts(duration_s, chunk_s, []) is None


def test_a_long_video_is_cut_into_chunks_of_about_the_chunk_length_at_the_nearest_keyframes():
    # 200 s is further than a quarter chunk (15 s) from the nominal 180 s: the cut stays there.
    keyframes = [0.0, 9.0, 58.5, 61.0, 119.0, 140.0, 200.0]
    assert plan_chunk_starts(240.0, 60.0, keyframes) == [0.0, 61.0, 119.0, 180.0]
    assert plan_chunk_starts(250.0, 60.0, []) == [0.0, 62.5, 125.0, 187.5]


def test_a_chunk_decodes_one_overlap_before_its_own_range_and_the_plan_sums_progress():
    plan = chunk_plan_of([0.0, 61.0, 119.0])
    assert [(c.start_s, c.end_s, c.decode_from_s) for c in plan.chunks] == [
        (0.0, 61.0, 0.0), (61.0, 119.0, 61.0 - OVERLAP_S), (119.0, None, 119.0 - OVERLAP_S),
    ]
    half_done = ChunkPlan(chunks=[ChunkRecord(start_s=0, end_s=1, decode_from_s=0, done=True),
                                  ChunkRecord(start_s=1, end_s=None, decode_from_s=0, progress=0.5)])
    assert half_done.progress == 0.75 and not half_done.all_done


def person(track_id: int | None, x: float) -> dict:
    return {"track_id": track_id, "score": 0.9, "box": [x, 0.0, x + 10.0, 20.0], "keypoints": []}


def frames(times: list[float], people_at) -> list[dict]:
    return [{"index": n, "t": t, "people": people_at(t)} for n, t in enumerate(times)]


def test_tracks_seen_on_the_same_people_in_the_overlap_keep_their_ids_and_new_ones_get_the_next():
    # Whole-video truth: dancer A (x=0) throughout as 1, B (x=50) as 2, C (x=100) appears at 3 s as 3.
    first = frames([0.0, 0.5, 1.0, 1.5], lambda t: [person(1, 0.0), person(2, 50.0)])
    # The second chunk tracked from 0.5 s on its own: B got local id 1, A local id 2 (the other order).
    second = frames(
        [0.5, 1.0, 1.5, 2.0, 2.5, 3.0],
        lambda t: [person(2, 0.0), person(1, 50.0)] + ([person(3, 100.0)] if t >= 3.0 else []),
    )
    stitched = stitch_chunks([first, second], [0.0, 2.0], FRAME_S)
    assert [f["t"] for f in stitched.frames] == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
    assert [f["index"] for f in stitched.frames] == list(range(7))
    assert [[p["track_id"] for p in f["people"]] for f in stitched.frames[4:]] == [[1, 2], [1, 2], [1, 2, 3]]
    assert stitched.tracks == 3


def test_an_untracked_low_score_box_stays_untracked_across_the_cut():
    first = frames([0.0, 0.5], lambda t: [person(1, 0.0), person(None, 50.0)])
    second = frames([0.0, 0.5, 1.0], lambda t: [person(1, 0.0), person(None, 50.0)])
    stitched = stitch_chunks([first, second], [0.0, 1.0], FRAME_S)
    assert [p["track_id"] for p in stitched.frames[-1]["people"]] == [1, None]


def test_a_chunk_whose_overlap_misses_the_frame_before_its_own_range_is_refused():
    first = frames([0.0, 0.5, 1.0, 1.5], lambda t: [person(1, 0.0)])
    late = frames([2.0, 2.5], lambda t: [person(1, 0.0)])
    with pytest.raises(ChunkGapError):
        stitch_chunks([first, late], [0.0, 2.0], FRAME_S)


@pytest.mark.parametrize("codec", [pytest.param("mp4v", id="mpeg4-part2"), pytest.param("h264", id="h264-with-b-frames")])
def test_a_reader_started_mid_video_gives_the_frames_and_times_of_a_reading_from_the_start(tmp_path, codec):
    clip = make_clip(tmp_path / "clip.mp4", seconds=3.0, size=(160, 96))
    if codec == "h264":
        import imageio_ffmpeg

        h264 = tmp_path / "h264.mp4"
        subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(clip), "-c:v", "libx264", "-g", "40",
             "-bf", "2", str(h264)],
            check=True,
        )
        clip = h264
    with VideoReader(clip) as video:
        whole = [(frame.t, frame.image) for frame in video]
    with VideoReader(clip, start_s=1.7) as video:
        later = [(frame.t, frame.image) for frame in video]
    assert len(later) == len(whole) - 51 and later[0][0] == pytest.approx(1.7)
    for (t, image), (t_whole, image_whole) in zip(later, whole[51:]):
        assert t == t_whole and np.array_equal(image, image_whole)


def split_job(chunks: int) -> JobRecord:
    job = JobRecord.new("job", "a.mp4", "video/mp4", "uploads/job/a.mp4", expires_in_s=900)
    job = job.moved_to(JobStatus.QUEUED).moved_to(JobStatus.PROCESSING, work_seq=1)
    return job.model_copy(update={"chunk_plan": chunk_plan_of([60.0 * i for i in range(chunks)])})


def test_a_chunk_is_run_by_the_first_message_to_claim_it_and_its_redeliveries_only():
    claimed = claim_chunk(split_job(2), 0, seq=5, attempt=1)
    assert claimed is not None and claimed.chunk_plan.chunks[0].work_seq == 5
    assert claim_chunk(claimed, 0, seq=5, attempt=2) is not None  # the same message, redelivered
    assert claim_chunk(claimed, 0, seq=9, attempt=1) is None  # a copy of the message
    assert with_chunk_progress(claimed, 0, seq=9, fraction=0.5) is None
    assert with_chunk_progress(claimed, 0, seq=5, fraction=0.5).progress == pytest.approx(CHUNKS_SHARE * 0.25)


def test_the_mark_that_finishes_the_last_chunk_names_its_message_the_merger_once():
    job = claim_chunk(claim_chunk(split_job(2), 0, seq=5, attempt=1), 1, seq=6, attempt=1)
    first = mark_chunk_done(job, 0, seq=5)
    assert first.chunk_plan.merge_seq is None and not first.chunk_plan.all_done
    assert mark_chunk_done(first, 0, seq=5) is None  # marked by an earlier delivery
    last = mark_chunk_done(first, 1, seq=6)
    assert last.chunk_plan.all_done and last.chunk_plan.merge_seq == 6 and last.progress == pytest.approx(CHUNKS_SHARE)
    assert claim_chunk(last, 1, seq=6, attempt=2) is None  # done: nothing to run again
    cancelled = job.moved_to(JobStatus.CANCELLED)
    assert mark_chunk_done(cancelled, 0, seq=5) is None and claim_chunk(cancelled, 0, seq=5, attempt=1) is None
