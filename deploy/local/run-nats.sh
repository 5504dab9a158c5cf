#!/usr/bin/env bash
# Run nats-server with JetStream in the foreground (exec, so the caller's pid is the server's).
# Uses NATS_PORT, NATS_MONITOR_PORT, BIND_HOST and NATS_STORE_DIR (default $STATE_DIR/nats).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
NATS_STORE_DIR="${NATS_STORE_DIR:-$STATE_DIR/nats}"
server="$(find_bin nats-server)" || { echo "nats-server not found: run 'make setup'" >&2; exit 1; }
mkdir -p "$NATS_STORE_DIR"
exec "$server" --jetstream --store_dir "$NATS_STORE_DIR" \
    --addr "$BIND_HOST" --port "$NATS_PORT" --http_port "$NATS_MONITOR_PORT" \
    --server_name dance-local
