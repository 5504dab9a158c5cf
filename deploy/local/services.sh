# Start, stop and inspect the local stack's background processes (pid files under $STATE_DIR/run).
# shellcheck shell=bash

RUN_DIR="$STATE_DIR/run"
LOG_DIR="$STATE_DIR/logs"
#: Start order; `make down` stops them in reverse.
SERVICES=(nats minio gateway listener pose-worker compare-worker webhook-dispatcher)

# A process that exited but is not reaped yet (a zombie) counts as stopped.
is_alive() {
    kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != "Z" ]
}

service_pid() {
    local pidfile="$RUN_DIR/$1.pid" pid
    [ -f "$pidfile" ] || return 1
    pid="$(cat "$pidfile")"
    is_alive "$pid" || return 1
    echo "$pid"
}

# start_service NAME COMMAND...: run COMMAND in the background unless NAME already runs.
start_service() {
    local name="$1"; shift
    mkdir -p "$RUN_DIR" "$LOG_DIR"
    if pid="$(service_pid "$name")"; then
        echo "  $name already running (pid $pid)"
        return 0
    fi
    nohup "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
    echo $! >"$RUN_DIR/$name.pid"
    echo "  $name started (pid $!, log $LOG_DIR/$name.log)"
}

stop_service() {
    local name="$1" pid
    if ! pid="$(service_pid "$name")"; then
        rm -f "$RUN_DIR/$name.pid"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do  # up to 10 s for a graceful stop
        is_alive "$pid" || break
        sleep 0.1
    done
    if is_alive "$pid"; then
        echo "  $name did not stop in 10 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$RUN_DIR/$name.pid"
    echo "  $name stopped"
}

# wait_for_url NAME URL [SECONDS]: poll until URL answers 2xx, or fail showing the log's tail.
wait_for_url() {
    local name="$1" url="$2" seconds="${3:-60}"
    for _ in $(seq 1 $((seconds * 5))); do
        curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null && return 0
        if ! service_pid "$name" >/dev/null; then
            echo "$name exited; last lines of $LOG_DIR/$name.log:" >&2
            tail -n 30 "$LOG_DIR/$name.log" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "$name did not become ready at $url within ${seconds}s; see $LOG_DIR/$name.log" >&2
    return 1
}

# stack_running STATE_DIR: whether any process of the stack keeping its pid files there is alive.
stack_running() {
    local pidfile
    for pidfile in "$1"/run/*.pid; do
        [ -f "$pidfile" ] && is_alive "$(cat "$pidfile")" && return 0
    done
    return 1
}

# stop_services NAME...: stop the named services, last first (the reverse of their start order).
stop_services() {
    local names=("$@") i
    for ((i = ${#names[@]} - 1; i >= 0; i--)); do
        stop_service "${names[$i]}"
    done
}

# print_services NAME...: one line per service, running (with its pid) or stopped.
print_services() {
    local name pid
    for name in "$@"; do
        if pid="$(service_pid "$name")"; then
            printf '  %-20s running (pid %s)\n' "$name" "$pid"
        else
            printf '  %-20s stopped\n' "$name"
        fi
    done
}

# report_api_keys API_URL RESTART: whether the gateway wants a key, asked of the running gateway (one
# already running keeps the keys it started with, whatever this shell sets); loud when it is open.
report_api_keys() {
    local api="$1" restart="$2" status
    status="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "$api/api/v1/analyze" 2>/dev/null || true)"
    case "$status" in
        401) echo "API keys: required, sent as 'Authorization: Bearer <key>' (one of DANCE_API_KEYS)" ;;
        2??) cat >&2 <<WARN

!!  WARNING: the gateway runs without API keys (started with DANCE_API_KEYS unset or empty).
!!  Anyone who can reach $api can list, read and delete every job.
!!  To require keys, restart with one or more, comma-separated:
!!      export DANCE_API_KEYS="\$(openssl rand -hex 32)"
!!      $restart
!!  Clients then send 'Authorization: Bearer <key>'.

WARN
        ;;
        *) echo "API keys: unknown (GET $api/api/v1/analyze answered '${status:-nothing}')" >&2 ;;
    esac
}
