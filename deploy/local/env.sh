# Settings of the local stack, shared by every script in deploy/ and by the test fixtures.
# Each one can be overridden from the environment (e.g. `GATEWAY_PORT=8080 make up`).
# shellcheck shell=bash

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ROOT_DIR
export BIN_DIR="${BIN_DIR:-$ROOT_DIR/.local/bin}"
export VENV_DIR="${VENV_DIR:-$ROOT_DIR/.venv}"
export STATE_DIR="${STATE_DIR:-$ROOT_DIR/.state}"

# Pinned versions of what `make setup` builds with `go install` (MinIO ships as source only).
export MINIO_MODULE="github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c"
export MC_MODULE="github.com/minio/mc@v0.0.0-20250313080218-cf909e1063a9"
export NATS_CLI_MODULE="github.com/nats-io/natscli/nats@v0.5.1"
# Renders and lints the Kubernetes chart (deploy/helm/) in the tests; no cluster needed.
export HELM_MODULE="helm.sh/helm/v3/cmd/helm@v3.22.0"

export BIND_HOST="${BIND_HOST:-127.0.0.1}"
export NATS_PORT="${NATS_PORT:-4222}"
export NATS_MONITOR_PORT="${NATS_MONITOR_PORT:-8222}"
export MINIO_PORT="${MINIO_PORT:-9000}"
export MINIO_CONSOLE_PORT="${MINIO_CONSOLE_PORT:-9001}"
export GATEWAY_PORT="${GATEWAY_PORT:-8000}"
export LISTENER_METRICS_PORT="${LISTENER_METRICS_PORT:-9101}"
export WORKER_METRICS_PORT="${WORKER_METRICS_PORT:-9102}"
export COMPARE_METRICS_PORT="${COMPARE_METRICS_PORT:-9103}"
export WEBHOOK_METRICS_PORT="${WEBHOOK_METRICS_PORT:-9104}"
export MINIO_ROOT_USER="${MINIO_ROOT_USER:-minioadmin}"
export MINIO_ROOT_PASSWORD="${MINIO_ROOT_PASSWORD:-minioadmin}"
# Origins browsers may call from: the gateway and MinIO (global CORS) use the same list.
export DANCE_CORS_ORIGINS="${DANCE_CORS_ORIGINS:-*}"
# The subject MinIO publishes bucket events on; the events stream captures it.
export DANCE_EVENTS_SUBJECT="${DANCE_EVENTS_SUBJECT:-minio.events}"

# What the Python processes read (see infra/settings.py for every DANCE_* setting).
export DANCE_NATS_URL="${DANCE_NATS_URL:-nats://$BIND_HOST:$NATS_PORT}"
export DANCE_S3_ENDPOINT="${DANCE_S3_ENDPOINT:-http://$BIND_HOST:$MINIO_PORT}"
export DANCE_S3_PUBLIC_ENDPOINT="${DANCE_S3_PUBLIC_ENDPOINT:-http://localhost:$MINIO_PORT}"
export DANCE_S3_ACCESS_KEY="${DANCE_S3_ACCESS_KEY:-$MINIO_ROOT_USER}"
export DANCE_S3_SECRET_KEY="${DANCE_S3_SECRET_KEY:-$MINIO_ROOT_PASSWORD}"
export DANCE_HTTP_HOST="${DANCE_HTTP_HOST:-$BIND_HOST}"
export DANCE_HTTP_PORT="${DANCE_HTTP_PORT:-$GATEWAY_PORT}"
# A developer receives webhooks on localhost; production refuses private targets (the default).
export DANCE_WEBHOOK_ALLOW_PRIVATE="${DANCE_WEBHOOK_ALLOW_PRIVATE:-true}"
# DANCE_API_KEYS (comma-separated bearer keys) is passed through as set: unset, the API is open to
# anyone who can reach it, and `make up` says so when the stack is up.

# The first of the project-local bin folder, the virtual environment and PATH that has $1.
find_bin() {
    local name="$1"
    for candidate in "$BIN_DIR/$name" "$VENV_DIR/bin/$name"; do
        [ -x "$candidate" ] && { echo "$candidate"; return 0; }
    done
    command -v "$name" 2>/dev/null
}
