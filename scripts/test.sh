#!/usr/bin/env bash
# Runs every test: lints, native unit tests, the package build (with its size gate), wasm-bindgen-test in
# Node + headless Chromium + a dedicated worker, wasm-pack build/test, the TypeScript declarations, and the
# JS tests against pkg/ (every entry: `pkce-wasm`, `pkce-wasm/oauth` and `pkce-wasm/mcp`), and the MCP
# conformance suite.
# Installs what is missing first (idempotent; seconds on a prepared machine).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/setup.sh --test
export CHROMEDRIVER=/usr/bin/chromedriver

log "cargo fmt --check, clippy and rustdoc (native and wasm32)"
cargo fmt --check
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --all-targets --features serde -- -D warnings
cargo clippy --quiet --all-targets --features mcp -- -D warnings
cargo clippy --quiet --all-targets --target wasm32-unknown-unknown -- -D warnings
# The two npm cores: with OpenID Connect (pkg/) and without (pkg/oauth/).
cargo clippy --quiet --release --target wasm32-unknown-unknown --features npm-package -- -D warnings
cargo clippy --quiet --release --target wasm32-unknown-unknown --no-default-features --features npm-package -- -D warnings
cargo clippy --quiet --release --target wasm32-unknown-unknown --no-default-features --features npm-package,mcp -- -D warnings
# The API docs (native and wasm32, where the I/O half lives) build without broken links.
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps --features mcp
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps --features mcp --target wasm32-unknown-unknown
for crate in url serde_json; do
  if [ -n "$(cargo tree --target wasm32-unknown-unknown -e normal -i "$crate" 2>/dev/null)" ]; then
    echo "the wasm build must not depend on $crate" >&2; exit 1
  fi
done

log "native tests"
cargo test --quiet --features mcp
cargo test --quiet --features serde --test serde

log "build pkg/ and the Rust single-page app (target/rust-spa/)"
bash scripts/build.sh
bash scripts/rust-spa.sh

# The token endpoint the wasm tests talk to: 127.0.0.1, ephemeral port, stopped on exit.
server_out="$(mktemp)"
node tests/support/token-server.mjs >"$server_out" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; rm -f "$server_out"' EXIT
for _ in $(seq 1 100); do grep -q '^listening ' "$server_out" && break; sleep 0.1; done
PKCE_WASM_TEST_SERVER="$(awk '/^listening /{print $2; exit}' "$server_out")"
[ -n "$PKCE_WASM_TEST_SERVER" ] || { echo "the test token server did not start" >&2; cat "$server_out" >&2; exit 1; }
export PKCE_WASM_TEST_SERVER

log "wasm-bindgen-test: Node, headless Chromium, dedicated worker (cargo + wasm-bindgen-test-runner)"
cargo test --target wasm32-unknown-unknown --tests

log "wasm-pack build and wasm-pack test --headless --chrome"
wasm-pack --quiet build --release --target web --out-dir target/wasm-pack-pkg >/dev/null
test -s target/wasm-pack-pkg/pkce_wasm_bg.wasm
# wasm-pack builds the wasm core and its glue; with the shell from npm/ it is the whole package.
cp npm/client.js npm/index.js npm/seal.js target/wasm-pack-pkg/
node --input-type=module -e '
  import { readFileSync } from "node:fs";
  const api = await import("./target/wasm-pack-pkg/index.js");
  api.initSync({ module: readFileSync("target/wasm-pack-pkg/pkce_wasm_bg.wasm") });
  const c = new api.OAuthClient({ clientId: "c", authorizationEndpoint: "https://idp.example/a",
    tokenEndpoint: "https://idp.example/t", redirectUri: "https://app.example/cb" });
  if (!c.startAuthorization().url.includes("code_challenge_method=S256")) process.exit(1);
'
wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver --test browser --test worker

log "TypeScript: the package's declarations under tsc --strict (tests/types/usage.ts)"
tsc -p tests/types

log "JS tests against pkg/ (node --test)"
node --test tests/js/*.test.mjs
log "JS tests and adversarial cases against pkce-wasm/oauth (pkg/oauth/, no OpenID Connect)"
PKCE_WASM_ENTRY=oauth/ node --test --test-concurrency=1 tests/js/api.test.mjs tests/js/session.test.mjs tests/adversarial/*.test.mjs

log "adversarial: hostile callbacks, token endpoints, refreshes and storage, in Node and headless Chromium"
node --test --test-concurrency=1 tests/adversarial/*.test.mjs

log "end-to-end: the example app in headless Chromium against the embedded authorization server"
node --test --test-concurrency=1 tests/e2e/*.test.mjs

log "MCP: the official conformance suite (0.1.16 and 0.2.0-alpha.12) against examples/mcp-client (Node 22)"
node_modules/node/bin/node tests/mcp/conformance.mjs node_modules/@modelcontextprotocol/conformance
node_modules/node/bin/node tests/mcp/conformance.mjs node_modules/mcp-conformance-next

log "edge: the example Worker in workerd (Miniflare); the low-level flow in Node 22, Deno and Bun"
node examples/node-flow.mjs >/dev/null # the README's Node example still runs
node --test --test-concurrency=1 tests/worker/*.test.mjs tests/runtimes/*.test.mjs
