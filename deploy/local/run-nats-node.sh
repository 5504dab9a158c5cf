#!/usr/bin/env bash
# Run NATS node N (1..3) of the local cluster in the foreground: JetStream, its own store, routes to
# the other two on loopback. Uses cluster-env.sh's ports.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-env.sh"
node="$1"
offset=$((node - 1))
server="$(find_bin nats-server)" || { echo "nats-server not found: run 'make setup'" >&2; exit 1; }
store="$STATE_DIR/nats/node$node"
mkdir -p "$store"
routes=()
for ((i = 0; i < NATS_NODES; i++)); do routes+=("nats://$BIND_HOST:$((NATS_CLUSTER_PORT + i))"); done
exec "$server" --jetstream --store_dir "$store" --server_name "dance-n$node" \
    --addr "$BIND_HOST" --port "$((NATS_PORT + offset))" --http_port "$((NATS_MONITOR_PORT + offset))" \
    --cluster_name dance --cluster "nats://$BIND_HOST:$((NATS_CLUSTER_PORT + offset))" \
    --routes "$(IFS=,; echo "${routes[*]}")"
