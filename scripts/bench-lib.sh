# What scripts/bench.sh (make bench) and scripts/bench-load.sh (make bench-load) share: the
# checks, the seeded databases cached by size and seed, the server's clock offset, a free port,
# stopping the server, and the raw insert baseline. Sourced; set FRONTLINE_BIN and cache first
# (cache: the directory of seeded databases), and server_pid when a server runs.

die() {
  printf 'bench: %s\n' "$*" >&2
  exit 1
}

bench_checks() {
  : "${FRONTLINE_BIN:?set FRONTLINE_BIN to the release server binary}"
  [[ -x $FRONTLINE_BIN ]] || die "no server binary at $FRONTLINE_BIN (run make build)"
  command -v node >/dev/null || die "node is needed (Node 20 or newer)"
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  ((node_major >= 20)) || die "Node 20 or newer is needed, this is $(node --version)"
}

# Seeded databases are cached by size and by what decides their content: the migrations and the
# seed generator. The seed dates everything from the moment it ran (kept beside the database in
# `.seeded-at`), and each run serves the desk on a clock set back to that moment
# (--test-clock-offset, loopback only): "this week", the last 28 days and SLA states read the
# same whatever the cache's age.
seed_hash=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." &&
  cat app/migrations/sqlite/*.sql app/src/backend/seed/*.rs 2>/dev/null | sha256sum | cut -c1-12)

# The seconds from now back to when the database $1 was seeded, as --test-clock-offset takes them.
clock_offset() {
  local at
  at=$(cat "$1.seeded-at" 2>/dev/null) || die "$1 has no .seeded-at beside it"
  [[ $at =~ ^[0-9]+$ ]] || die "$1.seeded-at holds \"$at\", not a time"
  echo $((at - $(date +%s)))
}

seeded_db() {
  local n=$1
  local db=$cache/tickets-$n-$seed_hash.db
  if [[ -s $db && -s $db.seeded-at ]]; then
    echo "Re-using the seeded database of $n tickets ($db), seeded $(date -u -d "@$(cat "$db.seeded-at")" '+%F %T') UTC." >&2
  else
    echo "Seeding a database of $n tickets (cached in $cache) ..." >&2
    rm -f "$cache/tickets-$n-"*.db "$cache/tickets-$n-"*.db-wal "$cache/tickets-$n-"*.db-shm "$cache/tickets-$n-"*.db.seeded-at
    local tmp=$cache/.seeding-$n-$$.db
    rm -f "$tmp" "$tmp-wal" "$tmp-shm"
    local started=$SECONDS
    # seed-demo reads the clock once, as it starts
    date +%s >"$tmp.seeded-at"
    DATABASE_URL="sqlite://$tmp" "$FRONTLINE_BIN" migrate >/dev/null ||
      die "$FRONTLINE_BIN migrate failed on $tmp"
    local said
    said=$(DATABASE_URL="sqlite://$tmp" "$FRONTLINE_BIN" seed-demo --tickets "$n" 2>&1) ||
      die "$FRONTLINE_BIN seed-demo --tickets $n failed: $said"
    printf '%s\n' "$said" | head -n 1 >&2
    if [[ -s $tmp-wal ]] && command -v sqlite3 >/dev/null; then
      sqlite3 "$tmp" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
    fi
    local suffix
    for suffix in -wal -shm; do
      if [[ -e $tmp$suffix ]]; then mv "$tmp$suffix" "$db$suffix"; fi
    done
    mv "$tmp" "$db"
    mv "$tmp.seeded-at" "$db.seeded-at"
    echo "Seeded $n tickets in $((SECONDS - started)) s." >&2
  fi
  printf '%s\n' "$db"
}

free_port() {
  node -e '
    const net = require("net");
    const want = Number(process.argv[1]);
    const tryPort = (p) => {
      const s = net.createServer();
      s.once("error", () => (p < want + 200 ? tryPort(p + 1) : process.exit(1)));
      s.listen(p, "127.0.0.1", () => s.close(() => console.log(p)));
    };
    tryPort(want);
  ' "${1:-3900}"
}

stop_server() {
  [[ -n $server_pid ]] || return 0
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      echo "bench: the server did not stop within 20 s; killing it" >&2
      kill -KILL "$server_pid" 2>/dev/null || true
    fi
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# The baseline: a plain insert loop of $1 tickets (bench-insert) into $DATABASE_URL, with the
# server stopped; its JSON (or why it is missing) goes to $2.
raw_insert() {
  local create=$1 out_file=$2 raw_out="" json why
  echo "  raw insert loop of $create tickets (bench-insert) ..." >&2
  if raw_out=$("$FRONTLINE_BIN" bench-insert --tickets "$create" 2>&1); then
    json=$(printf '%s\n' "$raw_out" | grep -E '^\{' | tail -n 1 || true)
    if [[ -n $json ]]; then
      printf '%s\n' "$json" >"$out_file"
      echo "  $json" >&2
    else
      echo "  bench-insert printed no JSON: $raw_out" >&2
      node -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify({missing: "bench-insert printed no JSON: " + process.argv[2].slice(0, 300)}))' \
        "$out_file" "$raw_out"
    fi
  else
    if grep -qiE "unrecognized subcommand|unexpected argument|invalid subcommand" <<<"$raw_out"; then
      why="this binary has no bench-insert subcommand (rebuild with make build)"
    else
      why="bench-insert failed: $(tail -n 3 <<<"$raw_out" | tr '\n' ' ')"
    fi
    echo "  $why" >&2
    node -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify({missing: process.argv[2]}))' \
      "$out_file" "$why"
  fi
}
