"""The ``dance`` command's arguments, and ``scripts/dev/upload_video.py`` as its upload with the old defaults."""
from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from dance_client.api import DEFAULT_API
from dance_client.cli import main, parse_args, parse_script_args, upload_script_main
from tests.processes import ROOT

SCRIPT = "scripts/dev/upload_video.py"


def options_in_help(parse, capsys: pytest.CaptureFixture[str]) -> set[str]:
    """The long options the ``--help`` that ``parse()`` prints lists."""
    with pytest.raises(SystemExit):
        parse()
    return set(re.findall(r"--[a-z][a-z-]+", capsys.readouterr().out))


def test_dance_upload_goes_straight_to_storage_and_does_not_wait_by_default():
    args = parse_args(["upload", "clip.mp4"], {})
    assert (args.video, args.direct, args.wait, args.compare_to) == ("clip.mp4", True, False, None)
    assert (args.api, args.api_key, args.multipart_threshold, args.parallel) == (DEFAULT_API, None, 64, 4)


def test_the_script_keeps_the_legacy_upload_unless_direct_is_given():
    assert parse_script_args(["clip.mp4"], {}, "upload_video.py").direct is False
    assert parse_script_args(["clip.mp4", "--direct"], {}, "upload_video.py").direct is True


@pytest.mark.parametrize(
    ("argv", "direct", "wait"),
    [
        pytest.param(["clip.mp4", "--resume", "J"], True, False, id="resume-implies-direct"),
        pytest.param(["clip.mp4", "--compare-to", "R"], False, True, id="compare-to-implies-wait"),
        pytest.param(["clip.mp4", "--direct", "--wait"], True, True, id="both-given"),
    ],
)
def test_what_the_scripts_options_imply(argv, direct, wait):
    args = parse_script_args(argv, {}, "upload_video.py")
    assert (args.direct, args.wait) == (direct, wait)


def test_legacy_makes_dance_upload_go_through_the_api():
    assert parse_args(["upload", "clip.mp4", "--legacy"], {}).direct is False


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["upload", "a.mp4", "--legacy", "--direct"], "not allowed with argument", id="legacy-and-direct"),
        pytest.param(["upload", "a.mp4", "--legacy", "--resume", "J"], "--legacy does not make", id="legacy-and-resume"),
        pytest.param([], "required: COMMAND", id="no-command"),
        pytest.param(["wait"], "required: JOB_ID", id="wait-without-job"),
        pytest.param(["compare", "R"], "required: JOB_ID", id="compare-without-attempt"),
    ],
)
def test_contradictory_or_missing_arguments_end_with_a_usage_error(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        parse_args(argv, {})
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_the_api_and_its_key_come_from_the_environment_unless_given():
    environ = {"DANCE_API_URL": "http://api.example:9000", "DANCE_API_KEY": "key-env"}
    args = parse_args(["wait", "J"], environ)
    assert (args.job_id, args.api, args.api_key) == ("J", "http://api.example:9000", "key-env")
    args = parse_args(["compare", "R", "J", "--api", "http://other:1", "--api-key", "key-option"], environ)
    assert (args.reference_job_id, args.job_id, args.api, args.api_key) == ("R", "J", "http://other:1", "key-option")


def test_resume_records_live_under_xdg_cache_home():
    args = parse_args(["upload", "clip.mp4"], {"XDG_CACHE_HOME": "/tmp/cache"})
    assert args.records == Path("/tmp/cache/dance-analysis/uploads")


def test_dance_upload_takes_every_option_of_the_script(capsys):
    script = options_in_help(lambda: parse_script_args(["--help"], {}, "upload_video.py"), capsys)
    upload = options_in_help(lambda: parse_args(["upload", "--help"], {}), capsys)
    assert script <= upload
    assert {"--direct", "--wait", "--api", "--api-key", "--content-type", "--multipart-threshold", "--parallel",
            "--resume", "--compare-to"} <= script


@pytest.mark.parametrize(
    ("run", "prog"),
    [
        pytest.param(lambda path: main(["upload", path]), "dance", id="dance"),
        pytest.param(lambda path: upload_script_main([path, "--direct"]), "upload_video.py", id="script"),
    ],
)
def test_a_missing_file_ends_the_command_with_one_line_naming_the_program(run, prog, tmp_path, capsys):
    assert run(str(tmp_path / "nowhere.mp4")) == 1
    captured = capsys.readouterr()
    assert captured.err == f"{prog}: error: no such file: {tmp_path / 'nowhere.mp4'}\n"
    assert captured.out == ""


def test_the_installed_dance_command_runs_the_clis_main():
    (dance,) = entry_points(group="console_scripts", name="dance")
    assert dance.value == "dance_client.cli:main"
    assert (Path(sys.executable).parent / "dance").is_file(), "run: .venv/bin/pip install -e '.[dev]'"


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param([SCRIPT, "--help"], id="script"),
        pytest.param(["-m", "dance_client", "upload", "--help"], id="module"),
    ],
)
def test_the_script_and_the_module_run_from_a_checkout_on_a_bare_python(argv):
    # -S: no site-packages, so neither the installed package nor any third-party one can help.
    result = subprocess.run([sys.executable, "-S", *argv], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "--multipart-threshold MIB" in result.stdout and "--compare-to JOB_ID" in result.stdout
