"""The domain: jobs, uploads, comparisons and webhooks as records and their stores, the work orders between processes, and the one module that owns every object key in the bucket."""
