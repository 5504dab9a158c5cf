"""The API's contract: one pydantic model per request and response body, one module per resource.

``uploads`` (create an upload, confirm it), ``jobs`` (a job as the API shows it), ``health``
(probes) and ``errors`` (the error envelope). The OpenAPI document is generated from these
models (``gateway/openapi.py``), so a field added here is documented with no other edit.
"""
