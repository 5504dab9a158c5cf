#!/usr/bin/env bash
# `make up`: start nats-server, MinIO, provision streams/bucket/notification, then the gateway,
# the listener, one pose worker, one compare worker and the webhook dispatcher, all in the background. Idempotent.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
cd "$ROOT_DIR"
PY="$VENV_DIR/bin/python"

if stack_running "${CLUSTER_STATE_DIR:-$ROOT_DIR/.state-cluster}"; then
    echo "The local cluster (make cluster-up) is running and uses the same ports: run 'make cluster-down' first." >&2
    exit 1
fi

echo "Starting the local stack (state in $STATE_DIR)"
start_service nats "$ROOT_DIR/deploy/local/run-nats.sh"
wait_for_url nats "http://$BIND_HOST:$NATS_MONITOR_PORT/healthz?js-enabled-only=true"
start_service minio "$ROOT_DIR/deploy/local/run-minio.sh"
wait_for_url minio "http://$BIND_HOST:$MINIO_PORT/minio/health/live"
"$PY" -m operations.provision
DANCE_METRICS_PORT="$LISTENER_METRICS_PORT" start_service listener "$PY" -m listener
DANCE_METRICS_PORT="$WORKER_METRICS_PORT" start_service pose-worker "$PY" -m pose_worker
DANCE_METRICS_PORT="$COMPARE_METRICS_PORT" start_service compare-worker "$PY" -m compare_worker
DANCE_METRICS_PORT="$WEBHOOK_METRICS_PORT" start_service webhook-dispatcher "$PY" -m webhook_dispatcher
start_service gateway "$PY" -m gateway
wait_for_url gateway "http://$BIND_HOST:$GATEWAY_PORT/readyz"

cat <<INFO

The stack is up.
  API            http://localhost:$GATEWAY_PORT/api/v1/analyze/upload-url
  API docs       http://localhost:$GATEWAY_PORT/docs
  MinIO console  http://localhost:$MINIO_CONSOLE_PORT  (user $MINIO_ROOT_USER, password $MINIO_ROOT_PASSWORD)
  MinIO S3 API   http://localhost:$MINIO_PORT  (bucket: ${DANCE_BUCKET:-dance-videos})
  NATS           $DANCE_NATS_URL  (monitoring http://localhost:$NATS_MONITOR_PORT)
  Metrics        http://localhost:$GATEWAY_PORT/metrics  listener :$LISTENER_METRICS_PORT/metrics  worker :$WORKER_METRICS_PORT/metrics  compare :$COMPARE_METRICS_PORT/metrics  webhooks :$WEBHOOK_METRICS_PORT/metrics
  nats CLI       $(find_bin nats || echo nats) --server $DANCE_NATS_URL stream ls
Logs: make logs   Status: make status   Stop: make down
INFO
report_api_keys "http://$BIND_HOST:$GATEWAY_PORT" "make down && make up"
