#!/usr/bin/env bash
# A throwaway PostgreSQL on 127.0.0.1 for the test suite.
#   source .ci/postgres.sh && pg_start   -> exports VCPBOT_TEST_DATABASE_URL
#   pg_stop                              -> stops it and removes its data
# Installs Debian's postgresql package when no server binaries are found.
set -euo pipefail

PG_PORT="${PG_PORT:-55432}"

pg_bindir() {
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return
  fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/pg_ctl" ]; then
    echo "$dir"
  fi
}

pg_install() {
  echo "ci: installing PostgreSQL from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
}

pg_start() {
  local bindir
  bindir=$(pg_bindir)
  if [ -z "$bindir" ]; then
    pg_install
    bindir=$(pg_bindir)
  fi
  if [ -z "$bindir" ]; then
    echo "ci: PostgreSQL binaries not found after installing" >&2
    return 1
  fi
  id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  PG_DIR=$(mktemp -d /tmp/vcpbot-pg.XXXXXX)
  export PG_DIR PG_BINDIR="$bindir"
  chown postgres "$PG_DIR"
  runuser -u postgres -- "$bindir/initdb" -D "$PG_DIR/data" -A trust -U postgres >"$PG_DIR/initdb.log"
  runuser -u postgres -- "$bindir/pg_ctl" -D "$PG_DIR/data" \
    -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=200" \
    -l "$PG_DIR/log" -w start >/dev/null
  local psql="$bindir/psql"
  [ -x "$psql" ] || psql=psql
  "$psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "create database vcpbot_test"
  export VCPBOT_TEST_DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:$PG_PORT/vcpbot_test"
  echo "ci: PostgreSQL running at $VCPBOT_TEST_DATABASE_URL" >&2
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    runuser -u postgres -- "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
