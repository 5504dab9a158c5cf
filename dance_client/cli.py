"""The ``dance`` command: ``upload`` a video, ``wait`` for a job, ``compare`` two dances.

Job ids, statuses and result URLs go to stdout as ``name: value`` lines, progress bars to stderr.
Any failure ends the command with one line on stderr and exit status 1. ``upload_script_main`` is
``scripts/dev/upload_video.py``: the upload's options without a subcommand, and without
``--direct`` the deprecated upload through the API, as that script has always had it.
"""
from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping

from dance_client.api import CREATE_COMPARISON, DEFAULT_API, LEGACY_UPLOAD
from dance_client.errors import ClientError
from dance_client.events import check_admitted, check_comparison, check_final, follow_comparison, follow_job
from dance_client.multipart import multipart_upload
from dance_client.report import Console, print_comparison, print_result
from dance_client.resume import uploads_cache
from dance_client.transport import ApiClient
from dance_client.uploads import direct_upload, legacy_upload
from dance_client.video import open_video

PROG = "dance"
#: With --direct, files above this many MiB go up in parts: a phone clip still takes one PUT,
#: while a long recording can resume after a dropped connection.
DEFAULT_MULTIPART_THRESHOLD_MIB = 64
#: Parts PUT at once: enough to fill a connection, few enough for a steady progress bar.
DEFAULT_PARALLEL = 4
MIB = 1024**2
LEGACY = f"the legacy upload ({LEGACY_UPLOAD.method} {LEGACY_UPLOAD.path}, through the API) is deprecated"

Command = Callable[[argparse.Namespace, Console], None]


def build_parser(environ: Mapping[str, str], prog: str = PROG) -> argparse.ArgumentParser:
    """The ``dance`` command's options; the API's URL and key default to ``$DANCE_API_URL`` and ``$DANCE_API_KEY``."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="The Dance Analysis API from the command line: upload a video, wait for its poses and "
        "dance analysis, compare two dances.",
        epilog=f"example: {prog} upload clip.mp4 --wait",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    upload_parser = commands.add_parser(
        "upload", help="upload a video (straight to storage); optionally wait for its analysis",
        description="Upload a video straight to storage through a presigned URL; files over "
        "--multipart-threshold go up in parts and resume after an interruption.",
    )
    add_upload_arguments(upload_parser, environ, direct_by_default=True)
    upload_parser.set_defaults(run=upload, legacy_advice="leave out --legacy to upload straight to storage")

    wait_parser = commands.add_parser(
        "wait", help="follow a job to its end and print its result URLs and dance summary",
        description="Follow a job to its end; print its result URLs and dance summary.",
    )
    wait_parser.add_argument("job_id", metavar="JOB_ID", help="the job, as upload printed it")
    add_api_arguments(wait_parser, environ)
    wait_parser.set_defaults(run=wait)

    compare_parser = commands.add_parser(
        "compare", help="compare a job with a reference job and print the score",
        description="Compare a completed job with a completed reference job; print the score, the offset, "
        "the tempo and the worst segments.",
    )
    compare_parser.add_argument(
        "reference_job_id", metavar="REFERENCE_JOB_ID", help="the reference dance (the teacher's)"
    )
    compare_parser.add_argument("job_id", metavar="JOB_ID", help="the attempt compared with it")
    add_api_arguments(compare_parser, environ)
    compare_parser.set_defaults(run=compare)
    return parser


def build_script_parser(environ: Mapping[str, str], prog: str) -> argparse.ArgumentParser:
    """``upload_video.py``'s options: those of ``dance upload``, with the legacy upload unless ``--direct``."""
    parser = argparse.ArgumentParser(
        prog=prog, description="Upload a video to the Dance Analysis API; optionally wait for its poses."
    )
    add_upload_arguments(parser, environ, direct_by_default=False)
    parser.set_defaults(run=upload, legacy_advice="--direct (straight to storage) is recommended")
    return parser


def add_api_arguments(parser: argparse.ArgumentParser, environ: Mapping[str, str]) -> None:
    """``--api`` and ``--api-key``, every command's."""
    parser.add_argument(
        "--api", default=environ.get("DANCE_API_URL") or DEFAULT_API,
        help=f"the API's base URL (default: $DANCE_API_URL, else {DEFAULT_API})",
    )
    parser.add_argument(
        "--api-key", default=environ.get("DANCE_API_KEY") or None,
        help="API key, sent as 'Authorization: Bearer' (default: $DANCE_API_KEY)",
    )


def add_upload_arguments(
    parser: argparse.ArgumentParser, environ: Mapping[str, str], *, direct_by_default: bool
) -> None:
    """The upload's options, in ``upload_video.py``'s order; ``dance upload`` adds ``--legacy``."""
    parser.add_argument("video", help="the video file (MP4, MOV or AVI)")
    if direct_by_default:
        way = parser.add_mutually_exclusive_group()
        way.add_argument("--direct", action="store_true", help="upload straight to storage (the default)")
        way.add_argument("--legacy", action="store_true", help="upload through the API instead (deprecated)")
    else:
        parser.add_argument(
            "--direct", action="store_true", help="upload straight to storage through a presigned URL (recommended)"
        )
    parser.add_argument(
        "--wait", action="store_true", help="follow the job to its end and print the result URLs and the dance summary"
    )
    add_api_arguments(parser, environ)
    parser.add_argument("--content-type", help="the video's MIME type (default: guessed from the extension)")
    parser.add_argument(
        "--multipart-threshold", type=int, default=DEFAULT_MULTIPART_THRESHOLD_MIB, metavar="MIB",
        help="with --direct, upload files larger than this many MiB in parts "
        f"(default {DEFAULT_MULTIPART_THRESHOLD_MIB})",
    )
    parser.add_argument(
        "--parallel", type=int, default=DEFAULT_PARALLEL, help=f"parts uploaded at once (default {DEFAULT_PARALLEL})"
    )
    parser.add_argument(
        "--resume", metavar="JOB_ID", help="go on with the multipart upload of this job (implies --direct)"
    )
    parser.add_argument(
        "--compare-to", metavar="JOB_ID",
        help="after the job completes, compare it with this reference job and print the score (implies --wait)",
    )
    # The parser travels with the options, so that a clash is reported with this command's usage.
    parser.set_defaults(
        records=uploads_cache(environ), direct_by_default=direct_by_default, legacy=False, upload_parser=parser
    )


def parse_args(argv: list[str] | None, environ: Mapping[str, str], prog: str = PROG) -> argparse.Namespace:
    """The ``dance`` command's arguments, with what the upload options imply filled in."""
    return settle(build_parser(environ, prog).parse_args(argv))


def parse_script_args(argv: list[str] | None, environ: Mapping[str, str], prog: str) -> argparse.Namespace:
    """``upload_video.py``'s arguments, with what its options imply filled in."""
    return settle(build_script_parser(environ, prog).parse_args(argv))


def settle(args: argparse.Namespace) -> argparse.Namespace:
    """--compare-to implies --wait; --resume implies --direct, as does ``dance upload`` without --legacy."""
    if args.run is not upload:
        return args
    if args.legacy and args.resume:
        args.upload_parser.error("--resume goes on with an upload in parts, which --legacy does not make")
    args.wait = args.wait or bool(args.compare_to)
    args.direct = args.direct or bool(args.resume) or (args.direct_by_default and not args.legacy)
    return args


def upload(args: argparse.Namespace, console: Console) -> None:
    """Upload, then report the job as asked: queued, or (with --wait) its result, and a comparison."""
    client = ApiClient(args.api, args.api_key)
    video = open_video(args.video, args.content_type)
    if args.resume or (args.direct and video.size > args.multipart_threshold * MIB):
        job = multipart_upload(
            client, video, console, parallel=args.parallel, resume_job_id=args.resume, records=args.records
        )
    elif args.direct:
        job = direct_upload(client, video, console)
    else:
        console.note(f"warning: {LEGACY}; {args.legacy_advice}")
        job = legacy_upload(client, video, console)
    if not args.wait:
        check_admitted(client, job)
        console.field("status", job["status"])
        return
    job = follow_job(client, job["job_id"])
    check_final(job)
    print_result(job)
    if args.compare_to:
        compare_jobs(client, args.compare_to, job["job_id"], console)


def wait(args: argparse.Namespace, console: Console) -> None:
    """Follow the job to its end; its result URLs and dance summary, or ``JobFailed``."""
    job = follow_job(ApiClient(args.api, args.api_key), args.job_id)
    check_final(job)
    print_result(job)


def compare(args: argparse.Namespace, console: Console) -> None:
    """Compare the two jobs and print the comparison."""
    compare_jobs(ApiClient(args.api, args.api_key), args.reference_job_id, args.job_id, console)


def compare_jobs(client: ApiClient, reference_job_id: str, job_id: str, console: Console) -> None:
    """Ask for the comparison, follow it to its end and print it (``JobFailed`` if it failed)."""
    comparison = client.send(CREATE_COMPARISON, query={"reference_job_id": reference_job_id, "job_id": job_id})
    console.field("comparison_id", comparison["comparison_id"])
    comparison = follow_comparison(client, comparison["comparison_id"])
    check_comparison(comparison)
    print_comparison(comparison)


def execute(command: Command, args: argparse.Namespace, console: Console) -> int:
    """Run ``command``: 0 when it succeeded, 1 on a failure (one line on stderr), 130 when interrupted."""
    try:
        command(args, console)
    except ClientError as exc:
        console.note(f"error: {' '.join(str(exc).split())}")  # one line, whatever the server's message held
        return 1
    except KeyboardInterrupt:
        console.note("interrupted")
        return 130
    return 0


def main(argv: list[str] | None = None) -> int:
    """The ``dance`` command (the console script ``pip install`` makes)."""
    args = parse_args(argv, os.environ)
    return execute(args.run, args, Console(PROG))


def upload_script_main(argv: list[str] | None = None, prog: str = "upload_video.py") -> int:
    """``scripts/dev/upload_video.py``: ``dance upload``'s options, the legacy upload unless ``--direct``."""
    args = parse_script_args(argv, os.environ, prog)
    return execute(upload, args, Console(prog))
