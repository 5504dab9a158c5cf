"""A stored comparison turned into its public model, with the result's key turned into a download URL."""
from __future__ import annotations

from minio import Minio

from domain.comparisons import ComparisonRecord
from gateway.models.comparisons import Comparison, ComparisonResult
from gateway.models.errors import ErrorDetail
from gateway.presign import presign_download
from infra.settings import Settings


def comparison_view(comparison: ComparisonRecord, public_s3: Minio, settings: Settings) -> Comparison:
    result = None
    if comparison.result is not None:
        stored = comparison.result.model_dump()
        url = presign_download(public_s3, settings.bucket, comparison.result.comparison_key, settings.result_url_expiry_s)
        result = ComparisonResult.model_validate({**stored, "comparison_url": url})
    return Comparison(
        comparison_id=comparison.comparison_id,
        status=comparison.status,
        reference_job_id=comparison.reference_job_id,
        job_id=comparison.job_id,
        created_at=comparison.created_at,
        updated_at=comparison.updated_at,
        error=ErrorDetail(code=comparison.error.code, message=comparison.error.message) if comparison.error else None,
        result=result,
    )
