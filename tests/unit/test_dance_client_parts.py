"""The client's pure parts: resume records, event streams, retries, error lines and part sizes."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from dance_client.api import GET_MULTIPART
from dance_client.errors import JobFailed, TryAgain
from dance_client.events import check_comparison, check_final, server_sent_events
from dance_client.multipart import part_length
from dance_client.resume import ResumeRecord, uploads_cache
from dance_client.transport import Answer, Backoff, api_error, retrying
from dance_client.uploads import multipart_frame, storage_reason
from dance_client.video import Video, guess_content_type, open_video

API = "http://localhost:8000"


@pytest.fixture
def video(tmp_path: Path) -> Video:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00" * 1000)
    return open_video(str(path), None)


def test_a_saved_resume_record_gives_the_job_back_until_it_is_forgotten(video, tmp_path):
    records = uploads_cache({"XDG_CACHE_HOME": str(tmp_path / "cache")})
    ResumeRecord(video, API, records).save("job-1")
    assert ResumeRecord(video, API, records).job_id() == "job-1"
    assert [path.parent for path in records.iterdir()] == [records]
    ResumeRecord(video, API, records).forget()
    assert ResumeRecord(video, API, records).job_id() is None


def test_a_resume_record_belongs_to_one_api_and_one_version_of_the_file(video, tmp_path):
    records = tmp_path / "records"
    ResumeRecord(video, API, records).save("job-1")
    assert ResumeRecord(video, "http://elsewhere:8000", records).job_id() is None
    stat = video.path.stat()
    os.utime(video.path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # the file changed since
    assert ResumeRecord(video, API, records).job_id() is None


@pytest.mark.parametrize("text", [pytest.param("{not json", id="not-json"), pytest.param("[1]", id="a-list"),
                                  pytest.param("{}", id="no-job-id")])
def test_an_unreadable_resume_record_is_no_record(video, tmp_path, text):
    record = ResumeRecord(video, API, tmp_path)
    record.path.write_text(text)
    assert record.job_id() is None


def test_resume_records_default_to_the_home_cache_without_xdg_cache_home(tmp_path):
    assert uploads_cache({}, home=tmp_path) == tmp_path / ".cache" / "dance-analysis" / "uploads"
    assert uploads_cache({"XDG_CACHE_HOME": "/c"}) == Path("/c/dance-analysis/uploads")


def test_server_sent_events_skip_heartbeats_and_join_data_lines():
    stream = [b"retry: 2000\n", b"\n", b"event: job\r\n", b'data: {"a":\n', b"data: 1}\n", b"\n",
              b": keep-alive\n", b"\n", b"data:plain\n", b"\n"]
    assert list(server_sent_events(stream)) == [("job", '{"a":\n1}'), ("message", "plain")]


def test_a_path_parameter_is_percent_encoded():
    assert GET_MULTIPART.target(job_id="a b") == "/api/v1/analyze/multipart/a%20b"


@pytest.mark.parametrize(
    ("number", "size", "expected"),
    [
        pytest.param(1, 40, 16, id="first"),
        pytest.param(3, 40, 8, id="last-shorter"),
        pytest.param(3, 48, 16, id="last-exact"),
    ],
)
def test_every_part_has_the_part_size_but_the_last_which_has_the_rest(number, size, expected):
    assert part_length(number, part_size=16, part_count=3, size=size) == expected


def test_retrying_waits_longer_each_time_and_returns_the_first_success():
    pauses: list[float] = []

    def attempt(number: int) -> str:
        if number < 3:
            raise TryAgain(f"try {number}")
        return f"done at {number}"

    assert retrying(attempt, Backoff(tries=5, first_pause_s=1.0), sleep=pauses.append) == "done at 3"
    assert pauses == [1.0, 2.0]


def test_retrying_gives_up_after_its_tries_with_the_last_failure():
    pauses: list[float] = []

    def attempt(number: int) -> str:
        raise TryAgain(f"try {number}")

    with pytest.raises(TryAgain, match="try 4"):
        retrying(attempt, Backoff(tries=4, first_pause_s=0.5), sleep=pauses.append)
    assert pauses == [0.5, 1.0, 2.0]


def test_an_api_error_keeps_the_apis_code_and_message():
    error = api_error(Answer(400, "Bad Request", b'{"error": {"code": "unsupported_file_type", "message": "use MP4"}}'))
    assert (error.status, error.code, error.message) == (400, "unsupported_file_type", "use MP4")
    assert str(error) == "unsupported_file_type: use MP4 (HTTP 400)"


def test_an_error_without_the_apis_body_says_the_bare_status():
    error = api_error(Answer(502, "Bad Gateway", b"<html>proxy</html>"))
    assert (error.code, str(error)) == (None, "the API answered HTTP 502 Bad Gateway")


def test_the_storages_xml_error_is_read_for_its_code_and_message():
    body = b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
    assert storage_reason(body) == "AccessDenied: Request has expired"
    assert storage_reason(b"") == "no details given"


def test_a_failed_job_or_comparison_is_raised_with_its_error_and_a_completed_one_is_not():
    check_final({"job_id": "j", "status": "completed"})
    with pytest.raises(JobFailed, match="job j failed: invalid_video: not a video"):
        check_final({"job_id": "j", "status": "failed", "error": {"code": "invalid_video", "message": "not a video"}})
    with pytest.raises(JobFailed, match="comparison c failed: no_poses: none seen"):
        check_comparison(
            {"comparison_id": "c", "status": "failed", "error": {"code": "no_poses", "message": "none seen"}}
        )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("a.MOV", "video/quicktime", id="upper-case"),
        pytest.param("a.avi", "video/x-msvideo", id="avi"),
        pytest.param("a.m4v", "video/mp4", id="m4v"),
    ],
)
def test_the_content_type_is_the_one_the_api_takes_for_the_extension(name, expected):
    assert guess_content_type(Path(name)) == expected


def test_a_legacy_form_escapes_quotes_and_line_breaks_in_the_filename(tmp_path):
    video = Video(tmp_path / 'a"b\nc.mp4', 3, "video/mp4")
    head, tail = multipart_frame(video, "B")
    assert b'filename="a%22b%0Ac.mp4"' in head and head.startswith(b"--B\r\n") and tail == b"\r\n--B--\r\n"
