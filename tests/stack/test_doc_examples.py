"""The API doc's examples, read from the doc at test time and run as written against the real stack."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import requests

from tests.clips import make_clip
from tests.helpers import wait_for_final

API_DOC = Path(__file__).resolve().parents[3] / "shared" / "docs" / "direct-upload-api.md"
#: The API base the doc's examples are written for; only the bash example names it literally.
DOC_API_BASE = "http://localhost:8000"
ADMITTED = {"queued", "processing", "completed"}


def doc_code_block(heading: str, language: str) -> str:
    """The first fenced ``language`` block after ``heading`` in the API doc, exactly as written."""
    text = API_DOC.read_text(encoding="utf-8")
    start = text.index(heading)
    block = re.compile(rf"^```{language}\n(.*?)^```", re.S | re.M).search(text, start)
    assert block is not None, f"no ```{language} block after {heading!r} in {API_DOC}"
    return block.group(1)


def run_doc_python(heading: str, api: str, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """Execute the doc's Python block in ``workdir`` with ``API_BASE`` and ``requests``; its globals after."""
    code = doc_code_block(heading, "python")
    namespace = {"API_BASE": api, "requests": requests}
    monkeypatch.chdir(workdir)
    exec(compile(code, f"{API_DOC}:{heading}", "exec"), namespace)
    return namespace


def test_the_docs_direct_upload_example_runs_as_written_and_the_job_completes(stack, tmp_path, monkeypatch):
    make_clip(tmp_path / "video.mp4", seconds=1.0, size=(640, 360))
    names = run_doc_python("**After (Direct Upload):**", stack.api, tmp_path, monkeypatch)
    response = names["response"]
    assert response.status_code == 200, response.text
    confirmed = response.json()
    assert confirmed["job_id"] == names["data"]["job_id"]
    assert confirmed["status"] in ADMITTED
    assert wait_for_final(stack.api, confirmed["job_id"])["status"] == "completed"


def test_the_docs_legacy_example_runs_as_written_and_the_job_completes(stack, tmp_path, monkeypatch):
    make_clip(tmp_path / "video.mp4", seconds=1.0, size=(640, 360))
    response = run_doc_python("**Before (Legacy):**", stack.api, tmp_path, monkeypatch)["response"]
    assert response.status_code == 200, response.text
    job = response.json()
    assert job["status"] in ADMITTED
    assert wait_for_final(stack.api, job["job_id"])["status"] == "completed"


def test_the_docs_curl_example_runs_as_written_and_the_job_completes(stack, tmp_path):
    make_clip(tmp_path / "dance.mp4", seconds=1.0, size=(640, 360))
    example = doc_code_block("### cURL Example", "bash")
    assert DOC_API_BASE in example
    # Only the host changes; one line is appended to learn the job id the example made.
    script = example.replace(DOC_API_BASE, stack.api) + '\nprintf "\\nJOB_ID=%s\\n" "$JOB_ID"\n'
    (tmp_path / "example.sh").write_text(script, encoding="utf-8")
    result = subprocess.run(["bash", "example.sh"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr

    lines = result.stdout.strip().splitlines()
    job_id = lines[-1].removeprefix("JOB_ID=")
    confirmed = json.loads(lines[-2])  # the confirm call's answer (the PUT prints nothing)
    assert confirmed["job_id"] == job_id and confirmed["status"] in ADMITTED
    assert wait_for_final(stack.api, job_id)["status"] == "completed"
