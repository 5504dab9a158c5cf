#!/usr/bin/env bash
# Run MinIO in the foreground (exec), with its NATS JetStream notification target enabled.
# Uses MINIO_PORT, MINIO_CONSOLE_PORT, BIND_HOST, NATS_PORT, MINIO_DATA_DIR (default
# $STATE_DIR/minio/data) and MINIO_QUEUE_DIR (default $STATE_DIR/minio/events-queue).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
MINIO_DATA_DIR="${MINIO_DATA_DIR:-$STATE_DIR/minio/data}"
MINIO_QUEUE_DIR="${MINIO_QUEUE_DIR:-$STATE_DIR/minio/events-queue}"
server="$(find_bin minio)" || { echo "minio not found: run 'make setup'" >&2; exit 1; }
mkdir -p "$MINIO_DATA_DIR" "$MINIO_QUEUE_DIR"

source "$(dirname "${BASH_SOURCE[0]}")/minio-notify-env.sh"
export_minio_notify_env "$(cd "$MINIO_QUEUE_DIR" && pwd)"

exec "$server" server --quiet \
    --address "$BIND_HOST:$MINIO_PORT" --console-address "$BIND_HOST:$MINIO_CONSOLE_PORT" \
    "$MINIO_DATA_DIR"
