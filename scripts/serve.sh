#!/usr/bin/env bash
# Serve CBM Hub in production: migrate, collect static files, start the hotline worker(s) under
# scripts/keep-running.sh, and run gunicorn (the pinned WSGI server) on cbmhub.wsgi.
#
# Usage: scripts/serve.sh [BIND]        BIND default 127.0.0.1:8000 (put a TLS proxy in front)
#
#   CBMHUB_WEB_WORKERS      gunicorn worker processes; default 2 × CPUs + 1. Each is one
#                           process with one persistent database connection (CONN_MAX_AGE 60 s)
#                           serving one request at a time (sync workers): a request is short
#                           and bound by the CPU and the database, so the CPU count, not the
#                           number of clients, sets it; the +1 (and ×2) cover the time a worker
#                           waits on PostgreSQL. Mind PostgreSQL's max_connections: web workers
#                           + hotline workers of every app server must fit.
#   CBMHUB_HOTLINE_WORKERS  hotline outbox workers started beside the server; default 1, 0 when
#                           they run elsewhere (a worker host, systemd). Several may run, on one
#                           host or many: they share the outbox (SELECT … FOR UPDATE SKIP LOCKED).
#   CBMHUB_SKIP_SETUP=1     skip migrate and collectstatic (another host did them).
# The usual settings (DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, …) come from the environment:
# README.md, "Configuration". Ctrl-C or SIGTERM stops the server and the workers.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${CBMHUB_VENV:-.venv}/bin"
BIND="${1:-127.0.0.1:8000}"
CPUS="$(nproc 2>/dev/null || echo 1)"
WEB_WORKERS="${CBMHUB_WEB_WORKERS:-$((2 * CPUS + 1))}"
HOTLINE_WORKERS="${CBMHUB_HOTLINE_WORKERS:-1}"
ACCESS_LOG="${CBMHUB_ACCESS_LOG--}"  # a file, "-" (stdout, the default) or empty (none)
export DJANGO_SETTINGS_MODULE=cbmhub.settings

if [ "${CBMHUB_SKIP_SETUP:-0}" != 1 ]; then
  "$BIN/cbmhub" migrate --no-input -v 0
  "$BIN/cbmhub" collectstatic --no-input -v 0
fi

children=()
stop() {
  for pid in "${children[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait
}
trap stop EXIT INT TERM

for _ in $(seq 1 "$HOTLINE_WORKERS"); do
  scripts/keep-running.sh "$BIN/cbmhub" hotline worker &
  children+=("$!")
done

"$BIN/gunicorn" cbmhub.wsgi:application \
  --bind "$BIND" \
  --workers "$WEB_WORKERS" \
  --worker-class sync \
  --timeout 60 \
  --graceful-timeout 30 \
  --max-requests 20000 --max-requests-jitter 2000 \
  ${ACCESS_LOG:+--access-logfile "$ACCESS_LOG"} &
children+=("$!")
echo "CBM Hub: http://$BIND/  ($WEB_WORKERS web workers, $HOTLINE_WORKERS hotline workers)" >&2
wait "${children[-1]}"
