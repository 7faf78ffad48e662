#!/usr/bin/env bash
# Starts two release servers for the Playwright suite's PostgreSQL project: a fresh database on
# the tests' PostgreSQL server (FRONTLINE_TEST_POSTGRES, an admin URL; make test starts one),
# migrated and seeded, served by one instance on $PORT and another on $PORT + 1. Removes the
# database when Playwright stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${FRONTLINE_BIN:?set FRONTLINE_BIN to the release server binary}"
: "${PORT:?set PORT}"
: "${FRONTLINE_TEST_POSTGRES:?set FRONTLINE_TEST_POSTGRES to a PostgreSQL admin URL}"
name=e2e_$$_$RANDOM
work=$(mktemp -d -t frontline-e2e-pg.XXXXXX)
psql "$FRONTLINE_TEST_POSTGRES" -qc "CREATE DATABASE $name" >/dev/null
export DATABASE_URL="${FRONTLINE_TEST_POSTGRES%/*}/$name"
export FRONTLINE_MAIL_DIR="$work/mail"
# the instances share the desk, so they share its files too (as on a shared volume)
export FRONTLINE_ATTACHMENT_DIR="$work/attachments"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  psql "$FRONTLINE_TEST_POSTGRES" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
"$FRONTLINE_BIN" migrate >/dev/null
"$FRONTLINE_BIN" seed-demo --tickets "${E2E_TICKETS:-2000}" >/dev/null
# the second instance first: Playwright waits for the first one's health check only
"$FRONTLINE_BIN" serve --addr "127.0.0.1:$((PORT + 1))" &
pids+=($!)
for _ in $(seq 1 300); do
  # listening: it has opened its database and migrated
  (echo >"/dev/tcp/127.0.0.1/$((PORT + 1))") 2>/dev/null && break
  sleep 0.2
done
"$FRONTLINE_BIN" serve --addr "127.0.0.1:$PORT" &
pids+=($!)
wait -n "${pids[@]}"
