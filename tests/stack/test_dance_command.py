"""The installed ``dance`` command (``pip install -e .`` makes it) against the real stack, run from
outside the checkout as a user runs it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.clips import make_clip

DANCE = Path(sys.executable).parent / "dance"


def dance(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The console script in a child process (stderr not a TTY), without the API settings of this shell."""
    assert DANCE.is_file(), f"{DANCE} is missing: run .venv/bin/pip install -e '.[dev]'"
    env = {name: value for name, value in os.environ.items() if name not in {"DANCE_API_URL", "DANCE_API_KEY"}}
    return subprocess.run([str(DANCE), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=240)


def fields(output: str) -> dict[str, str]:
    """The command's ``name: value`` lines; a later line wins."""
    return dict(line.split(": ", 1) for line in output.splitlines() if ": " in line)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("dance") / "dance.mp4", seconds=2.0, size=(640, 360))


@pytest.fixture(scope="module")
def waited(stack, clip) -> subprocess.CompletedProcess[str]:
    """``dance upload clip.mp4 --wait``: no --direct needed."""
    return dance("upload", str(clip), "--wait", "--api", stack.api, cwd=clip.parent)


def test_dance_upload_with_wait_goes_straight_to_storage_and_prints_the_completed_job(stack, waited):
    assert waited.returncode == 0, waited.stderr
    result = fields(waited.stdout)
    assert result["status"] == "completed"
    assert stack.get_job(result["job_id"])["status"] == "completed"
    assert requests.get(result["poses_url"], timeout=30).json()["job_id"] == result["job_id"]
    assert "deprecated" not in waited.stderr
    progress = waited.stderr.splitlines()
    assert any(line.startswith("upload: 100%") for line in progress), waited.stderr
    assert any(line.startswith("analysis: 100%") and "completed" in line for line in progress), waited.stderr


def test_dance_wait_follows_an_upload_to_its_end_and_dance_compare_scores_it(stack, clip, waited):
    uploaded = dance("upload", str(clip), "--api", stack.api, cwd=clip.parent)
    assert uploaded.returncode == 0, uploaded.stderr
    job_id = fields(uploaded.stdout)["job_id"]
    assert fields(uploaded.stdout)["status"] in {"queued", "processing", "completed"}

    followed = dance("wait", job_id, "--api", stack.api, cwd=clip.parent)
    assert followed.returncode == 0, followed.stderr
    assert fields(followed.stdout)["status"] == "completed" and fields(followed.stdout)["poses_url"].startswith("http")

    reference = fields(waited.stdout)["job_id"]
    compared = dance("compare", reference, job_id, "--api", stack.api, cwd=clip.parent)
    assert compared.returncode == 0, compared.stderr
    result = fields(compared.stdout)
    assert result["compare_score"] == "100.0 of 100"  # the same video
    assert result["comparison_id"] and result["comparison_url"].startswith("http")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["upload", "{notes}"], "unsupported_file_type: ", id="unsupported-type"),
        pytest.param(["upload", "{notes}", "--legacy"], "unsupported_file_type: ", id="unsupported-type-legacy"),
        pytest.param(["wait", "no-such-job"], "job_not_found: ", id="unknown-job"),
        pytest.param(["compare", "no-such-job", "no-such-job"], "job_not_found: ", id="unknown-jobs"),
    ],
)
def test_a_refusal_ends_the_command_with_one_line_with_the_apis_code(stack, tmp_path, argv, expected):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a video we take")
    result = dance(*[arg.format(notes=notes) for arg in argv], "--api", stack.api, cwd=tmp_path)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"dance: error: {expected}") and "(HTTP 4" in last, result.stderr
    if "--legacy" in argv:
        assert "deprecated" in result.stderr and "leave out --legacy" in result.stderr
    else:
        assert len(result.stderr.splitlines()) == 1
