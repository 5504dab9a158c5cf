"""``scripts/dev/upload_video.py``, the API doc's client (the ``dance_client`` package), run as a user runs it
against the real stack."""
from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
import time
from types import ModuleType

import pytest
import requests

from dance_client import uploads
from dance_client.errors import UploadRefused
from dance_client.progress import ProgressBar
from dance_client.report import print_result
from dance_client.resume import ResumeRecord, uploads_cache
from dance_client.video import open_video
from tests.clips import make_clip, pad_clip
from tests.conftest import API_KEYS
from tests.helpers import request_upload, wait_for_final
from tests.processes import ROOT

SCRIPT = "scripts/dev/upload_video.py"
ALICE = {"Authorization": f"Bearer {API_KEYS[0]}"}


def run_script(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The script in a child process, as from a shell in the repository root (stderr not a TTY)."""
    clean = {name: value for name, value in os.environ.items() if name not in {"DANCE_API_URL", "DANCE_API_KEY"}}
    return subprocess.run(
        [sys.executable, SCRIPT, *args], cwd=ROOT, env={**clean, **(env or {})},
        capture_output=True, text=True, timeout=240,
    )


def stdout_fields(output: str) -> dict[str, str]:
    """The script's ``name: value`` lines; a later line wins (``status`` may appear twice)."""
    return dict(line.split(": ", 1) for line in output.splitlines() if ": " in line)


def assert_one_line_failure(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    """Exit status 1 and, as the last word on stderr, one line naming the cause; no traceback."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("upload_video.py: error: "), result.stderr
    for text in expected:
        assert text in last, result.stderr


def load_script() -> ModuleType:
    """The script as a module, for its ``main``."""
    spec = importlib.util.spec_from_file_location("upload_video", ROOT / SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory):
    return make_clip(tmp_path_factory.mktemp("script") / "dance.mp4", seconds=2.0, size=(640, 360))


def test_direct_upload_with_wait_prints_the_completed_job_and_a_poses_url_that_downloads(stack, clip):
    result = run_script(str(clip), "--direct", "--wait", "--api", stack.api)
    assert result.returncode == 0, result.stderr
    fields = stdout_fields(result.stdout)
    assert fields["status"] == "completed"
    assert stack.get_job(fields["job_id"])["status"] == "completed"
    poses = requests.get(fields["poses_url"], timeout=30)
    assert poses.status_code == 200
    assert poses.json()["job_id"] == fields["job_id"] and len(poses.json()["frames"]) == 60
    assert fields["overlay_url"].startswith("http")
    assert requests.get(fields["analysis_url"], timeout=30).json()["job_id"] == fields["job_id"]
    assert fields["tempo"].endswith("no music beat")  # the clip has no audio track
    assert fields["dancers"].isdigit()

    progress = result.stderr.splitlines()
    assert any(line.startswith("upload: 100%") for line in progress), result.stderr
    assert any(line.startswith("analysis:") and "processing" in line for line in progress), result.stderr
    assert any(line.startswith("analysis: 100%") and "completed" in line for line in progress), result.stderr
    assert "\r" not in result.stderr  # not a terminal: plain lines, no redraws


def test_direct_upload_without_wait_exits_once_queued_and_the_job_completes(stack, clip):
    result = run_script(str(clip), "--direct", "--api", stack.api)
    assert result.returncode == 0, result.stderr
    fields = stdout_fields(result.stdout)
    assert fields["status"] in {"queued", "processing", "completed"}
    assert "poses_url" not in fields
    assert wait_for_final(stack.api, fields["job_id"])["status"] == "completed"


def test_without_direct_the_deprecated_legacy_upload_is_used_and_says_so(stack, clip):
    result = run_script(str(clip), "--api", stack.api)
    assert result.returncode == 0, result.stderr
    assert "deprecated" in result.stderr and "--direct" in result.stderr
    assert any(line.startswith("upload: 100%") for line in result.stderr.splitlines()), result.stderr
    job = wait_for_final(stack.api, stdout_fields(result.stdout)["job_id"])
    assert job["status"] == "completed"
    assert job["s3_key"].endswith("/dance.mp4")


@pytest.mark.parametrize(
    ("name", "mode"),
    [
        pytest.param("notes.txt", "--direct", id="text-direct"),
        pytest.param("dance.mkv", "--direct", id="matroska-direct"),
        pytest.param("notes.txt", None, id="text-legacy"),
    ],
)
def test_an_unsupported_file_type_fails_with_the_apis_error_code(stack, tmp_path, name, mode):
    path = tmp_path / name
    path.write_bytes(b"not a video we take")
    result = run_script(str(path), *([mode] if mode else []), "--api", stack.api)
    assert_one_line_failure(result, "unsupported_file_type", "HTTP 400")
    if mode == "--direct":
        assert len(result.stderr.splitlines()) == 1  # refused before any upload: nothing else said


def test_a_job_that_fails_ends_the_script_with_the_jobs_error(stack, tmp_path):
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"this is text, not a video\n" * 100)
    result = run_script(str(fake), "--direct", "--wait", "--api", stack.api)
    assert_one_line_failure(result, "failed", "invalid_video")
    job_id = stdout_fields(result.stdout)["job_id"]
    assert job_id in result.stderr.splitlines()[-1]
    assert stack.get_job(job_id)["error"]["code"] == "invalid_video"


def test_putting_to_an_expired_url_raises_the_expired_url_failure(limits_stack, clip):
    upload = request_upload(limits_stack.api, "late.mp4")
    time.sleep(upload["expires_in"] + 1)
    video = open_video(str(clip), None)
    with pytest.raises(UploadRefused, match=r"upload URL expired or refused \(403\)") as failure:
        uploads.put_file(upload["upload_url"], video)
    assert "AccessDenied" in str(failure.value)


def test_an_upload_that_starts_after_its_url_expired_ends_main_with_one_line(limits_stack, tmp_path, monkeypatch, capsys):
    small = tmp_path / "late.mp4"
    small.write_bytes(b"\x00" * 1000)  # under this gateway's 200 kB cap
    script = load_script()
    put_file = uploads.put_file

    def put_file_late(upload_url, video):
        time.sleep(limits_stack.settings.upload_expiry_s + 1)  # a slow start: the URL is stale by then
        put_file(upload_url, video)

    monkeypatch.setattr(uploads, "put_file", put_file_late)
    assert script.main([str(small), "--direct", "--api", limits_stack.api]) == 1
    captured = capsys.readouterr()
    last = captured.err.splitlines()[-1]
    assert last.startswith("upload_video.py: error: upload URL expired or refused (403)"), captured.err
    assert "status" not in stdout_fields(captured.out)  # never confirmed


def test_a_missing_file_is_reported_in_one_line(stack, tmp_path):
    result = run_script(str(tmp_path / "nowhere.mp4"), "--direct", "--api", stack.api)
    assert_one_line_failure(result, "no such file", "nowhere.mp4")
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""


def test_an_unreachable_api_is_reported_in_one_line(clip):
    result = run_script(str(clip), "--direct", "--api", "http://127.0.0.1:1")
    assert_one_line_failure(result, "cannot reach the API at http://127.0.0.1:1")
    assert len(result.stderr.splitlines()) == 1


def test_without_an_api_key_a_secured_api_refuses_as_unauthorized(secured_gateway, clip):
    result = run_script(str(clip), "--direct", "--api", secured_gateway.api)
    assert_one_line_failure(result, "unauthorized", "HTTP 401")


@pytest.mark.parametrize(
    ("args", "env"),
    [
        pytest.param(["--api-key", API_KEYS[0]], {}, id="option"),
        pytest.param([], {"DANCE_API_KEY": API_KEYS[0]}, id="environment"),
    ],
)
def test_with_an_api_key_a_secured_api_takes_the_upload(secured_gateway, clip, args, env):
    result = run_script(str(clip), "--direct", *args, env={"DANCE_API_URL": secured_gateway.api, **env})
    assert result.returncode == 0, result.stderr
    job_id = stdout_fields(result.stdout)["job_id"]
    job = requests.get(f"{secured_gateway.api}/api/v1/analyze/{job_id}", headers=ALICE, timeout=10).json()
    assert job["status"] in {"queued", "processing", "completed"}


def test_on_a_terminal_the_progress_bar_is_redrawn_in_place():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    bar = ProgressBar("upload", terminal)
    for done in range(11):
        bar.show(done / 10, f"{done} / 10")
    bar.close()
    drawn = terminal.getvalue()
    assert drawn.count("\r") == 11 and drawn.endswith("\n") and drawn.count("\n") == 1
    assert "100%" in drawn.split("\r")[-1]


def test_off_a_terminal_the_progress_is_a_few_plain_lines():
    stream = io.StringIO()
    bar = ProgressBar("upload", stream)
    for done in range(101):
        bar.show(done / 100)
    bar.close()
    assert [line.split()[1] for line in stream.getvalue().splitlines()] == ["0%", "25%", "50%", "75%", "100%"]


def test_the_summary_says_the_tempi_whether_the_dancers_follow_the_beat_and_whether_they_are_early_or_late(capsys):
    on_beat = {"locked": True, "locking": 0.9629, "chance": 0.0817, "score_above_chance": 0.96, "mean_asynchrony_ms": -42.4}
    summary = {"motion_bpm": 119.99, "music_bpm": 120.2, "on_beat": on_beat,
               "beat_alignment": {"score": 0.8123, "mean_offset_ms": -40.1}, "dancers": 2, "synchrony": {"R": 0.91}}
    print_result({"status": "completed", "result": {"summary": summary}, "warnings": []})
    fields = stdout_fields(capsys.readouterr().out)
    assert fields["tempo"] == "120.0 BPM (movement), 120.2 BPM (music)"
    assert fields["on_beat"] == "follows the beat (locking 0.96, chance 0.08), hits 42 ms early on average"
    assert fields["beat_align_score"] == "0.81 of 1 (nearest music beat, sigma 50 ms, 40 ms early on average)"
    assert fields["dancers"] == "2" and fields["synchrony"] == "R = 0.91 (1: all in phase)"


def test_movement_that_does_not_follow_the_beat_is_said_so_without_an_average_offset(capsys):
    # Movement near the music's tempo whose locking to its beat is not significant (z 1.4): an offset from a
    # beat the dancer is not measured to keep would mean nothing.
    on_beat = {"locked": False, "locking": 0.2153, "chance": 0.1832, "score_above_chance": 0.0393, "mean_asynchrony_ms": 57.7}
    summary = {"motion_bpm": 98.39, "music_bpm": 99.32, "on_beat": on_beat, "beat_alignment": None, "dancers": 1,
               "synchrony": None}
    print_result({"status": "completed", "result": {"summary": summary}, "warnings": []})
    fields = stdout_fields(capsys.readouterr().out)
    assert fields["on_beat"] == "not measurably (locking 0.22, chance 0.18)"
    assert "beat_align_score" not in fields and "synchrony" not in fields


def test_a_faint_beat_is_said_to_be_one_and_not_following_it_is_not_called_off_the_beat(capsys):
    # The real ballerina's figures: classical music whose pulse the tracker hardly hears.
    on_beat = {"locked": False, "locking": 0.057, "chance": 0.0792, "score_above_chance": -0.024, "mean_asynchrony_ms": -90.9}
    summary = {"motion_bpm": 104.82, "music_bpm": 119.46, "on_beat": on_beat, "clear_beat": False,
               "beat_alignment": None, "dancers": 1, "synchrony": None}
    print_result({"status": "completed", "result": {"summary": summary}, "warnings": []})
    fields = stdout_fields(capsys.readouterr().out)
    assert fields["tempo"] == "104.8 BPM (movement), 119.5 BPM (music, a faint beat)"
    assert fields["on_beat"] == "can't tell: the music's beat is faint (locking 0.06, chance 0.08)"


def test_a_beat_the_dancers_chose_over_the_trackers_is_said_to_be_theirs(capsys):
    # The real fitness class played 25 % faster: the tracker hears its song's other level, 3:2 to the class's.
    on_beat = {"locked": True, "locking": 0.33, "chance": 0.18, "score_above_chance": 0.18, "mean_asynchrony_ms": 102.0}
    summary = {"motion_bpm": 93.36, "music_bpm": 186.72, "tracker_bpm": 125.44, "on_beat": on_beat, "clear_beat": True,
               "beat_alignment": None, "dancers": 8, "synchrony": None}
    print_result({"status": "completed", "result": {"summary": summary}, "warnings": []})
    fields = stdout_fields(capsys.readouterr().out)
    assert fields["tempo"] == "93.4 BPM (movement), 186.7 BPM (music, the beat the dancers follow; the beat tracker heard 125.4)"
    summary.update(music_bpm=125.44)
    print_result({"status": "completed", "result": {"summary": summary}, "warnings": []})
    assert stdout_fields(capsys.readouterr().out)["tempo"] == "93.4 BPM (movement), 125.4 BPM (music)"


def test_compare_to_uploads_waits_compares_and_prints_score_offset_and_worst_segments(stack, clip):
    reference = request_upload(stack.api, "reference.mp4")
    assert requests.put(reference["upload_url"], data=clip.read_bytes(), timeout=60).status_code == 200
    assert wait_for_final(stack.api, reference["job_id"])["status"] == "completed"

    result = run_script(str(clip), "--direct", "--compare-to", reference["job_id"], "--api", stack.api)
    assert result.returncode == 0, result.stderr
    fields = stdout_fields(result.stdout)
    assert fields["status"] == "completed"  # --compare-to waits for the job first
    assert fields["compare_score"] == "100.0 of 100"  # the same video
    assert fields["compare_offset"] == "starts at the same time as the reference"
    assert fields["compare_tempo"] == "1.00x the reference's duration"
    assert "compare_worst" in fields and fields["comparison_url"].startswith("http")


def test_compare_to_an_unknown_job_fails_in_one_line(stack, clip):
    result = run_script(str(clip), "--direct", "--compare-to", "no-such-job", "--api", stack.api)
    assert_one_line_failure(result, "job_not_found")


@pytest.fixture(scope="module")
def big_clip(tmp_path_factory):
    """A 2-second clip padded to 40 MiB: three 16 MiB parts."""
    return pad_clip(make_clip(tmp_path_factory.mktemp("big") / "big.mp4", seconds=2.0, size=(640, 360)), 40 * 1024**2)


def test_a_file_over_the_threshold_goes_up_in_parallel_parts_and_is_analysed(stack, big_clip, tmp_path):
    result = run_script(str(big_clip), "--direct", "--wait", "--multipart-threshold", "1", "--parallel", "3",
                        "--api", stack.api, env={"XDG_CACHE_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    fields = stdout_fields(result.stdout)
    assert fields["status"] == "completed"
    assert stack.get_job(fields["job_id"])["result"]["frames"] == 60
    assert any(line.startswith("upload: 100%") for line in result.stderr.splitlines()), result.stderr
    assert not list(tmp_path.rglob("*.json")), "the resume record outlived the upload"


def start_parts(api: str, clip, parts: list[int]) -> str:
    """A multipart upload begun elsewhere (then interrupted) with only ``parts`` sent."""
    grant = requests.post(f"{api}/api/v1/analyze/multipart",
                          json={"filename": clip.name, "size": clip.stat().st_size}, timeout=10).json()
    urls = requests.post(f"{api}/api/v1/analyze/multipart/{grant['job_id']}/parts",
                         json={"part_numbers": parts}, timeout=10).json()["urls"]
    data = clip.read_bytes()
    for number, url in urls.items():
        start = (int(number) - 1) * grant["part_size"]
        assert requests.put(url, data=data[start : start + grant["part_size"]], timeout=60).status_code == 200
    return grant["job_id"]


def test_resume_with_the_job_id_sends_only_the_missing_parts(stack, big_clip, tmp_path):
    job_id = start_parts(stack.api, big_clip, [2])
    result = run_script(str(big_clip), "--resume", job_id, "--wait", "--api", stack.api,
                        env={"XDG_CACHE_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert f"resuming job {job_id}: 1 of 3 parts stored" in result.stderr
    assert stdout_fields(result.stdout)["job_id"] == job_id
    assert stack.get_job(job_id)["status"] == "completed"


def test_running_again_on_the_same_file_finds_its_resume_record(stack, big_clip, tmp_path):
    job_id = start_parts(stack.api, big_clip, [1, 3])
    # the record the script wrote before it was interrupted
    records = uploads_cache({"XDG_CACHE_HOME": str(tmp_path)})
    ResumeRecord(open_video(str(big_clip), None), stack.api, records).save(job_id)
    result = run_script(str(big_clip), "--direct", "--wait", "--multipart-threshold", "1", "--api", stack.api,
                        env={"XDG_CACHE_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert f"resuming job {job_id}: 2 of 3 parts stored" in result.stderr
    assert stack.get_job(job_id)["status"] == "completed"


def test_a_resume_record_of_an_upload_that_is_over_is_dropped_and_the_upload_starts_anew(stack, big_clip, tmp_path):
    job_id = start_parts(stack.api, big_clip, [1])
    requests.delete(f"{stack.api}/api/v1/analyze/multipart/{job_id}", timeout=10)  # aborted meanwhile
    records = uploads_cache({"XDG_CACHE_HOME": str(tmp_path)})
    ResumeRecord(open_video(str(big_clip), None), stack.api, records).save(job_id)
    result = run_script(str(big_clip), "--direct", "--multipart-threshold", "1", "--api", stack.api,
                        env={"XDG_CACHE_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert stdout_fields(result.stdout)["job_id"] != job_id
