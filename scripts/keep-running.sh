#!/usr/bin/env bash
# Run a command and start it again whenever it exits, until this script is stopped.
# Usage: scripts/keep-running.sh COMMAND [ARGS...]   (RESTART_DELAY seconds between runs, default 5)
# scripts/start.sh runs the hotline worker under it: delivery and escalation must not stop
# silently because the worker died (the worker itself survives database and transport errors;
# this covers what it cannot, e.g. being killed or running out of memory).
set -uo pipefail
delay="${RESTART_DELAY:-5}"
child=""
stop() {
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null && wait "$child"
  exit 0
}
trap stop TERM INT
while true; do
  "$@" &
  child=$!
  wait "$child"
  status=$?
  child=""
  echo "keep-running: '$*' exited with status $status; starting it again in ${delay} s" >&2
  sleep "$delay" &
  wait $!
done
