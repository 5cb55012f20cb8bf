#!/bin/sh
# First start on an empty data directory: initdb with POSTGRES_USER as the superuser (password
# POSTGRES_PASSWORD, scram-sha-256 over TCP) and create POSTGRES_DB. Then run the server.
set -eu
: "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  if [ "$POSTGRES_DB" != postgres ]; then
    echo "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\";" | postgres --single -D "$PGDATA" -j postgres >/dev/null
  fi
fi
if [ "${1:-postgres}" = postgres ]; then
  [ "$#" -gt 0 ] && shift
  exec postgres -D "$PGDATA" -c listen_addresses="${POSTGRES_LISTEN_ADDRESSES:-127.0.0.1}" "$@"
fi
exec "$@"
