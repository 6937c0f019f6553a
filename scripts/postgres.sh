#!/usr/bin/env bash
# Private PostgreSQL server for the test suite.
#
#   scripts/postgres.sh ensure   # start (creating once) a local test cluster;
#                                # prints ONE line on stdout: the SQLAlchemy URL
#   scripts/postgres.sh status   # exit 0 if the private cluster is running
#   scripts/postgres.sh stop     # stop the private cluster (no-op if down)
#
# ensure:
#   1. $SECONDLOOK_TEST_DATABASE_URL set and reachable -> print it, done.
#   2. PostgreSQL server binaries found ($PG_BINDIR, /usr/lib/postgresql/*/bin,
#      or initdb/pg_ctl on PATH) -> cluster in var/pg/ (override with
#      $SECONDLOOK_PG_DIR), 127.0.0.1 only, port 55432 ($SECONDLOOK_PG_PORT;
#      the next free port is used if another server holds it), role and
#      database secondlook_test, PostGIS enabled when installed.
#   3. No binaries -> exit 3 (install: apt-get install postgresql
#      postgresql-15-postgis-3).
# As root the cluster is owned and run by the `postgres` system user (initdb
# refuses to run as root). Everything but the URL goes to stderr.
# The cluster is a throw-away test cluster: fsync is off.
set -euo pipefail

exec 3>&1 1>&2 # fd 3 = real stdout (URL only); everything else -> stderr

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEFAULT_PORT=${SECONDLOOK_PG_PORT:-55432}
DB_NAME=secondlook_test
DB_USER=secondlook_test
DB_PASS=secondlook_test
SUPERUSER=postgres
OWNER_USER=postgres # system user that owns the cluster when we are root

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() {
  local code=$1
  shift
  log "$*"
  exit "$code"
}

usage() {
  sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------- helpers

is_root() { [[ $(id -u) -eq 0 ]]; }

# Run a command as the cluster owner (the postgres user when we are root).
as_owner() {
  if is_root; then
    if command -v runuser >/dev/null 2>&1; then
      (cd / && runuser -u "$OWNER_USER" -- "$@")
    else
      (cd / && su -s /bin/sh "$OWNER_USER" -c "$(printf '%q ' "$@")")
    fi
  else
    "$@"
  fi
}

# URL -> libpq URI (drop the SQLAlchemy "+driver" part).
libpq_uri() { sed -E 's#^postgres(ql)?(\+[A-Za-z0-9_]+)?://#postgresql://#' <<<"$1"; }

url_reachable() {
  local uri py=$ROOT/.venv/bin/python
  uri=$(libpq_uri "$1")
  if [[ -x $py ]] && "$py" -c 'import psycopg' 2>/dev/null; then
    "$py" - "$uri" <<'PY' >/dev/null 2>&1
import sys, psycopg
with psycopg.connect(sys.argv[1], connect_timeout=5) as conn:
    conn.execute("SELECT 1")
PY
    return
  fi
  if command -v psql >/dev/null 2>&1; then
    PGCONNECT_TIMEOUT=5 psql -X -q -At -d "$uri" -c 'SELECT 1' >/dev/null 2>&1
    return
  fi
  log "cannot check $1 (no psycopg in .venv, no psql); assuming it is reachable"
}

# Directory holding initdb/pg_ctl/postgres; empty when none is installed.
find_bindir() {
  local d ver
  if [[ -n ${PG_BINDIR:-} ]]; then
    [[ -x $PG_BINDIR/initdb && -x $PG_BINDIR/pg_ctl ]] && echo "$PG_BINDIR"
    return 0
  fi
  # An existing cluster must be run by its own major version.
  if [[ -r $PGDATA_DIR/PG_VERSION ]]; then
    ver=$(<"$PGDATA_DIR/PG_VERSION")
    d=/usr/lib/postgresql/$ver/bin
    if [[ -x $d/initdb && -x $d/pg_ctl ]]; then
      echo "$d"
      return 0
    fi
  fi
  d=$(for x in /usr/lib/postgresql/*/bin; do
    [[ -x $x/initdb && -x $x/pg_ctl && -x $x/postgres ]] && echo "$x"
  done | sort -V | tail -n 1)
  if [[ -n $d ]]; then
    echo "$d"
    return 0
  fi
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  fi
}

# Where the cluster lives. Default: <repo>/var/pg. As root, if the postgres
# user cannot reach the repository (e.g. a clone under /root), fall back to a
# per-repository directory under /var/tmp.
resolve_base() {
  if [[ -n ${SECONDLOOK_PG_DIR:-} ]]; then
    PG_BASE=$SECONDLOOK_PG_DIR
  else
    PG_BASE=$ROOT/var/pg
    if is_root && id -u "$OWNER_USER" >/dev/null 2>&1 &&
      ! as_owner test -x "$ROOT" 2>/dev/null; then
      PG_BASE=/var/tmp/secondlook-pg-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)
    fi
  fi
  PGDATA_DIR=$PG_BASE/data
  SOCK_DIR=$PG_BASE/run
  LOG_FILE=$PG_BASE/postgres.log
}

port_busy() { (exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

is_running() {
  local pid
  [[ -f $PGDATA_DIR/PG_VERSION && -f $PGDATA_DIR/postmaster.pid ]] || return 1
  pid=$(head -n 1 "$PGDATA_DIR/postmaster.pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  # After a machine restart the PID in a stale postmaster.pid may belong to
  # an unrelated process, which would fool `pg_ctl status`.
  if [[ -d /proc/$pid ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q postgres
    return
  fi
  as_owner "$BINDIR/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1
}

running_port() { sed -n '4p' "$PGDATA_DIR/postmaster.pid"; }

psql_super() { # psql_super DB [psql args...]
  local db=$1
  shift
  as_owner "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -h "$SOCK_DIR" -p "$PORT" \
    -U "$SUPERUSER" -d "$db" "$@"
}

sql_quote() { printf "'%s'" "${1//\'/\'\'}"; }

# ---------------------------------------------------------------- steps

prepare_dirs() {
  if is_root; then
    id -u "$OWNER_USER" >/dev/null 2>&1 ||
      die 3 "running as root, but there is no '$OWNER_USER' system user to own the cluster (initdb refuses root)"
  fi
  mkdir -p "$PG_BASE" "$SOCK_DIR"
  chmod 700 "$SOCK_DIR"
  if is_root; then
    chown "$OWNER_USER:" "$PG_BASE" "$SOCK_DIR"
    as_owner test -w "$PG_BASE" ||
      die 1 "the '$OWNER_USER' user cannot write $PG_BASE (a parent directory is not traversable); set SECONDLOOK_PG_DIR to a directory it can reach"
  fi
}

init_cluster() {
  [[ -f $PGDATA_DIR/PG_VERSION ]] && return 0
  local tmp=$PGDATA_DIR.init
  log "creating test cluster in $PGDATA_DIR ($("$BINDIR/postgres" --version 2>/dev/null || echo postgres))"
  rm -rf "$tmp"
  as_owner "$BINDIR/initdb" -D "$tmp" -U "$SUPERUSER" --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C >"$PG_BASE/initdb.log" 2>&1 || {
    tail -n 20 "$PG_BASE/initdb.log" >&2
    die 1 "initdb failed (full log: $PG_BASE/initdb.log)"
  }
  printf "\ninclude_if_exists = 'secondlook.conf'\n" | as_owner tee -a "$tmp/postgresql.conf" >/dev/null
  mv "$tmp" "$PGDATA_DIR"
}

start_cluster() {
  PORT=$DEFAULT_PORT
  local tries=0
  while port_busy "$PORT"; do
    tries=$((tries + 1))
    ((tries <= 20)) || die 1 "ports $DEFAULT_PORT..$PORT are all in use on 127.0.0.1"
    log "port $PORT on 127.0.0.1 is taken by another server; trying $((PORT + 1))"
    PORT=$((PORT + 1))
  done
  # Rewritten on every start: listen address, port and socket dir follow
  # this checkout's location and settings.
  as_owner tee "$PGDATA_DIR/secondlook.conf" >/dev/null <<EOF
# Written by scripts/postgres.sh on each start; do not edit.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = $(sql_quote "$SOCK_DIR")
max_connections = 100
# Throw-away test cluster: durability off for speed.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  if [[ -f $PGDATA_DIR/postmaster.pid ]]; then
    log "removing stale postmaster.pid (no server is running with that PID)"
    rm -f "$PGDATA_DIR/postmaster.pid"
  fi
  log "starting test cluster on 127.0.0.1:$PORT (log: $LOG_FILE)"
  # The server must not inherit our stdout (fd 3: callers use $(...)) or the
  # lock (fd 8).
  as_owner "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -l "$LOG_FILE" -w -t 60 start </dev/null >/dev/null 3>&- 8>&- || {
    tail -n 20 "$LOG_FILE" >&2 || true
    die 1 "could not start PostgreSQL (log: $LOG_FILE)"
  }
}

provision() {
  local has_role has_db has_postgis
  has_role=$(psql_super postgres -c "SELECT 1 FROM pg_roles WHERE rolname = $(sql_quote "$DB_USER")")
  if [[ -z $has_role ]]; then
    log "creating role $DB_USER"
    psql_super postgres -c "CREATE ROLE \"$DB_USER\" LOGIN CREATEDB PASSWORD $(sql_quote "$DB_PASS")"
  fi
  has_db=$(psql_super postgres -c "SELECT 1 FROM pg_database WHERE datname = $(sql_quote "$DB_NAME")")
  if [[ -z $has_db ]]; then
    log "creating database $DB_NAME"
    psql_super postgres -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_USER\""
  fi
  has_postgis=$(psql_super "$DB_NAME" -c "SELECT installed_version IS NOT NULL FROM pg_available_extensions WHERE name = 'postgis'")
  case $has_postgis in
    t) ;;
    f)
      log "enabling PostGIS in $DB_NAME"
      psql_super "$DB_NAME" -c "CREATE EXTENSION IF NOT EXISTS postgis" ||
        log "warning: CREATE EXTENSION postgis failed; continuing without PostGIS"
      ;;
    *) log "PostGIS is not installed for this server; continuing without it (apt-get install postgresql-15-postgis-3)" ;;
  esac
}

# ---------------------------------------------------------------- commands

cmd_ensure() {
  if [[ -n ${SECONDLOOK_TEST_DATABASE_URL:-} ]]; then
    if url_reachable "$SECONDLOOK_TEST_DATABASE_URL"; then
      printf '%s\n' "$SECONDLOOK_TEST_DATABASE_URL" >&3
      return 0
    fi
    log "SECONDLOOK_TEST_DATABASE_URL is set but not reachable; using the local test cluster instead"
  fi

  resolve_base
  BINDIR=$(find_bindir)
  [[ -n $BINDIR ]] ||
    die 3 "no PostgreSQL server binaries (initdb, pg_ctl) found; install them, e.g. 'apt-get install postgresql postgresql-15-postgis-3', or set PG_BINDIR"
  PSQL=$BINDIR/psql
  [[ -x $PSQL ]] || PSQL=$(command -v psql) || die 3 "psql not found"

  prepare_dirs
  if command -v flock >/dev/null 2>&1; then
    exec 8>"$PG_BASE/.lock"
    flock -w 120 8 || die 1 "timed out waiting for another postgres.sh run"
  fi

  init_cluster
  if is_running; then
    PORT=$(running_port)
  else
    start_cluster
  fi
  provision
  printf 'postgresql+psycopg://%s:%s@127.0.0.1:%s/%s\n' "$DB_USER" "$DB_PASS" "$PORT" "$DB_NAME" >&3
}

cmd_status() {
  resolve_base
  BINDIR=$(find_bindir)
  if [[ -n $BINDIR ]] && is_running; then
    log "running: $PGDATA_DIR on 127.0.0.1:$(running_port)"
    return 0
  fi
  log "not running ($PGDATA_DIR)"
  return 1
}

cmd_stop() {
  resolve_base
  BINDIR=$(find_bindir)
  if [[ -z $BINDIR ]] || ! is_running; then
    log "not running ($PGDATA_DIR)"
    return 0
  fi
  log "stopping test cluster ($PGDATA_DIR)"
  as_owner "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 stop >/dev/null
}

case ${1:-} in
  ensure) cmd_ensure ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac
