"""Benchmark: a file larger than one PUT may be, uploaded in parts straight to MinIO, and resumed.

``python -m bench.multipart_upload --gib 6 --parallel 1,4,8``. Runs ``scripts/dev/upload_video.py``
as a user does (``--direct --multipart-threshold 1 --parallel N``) against a local stack with the
gateway alone (no pose worker: the file is not a video). Reports MB/s, the gateway's CPU seconds and
its peak RSS during each upload, then interrupts an upload at about half its parts and times
``--resume JOB_ID`` to the end. Figures only, never a gate.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.local_stack import BenchStack, bench_stack
from bench.upload_throughput import RssSampler
from dance_client.api import GET_JOB, GET_MULTIPART
from dance_client.transport import ApiClient
from domain.stored_uploads import delete_upload
from infra.storage import make_s3_client
from tests.processes import ROOT

GIB = 1024**3
SCRIPT = ROOT / "scripts" / "dev" / "upload_video.py"
#: 6 GiB is over S3's 5 GiB limit for one PUT: the run shows that limit is not ours.
DEFAULT_GIB = 6
DEFAULT_PARALLEL = (1, 4, 8)
#: The client's own default, so the resume figure is what a user gets.
RESUME_PARALLEL = 4
#: Stop the interrupted upload once this share of its parts is stored.
INTERRUPT_AT = 0.5
#: How often the stored parts are listed while waiting to interrupt.
POLL_S = 0.1
#: MinIO keeps one object at a time (each is deleted after its run); its parts are renamed into the
#: object on complete, but room for twice the file and some slack covers a copy should it make one.
DISK_COPIES = 2
DISK_SLACK = 2 * GIB
WARM_CHUNK = 16 * 1024**2


@dataclass(frozen=True)
class Run:
    """One upload as measured from outside: wall seconds, bytes sent, CPU seconds, gateway RSS in KiB."""

    label: str
    seconds: float
    sent: int
    gateway_cpu_s: float
    client_cpu_s: float
    rss_start_kib: int
    rss_peak_kib: int


def make_sparse_file(path: Path, size: int) -> Path:
    """A file of ``size`` zero bytes that takes no disk, read once so that every run finds it in the
    page cache (else the first run alone pays the kernel for zeroing those pages)."""
    with path.open("wb") as out:
        out.truncate(size)
    with path.open("rb") as source:
        while source.read(WARM_CHUNK):
            pass
    return path


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of the process so far, all threads (``/proc/PID/stat`` utime + stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """CPU seconds of the children this process has waited for (the client runs, here)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fitting_gib(wanted: int, free: int) -> int:
    """``wanted``, or fewer GiB if the disk cannot hold MinIO's copies of a file that size."""
    return min(wanted, max((free - DISK_SLACK) // (DISK_COPIES * GIB), 1))


class Bench:
    """The stack, the file and the client, with the measurement around each client run."""

    def __init__(self, stack: BenchStack, video: Path, tmp: Path) -> None:
        self.stack = stack
        self.video = video
        self.size = video.stat().st_size
        self.gateway_pid = stack.processes["gateway"].process.pid
        self.api = ApiClient(stack.api)
        self.s3 = make_s3_client(stack.settings)
        # A resume record of its own, so that neither a user's records nor ours leak across.
        self.env = {**os.environ, "XDG_CACHE_HOME": str(tmp / "cache")}
        self.stderr = tmp / "client.log"

    def client(self, parallel: int, resume: str | None = None) -> subprocess.Popen[str]:
        """``upload_video.py`` started as a user would; its stdout (job id, status) piped, stderr logged."""
        argv = [sys.executable, str(SCRIPT), str(self.video), "--direct", "--multipart-threshold", "1",
                "--parallel", str(parallel), "--api", self.stack.api]
        argv += ["--resume", resume] if resume else []
        with self.stderr.open("a") as log:
            return subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=log, text=True)

    def measured(self, label: str, parallel: int, resume: str | None = None) -> tuple[Run, str]:
        """Run the client to the end; the figures and the job id."""
        sent = self.size - self.stored_bytes(resume) if resume else self.size
        cpu_before, children_before = cpu_seconds(self.gateway_pid), children_cpu_seconds()
        with RssSampler(self.gateway_pid) as rss:
            started = time.perf_counter()
            process = self.client(parallel, resume)
            out, _ = process.communicate()
            seconds = time.perf_counter() - started
        if process.returncode != 0:
            raise RuntimeError(f"upload_video.py exited {process.returncode}:\n{self.stderr.read_text()[-2000:]}")
        run = Run(label, seconds, sent, cpu_seconds(self.gateway_pid) - cpu_before,
                  children_cpu_seconds() - children_before, rss.baseline, rss.peak)
        return run, job_id_of(out)

    def interrupted(self, parallel: int) -> str:
        """Start an upload and kill the client once ``INTERRUPT_AT`` of its parts are stored; its job id."""
        process = self.client(parallel)
        try:
            job_id = job_id_of(process.stdout.readline())
            while True:
                state = self.api.send(GET_MULTIPART, job_id=job_id)
                if len(state["parts"]) >= state["part_count"] * INTERRUPT_AT:
                    return job_id
                if process.poll() is not None:
                    raise RuntimeError("the upload ended before it could be interrupted: use a larger --gib")
                time.sleep(POLL_S)
        finally:
            process.kill()  # as a crash or a lost laptop lid would: parts in flight are lost
            process.communicate()

    def stored_bytes(self, job_id: str) -> int:
        """Bytes of the job's parts that the bucket holds."""
        state = self.api.send(GET_MULTIPART, job_id=job_id)
        return sum(part["size"] for part in state["parts"])

    def delete(self, job_id: str) -> None:
        """Remove the job's object, so the disk holds one upload at a time."""
        delete_upload(self.s3, self.stack.settings.bucket, self.api.send(GET_JOB, job_id=job_id)["s3_key"])


def job_id_of(stdout: str) -> str:
    for line in stdout.splitlines():
        if line.startswith("job_id: "):
            return line.removeprefix("job_id: ").strip()
    raise RuntimeError(f"upload_video.py printed no job id: {stdout!r}")


def parallel_list(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in text.split(","))


def print_table(runs: list[Run], gib: int, part_size: int, part_count: int, interrupted_at: int) -> None:
    print(f"{gib} GiB file (sparse: reads cost no disk), {part_count} parts of {part_size // 1024**2} MiB, "
          f"loopback, MinIO on local disk, {os.cpu_count()} cores shared by client, gateway and MinIO")
    print(f"  {'':<26}{'wall s':>8}{'MB sent':>9}{'MB/s':>8}{'gw CPU s':>10}{'gw RSS MiB start/peak':>23}"
          f"{'client CPU s':>14}")
    for run in runs:
        rss = f"{run.rss_start_kib / 1024:.1f} / {run.rss_peak_kib / 1024:.1f}"
        print(f"  {run.label:<26}{run.seconds:8.1f}{run.sent / 1e6:9.0f}{run.sent / 1e6 / run.seconds:8.1f}"
              f"{run.gateway_cpu_s:10.2f}{rss:>23}{run.client_cpu_s:14.2f}")
    print(f"  resume: interrupted with {interrupted_at} of {part_count} parts stored; "
          "the resume row is the fresh client's whole run (list, sign, send the rest, complete)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=int, default=DEFAULT_GIB, help=f"file size in GiB (default {DEFAULT_GIB})")
    parser.add_argument("--parallel", type=parallel_list, default=DEFAULT_PARALLEL,
                        help="parts at once, one run each (default 1,4,8)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dance-bench-") as tmp_text:
        tmp = Path(tmp_text)
        free = shutil.disk_usage(tmp).free
        gib = fitting_gib(args.gib, free)
        if gib < args.gib:
            print(f"note: {free / GIB:.0f} GiB free in {tmp.parent}, not enough for MinIO's copies of "
                  f"{args.gib} GiB: the file is {gib} GiB")
        video = make_sparse_file(tmp / "big.mp4", gib * GIB)
        # The cap is the only limit on size; raise it above the file so the cap is not what is measured.
        with bench_stack(tmp, services=("gateway",), max_upload_bytes=2 * gib * GIB) as stack:
            bench = Bench(stack, video, tmp)
            runs = []
            for parallel in args.parallel:
                run, job_id = bench.measured(f"{parallel} part{'s' if parallel > 1 else ''} at a time", parallel)
                runs.append(run)
                bench.delete(job_id)
            job_id = bench.interrupted(RESUME_PARALLEL)
            state = bench.api.call("GET", f"/api/v1/analyze/multipart/{job_id}")
            run, _ = bench.measured(f"resume ({RESUME_PARALLEL} at a time)", RESUME_PARALLEL, job_id)
            runs.append(run)
            bench.delete(job_id)
    print_table(runs, gib, state["part_size"], state["part_count"], len(state["parts"]))


if __name__ == "__main__":
    main()
