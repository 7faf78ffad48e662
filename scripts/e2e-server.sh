#!/usr/bin/env bash
# Starts the release server for the Playwright suite on $PORT with a fresh, seeded database in a
# directory named by the port (${TMPDIR:-/tmp}/frontline-e2e-$PORT, so that tests can pipe mail
# into the same desk and read its mail sink), and removes it when Playwright stops the server. With E2E_CLOCK_OFFSET
# (seconds) the desk is seeded and served on the wall clock moved by that much: the suite runs at
# chosen instants (end2end/instants.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${FRONTLINE_BIN:?set FRONTLINE_BIN to the release server binary}"
: "${PORT:?set PORT}"
db_dir=${TMPDIR:-/tmp}/frontline-e2e-$PORT
rm -rf "$db_dir"
mkdir -p "$db_dir"
export DATABASE_URL="sqlite://$db_dir/frontline.db"
export FRONTLINE_MAIL_DIR="$db_dir/mail"
export FRONTLINE_ATTACHMENT_DIR="$db_dir/attachments"
clock=()
if [[ -n ${E2E_CLOCK_OFFSET:-} ]]; then
  clock=(--test-clock-offset "$E2E_CLOCK_OFFSET")
fi
"$FRONTLINE_BIN" migrate >/dev/null
"$FRONTLINE_BIN" seed-demo --tickets "${E2E_TICKETS:-2000}" "${clock[@]}" >/dev/null
"$FRONTLINE_BIN" serve --addr "127.0.0.1:$PORT" "${clock[@]}" &
server=$!
cleanup() {
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$db_dir"
}
trap cleanup EXIT INT TERM
wait "$server"
