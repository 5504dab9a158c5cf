#!/usr/bin/env bash
# `make cluster-down`: stop everything `make cluster-up` started, newest first; data is kept.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
echo "Stopping the local cluster"
for ((i = ${#CLUSTER_SERVICES[@]} - 1; i >= 0; i--)); do
    stop_service "${CLUSTER_SERVICES[$i]}"
done
