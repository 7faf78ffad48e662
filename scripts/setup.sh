#!/usr/bin/env bash
# Installs what is missing for building (`setup.sh build`) or also for testing (`setup.sh test`).
# Idempotent: every step checks before it installs, so a ready machine passes in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-build}
CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
# rust-src: the release build rebuilds std for the browser bundle (scripts/build-release.sh)
for component in rustfmt clippy rust-src; do
  if ! rustup component list --installed | grep -q "^$component"; then
    step "adding $component"
    rustup component add "$component"
  fi
done

if ! cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION\$"; then
  step "installing cargo-leptos $CARGO_LEPTOS_VERSION (from crates.io; takes a while once)"
  # no_downloads: a missing tool fails the build instead of being fetched from GitHub
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # not --locked: its lockfile names a dependency release the registry lacks
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# npm packages: wasm-opt (binaryen) for release builds, Playwright and axe for the browser tests
stamp=end2end/node_modules/.frontline-stamp
if [[ ! -f $stamp || end2end/package-lock.json -nt $stamp ]]; then
  step "installing npm packages (end2end/)"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
  touch "$stamp"
fi

apt_install() {
  local sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$@" >/dev/null
}

# brotli: the release build precompresses the site's files (scripts/build-release.sh)
if ! command -v brotli >/dev/null; then
  step "installing Debian's brotli for the release build"
  apt_install brotli
fi

if [[ $mode == test ]] && ! command -v chromium >/dev/null; then
  step "installing Debian's Chromium for the browser tests"
  apt_install chromium
fi

# initdb and pg_ctl: the tests start throwaway PostgreSQL servers (testpg/, scripts/test.sh)
if [[ $mode == test ]] && ! command -v initdb >/dev/null &&
  ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  step "installing Debian's PostgreSQL for the database tests"
  apt_install postgresql
fi

# dovecot and openssl: the IMAP tests start throwaway Dovecot servers with a CA of their own
# (testimap/)
if [[ $mode == test ]] && { [[ ! -x /usr/sbin/dovecot ]] || ! command -v openssl >/dev/null; }; then
  step "installing Debian's Dovecot IMAP server for the mail tests"
  apt_install dovecot-imapd openssl
fi
exit 0
