"""The project's one exception tree.

    DanceError
    ├── InvalidRequest            400
    │   ├── MissingParameter
    │   ├── InvalidParameter
    │   ├── UnsupportedFileType
    │   ├── KeyMismatch
    │   ├── WebhookUrlNotAllowed
    │   └── TooManyWebhooks
    ├── Unauthorized              401
    ├── NotFound                  404
    │   ├── JobNotFound
    │   ├── UploadNotFound
    │   ├── WebhookNotFound
    │   └── DeliveryNotFound
    ├── JobStateConflict          409
    │   ├── JobCancelled
    │   ├── JobNotCancellable
    │   └── JobExpired            410
    ├── FileTooLarge              413
    ├── RateLimited               429
    ├── TooManyPending            429
    ├── ServiceUnavailable        503
    │   ├── StorageUnavailable
    │   └── BrokerUnavailable
    ├── MalformedEvent
    ├── ModelUnavailable
    ├── WorkInterrupted
    └── VideoRejected             (ends a job ``failed``)
        ├── InvalidVideo
        └── VideoTooLong

HTTP status codes are attached in one table, ``gateway/error_middleware.py``.
"""
from __future__ import annotations


class DanceError(Exception):
    """Raised for every failure the project knows how to name."""

    code = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(DanceError):
    """Raised when a client's request is malformed."""

    code = "invalid_request"


class MissingParameter(InvalidRequest):
    """Raised when a required request parameter is absent or empty."""

    code = "missing_parameter"


class InvalidParameter(InvalidRequest):
    """Raised when a request parameter has a value of the wrong kind."""

    code = "invalid_parameter"


class IncompleteUpload(InvalidRequest):
    """Raised when a multipart upload is completed while parts are missing or of the wrong size."""

    code = "incomplete_upload"


class InvalidPart(InvalidRequest):
    """Raised when a part listed to complete an upload is not the part stored (its ETag differs)."""

    code = "invalid_part"


class UnsupportedFileType(InvalidRequest):
    """Raised when an upload is not one of the supported video types."""

    code = "unsupported_file_type"


class KeyMismatch(InvalidRequest):
    """Raised when a confirm names an object key that is not the job's."""

    code = "s3_key_mismatch"


class WebhookUrlNotAllowed(InvalidRequest):
    """Raised when a webhook URL is not https, or points at a loopback, private, link-local or
    metadata address (server-side request forgery), unless private targets are allowed."""

    code = "webhook_url_not_allowed"


class TooManyWebhooks(InvalidRequest):
    """Raised when an API key already has as many webhook endpoints as it may."""

    code = "too_many_webhooks"


class Unauthorized(DanceError):
    """Raised when API keys are configured and the request carries none that is valid."""

    code = "unauthorized"


class NotFound(DanceError):
    """Raised when something asked for does not exist."""

    code = "not_found"


class JobNotFound(NotFound):
    """Raised when no job has the given id."""

    code = "job_not_found"


class ComparisonNotFound(NotFound):
    """Raised when no comparison has the given id."""

    code = "comparison_not_found"


class UploadNotFound(NotFound):
    """Raised when a job's video has not been uploaded (yet)."""

    code = "upload_not_found"


class WebhookNotFound(NotFound):
    """Raised when no webhook endpoint of the caller has the given id."""

    code = "webhook_not_found"


class DeliveryNotFound(NotFound):
    """Raised when a webhook endpoint has no delivery with the given id (or no longer keeps it)."""

    code = "delivery_not_found"


class JobStateConflict(DanceError):
    """Raised when a job's state forbids the asked-for change."""

    code = "job_state_conflict"


class JobCancelled(JobStateConflict):
    """Raised when a cancelled job is asked to go on."""

    code = "job_cancelled"


class JobNotCancellable(JobStateConflict):
    """Raised when a job is asked to cancel after its processing started."""

    code = "job_not_cancellable"


class JobExpired(JobStateConflict):
    """Raised when a job's upload window closed before its video arrived."""

    code = "job_expired"


class NotMultipart(JobStateConflict):
    """Raised when a multipart call names a job that was not created for a multipart upload."""

    code = "job_not_multipart"


class UploadClosed(JobStateConflict):
    """Raised when parts are asked for a job that no longer takes an upload (queued, finished, cancelled, expired)."""

    code = "upload_closed"


class JobNotCompleted(JobStateConflict):
    """Raised when a job is asked for results it does not have yet: it is not completed."""

    code = "job_not_completed"


class ComparisonRejected(DanceError):
    """Raised when two dancers cannot be compared; the comparison ends ``failed``."""

    code = "comparison_rejected"


class TrackNotFound(ComparisonRejected):
    """Raised when a video has no dancer with the asked-for track id (or no dancer at all)."""

    code = "track_not_found"


class RateLimited(DanceError):
    """Raised when a caller creates jobs faster than its rate limit allows."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class TooManyPending(DanceError):
    """Raised when a caller already has as many jobs waiting for their upload as it may have."""

    code = "too_many_pending"


class FileTooLarge(DanceError):
    """Raised when an upload is, or would be, over the configured size cap."""

    code = "file_too_large"


class ServiceUnavailable(DanceError):
    """Raised when a backing service cannot be reached."""

    code = "service_unavailable"


class StorageUnavailable(ServiceUnavailable):
    """Raised when MinIO/S3 cannot be reached or answers with a server error."""

    code = "storage_unavailable"


class BrokerUnavailable(ServiceUnavailable):
    """Raised when NATS JetStream cannot be reached or times out."""

    code = "broker_unavailable"


class MalformedEvent(DanceError):
    """Raised when a bucket notification cannot be parsed."""

    code = "malformed_event"


class ModelUnavailable(DanceError):
    """Raised when the pose model file cannot be loaded."""

    code = "model_unavailable"


class WorkInterrupted(DanceError):
    """Raised inside a running analysis when its worker is shutting down and hands the job back."""

    code = "work_interrupted"


class VideoRejected(DanceError):
    """Raised when a job's video cannot be analysed; the job ends ``failed``."""

    code = "video_rejected"


class InvalidVideo(VideoRejected):
    """Raised when the uploaded file cannot be decoded as a video."""

    code = "invalid_video"


class VideoTooLong(VideoRejected):
    """Raised when a video runs longer than the configured maximum duration."""

    code = "video_too_long"
