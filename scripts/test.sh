#!/usr/bin/env bash
# Run the test suite twice: on SQLite, then on PostgreSQL.
#
#   scripts/test.sh [pytest args...]     (normally via `make test`)
#
# The PostgreSQL pass uses $SECONDLOOK_TEST_DATABASE_URL when it is set and
# reachable, else a private local cluster from scripts/postgres.sh. Without
# PostgreSQL the second pass is skipped with a warning, except under CI=true
# where that is a failure. Exit status is non-zero if either pass fails;
# pytest's "no tests collected" (exit 5) counts as a failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

PY=$ROOT/.venv/bin/python
[[ -x $PY ]] || {
  echo "scripts/test.sh: $PY not found; run 'make test' (it creates the virtualenv)" >&2
  exit 1
}

is_ci() { [[ ${CI:-} =~ ^([Tt]rue|TRUE|1|[Yy]es)$ ]]; }

banner() { printf '\n==== %s ====\n' "$*"; }

describe() { # exit code -> word
  case $1 in
    0) echo "passed" ;;
    5) echo "FAILED (no tests collected, exit 5)" ;;
    *) echo "FAILED (exit $1)" ;;
  esac
}

run_pytest() { # run_pytest <database-url-or-empty> [args...]; echoes nothing, returns rc
  local url=$1
  shift
  local rc=0
  if [[ -n $url ]]; then
    SECONDLOOK_TEST_DATABASE_URL=$url "$PY" -m pytest -q "$@" || rc=$?
  else
    env -u SECONDLOOK_TEST_DATABASE_URL "$PY" -m pytest -q "$@" || rc=$?
  fi
  return "$rc"
}

# ---- pass 1: SQLite
banner "pass 1/2: SQLite"
sqlite_rc=0
run_pytest "" "$@" || sqlite_rc=$?
sqlite_result=$(describe "$sqlite_rc")

# ---- pass 2: PostgreSQL
banner "pass 2/2: PostgreSQL"
pg_rc=0
pg_result=
pg_started_here=false
scripts/postgres.sh status >/dev/null 2>&1 || pg_started_here=true
pg_url=
ensure_rc=0
pg_url=$(scripts/postgres.sh ensure) || ensure_rc=$?

if [[ $ensure_rc -eq 0 && -n $pg_url ]]; then
  echo "using $(sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#' <<<"$pg_url")"
  run_pytest "$pg_url" "$@" || pg_rc=$?
  pg_result=$(describe "$pg_rc")
elif [[ $ensure_rc -eq 3 ]] && ! is_ci; then
  # No PostgreSQL on this machine: allowed locally, loudly.
  pg_result="SKIPPED (PostgreSQL not installed)"
  cat >&2 <<'EOF'

!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!!  WARNING: the PostgreSQL pass of the test suite was SKIPPED.            !!
!!  Only SQLite was tested. To enable the PostgreSQL pass, either:         !!
!!    sudo apt-get install postgresql postgresql-15-postgis-3              !!
!!  (scripts/postgres.sh then runs a private cluster under var/pg/), or    !!
!!  export SECONDLOOK_TEST_DATABASE_URL=postgresql+psycopg://USER:PW@HOST:PORT/DB
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!

EOF
else
  pg_rc=1
  if [[ $ensure_rc -eq 3 ]]; then
    pg_result="FAILED (PostgreSQL unavailable; required when CI=true)"
    echo "scripts/test.sh: PostgreSQL is not available and CI=true: the PostgreSQL pass is mandatory in CI (install postgresql postgresql-15-postgis-3)." >&2
  else
    pg_result="FAILED (scripts/postgres.sh ensure exited $ensure_rc)"
    echo "scripts/test.sh: could not get a PostgreSQL server from scripts/postgres.sh (exit $ensure_rc); see the messages above." >&2
  fi
fi

# In CI leave nothing running that this script started.
if is_ci && $pg_started_here; then
  scripts/postgres.sh stop >/dev/null 2>&1 || true
fi

banner "summary"
echo "test.sh summary: sqlite pass: $sqlite_result; postgresql pass: $pg_result"

if [[ $sqlite_rc -ne 0 || $pg_rc -ne 0 ]]; then
  exit 1
fi
exit 0
