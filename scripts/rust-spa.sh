#!/usr/bin/env bash
# Builds the Rust single-page app (examples/rust-spa/, a cargo example) into target/rust-spa/:
# cargo (release, wasm32) -> wasm-bindgen --target web. It uses the crate's Rust API, not the npm package.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/setup.sh
log "cargo build --release --target wasm32-unknown-unknown --example rust-spa -> target/rust-spa"
cargo build --quiet --release --target wasm32-unknown-unknown --example rust-spa
wasm-bindgen --target web --no-typescript --out-dir target/rust-spa \
  target/wasm32-unknown-unknown/release/examples/rust_spa.wasm
