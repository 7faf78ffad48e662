#!/usr/bin/env bash
# The release build of `make run`, `make test` and `make bench`: the server and the browser bundle.
#
# The browser bundle rebuilds Rust's standard library for size instead of linking the prebuilt one
# (README "Size of what the browser downloads"): std compiled at the bundle's own opt-level "z" with
# its size-optimised algorithms, panics that abort at once instead of formatting a message nobody
# reads, and no file/line strings for panic locations. 542 -> 502 KB brotli. These are unstable
# cargo and rustc options; RUSTC_BOOTSTRAP=1 allows them on the stable toolchain, for this build
# only. The price: a panic in the browser shows as "unreachable" without its message; debug builds
# (`cargo leptos watch`) keep the messages.
set -euo pipefail
cd "$(dirname "$0")/.."

# Target rustflags replace [build] rustflags, so erase_components (.cargo/config.toml) is repeated.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
export RUSTC_BOOTSTRAP=1
# --split: pages few people open go into modules the browser loads when one of their pages
# is first shown (app/src/ui/lazy.rs); every other page loads only the main module.
cargo leptos build --release --split \
  --lib-cargo-args=-Zbuild-std=std,panic_abort \
  --lib-cargo-args=-Zbuild-std-features=optimize_for_size

# Precompressed copies beside each file the site serves (server/src/assets.rs serves them):
# brotli at its highest quality and gzip -9, once here instead of at tower-http's default
# quality on every request. A copy that saves nothing (an already compressed image) is dropped.
command -v brotli >/dev/null || {
  echo "build-release: the brotli command is missing (scripts/setup.sh installs it)" >&2
  exit 1
}
site=target/site
find "$site" -type f ! -name '*.br' ! -name '*.gz' -print0 |
  while IFS= read -r -d '' file; do
    brotli --force --best --output="$file.br" -- "$file"
    gzip --best --no-name --stdout -- "$file" >"$file.gz"
    size=$(stat -c %s "$file")
    for copy in "$file.br" "$file.gz"; do
      if (($(stat -c %s "$copy") >= size)); then rm -f "$copy"; fi
    done
  done
echo "build-release: precompressed $(find "$site" -type f -name '*.br' | wc -l) files under $site (brotli 11, gzip -9)"
