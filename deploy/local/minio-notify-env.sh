# MinIO's NATS notification targets, shared by the single node (run-minio.sh) and the cluster's
# nodes (run-minio-node.sh). Needs BIND_HOST, NATS_PORT, DANCE_EVENTS_SUBJECT, DANCE_CORS_ORIGINS
# and the queue directory as $1.
# shellcheck shell=bash

# Two NATS targets carry the same events (operations/provision.py subscribes both):
#  - PRIMARY (arn:minio:sqs::PRIMARY:nats) writes each event to a queue directory first, so none
#    is lost while NATS is down; MinIO drains that directory only every 3 seconds.
#  - FAST (arn:minio:sqs::FAST:nats) publishes at once and drops events while NATS is down.
# The listener is idempotent, so the second copy of every event changes nothing; the first
# one to arrive (normally FAST's, within milliseconds) queues the job. A NATS client learns the
# cluster's other servers when it connects, so one address is enough for a cluster too.
export_minio_notify_env() {
    local queue_dir="$1"
    export MINIO_NOTIFY_NATS_ENABLE_PRIMARY=on
    export MINIO_NOTIFY_NATS_ADDRESS_PRIMARY="$BIND_HOST:$NATS_PORT"
    export MINIO_NOTIFY_NATS_SUBJECT_PRIMARY="$DANCE_EVENTS_SUBJECT"
    export MINIO_NOTIFY_NATS_JETSTREAM_PRIMARY=on
    # Events wait on disk while NATS is down and are re-sent when it is back.
    export MINIO_NOTIFY_NATS_QUEUE_DIR_PRIMARY="$queue_dir"
    export MINIO_NOTIFY_NATS_QUEUE_LIMIT_PRIMARY="${MINIO_NOTIFY_NATS_QUEUE_LIMIT_PRIMARY:-100000}"
    export MINIO_NOTIFY_NATS_ENABLE_FAST=on
    export MINIO_NOTIFY_NATS_ADDRESS_FAST="$BIND_HOST:$NATS_PORT"
    export MINIO_NOTIFY_NATS_SUBJECT_FAST="$DANCE_EVENTS_SUBJECT"
    export MINIO_NOTIFY_NATS_JETSTREAM_FAST=on
    # Browsers PUT straight to MinIO from the app's origin; CORS is global in MinIO.
    export MINIO_API_CORS_ALLOW_ORIGIN="$DANCE_CORS_ORIGINS"
    export MINIO_UPDATE=off
}
