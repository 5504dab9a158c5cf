#!/usr/bin/env bash
# `make cluster-up`: three NATS servers (one JetStream cluster), MinIO distributed over four nodes,
# provisioning at three replicas, then the gateway, the listener, two pose workers, a compare worker
# and the webhook dispatcher, all given every NATS URL. Idempotent; refuses while `make up` runs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
cd "$ROOT_DIR"
PY="$VENV_DIR/bin/python"

if stack_running "$SINGLE_STATE_DIR"; then
    echo "The single-node stack (make up) is running and uses the same ports: run 'make down' first." >&2
    exit 1
fi
echo "Starting the local cluster (state in $STATE_DIR)"
for ((n = 1; n <= NATS_NODES; n++)); do
    start_service "nats-$n" "$ROOT_DIR/deploy/local/run-nats-node.sh" "$n"
done
for ((n = 1; n <= NATS_NODES; n++)); do
    wait_for_url "nats-$n" "http://$BIND_HOST:$((NATS_MONITOR_PORT + n - 1))/healthz?js-enabled-only=true"
done
for ((n = 1; n <= MINIO_NODES; n++)); do
    start_service "minio-$n" "$ROOT_DIR/deploy/local/run-minio-node.sh" "$n"
done
# 200 once enough drives are online to write (erasure-code quorum).
wait_for_url minio-1 "http://$BIND_HOST:$MINIO_PORT/minio/health/cluster" 120
# Retries while the JetStream meta leader is elected (a fresh cluster answers after a few seconds).
"$PY" -m operations.provision
DANCE_METRICS_PORT="$LISTENER_METRICS_PORT" start_service listener "$PY" -m listener
DANCE_METRICS_PORT="$WORKER_METRICS_PORT" start_service pose-worker-1 "$PY" -m pose_worker
DANCE_METRICS_PORT="$WORKER2_METRICS_PORT" start_service pose-worker-2 "$PY" -m pose_worker
DANCE_METRICS_PORT="$COMPARE_METRICS_PORT" start_service compare-worker "$PY" -m compare_worker
DANCE_METRICS_PORT="$WEBHOOK_METRICS_PORT" start_service webhook-dispatcher "$PY" -m webhook_dispatcher
start_service gateway "$PY" -m gateway
wait_for_url gateway "http://$BIND_HOST:$GATEWAY_PORT/readyz"

cat <<INFO

The cluster is up.
  API            http://localhost:$GATEWAY_PORT/api/v1/analyze/upload-url   (docs /docs)
  NATS           $DANCE_NATS_URL  (monitoring :$NATS_MONITOR_PORT-:$((NATS_MONITOR_PORT + NATS_NODES - 1)))
  MinIO S3       http://localhost:$MINIO_PORT-$((MINIO_PORT + MINIO_NODES - 1))  consoles :$MINIO_CLUSTER_CONSOLE_PORT-$((MINIO_CLUSTER_CONSOLE_PORT + MINIO_NODES - 1))
  Streams        $DANCE_STREAM_REPLICAS replicas:  $(find_bin nats || echo nats) --server $DANCE_NATS_URL stream report
Status: make cluster-status   Stop: make cluster-down
INFO
report_api_keys "http://$BIND_HOST:$GATEWAY_PORT" "make cluster-down && make cluster-up"
