#!/usr/bin/env bash
# `make status`: which processes run, whether the gateway is ready, and the streams' state.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
print_services "${SERVICES[@]}"
echo
echo "gateway /readyz: $(curl -sS --max-time 2 "http://$BIND_HOST:$GATEWAY_PORT/readyz" 2>&1 || true)"
if nats_cli="$(find_bin nats)" && service_pid nats >/dev/null; then
    echo
    "$nats_cli" --server "$DANCE_NATS_URL" stream ls || true
    "$nats_cli" --server "$DANCE_NATS_URL" consumer ls "${DANCE_WORK_STREAM:-POSE_WORK}" || true
fi
