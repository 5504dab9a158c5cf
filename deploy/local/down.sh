#!/usr/bin/env bash
# `make down`: stop everything `make up` started, newest first; data in $STATE_DIR is kept.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
echo "Stopping the local stack"
stop_services "${SERVICES[@]}"
