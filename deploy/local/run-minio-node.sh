#!/usr/bin/env bash
# Run MinIO node N (1..4) of the local distributed MinIO in the foreground: one drive per node,
# erasure-coded across the four (one node may be lost), each node with its own event queue.
#
# Pitfalls this works around (see docs/cluster.md, "Running on a cluster"):
#  - MinIO thinks it runs in a container here (/.dockerenv) and refuses loopback peers unless each
#    node is told its own address in _MINIO_SERVER_LOCAL;
#  - drives on the root disk need MINIO_CI_CD=1;
#  - every node must see identical MINIO_* variables, so the event queue_dir is the same path on
#    all of them: each node runs in a private mount namespace with its own folder mounted there.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/minio-notify-env.sh"
node="$1"
port=$((MINIO_PORT + node - 1))
server="$(find_bin minio)" || { echo "minio not found: run 'make setup'" >&2; exit 1; }
shared_queue="$STATE_DIR/minio/events-queue"
own_queue="$STATE_DIR/minio/queues/node$node"
mkdir -p "$shared_queue" "$own_queue"
endpoints=()
for ((i = 1; i <= MINIO_NODES; i++)); do
    mkdir -p "$STATE_DIR/minio/node$i"
    endpoints+=("http://$BIND_HOST:$((MINIO_PORT + i - 1))$STATE_DIR/minio/node$i")
done
export_minio_notify_env "$shared_queue"
export MINIO_CI_CD=1
export _MINIO_SERVER_LOCAL="$BIND_HOST:$port"
exec unshare --mount --propagation private -- /bin/sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' _ \
    "$own_queue" "$shared_queue" \
    "$server" server --quiet --address "$BIND_HOST:$port" \
    --console-address "$BIND_HOST:$((MINIO_CLUSTER_CONSOLE_PORT + node - 1))" "${endpoints[@]}"
