"""The one configuration object shared by every process (environment variables ``DANCE_*``)."""
from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Presigned PUT URLs live 15 minutes, as the API doc promises its clients.
DEFAULT_UPLOAD_EXPIRY_S = 900
#: Download links in a job's result are re-signed on every read, so one hour is plenty.
DEFAULT_RESULT_URL_EXPIRY_S = 3600
#: MinIO events are kept a week so an operator can inspect and replay them.
DEFAULT_EVENTS_RETENTION_S = 7 * 24 * 3600
#: Window in which JetStream drops a second queue entry for the same job.
DEFAULT_WORK_DEDUPE_WINDOW_S = 600
#: A worker must show life (ack or in-progress) this often or the job is redelivered.
DEFAULT_WORK_ACK_WAIT_S = 60
#: Deliveries of one job before it is given up as failed: enough for a crash or two.
DEFAULT_WORK_MAX_DELIVER = 3
#: 4 GiB holds a long phone video in 4K; MinIO itself would take up to 5 TiB in one PUT.
DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024**3
#: Longest video analysed: an hour of dance is far beyond a routine; CPU time is bounded.
DEFAULT_MAX_VIDEO_DURATION_S = 3600.0
#: Standard Webhooks practice: about 5 s, 30 s, 2 min, 10 min, 1 h, 6 h, then the delivery is given up.
DEFAULT_WEBHOOK_RETRY_DELAYS_S = "5,30,120,600,3600,21600"
#: How often the listener refreshes its gauges (jobs awaiting upload, work queue depth): a scrape's pace.
DEFAULT_GAUGE_INTERVAL_S = 15.0
#: A waiting job's upload is looked for at these ages (seconds), then at its expiry: an event lost
#: right after the upload is caught within a minute, and a job nobody uploads costs three S3 listings.
DEFAULT_UPLOAD_CHECK_AFTER_S = "20,50"
#: Jobs one API key may have waiting for their upload at once: far above what an app pre-creates,
#: far below what a leaking client piles up.
DEFAULT_MAX_PENDING_UPLOADS = 1000
#: What ``DANCE_SPEED`` sets, where the individual setting is not given: backend, model input size,
#: precision. Measured on the 2-core AMD EPYC (docs/performance.md, "Speed and scale"): ``exact`` is today's
#: output (ONNX Runtime, 640, fp32); ``fast`` is the quickest setting that still agrees with it.
SPEED_PRESETS: dict[str, dict[str, object]] = {
    "exact": {"inference_backend": "onnxruntime", "inference_size": 640, "inference_precision": "fp32"},
    "fast": {"inference_backend": "openvino", "inference_size": 640, "inference_precision": "bf16"},
}


class Settings(BaseSettings):
    """Everything tunable, read once in each process's ``main`` and passed down."""

    model_config = SettingsConfigDict(env_prefix="DANCE_", extra="ignore")

    # --- connections -------------------------------------------------------------------
    #: One URL, or the cluster's URLs comma-separated.
    nats_url: str = "nats://127.0.0.1:4222"
    s3_endpoint: str = "http://127.0.0.1:9000"
    #: The S3 URL clients can reach; presigned URLs are signed for this host.
    s3_public_endpoint: str | None = None
    s3_access_key: str = "minioadmin"
    s3_secret_key: str = "minioadmin"
    s3_region: str = "us-east-1"
    bucket: str = "dance-videos"

    # --- names in NATS -----------------------------------------------------------------
    #: Copies JetStream keeps of every stream and key-value bucket: 1 on one server, 3 in a cluster
    #: (a majority must be up to write). Provisioning moves existing streams to it.
    stream_replicas: int = Field(1, ge=1, le=5)
    events_stream: str = "MINIO_EVENTS"
    events_subject: str = "minio.events"
    events_retention_s: float = DEFAULT_EVENTS_RETENTION_S
    listener_durable: str = "listener"
    #: Events nobody could act on (malformed, unknown job, late upload) are copied here.
    dead_letter_stream: str = "DEAD_LETTERS"
    dead_letter_subject: str = "dead.events"
    gauge_interval_s: float = Field(DEFAULT_GAUGE_INTERVAL_S, gt=0)
    #: One message per job waiting for its upload (``{subject}.{owner}.{job_id}``): the listener's
    #: schedule of checks, and each API key's count of waiting jobs.
    upload_checks_stream: str = "UPLOAD_CHECKS"
    upload_checks_subject: str = "checks"
    upload_checks_durable: str = "upload-checks"
    #: Ages (seconds, comma-separated) at which a waiting job's upload is looked for; then at its expiry.
    upload_check_after_s: str = Field(DEFAULT_UPLOAD_CHECK_AFTER_S, pattern=r"^\s*(\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*)?\s*$")
    work_stream: str = "POSE_WORK"
    work_subject: str = "work.pose"
    work_dedupe_window_s: float = DEFAULT_WORK_DEDUPE_WINDOW_S
    worker_durable: str = "pose-workers"
    work_ack_wait_s: float = DEFAULT_WORK_ACK_WAIT_S
    work_max_deliver: int = DEFAULT_WORK_MAX_DELIVER
    jobs_bucket: str = "jobs"
    #: Comparisons of an attempt with a reference: their records and their work queue.
    comparisons_bucket: str = "comparisons"
    compare_stream: str = "COMPARE_WORK"
    compare_subject: str = "work.compare"
    compare_durable: str = "comparers"
    #: Webhook endpoints, their deliveries (attempt logs) and the stream of deliveries to make.
    webhooks_bucket: str = "webhooks"
    webhook_deliveries_bucket: str = "webhook-deliveries"
    webhook_stream: str = "WEBHOOK_DELIVERIES"
    webhook_subject: str = "webhooks.deliveries"
    webhook_durable: str = "webhook-dispatchers"

    # --- gateway -----------------------------------------------------------------------
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    upload_expiry_s: int = Field(DEFAULT_UPLOAD_EXPIRY_S, ge=1, le=7 * 24 * 3600)
    max_upload_bytes: int = Field(DEFAULT_MAX_UPLOAD_BYTES, ge=1)
    #: Days a job's videos, results and records are kept (bucket lifecycle rules, record TTLs); 0: for ever.
    retention_days: int = Field(30, ge=0, le=36500)
    #: Jobs each API key (or client address, when open) may create per second, and at once; 0: no limit.
    rate_limit_per_s: float = Field(10.0, ge=0)
    rate_limit_burst: int = Field(50, ge=1)
    #: Jobs each API key (the open namespace, when open) may have waiting for their upload at once; 0: no limit.
    max_pending_uploads: int = Field(DEFAULT_MAX_PENDING_UPLOADS, ge=0)
    #: How long a multipart upload may take, start to complete; then its parts are aborted.
    multipart_expiry_s: int = Field(24 * 3600, ge=1, le=7 * 24 * 3600)
    #: Comma-separated bearer keys; empty means the API is open (local development only).
    api_keys: str = ""
    #: Comma-separated origins allowed by CORS, or "*"; MinIO is started with the same list.
    cors_origins: str = "*"
    result_url_expiry_s: int = Field(DEFAULT_RESULT_URL_EXPIRY_S, ge=1, le=7 * 24 * 3600)

    # --- webhooks ----------------------------------------------------------------------
    #: Allow webhook URLs on loopback/private/link-local addresses and plain http (local development only).
    webhook_allow_private: bool = False
    #: Seconds one delivery attempt may take, connect to last byte.
    webhook_timeout_s: float = Field(10.0, gt=0)
    #: Waits between attempts of a failed delivery, comma-separated seconds; after the last it is given up.
    webhook_retry_delays_s: str = Field(DEFAULT_WEBHOOK_RETRY_DELAYS_S, pattern=r"^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$")
    #: Days a delivery's attempt log is kept (``GET /api/v1/webhooks/{id}/deliveries``).
    webhook_deliveries_kept_days: float = Field(7.0, gt=0)
    #: Deliveries one dispatcher makes at once (a slow receiver does not hold up the others).
    webhook_concurrency: int = Field(16, ge=1, le=256)

    # --- pose worker -------------------------------------------------------------------
    #: None means the bundled ``pose_worker/models/yolo11n-pose.onnx``.
    model_path: Path | None = None
    confidence_threshold: float = Field(0.25, gt=0, lt=1)
    iou_threshold: float = Field(0.7, gt=0, le=1)
    #: ``exact`` (today's keypoints) or ``fast``: picks the three settings below unless they are given.
    speed: Literal["exact", "fast"] = "exact"
    #: ``onnxruntime`` (GPU providers too) or ``openvino`` (CPU): the same model file either way.
    inference_backend: Literal["onnxruntime", "openvino"] = "onnxruntime"
    inference_size: int = Field(640, ge=32, multiple_of=32)
    #: ``bf16`` computes in bfloat16 where the CPU has it (OpenVINO only; AVX512_BF16 or AMX), else fp32.
    inference_precision: Literal["fp32", "bf16"] = "fp32"
    #: Threads for inference in all, 0: one per core.
    inference_threads: int = Field(0, ge=0)
    #: Frames inferred at once on a CPU, each with its share of the threads; 0 (auto): 2 on a CPU
    #: (pose_worker/backends/thread_plan.py), 1 on a GPU, which takes batches instead.
    inference_streams: int = Field(0, ge=0, le=64)
    progress_interval_s: float = Field(1.0, gt=0)
    max_video_duration_s: float = Field(DEFAULT_MAX_VIDEO_DURATION_S, gt=0)
    #: Also render results/{job}/overlay.mp4 (skeletons drawn over the video).
    overlay: bool = True
    #: Run the dance analysis (tempo, beats, energy, angles, synchrony) after pose estimation.
    analysis: bool = True
    #: Add One Euro-smoothed keypoints ("keypoints_smoothed") beside the raw ones.
    smoothing: bool = False
    #: ONNX Runtime execution providers to try in order (e.g. "CUDAExecutionProvider,CPUExecutionProvider");
    #: those not installed are skipped.
    execution_providers: str = "CPUExecutionProvider"
    #: Frames per inference; 0 (auto): 8 when the provider is CUDA or TensorRT, 1 on a CPU (batching
    #: measured no faster there).
    batch_size: int = Field(0, ge=0, le=256)
    #: Letterbox the decoded frames on the inference device (ONNX Runtime: the model behind a resize, pad
    #: and cast, returning only its top candidates; pose_worker/backends/fused_graph.py) instead of on the
    #: host's threads; None (auto): on with a GPU provider, where the host sets the pace, off on a CPU.
    device_letterbox: bool | None = None
    #: Jobs one worker process runs at once; more only helps when jobs wait on I/O.
    worker_concurrency: int = Field(1, ge=1, le=16)
    #: Worker processes ``python -m pose_worker`` starts to share one GPU (pose_worker/worker_pool.py): a GPU
    #: outruns one process's host side. 1 on a CPU, where the cores are already busy.
    workers_per_gpu: int = Field(1, ge=1, le=16)
    #: Seconds of video per chunk when a long video is split across workers: a video longer than twice
    #: this is cut at keyframes into chunks any worker may take. A minute keeps the one-second overlap
    #: and the merge small beside the chunk's own work; 0 never splits.
    chunk_s: float = Field(60.0, ge=0)
    #: Where workers keep downloaded videos (one sub-folder per worker); None: the system temp dir.
    work_dir: Path | None = None

    #: Port of this process's Prometheus /metrics (listener, worker); 0 turns it off.
    #: The gateway serves /metrics on its API port instead.
    metrics_port: int = Field(0, ge=0, le=65535)
    #: On SIGTERM a worker finishes its job if it can within this time, else hands it back.
    shutdown_grace_s: float = Field(5.0, ge=0)

    log_level: str = "INFO"

    @model_validator(mode="after")
    def _apply_speed(self) -> Settings:
        """``DANCE_SPEED``'s preset fills the inference settings that were not given explicitly."""
        given = set(self.model_fields_set)
        for name, value in SPEED_PRESETS[self.speed].items():
            if name not in given:
                setattr(self, name, value)
        if self.on_gpu and "inference_backend" not in given:
            self.inference_backend = "onnxruntime"  # the presets are for CPUs; only ONNX Runtime has GPU providers
        if self.inference_backend == "onnxruntime" and "inference_precision" not in given:
            self.inference_precision = "fp32"  # bf16 is OpenVINO's; ONNX Runtime's CPU kernels are fp32
        return self

    @property
    def on_gpu(self) -> bool:
        """Whether ``DANCE_EXECUTION_PROVIDERS`` asks for anything but the CPU."""
        return any(name.strip() not in ("", "CPUExecutionProvider") for name in self.execution_providers.split(","))

    @property
    def s3_public_url(self) -> str:
        return self.s3_public_endpoint or self.s3_endpoint

    @property
    def nats_servers(self) -> list[str]:
        """``DANCE_NATS_URL`` may list several servers of one cluster, comma-separated; clients fail over."""
        return [url.strip() for url in self.nats_url.split(",") if url.strip()]

    @property
    def api_key_list(self) -> list[str]:
        return [key.strip() for key in self.api_keys.split(",") if key.strip()]

    @property
    def webhook_retry_delays(self) -> tuple[float, ...]:
        return tuple(float(delay) for delay in self.webhook_retry_delays_s.split(",") if delay.strip())

    @property
    def upload_check_ages(self) -> tuple[float, ...]:
        return tuple(float(age) for age in self.upload_check_after_s.split(",") if age.strip())

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]


def split_endpoint(url: str) -> tuple[str, bool]:
    """Turn ``http(s)://host:port`` into minio-py's ``("host:port", secure)``."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    return parts.netloc, parts.scheme == "https"
