#!/usr/bin/env bash
# Starts the release server for the Playwright suite on $PORT with a fresh, seeded database in a
# directory named by the port (${TMPDIR:-/tmp}/frontline-e2e-$PORT, so that tests can pipe mail
# into the same desk and read what it sent), and removes it when Playwright stops the server. The
# desk's mail goes over SMTP to a receiver started here (end2end/smtp-sink.mjs), which keeps each
# message in the directory's mail/. With E2E_CLOCK_OFFSET
# (seconds) the desk is seeded and served on the wall clock moved by that much: the suite runs at
# chosen instants (end2end/instants.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${FRONTLINE_BIN:?set FRONTLINE_BIN to the release server binary}"
: "${PORT:?set PORT}"
db_dir=${TMPDIR:-/tmp}/frontline-e2e-$PORT
rm -rf "$db_dir"
mkdir -p "$db_dir"
server="" sink=""
cleanup() {
  # shellcheck disable=SC2086 # either may not have started
  kill -TERM $server $sink 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$db_dir"
}
trap cleanup EXIT INT TERM
export DATABASE_URL="sqlite://$db_dir/frontline.db"
node end2end/smtp-sink.mjs "$db_dir/mail" >"$db_dir/smtp.port" &
sink=$!
for _ in $(seq 50); do
  [[ -s $db_dir/smtp.port ]] && break
  sleep 0.1
done
export FRONTLINE_SMTP_HOST=127.0.0.1 FRONTLINE_SMTP_PORT="$(head -1 "$db_dir/smtp.port")" FRONTLINE_SMTP_TLS=none
export FRONTLINE_ATTACHMENT_DIR="$db_dir/attachments"
clock=()
if [[ -n ${E2E_CLOCK_OFFSET:-} ]]; then
  clock=(--test-clock-offset "$E2E_CLOCK_OFFSET")
fi
"$FRONTLINE_BIN" migrate >/dev/null
"$FRONTLINE_BIN" seed-demo --tickets "${E2E_TICKETS:-2000}" "${clock[@]}" >/dev/null
"$FRONTLINE_BIN" serve --addr "127.0.0.1:$PORT" "${clock[@]}" &
server=$!
wait "$server"
