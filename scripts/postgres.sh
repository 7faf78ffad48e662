# A PostgreSQL server of the project's own, from Debian's `postgresql` package: sourced by
# scripts/test.sh (a throwaway server for the tests) and scripts/bench.sh (a kept one whose
# seeded databases are re-used). As root it runs as `postgres` (or `nobody`): PostgreSQL
# refuses root.
#
#   pg_start DIR throwaway|kept   initdb DIR/data if it is not there, start on a free port;
#                                 sets PG_URL (a superuser URL to the `postgres` database)
#   pg_stop                       stops it (immediately: nothing is kept of a throwaway one)

PG_URL=""
pg_stop_cmd=()

pg_start() {
  local dir=$1 mode=$2 initdb bin port user="" as_user=()
  initdb=$(command -v initdb || compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -1)
  if [[ -z $initdb ]]; then
    echo "initdb not found: run scripts/setup.sh test (installs Debian's postgresql package)" >&2
    return 1
  fi
  bin=$(dirname "$(readlink -f "$initdb")")
  mkdir -p "$dir"
  if [[ $(id -u) -eq 0 ]]; then
    user=postgres
    id -u postgres >/dev/null 2>&1 || user=nobody
    chown "$user" "$dir"
    as_user=(runuser -u "$user" --)
  fi
  # a free port: nothing answers on it
  port=$((20000 + RANDOM % 40000))
  while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((20000 + RANDOM % 40000)); done
  if [[ ! -f $dir/data/PG_VERSION ]]; then
    "${as_user[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      --no-sync --no-instructions >/dev/null || return 1
    printf '%s\n' "listen_addresses = '127.0.0.1'" "unix_socket_directories = '$dir'" \
      "max_connections = 200" >>"$dir/data/postgresql.conf"
    if [[ $mode == throwaway ]]; then
      # nothing of it outlives the run: durability only costs time
      printf '%s\n' "fsync = off" "synchronous_commit = off" "full_page_writes = off" \
        "shared_buffers = 32MB" >>"$dir/data/postgresql.conf"
    else
      # measured as a desk would run it: durable commits
      printf '%s\n' "shared_buffers = 256MB" "max_wal_size = 4GB" >>"$dir/data/postgresql.conf"
    fi
  fi
  pg_stop_cmd=("${as_user[@]}" "$bin/pg_ctl" -D "$dir/data" -w stop)
  [[ $mode == throwaway ]] && pg_stop_cmd+=(-m immediate)
  "${as_user[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -o "-p $port" -w start >/dev/null ||
    { cat "$dir/log" >&2; return 1; }
  PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "$("$bin/postgres" --version) at $PG_URL" >&2
}

pg_stop() {
  ((${#pg_stop_cmd[@]})) || return 0
  "${pg_stop_cmd[@]}" >/dev/null 2>&1 || true
  pg_stop_cmd=()
}
