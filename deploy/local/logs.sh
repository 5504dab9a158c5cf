#!/usr/bin/env bash
# `make logs`: follow every service's log (Ctrl-C to stop). SERVICE=gateway make logs for one.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
if [ -n "${SERVICE:-}" ]; then
    exec tail -n 100 -F "$LOG_DIR/$SERVICE.log"
fi
exec tail -n 20 -F "$LOG_DIR"/*.log
