#!/usr/bin/env bash
# `make bench`: seeds (or re-uses) demo databases of each size, runs the release server on each,
# measures it over real HTTP with scripts/bench.mjs (queue, dashboard, desk report, ticket page,
# live push, creation), runs the raw insert baseline on the same
# database, sizes the shipped WASM/JS as served, times the first load in Chromium on the largest
# desk (scripts/first-load.mjs), prints a table with the targets and writes
# target/bench/report.json (report-postgres.json with BENCH_DB=postgres). Every figure is printed;
# the exit status is non-zero when the harness fails (a server that will not start, HTTP errors)
# or when a target is missed (the report lists each miss; the soak runs first).
#
# Knobs (environment):
#   BENCH_DB          sqlite, or postgres: a kept PostgreSQL server (its data in BENCH_PG_DIR,
#                     default BENCH_CACHE_DIR/postgres, or /var/tmp/frontline-bench-postgres
#                     when PostgreSQL's user cannot enter the cache), two instances on it
#                     (default sqlite)
#   BENCH_SIZES       ticket counts to measure          (default "10000 100000 1000000")
#   BENCH_REQUESTS    samples per latency figure        (default 200)
#   BENCH_CREATE      tickets raised for the rate       (default 500, also the raw loop's rows)
#   BENCH_MAIL        messages piped through ingest-mail (default 100)
#   BENCH_CONCURRENCY raise requests in flight          (default 8)
#   BENCH_PORT        server port                       (default: the first free one from 3900)
#   BENCH_CACHE_DIR   seeded databases                  (default ~/.cache/frontline/bench)
#   BENCH_ACCEPT_ENCODING, BENCH_WARMUP, BENCH_SSE_SUBSCRIBERS, BENCH_SSE_EVENTS, BENCH_TIMELINE
#   BENCH_FIRST_LOAD  1: the first load in Chromium on the largest desk (default 1; needs
#                     make setup-test's Chromium), BENCH_FIRST_LOAD_RUNS runs each (default 5)
#   BENCH_SOAK        1: after the figures, the slow variants of make test's suites (default 1)
#   CRASH_ROUNDS      kill -9 rounds of the soak's crash-safety run (default 20; make test runs 5)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

source scripts/bench-lib.sh

bench_checks

sizes=${BENCH_SIZES:-"10000 100000 1000000"}
for n in $sizes; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "BENCH_SIZES holds \"$n\", not a ticket count"
done
create=${BENCH_CREATE:-500}
cache=${BENCH_CACHE_DIR:-$HOME/.cache/frontline/bench}
target_dir=${CARGO_TARGET_DIR:-$HOME/.cache/frontline/target}
out=$repo/target/bench
parts=$out/parts
mkdir -p "$cache" "$parts"
rm -f "$parts"/*.json "$out"/server-*.log

# A file descriptor per live subscriber on both ends.
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

backend=${BENCH_DB:-sqlite}
[[ $backend == sqlite || $backend == postgres ]] || die "BENCH_DB is sqlite or postgres, not \"$backend\""

server_pid=""
second_pid=""
work=$(mktemp -d "$cache/run.XXXXXX")
stop_second() {
  [[ -n $second_pid ]] || return 0
  kill -TERM "$second_pid" 2>/dev/null || true
  wait "$second_pid" 2>/dev/null || true
  second_pid=""
}
cleanup() {
  stop_server
  stop_second
  [[ $backend == postgres ]] && pg_stop
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# the seed's and the server's stored files (the demo mail's originals, piped mail)
export FRONTLINE_ATTACHMENT_DIR=$work/files
# the API's figures come from one token per role: the per-token limit must not be what they measure
export FRONTLINE_API_RATE_PER_MIN=1000000

# PostgreSQL: one database per size, seeded once and kept (named by the seed's hash); each run
# measures a copy of it.
if [[ $backend == postgres ]]; then
  source scripts/postgres.sh
  # PostgreSQL runs as an unprivileged user, who may not enter root's home
  pg_dir=${BENCH_PG_DIR:-$cache/postgres}
  if [[ $(id -u) -eq 0 && -z ${BENCH_PG_DIR:-} ]] && ! runuser -u postgres -- test -x "$cache" 2>/dev/null; then
    pg_dir=/var/tmp/frontline-bench-postgres
  fi
  pg_start "$pg_dir" kept || die "could not start PostgreSQL"
  pg_seed_hash=$(cat app/migrations/postgres/*.sql app/src/backend/seed/*.rs 2>/dev/null | sha256sum | cut -c1-12)
fi
pg_url() { printf '%s\n' "${PG_URL%/postgres}/$1"; }
psql_admin() { psql "$PG_URL" -v ON_ERROR_STOP=1 -qAtc "$1"; }

seeded_pg() {
  local n=$1 name=bench_${1}_$pg_seed_hash
  if [[ $(psql_admin "SELECT 1 FROM pg_database WHERE datname = '$name'") == 1 && -s $cache/$name.seeded-at ]]; then
    echo "Re-using the seeded PostgreSQL database of $n tickets ($name)." >&2
  else
    echo "Seeding a PostgreSQL database of $n tickets ..." >&2
    local old
    for old in $(psql_admin "SELECT datname FROM pg_database WHERE datname LIKE 'bench\_${n}\_%'"); do
      psql_admin "DROP DATABASE $old" || die "could not drop $old"
    done
    psql_admin "DROP DATABASE IF EXISTS seeding_$n" && psql_admin "CREATE DATABASE seeding_$n" ||
      die "could not create a database to seed"
    local started=$SECONDS said
    date +%s >"$cache/$name.seeded-at"
    DATABASE_URL=$(pg_url "seeding_$n") "$FRONTLINE_BIN" migrate >/dev/null ||
      die "$FRONTLINE_BIN migrate failed on PostgreSQL"
    said=$(DATABASE_URL=$(pg_url "seeding_$n") "$FRONTLINE_BIN" seed-demo --tickets "$n" 2>&1) ||
      die "$FRONTLINE_BIN seed-demo --tickets $n failed on PostgreSQL: $said"
    psql "$(pg_url "seeding_$n")" -qc "VACUUM ANALYZE" >/dev/null
    psql_admin "ALTER DATABASE seeding_$n RENAME TO $name" || die "could not keep the seeded database"
    echo "Seeded $n tickets on PostgreSQL in $((SECONDS - started)) s." >&2
    printf '{"tickets": %s, "seconds": %s}\n' "$n" "$((SECONDS - started))" >"$parts/seed-pg-$n.json"
  fi
  printf '%s\n' "$name"
}

# --- the shipped bundle
# (file names carry their content's hash: frontline.<hash>.js)
pkg=""
pkg_js() { compgen -G "$1/frontline*.js" | head -n 1; }
for dir in "$target_dir/site/pkg" "$repo/target/site/pkg"; do
  js=$(pkg_js "$dir" || true)
  if [[ -n $js ]] && compgen -G "$dir/frontline*.wasm" >/dev/null; then
    if [[ -z $pkg || $js -nt $(pkg_js "$pkg") ]]; then
      pkg=$dir
    fi
  fi
done
echo "==> shipped WASM and JS (${pkg:-not found})" >&2
node scripts/bench.mjs assets --dir "$pkg" --looked "$target_dir/site/pkg and $repo/target/site/pkg" --out "$parts/assets.json"

# --- each size
top_size=$(printf '%s\n' $sizes | sort -n | tail -n 1)
for n in $sizes; do
  echo >&2
  echo "==> $n tickets" >&2
  if [[ $backend == postgres ]]; then
    seeded=$(seeded_pg "$n")
    psql_admin "DROP DATABASE IF EXISTS bench_run" && psql_admin "CREATE DATABASE bench_run TEMPLATE $seeded" ||
      die "could not copy $seeded"
    export DATABASE_URL=$(pg_url bench_run)
    offset=$(clock_offset "$cache/$seeded")
  else
    db=$(seeded_db "$n")
    offset=$(clock_offset "$db")
    run_db=$work/frontline.db
    rm -f "$run_db" "$run_db-wal" "$run_db-shm"
    cp --reflink=auto "$db" "$run_db"
    for suffix in -wal -shm; do
      if [[ -e $db$suffix ]]; then cp "$db$suffix" "$run_db$suffix"; fi
    done
    export DATABASE_URL="sqlite://$run_db"
  fi
  export FRONTLINE_MAIL_DIR=$work/mail
  # the live figure's subscribers are one person's streams
  export FRONTLINE_LIVE_STREAMS_PER_USER=1000

  port=${BENCH_PORT:-$(free_port 3900)}
  [[ -n $port ]] || die "found no free port from 3900"
  log=$out/server-$n.log
  echo "  serving at the seed's moment: the clock set back $((-offset / 3600)) h" >&2
  "$FRONTLINE_BIN" --test-clock-offset "$offset" serve --addr "127.0.0.1:$port" >"$log" 2>&1 &
  server_pid=$!
  second=()
  if [[ $backend == postgres ]]; then
    # a second instance on the same database: creation is spread over both, and live events
    # are raised on the first and received on the second
    port2=$(free_port $((port + 1)))
    "$FRONTLINE_BIN" --test-clock-offset "$offset" serve --addr "127.0.0.1:$port2" >"$out/server-$n-b.log" 2>&1 &
    second_pid=$!
    second=(--url2 "http://127.0.0.1:$port2")
  fi
  if ! node scripts/bench.mjs measure --size "$n" --url "http://127.0.0.1:$port" --pid "$server_pid" \
    "${second[@]}" --out "$parts/measure-$n.json"; then
    echo "bench: measuring $n tickets failed; the server's last log lines ($log):" >&2
    tail -n 20 "$log" >&2 || true
    exit 1
  fi
  # the first load in a throttled Chromium, on the largest desk (scripts/first-load.mjs)
  if [[ $n == "$top_size" && ${BENCH_FIRST_LOAD:-1} == 1 ]]; then
    echo "==> first load in Chromium (10 Mbit/s, 40 ms RTT, CPU 4x slower)" >&2
    node scripts/first-load.mjs --url "http://127.0.0.1:$port" --out "$parts/first-load.json" ||
      echo "bench: the first-load benchmark failed (above); its figures are absent" >&2
  fi
  stop_server
  stop_second

  # the baseline: a plain insert loop of the same rows into the same database, same run
  raw_insert "$create" "$parts/raw-$n.json"
  # mail piped in by a mail server: one `ingest-mail` process per message, as Postfix runs it;
  # each from its own address of a client's domain (one sender's flood would be held)
  mails=${BENCH_MAIL:-100}
  echo "  $mails messages through ingest-mail ..." >&2
  mail_start=$(date +%s.%N)
  for i in $(seq 1 "$mails"); do
    printf 'From: Bench %s <bench-%s@northwind.example>\r\nSubject: Bench mail %s\r\nMessage-ID: <bench-%s-%s@bench>\r\n\r\nThe printer on floor %s is offline.\r\n' \
      "$i" "$i" "$i" "$n" "$i" "$i" |
      "$FRONTLINE_BIN" --test-clock-offset "$offset" ingest-mail >/dev/null 2>>"$out/ingest-$n.log" || die "ingest-mail failed (see $out/ingest-$n.log)"
  done
  node -e 'const [m, s, e] = process.argv.slice(1).map(Number); console.log(JSON.stringify({messages: m, seconds: e - s, per_s: m / (e - s)}))' \
    "$mails" "$mail_start" "$(date +%s.%N)" >"$parts/mail-$n.json"
  echo "  $(cat "$parts/mail-$n.json")" >&2
  if [[ $backend == postgres ]]; then
    psql_admin "DROP DATABASE bench_run" || true
  else
    rm -rf "$run_db" "$run_db-wal" "$run_db-shm"
  fi
  rm -rf "$work/mail"
done

# Mail read from a real IMAP server (Dovecot, started by the test): delivery to the live queue
# and the rate of a burst, on a small desk (the ingest path's cost does not grow with the desk).
echo "==> mail from IMAP (Dovecot) to the live queue ..." >&2
if imap_out=$(cargo test -q -p server --features app/ssr --test mail_crash bench -- --ignored --nocapture 2>&1); then
  printf '%s\n' "$imap_out" | grep -E '^\{"imap_' | tail -n 1 >"$parts/mail-imap.json" || true
  echo "  $(cat "$parts/mail-imap.json")" >&2
else
  echo "bench: the IMAP figure failed: $(tail -n 5 <<<"$imap_out" | tr '\n' ' ')" >&2
fi

# Outgoing webhooks: from a change (a ticket raised over HTTP) to a receiver on this machine
# having its signed event, one change at a time (server/tests/webhooks.rs).
echo "==> webhook delivery latency ..." >&2
if hook_out=$(cargo test -q -p server --features app/ssr --test webhooks bench -- --ignored --nocapture 2>&1); then
  printf '%s\n' "$hook_out" | grep -E '^\{"webhook_' | tail -n 1 >"$parts/webhook.json" || true
  echo "  $(cat "$parts/webhook.json")" >&2
else
  echo "bench: the webhook figure failed: $(tail -n 5 <<<"$hook_out" | tr '\n' ' ')" >&2
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || true)
report=$out/report.json
[[ $backend == postgres ]] && report=$out/report-postgres.json
# exit 3: figures printed, some target missed (listed); the soak still runs, then bench fails
missed=0
FRONTLINE_BIN=$FRONTLINE_BIN node scripts/bench.mjs report --parts "$parts" --out "$report" \
  --sizes "$sizes" --commit "${commit:-none}" --db "$backend" || {
  status=$?
  ((status == 3)) || die "the report failed"
  missed=1
}

# The soak: the slow variants of suites that `make test` runs short.
if [[ ${BENCH_SOAK:-1} == 1 ]]; then
  rounds=${CRASH_ROUNDS:-20}
  echo "soak: crash safety, $rounds rounds of kill -9 under every kind of write ..." >&2
  soak_start=$SECONDS
  if CRASH_ROUNDS=$rounds cargo test -q -p server --features app/ssr --test crash_safety; then
    echo "soak: crash safety held for $rounds rounds in $((SECONDS - soak_start)) s" >&2
  else
    die "soak: crash safety failed (above)"
  fi
fi
((missed == 0)) || die "targets missed (listed under Targets above)"
