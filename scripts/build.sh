#!/usr/bin/env bash
# Builds the npm package into pkg/: cargo (release, wasm32) -> wasm-bindgen --target web -> wasm-opt -Oz
# (npm binaryen; Debian's binaryen 108 emits modules that crash at load) -> package.json, README, licences.
# Prints the shipped size and fails above the size budget.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/setup.sh

# Two cores: pkg/ with everything (the `oidc` feature, a default one) and pkg/oauth/, the OAuth 2.1 client
# alone. Cargo keeps both feature sets' artifacts, so rebuilding either is incremental.
core() { # <out dir> <cargo feature flags...>
  local out="$1"
  shift
  log "cargo build --release --target wasm32-unknown-unknown $* -> $out"
  cargo build --quiet --release --target wasm32-unknown-unknown "$@"
  wasm-bindgen --target web --out-dir "$out" target/wasm32-unknown-unknown/release/pkce_wasm.wasm
  # `-ocimfs 500`: a function with one caller is inlined only up to 500 bytes (binaryen's default is any
  # size). Left alone, `Core.call` swallows the engine's whole `resume`, and a browser's lazy compilation
  # then compiles all of it on the first call: 0.9 ms more of cold start in Chromium, and 150 B larger.
  wasm-opt -Oz --converge -ocimfs 500 --strip-debug --strip-producers --strip-target-features --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/pkce_wasm_bg.wasm" -o "$out/pkce_wasm_bg.wasm"
  # The package's own loader instead of the generated glue (its ABI checked first).
  node scripts/loader.mjs "$out"
}
log "wasm-bindgen --target web, wasm-opt -Oz (binaryen $(wasm-opt --version | awk '{print $3}'))"
rm -rf pkg
core pkg --features npm-package
core pkg/oauth --no-default-features --features npm-package
core pkg/mcp --no-default-features --features npm-package,mcp

version="$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)"
node -e '
  const fs = require("fs");
  const p = JSON.parse(fs.readFileSync("npm/package.json", "utf8"));
  p.version = process.argv[1];
  fs.writeFileSync("pkg/package.json", JSON.stringify(p, null, 2) + "\n");
' "$version"
cp README.md LICENSE-MIT LICENSE-APACHE npm/*.js npm/*.d.ts pkg/
# pkg/oauth/ gets the same shell and loaders next to its own core, and its own index (no sealing helpers).
cp npm/client.js npm/node.js npm/workerd.js npm/oauth/* pkg/oauth/
# pkg/mcp/: OAuth 2.1 + OpenID Connect + MCP authorization (its own core; no sealing helpers).
cp npm/client.js npm/node.js npm/workerd.js npm/mcp/* pkg/mcp/
rm -f pkg/.gitignore pkg/oauth/.gitignore pkg/mcp/.gitignore

# The shipped JavaScript is minified (ES modules kept as they are, no bundling); npm/ keeps the readable
# sources, and the types come from the .d.ts files.
log "esbuild --minify"
minify() { # <dir> <esbuild flags...>
  local dir="$1"
  shift
  esbuild "$dir"/*.js --minify --format=esm --target=es2022 --log-level=warning --outdir="$dir" --allow-overwrite "$@"
}
# The shell's OpenID Connect and MCP code sits behind `import.meta.OIDC` and `import.meta.MCP` checks,
# which this drops where the core has no such operations.
minify pkg --define:import.meta.MCP=false
minify pkg/oauth --define:import.meta.OIDC=false --define:import.meta.MCP=false
minify pkg/mcp

node scripts/size.mjs
