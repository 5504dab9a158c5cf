"""``VideoReader`` against real files of every kind an upload can be: containers, phone rotation,
variable frame rate, broken, cut-off and non-video files, and videos over the length limit."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

from infra.errors import InvalidVideo, VideoTooLong
from pose_worker.chunk_plan import reaches_stated_end
from pose_worker.stream_probe import no_video_message, stream_kinds
from pose_worker.video import VideoProperties, VideoReader, cut_off_warning
from tests.clips import REAL_DIR, make_clip, real_clip
from tests.video_fixtures import (
    H264,
    MJPEG,
    MPEG4_PART2,
    cut_after_moov,
    cut_at,
    encode_audio_only,
    encode_clip,
    encode_vfr_clip,
    tag_rotation,
    truncate,
    zero_avi_frame_counts,
)


def read_all(path: Path, **options) -> tuple[VideoReader, list]:
    with VideoReader(path, **options) as video:
        return video, list(video)


@pytest.mark.parametrize(
    ("name", "codec", "fps"),
    [
        pytest.param("clip.mp4", H264, 15, id="h264-mp4"),
        pytest.param("clip.mov", H264, 15, id="h264-mov"),
        pytest.param("clip.avi", MJPEG, 15, id="mjpeg-avi"),
        pytest.param("clip.mp4", MPEG4_PART2, 25, id="mpeg4-part2-mp4"),
        pytest.param("clip.mp4", H264, Fraction(30000, 1001), id="h264-mp4-at-29.97-fps"),
    ],
)
def test_common_containers_decode_every_frame_at_the_size_and_rate_written(tmp_path, name, codec, fps):
    path = encode_clip(tmp_path / name, frames=30, fps=fps, size=(320, 240), codec=codec)

    video, frames = read_all(path)

    assert (video.info.width, video.info.height) == (320, 240)
    assert video.info.fps == pytest.approx(float(fps), rel=1e-4)
    assert video.info.frame_count_hint == 30
    assert video.info.duration_s == pytest.approx(30 / float(fps), rel=1e-4)
    assert video.info.rotation == 0
    assert [frame.index for frame in frames] == list(range(30))
    assert all(frame.image.shape == (240, 320, 3) for frame in frames)
    assert [frame.t for frame in frames] == pytest.approx([i / float(fps) for i in range(30)], abs=1e-3)
    assert cut_off_warning(video.info, frames[-1].t) is None


def test_opencv_written_mp4v_clip_decodes(tmp_path):
    path = make_clip(tmp_path / "opencv.mp4", seconds=1.0, fps=30.0, size=(640, 360), fourcc="mp4v")

    video, frames = read_all(path)

    assert (video.info.width, video.info.height, video.info.fps) == (640, 360, 30.0)
    assert len(frames) == video.info.frame_count_hint == 30


@pytest.mark.parametrize(
    ("name", "rotate", "turn_back"),
    [
        pytest.param("phone.mp4", 90, cv2.ROTATE_90_CLOCKWISE, id="mp4-rotate-90-portrait"),
        pytest.param("phone.mov", 90, cv2.ROTATE_90_CLOCKWISE, id="mov-rotate-90-portrait"),
        pytest.param("phone.mp4", 270, cv2.ROTATE_90_COUNTERCLOCKWISE, id="mp4-rotate-270-portrait"),
        pytest.param("phone.mp4", 180, cv2.ROTATE_180, id="mp4-rotate-180-upside-down"),
    ],
)
def test_phone_video_with_rotation_tag_comes_out_upright(tmp_path, name, rotate, turn_back):
    stored = encode_clip(tmp_path / f"stored{Path(name).suffix}", frames=10, fps=30, size=(1280, 720))
    path = tag_rotation(stored, tmp_path / name, rotate)
    _, stored_frames = read_all(stored)

    video, frames = read_all(path)

    upright = (720, 1280) if rotate in (90, 270) else (1280, 720)
    assert (video.info.width, video.info.height) == upright
    assert video.info.rotation == rotate
    assert len(frames) == 10
    assert all((frame.image.shape[1], frame.image.shape[0]) == upright for frame in frames)
    # The same pixels as the untagged stream, turned the way the tag says (not mirrored, not the other way).
    assert np.array_equal(frames[3].image, cv2.rotate(stored_frames[3].image, turn_back))


@pytest.mark.parametrize(
    ("name", "segments"),
    [
        pytest.param("vfr.mp4", [(15, 15), (30, 30)], id="mp4-15-then-30-fps"),
        pytest.param("vfr.mov", [(30, 10), (10, 5), (24, 12)], id="mov-30-then-10-then-24-fps"),
    ],
)
def test_frame_times_are_the_containers_presentation_times(tmp_path, name, segments):
    expected = encode_vfr_clip(tmp_path / name, segments)

    video, frames = read_all(tmp_path / name)

    assert len(frames) == len(expected)
    assert [frame.t for frame in frames] == pytest.approx(expected, abs=1e-3)
    # Index / average fps would be wrong somewhere by more than a frame: the clip really is variable.
    assert max(abs(frame.t - frame.index / video.info.fps) for frame in frames) > 0.05
    # Its last frame lasts longer or shorter than the average period: still no cut-off to tell of.
    assert cut_off_warning(video.info, frames[-1].t) is None


def _make_text(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("Warm-up: 8 counts of pliés, then the chorus.\n" * 50)
    return path


def _make_jpeg_named_mp4(tmp_path: Path) -> Path:
    path = tmp_path / "photo.mp4"
    ok, encoded = cv2.imencode(".jpg", np.full((480, 640, 3), 128, dtype=np.uint8))
    assert ok
    path.write_bytes(encoded.tobytes())
    return path


def _make_random(tmp_path: Path) -> Path:
    path = tmp_path / "random.mp4"
    path.write_bytes(np.random.default_rng(7).bytes(200_000))
    return path


def _make_empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    return path


def _make_truncated_mp4(tmp_path: Path) -> Path:
    # ffmpeg writes the moov index last by default, so the first 30% has frame data and no index.
    whole = encode_clip(tmp_path / "whole.mp4", frames=90, fps=30)
    return truncate(whole, tmp_path / "truncated.mp4", 0.3)


def _make_faststart_header_only(tmp_path: Path) -> Path:
    whole = encode_clip(tmp_path / "whole.mp4", frames=90, fps=30, output_args=("-movflags", "+faststart"))
    return cut_after_moov(whole, tmp_path / "header-only.mp4")


def _make_audio_only_mp4(tmp_path: Path) -> Path:
    return encode_audio_only(tmp_path / "song.mp4")


def _make_song_with_its_cover_picture(tmp_path: Path) -> Path:
    # OpenCV alone opens the picture as a one-frame video.
    return encode_audio_only(tmp_path / "song-with-cover.mp4", cover_picture=True)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(_make_empty, "empty", id="zero-length-file"),
        pytest.param(_make_text, "not a video", id="text-file"),
        pytest.param(_make_jpeg_named_mp4, "not a video", id="jpeg-named-mp4"),
        pytest.param(_make_random, "not a video", id="random-bytes"),
        pytest.param(_make_truncated_mp4, "could not be opened", id="truncated-mp4-without-its-index"),
        pytest.param(_make_faststart_header_only, "no decodable frame", id="faststart-mp4-cut-after-its-index"),
        pytest.param(_make_audio_only_mp4, r"^the file has no video stream \(only audio\)$", id="audio-only-mp4"),
        pytest.param(
            _make_song_with_its_cover_picture, r"no video stream \(only audio and a still picture\)",
            id="audio-mp4-with-a-cover-picture",
        ),
    ],
)
def test_file_that_is_not_a_decodable_video_is_rejected_as_invalid(tmp_path, make, message):
    path = make(tmp_path)

    with pytest.raises(InvalidVideo, match=message) as caught:
        VideoReader(path)

    assert caught.value.code == "invalid_video"


@pytest.mark.parametrize(
    ("kinds", "message"),
    [
        pytest.param(["video", "audio", "data"], None, id="a-phone-video-with-sound-and-metadata"),
        pytest.param(None, None, id="streams-unknown-left-to-opencv"),
        pytest.param(["audio"], "the file has no video stream (only audio)", id="audio"),
        pytest.param(["audio", "subtitle"], "the file has no video stream (only audio and subtitle streams)", id="audio-and-lyrics"),
        pytest.param(["picture"], "the file has no video stream (only a still picture)", id="a-picture"),
    ],
)
def test_the_message_for_a_file_without_a_video_stream_says_what_it_holds(kinds, message):
    assert no_video_message(kinds) == message


def test_the_streams_of_a_song_with_its_cover_are_told_from_a_video(tmp_path):
    assert stream_kinds(encode_audio_only(tmp_path / "song.mp4", cover_picture=True)) == ["audio", "picture"]
    assert stream_kinds(encode_clip(tmp_path / "clip.mp4", frames=3, fps=30)) == ["video"]
    assert stream_kinds(_make_random(tmp_path)) is None


@pytest.mark.parametrize(
    ("name", "codec", "output_args"),
    [
        pytest.param("clip.mp4", H264, ("-movflags", "+faststart"), id="faststart-mp4"),
        pytest.param("clip.avi", MJPEG, (), id="mjpeg-avi"),
    ],
)
def test_truncated_file_with_its_index_up_front_decodes_the_frames_that_arrived(tmp_path, name, codec, output_args):
    whole = encode_clip(tmp_path / name, frames=90, fps=30, codec=codec, output_args=output_args)
    path = truncate(whole, tmp_path / f"truncated-{name}", 0.3)

    video, frames = read_all(path)

    assert video.info.frame_count_hint == 90  # the index still describes the whole video
    assert 0 < len(frames) < 90
    assert [frame.index for frame in frames] == list(range(len(frames)))
    assert [frame.t for frame in frames] == pytest.approx([i / 30 for i in range(len(frames))], abs=1e-3)
    ends = f"{(len(frames)) / 30:.1f}"
    assert cut_off_warning(video.info, frames[-1].t) == (
        f"the video file ends at {ends} s of the 3.0 s its container announces (a cut-off upload?); "
        "poses and analysis cover only that part"
    )
    assert not reaches_stated_end(path, video.info)  # so a long one would run whole, not in chunks past its end


@pytest.mark.parametrize(
    ("frames_short", "warns"),
    [
        pytest.param(0, False, id="last-frame-where-the-container-says"),
        pytest.param(4, False, id="four-frames-short-a-stated-count-slightly-off"),
        pytest.param(7, True, id="seven-frames-short"),
        pytest.param(240, True, id="cut-at-2-s"),
    ],
)
def test_a_video_is_told_cut_off_only_when_its_frames_end_over_five_frames_before_the_stated_length(frames_short, warns):
    info = VideoProperties(width=360, height=640, fps=30.0, frame_count_hint=300, duration_s=10.0)
    last_frame_t = (299 - frames_short) / 30

    warning = cut_off_warning(info, last_frame_t)

    assert (warning is not None) == warns
    no_length = VideoProperties(width=360, height=640, fps=30.0, frame_count_hint=0, duration_s=None)
    assert cut_off_warning(no_length, last_frame_t) is None


def test_a_long_video_stated_slightly_long_is_not_told_cut_off_within_one_percent():
    info = VideoProperties(width=640, height=360, fps=30.0, frame_count_hint=18000, duration_s=600.0)

    assert cut_off_warning(info, 600.0 - 5.9) is None
    assert cut_off_warning(info, 600.0 - 6.2) is not None


def test_the_real_duo_clip_cut_at_600_kb_decodes_its_first_6_s_and_is_told_cut_off(tmp_path):
    path = cut_at(real_clip("group3_women_nuoyan_27s.mp4"), tmp_path / "cut.mp4", 600_000)

    video, frames = read_all(path)

    assert video.info.duration_s == pytest.approx(27.5)
    assert 6.0 < frames[-1].t < 6.5
    assert cut_off_warning(video.info, frames[-1].t) == (
        "the video file ends at 6.3 s of the 27.5 s its container announces (a cut-off upload?); "
        "poses and analysis cover only that part"
    )


@pytest.mark.parametrize("name", sorted(path.name for path in REAL_DIR.glob("*.mp4")) or ["(no real clips)"])
def test_no_real_video_is_told_cut_off_nor_refused(name):
    path = real_clip(name)

    video, frames = read_all(path)

    assert len(frames) == video.info.frame_count_hint
    assert cut_off_warning(video.info, frames[-1].t) is None


@pytest.mark.parametrize(
    ("name", "codec"),
    [pytest.param("long.mp4", H264, id="mp4"), pytest.param("long.avi", MJPEG, id="avi")],
)
def test_video_longer_than_the_limit_is_rejected_before_decoding(tmp_path, name, codec):
    path = encode_clip(tmp_path / name, frames=60, fps=30, codec=codec)

    with pytest.raises(VideoTooLong, match=r"is 2\.0 s long, over the 1 s limit") as caught:
        VideoReader(path, max_duration_s=1)

    assert caught.value.code == "video_too_long"


@pytest.mark.parametrize("limit", [pytest.param(2.0, id="exactly-the-limit"), pytest.param(2.5, id="under-the-limit")])
def test_video_within_the_limit_decodes_every_frame(tmp_path, limit):
    path = encode_clip(tmp_path / "clip.mp4", frames=60, fps=30)

    video, frames = read_all(path, max_duration_s=limit)

    assert video.info.duration_s == pytest.approx(2.0)
    assert len(frames) == 60


def test_video_whose_container_states_no_length_is_stopped_once_it_runs_past_the_limit(tmp_path):
    whole = encode_clip(tmp_path / "whole.avi", frames=60, fps=30, codec=MJPEG)
    path = zero_avi_frame_counts(whole, tmp_path / "unfinalised.avi")
    decoded = []

    with VideoReader(path, max_duration_s=1) as video:
        assert video.info.duration_s is None
        with pytest.raises(VideoTooLong, match=r"runs past 1\.0 s, over the 1 s limit"):
            for frame in video:
                decoded.append(frame)

    assert len(decoded) == 30
    assert decoded[-1].t < 1.0


def test_reader_without_a_limit_decodes_a_long_video(tmp_path):
    path = encode_clip(tmp_path / "clip.avi", frames=60, fps=30, codec=MJPEG)

    _, frames = read_all(zero_avi_frame_counts(path, tmp_path / "unfinalised.avi"))

    assert len(frames) == 60
