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
exec cargo leptos build --release --split \
  --lib-cargo-args=-Zbuild-std=std,panic_abort \
  --lib-cargo-args=-Zbuild-std-features=optimize_for_size
