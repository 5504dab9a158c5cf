# Cluster mode (`make cluster-up`): env.sh's settings plus three NATS nodes and four MinIO nodes on
# this host. Its state (data, pid files, logs) lives apart, in $CLUSTER_STATE_DIR (.state-cluster),
# so `make down` and `make cluster-down` each stop only their own stack.
# shellcheck shell=bash
_cluster_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SINGLE_STATE_DIR="${STATE_DIR:-$(cd "$_cluster_here/../.." && pwd)/.state}"
export STATE_DIR="${CLUSTER_STATE_DIR:-$(cd "$_cluster_here/../.." && pwd)/.state-cluster}"
source "$_cluster_here/env.sh"

export NATS_NODES=3 MINIO_NODES=4
# Node i (1-based) uses NATS_PORT+i-1 for clients, NATS_MONITOR_PORT+i-1 for monitoring and
# NATS_CLUSTER_PORT+i-1 for routes; MinIO node i serves S3 on MINIO_PORT+i-1 and its console on
# MINIO_CLUSTER_CONSOLE_PORT+i-1 (9001 is node 2's S3 port here).
export NATS_CLUSTER_PORT="${NATS_CLUSTER_PORT:-6222}"
export MINIO_CLUSTER_CONSOLE_PORT="${MINIO_CLUSTER_CONSOLE_PORT:-9011}"
export WORKER2_METRICS_PORT="${WORKER2_METRICS_PORT:-9105}"

nats_urls() {
    local i urls=()
    for ((i = 0; i < NATS_NODES; i++)); do urls+=("nats://$BIND_HOST:$((NATS_PORT + i))"); done
    (IFS=,; echo "${urls[*]}")
}

# Every process gets every NATS URL (clients fail over) and streams with three replicas.
DANCE_NATS_URL="$(nats_urls)"
export DANCE_NATS_URL
export DANCE_STREAM_REPLICAS="${DANCE_STREAM_REPLICAS:-3}"

CLUSTER_SERVICES=(nats-1 nats-2 nats-3 minio-1 minio-2 minio-3 minio-4
    gateway listener pose-worker-1 pose-worker-2 compare-worker webhook-dispatcher)
