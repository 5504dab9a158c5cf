#!/usr/bin/env bash
# `make cluster-status`: the cluster's processes, the gateway's readiness, each stream's replicas.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
print_services "${CLUSTER_SERVICES[@]}"
echo
echo "gateway /readyz: $(curl -sS --max-time 2 "http://$BIND_HOST:$GATEWAY_PORT/readyz" 2>&1 || true)"
echo "minio cluster health: $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$BIND_HOST:$MINIO_PORT/minio/health/cluster" || true)"
if nats_cli="$(find_bin nats)"; then
    echo
    "$nats_cli" --server "$DANCE_NATS_URL" server report jetstream 2>/dev/null || true
    "$nats_cli" --server "$DANCE_NATS_URL" stream report 2>/dev/null || true
fi
