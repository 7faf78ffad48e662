#!/usr/bin/env bash
# `make bench-load`: a busy desk against the release server on a seeded SQLite desk (issue #26).
# Seeds (or re-uses, scripts/bench-lib.sh) the demo database of BENCH_LOAD_SIZE tickets, serves a
# copy of it at the seed's moment, drives it with scripts/bench-load.mjs (staff, dashboards,
# clients and live streams signed in as the demo people, open-loop arrivals, a spike of new
# tickets, then the saturation steps), runs the raw insert baseline on the same database, prints
# the tables with the targets and writes target/bench/load.json. Exit status: non-zero when the
# harness fails or a target is missed (listed).
#
# Knobs (environment):
#   BENCH_LOAD_SIZE         tickets in the desk                     (default 1000000)
#   BENCH_LOAD_PHASE_S      seconds of each phase: normal, spike, after (default 60)
#   BENCH_LOAD_STAFF, BENCH_LOAD_DASHBOARDS, BENCH_LOAD_CLIENTS, BENCH_LOAD_STREAMS
#                           sessions and live streams               (default 40, 4, 300, 500)
#   BENCH_LOAD_STAFF_S      mean seconds between a staff session's ticket pages, and between its
#                           claims/replies/notes; its queue twice that (default 5)
#   BENCH_LOAD_CLIENT_S     mean seconds between a client's portal or ticket pages (default 20)
#   BENCH_LOAD_DASHBOARD_S  mean seconds between a dashboard's refetches (default 3)
#   BENCH_LOAD_RAISE_PER_S  tickets raised per second outside the spike (default 1)
#   BENCH_LOAD_SPIKE_PER_S, BENCH_LOAD_SPIKE_ORG   the spike (default 50 per s from NWL)
#   BENCH_LOAD_SATURATION   0: skip the saturation steps            (default 1)
#   BENCH_LOAD_STEP_S       seconds per saturation step             (default 10)
#   BENCH_LOAD_CREATE_STEPS, BENCH_LOAD_PAGE_STEPS  rates per s     (default: about 1.4x apart, from 25 and from 5)
#   BENCH_LOAD_RAW          rows of the raw insert baseline         (default 500)
#   BENCH_PORT, BENCH_CACHE_DIR as for make bench
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

source scripts/bench-lib.sh
bench_checks
command -v sqlite3 >/dev/null || die "sqlite3 is needed to list the demo people (apt-get install sqlite3)"

size=${BENCH_LOAD_SIZE:-1000000}
[[ $size =~ ^[1-9][0-9]*$ ]] || die "BENCH_LOAD_SIZE holds \"$size\", not a ticket count"
cache=${BENCH_CACHE_DIR:-$HOME/.cache/frontline/bench}
out=$repo/target/bench
mkdir -p "$cache" "$out"
rm -f "$out"/load-run.json "$out"/load-raw.json

# a file descriptor per live stream and per request in flight, on both ends
ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

server_pid=""
work=$(mktemp -d "$cache/load.XXXXXX")
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> $size tickets under load" >&2
db=$(seeded_db "$size")
offset=$(clock_offset "$db")
run_db=$work/frontline.db
cp --reflink=auto "$db" "$run_db"
for suffix in -wal -shm; do
  if [[ -e $db$suffix ]]; then cp "$db$suffix" "$run_db$suffix"; fi
done

# The demo people as the seed made them: the named logins and the invented staff and clients
# (all with the demo password, which people created from mail lack), with the firm of each
# client and the firms each staff member's team serves.
sqlite3 -json "$run_db" "
  SELECT u.email, u.role, o.code AS org,
         (SELECT group_concat(so.code) FROM team_orgs t JOIN organizations so ON so.id = t.org_id
           WHERE t.team_id = u.team_id) AS orgs
    FROM users u LEFT JOIN organizations o ON o.id = u.org_id
   WHERE u.active AND u.password_hash =
         (SELECT password_hash FROM users WHERE email = 'morgan.reyes@frontline.example')
   ORDER BY u.id" >"$work/people.json" || die "could not list the people of $run_db"

export DATABASE_URL="sqlite://$run_db"
export FRONTLINE_ATTACHMENT_DIR=$work/files
export FRONTLINE_MAIL_DIR=$work/mail
port=${BENCH_PORT:-$(free_port 3900)}
[[ -n $port ]] || die "found no free port from 3900"
log=$out/server-load.log
echo "  serving at the seed's moment: the clock set back $((-offset / 3600)) h; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$FRONTLINE_BIN" --test-clock-offset "$offset" serve --addr "127.0.0.1:$port" >"$log" 2>&1 &
server_pid=$!
if ! node scripts/bench-load.mjs drive --url "http://127.0.0.1:$port" --pid "$server_pid" --size "$size" \
  --people "$work/people.json" --tick "$(getconf CLK_TCK)" --out "$out/load-run.json"; then
  echo "bench-load: driving the load failed; the server's last log lines ($log):" >&2
  tail -n 20 "$log" >&2 || true
  exit 1
fi
stop_server

# SQLite's commit rate on the same database in the same run: the write path's physical limit
raw_insert "${BENCH_LOAD_RAW:-500}" "$out/load-raw.json"

commit=$(git rev-parse --short HEAD 2>/dev/null || true)
# requests that waited the pool's whole acquire timeout for a database connection
pool_timeouts=$(grep -c "pool timed out" "$log" || true)
FRONTLINE_BIN=$FRONTLINE_BIN node scripts/bench-load.mjs report --run "$out/load-run.json" \
  --raw "$out/load-raw.json" --pool-timeouts "${pool_timeouts:-0}" --out "$out/load.json" --commit "${commit:-none}" || {
  status=$?
  ((status == 3)) || die "the report failed"
  die "targets missed (listed under Targets above)"
}
