#!/usr/bin/env bash
# Builds the npm package into pkg/: cargo (release, wasm32) -> wasm-bindgen --target web -> wasm-opt -Oz
# (npm binaryen; Debian's binaryen 108 emits modules that crash at load) -> package.json, README, licences.
# Prints the shipped size and fails above the size budget.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/setup.sh

log "cargo build --release --target wasm32-unknown-unknown"
cargo build --quiet --release --target wasm32-unknown-unknown --features npm-package

log "wasm-bindgen --target web"
rm -rf pkg
wasm-bindgen --target web --out-dir pkg target/wasm32-unknown-unknown/release/pkce_wasm.wasm

log "wasm-opt -Oz (binaryen $(wasm-opt --version | awk '{print $3}'))"
wasm-opt -Oz --converge --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  pkg/pkce_wasm_bg.wasm -o pkg/pkce_wasm_bg.wasm

version="$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)"
node -e '
  const fs = require("fs");
  const p = JSON.parse(fs.readFileSync("npm/package.json", "utf8"));
  p.version = process.argv[1];
  fs.writeFileSync("pkg/package.json", JSON.stringify(p, null, 2) + "\n");
' "$version"
cp README.md LICENSE-MIT LICENSE-APACHE npm/*.js npm/*.d.ts pkg/
rm -f pkg/.gitignore

# The shipped JavaScript is minified (ES modules kept as they are, no bundling); npm/ keeps the readable
# sources, and the types come from the .d.ts files.
log "esbuild --minify"
esbuild pkg/pkce_wasm.js pkg/client.js pkg/index.js pkg/seal.js pkg/node.js pkg/workerd.js --minify --format=esm \
  --target=es2022 --log-level=warning --outdir=pkg --allow-overwrite

node scripts/size.mjs
