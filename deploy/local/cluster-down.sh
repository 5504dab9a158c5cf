#!/usr/bin/env bash
# `make cluster-down`: stop everything `make cluster-up` started, newest first; data is kept.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
echo "Stopping the local cluster"
stop_services "${CLUSTER_SERVICES[@]}"
