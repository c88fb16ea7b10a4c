#!/usr/bin/env bash
# Run the notification workers and beat on one machine, laid out as in docs/notifications.md, and
# start again any of them that exits.
#
# Why restart: a worker can die when Redis goes away. Celery 5.7 / kombu 5.7 sometimes stop with
# "Unrecoverable error: AttributeError ... 'hostname'" while Redis is down (tests/notifications/
# test_workers.py sees it in about a third of Redis restarts). Nothing is lost, since messages live in
# the database and the sweeper re-drives them, but nothing is sent either until the worker is back.
# In production use your service manager instead (systemd Restart=always, a container restart policy).
#
#   REDIS_URL=redis://127.0.0.1:6379/0 bin/notifications_workers.sh
#
# Environment: REDIS_URL or CELERY_BROKER_URL (required), URGENT_CONCURRENCY (32 threads), NORMAL_CONCURRENCY (4),
# CELERY (.venv/bin/celery), LOGLEVEL (INFO), NO_BEAT=1 when beat runs on another machine (beat must
# run exactly once). Ctrl-C or SIGTERM stops everything (warm shutdown: tasks in hand are finished).
set -euo pipefail

cd "$(dirname "$0")/.."
CELERY=${CELERY:-.venv/bin/celery}
LOGLEVEL=${LOGLEVEL:-INFO}

if [ -z "${REDIS_URL:-}${CELERY_BROKER_URL:-}" ]; then
    echo "Set REDIS_URL (or CELERY_BROKER_URL): without a broker the web process sends messages itself." >&2
    exit 1
fi
RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/bawaba-workers.XXXXXX")

# supervise NAME CELERY-ARGUMENTS...: run one Celery process, and run it again if it exits on its own.
supervise() {
    local name=$1 status
    shift
    trap '' INT  # the terminal's Ctrl-C reaches Celery directly; this loop only stops when told to
    while [ ! -e "$RUN_DIR/stopping" ]; do
        "$CELERY" -A config "$@" --loglevel "$LOGLEVEL" &
        echo $! >"$RUN_DIR/$name.pid"
        status=0
        wait $! || status=$?
        rm -f "$RUN_DIR/$name.pid"
        [ -e "$RUN_DIR/stopping" ] && break
        echo "notifications_workers: $name exited with status $status; starting it again in 2 s" >&2
        sleep 2
    done
}

stop() {
    touch "$RUN_DIR/stopping"
    local pid_file
    for pid_file in "$RUN_DIR"/*.pid; do
        [ -e "$pid_file" ] && kill -TERM "$(cat "$pid_file")" 2>/dev/null || true
    done
    wait
    rm -rf "$RUN_DIR"
}
trap stop INT TERM

supervise urgent worker -Q urgent --pool threads -c "${URGENT_CONCURRENCY:-32}" -n "urgent@%h" &
supervise normal worker -Q normal,receipts -c "${NORMAL_CONCURRENCY:-4}" -n "normal@%h" &
supervise periodic worker -Q periodic -c 1 -n "periodic@%h" &
if [ -z "${NO_BEAT:-}" ]; then
    supervise beat beat &
fi
wait
