#!/usr/bin/env bash
# Install CBM Hub and start it at http://127.0.0.1:8000 on SQLite with demo data.
# Usage: scripts/start.sh            (Ctrl-C stops the server and the worker)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "CBM Hub needs Python 3.11")'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .

export CBMHUB_DEMO_MODE=1   # demo logins work without a second factor; never in production
export DJANGO_SETTINGS_MODULE=cbmhub.settings
.venv/bin/cbmhub migrate --no-input -v 0
.venv/bin/cbmhub collectstatic --no-input -v 0
.venv/bin/cbmhub demo

# The hotline worker delivers the outbox and runs escalations; it stops with the server. It
# retries database and transport errors itself; should it exit anyway, it is started again.
scripts/keep-running.sh .venv/bin/cbmhub hotline worker --sleep 2 &
WORKER=$!
# The exchange pulls its TAXII subscriptions in a loop of its own (docs/exchange.md).
scripts/keep-running.sh .venv/bin/cbmhub exchange pull --sleep 30 &
PULLER=$!
trap 'kill $WORKER $PULLER 2>/dev/null || true' EXIT INT TERM
echo "CBM Hub: http://127.0.0.1:8000/  (worker pid $WORKER)"
.venv/bin/cbmhub runserver 127.0.0.1:8000 --noreload
