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

run_step "format" cargo fmt --all --check
run_step "layers (scripts/check-layers.sh)" scripts/check-layers.sh
run_step "clippy (server side)" cargo clippy -p app -p server --features app/ssr --all-targets -- -D warnings
run_step "clippy (browser side)" cargo clippy -p app --features hydrate --target wasm32-unknown-unknown -- -D warnings
run_step "unit and integration tests (real SQLite files)" cargo test -p app -p server --features app/ssr
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
