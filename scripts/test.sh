#!/usr/bin/env bash
# Install what the tests need and run the whole suite: lint, Django checks, then the test suite
# on SQLite and on PostgreSQL.
# Usage: scripts/test.sh [all|sqlite|postgres] [extra pytest args]
# PostgreSQL: CBMHUB_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres;
# the tests create and drop their own test_* database). Under CI=true a missing PostgreSQL fails.
set -euo pipefail
cd "$(dirname "$0")/.."
WHICH="${1:-all}"; shift || true

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "CBM Hub needs Python 3.11")'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

# Browser tests drive Debian's Chromium (never a downloaded browser); the independent readers of
# what CBM Hub writes: pandoc and LibreOffice (.docx), poppler's pdftotext (PDF).
CHROMIUM="${CBMHUB_CHROMIUM:-/usr/bin/chromium}"
MISSING=()
[ -x "$CHROMIUM" ] || MISSING+=(chromium)
command -v pandoc >/dev/null || MISSING+=(pandoc)
command -v pdftotext >/dev/null || MISSING+=(poppler-utils)
command -v soffice >/dev/null || MISSING+=(libreoffice-writer-nogui)
if [ "${#MISSING[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's ${MISSING[*]} for the tests ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${MISSING[@]}" >/dev/null
  else
    echo "Missing for the tests: ${MISSING[*]} (run 'sudo apt-get install ${MISSING[*]}')." >&2
    exit 1
  fi
fi

export CBMHUB_TESTING=1
echo "== lint and checks"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy  # all of cbmhub/ with the django-stubs plugin; strict on the engines ([tool.mypy])
.venv/bin/lint-imports --no-cache  # the app layers (pyproject.toml [tool.importlinter])
.venv/bin/python manage.py check --fail-level WARNING
.venv/bin/python manage.py makemigrations --check --dry-run

PYTEST=(.venv/bin/pytest -p xdist -n "${CBMHUB_TEST_WORKERS:-2}" --dist loadfile)

if [ "$WHICH" = all ] || [ "$WHICH" = sqlite ]; then
  echo "== test suite on SQLite"
  env -u DATABASE_URL "${PYTEST[@]}" "$@"
fi

if [ "$WHICH" = all ] || [ "$WHICH" = postgres ]; then
  PG_URL="${CBMHUB_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  if .venv/bin/python -c "import psycopg,sys; psycopg.connect(sys.argv[1].replace('postgres://','postgresql://',1), connect_timeout=5).close()" "$PG_URL" 2>/dev/null; then
    echo "== test suite on PostgreSQL"
    DATABASE_URL="$PG_URL" "${PYTEST[@]}" "$@"
  elif [ "${CI:-}" = true ] || [ "$WHICH" = postgres ]; then
    echo "PostgreSQL is not reachable at $PG_URL: the PostgreSQL run cannot be skipped here." >&2
    exit 1
  else
    echo "!! PostgreSQL not reachable at $PG_URL: the PostgreSQL run was NOT done." >&2
    echo "!! Set CBMHUB_TEST_POSTGRES_URL to run it; CI always runs it." >&2
  fi
fi
