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

# Two NATS targets carry the same events (common/provision.py subscribes both):
#  - PRIMARY (arn:minio:sqs::PRIMARY:nats) writes each event to a queue directory first, so none
#    is lost while NATS is down; MinIO drains that directory only every 3 seconds.
#  - FAST (arn:minio:sqs::FAST:nats) publishes at once and drops events while NATS is down.
# The listener is idempotent, so the second copy of every event changes nothing; the first
# one to arrive (normally FAST's, within milliseconds) queues the job.
export MINIO_NOTIFY_NATS_ENABLE_PRIMARY=on
export MINIO_NOTIFY_NATS_ADDRESS_PRIMARY="$BIND_HOST:$NATS_PORT"
export MINIO_NOTIFY_NATS_SUBJECT_PRIMARY="$DANCE_EVENTS_SUBJECT"
export MINIO_NOTIFY_NATS_JETSTREAM_PRIMARY=on
# Events wait on disk while NATS is down and are re-sent when it is back.
export MINIO_NOTIFY_NATS_QUEUE_DIR_PRIMARY="$(cd "$MINIO_QUEUE_DIR" && pwd)"
export MINIO_NOTIFY_NATS_QUEUE_LIMIT_PRIMARY="${MINIO_NOTIFY_NATS_QUEUE_LIMIT_PRIMARY:-100000}"
export MINIO_NOTIFY_NATS_ENABLE_FAST=on
export MINIO_NOTIFY_NATS_ADDRESS_FAST="$BIND_HOST:$NATS_PORT"
export MINIO_NOTIFY_NATS_SUBJECT_FAST="$DANCE_EVENTS_SUBJECT"
export MINIO_NOTIFY_NATS_JETSTREAM_FAST=on
# Browsers PUT straight to MinIO from the app's origin; CORS is global in MinIO.
export MINIO_API_CORS_ALLOW_ORIGIN="$DANCE_CORS_ORIGINS"
export MINIO_UPDATE=off

exec "$server" server --quiet \
    --address "$BIND_HOST:$MINIO_PORT" --console-address "$BIND_HOST:$MINIO_CONSOLE_PORT" \
    "$MINIO_DATA_DIR"
