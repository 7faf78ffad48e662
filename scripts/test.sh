#!/usr/bin/env bash
# Every check of `make test`, in order. Each step's output (with the test runners' summary lines)
# goes to the console; a table at the end says what passed. Fails if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
: "${FRONTLINE_BIN:?}"

declare -a names results times
failed=0

run_step() {
  local name=$1
  shift
  printf '\n\033[1m==> %s\033[0m\n' "$name"
  local start=$SECONDS
  if "$@"; then
    results+=("ok")
  else
    results+=("FAILED")
    failed=1
  fi
  names+=("$name")
  times+=($((SECONDS - start)))
}

skip_step() {
  names+=("$1")
  results+=("skipped")
  times+=(0)
}

# One throwaway PostgreSQL server for the whole run (the tests use it through
# FRONTLINE_TEST_POSTGRES instead of each test binary starting its own), stopped and removed
# however the run ends.
source scripts/postgres.sh
pg_dir=""
start_test_postgres() {
  pg_dir=$(mktemp -d -t frontline-pg-XXXXXX)
  pg_start "$pg_dir" throwaway || return 1
  export FRONTLINE_TEST_POSTGRES=$PG_URL
}
stop_test_postgres() {
  [[ -n $pg_dir ]] || return 0
  pg_stop
  rm -rf "$pg_dir"
}
trap stop_test_postgres EXIT

run_step "format" cargo fmt --all --check
run_step "layers (scripts/check-layers.sh)" scripts/check-layers.sh
run_step "clippy (server side)" cargo clippy -p app -p server -p testpg -p testimap --features app/ssr --all-targets -- -D warnings
run_step "clippy (browser side)" cargo clippy -p app --features hydrate --target wasm32-unknown-unknown -- -D warnings
run_step "PostgreSQL for the tests (throwaway server)" start_test_postgres
run_step "unit and integration tests (real SQLite files, PostgreSQL)" cargo test --no-fail-fast -p app -p server -p testpg -p testimap --features app/ssr
# The backend's integration tests once more, each on a database of its own on that server.
run_step "backend integration tests on PostgreSQL" env FRONTLINE_TEST_DATABASE=postgres \
  cargo test -p app --features app/ssr --tests
run_step "public API tests on PostgreSQL" env FRONTLINE_TEST_DATABASE=postgres \
  cargo test -p server --features app/ssr --test api_v1 --test alerts
run_step "release build" scripts/build-release.sh
if [[ ${results[-1]} == ok ]]; then
  # What every page loads stays within the 400 KB target (README "Size of what the browser downloads").
  run_step "bundle size budget" bash -c \
    "mkdir -p target/bench && node scripts/bench.mjs assets --dir target/site/pkg --out target/bench/assets.json --budget-kb 400"
  run_step "browser tests (Playwright, Chromium)" bash -c "cd end2end && npx playwright test"
else
  skip_step "bundle size budget"
  skip_step "browser tests (Playwright, Chromium)"
fi

printf '\n\033[1m%-50s %-8s %s\033[0m\n' "step" "result" "seconds"
for i in "${!names[@]}"; do
  printf '%-50s %-8s %s\n' "${names[$i]}" "${results[$i]}" "${times[$i]}"
done
exit $failed
