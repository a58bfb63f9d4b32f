#!/usr/bin/env bash
# Installs what the build and the tests need, idempotently: seconds on a prepared machine.
#   scripts/setup.sh            the build (wasm32 target, wasm-bindgen CLI, npm packages)
#   scripts/setup.sh --test     also Chromium + ChromeDriver and wasm-pack
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

[ -f Cargo.lock ] || cargo generate-lockfile
want="$(wasm_bindgen_version)"
have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have" != "$want" ]; then
  log "installing wasm-bindgen-cli $want (about 4 minutes)"
  # --locked fails on this registry mirror (a locked dependency is missing), so resolve freshly.
  cargo install wasm-bindgen-cli --version "=$want" --force
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ package.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  # Not `npm ci`: the lockfile npm writes here leaves out other platforms' optional packages (deno,
  # workerd), and `npm ci` then refuses it. `npm install` follows the lockfile where it can.
  npm install --no-audit --no-fund
fi

if [ "${1:-}" = "--test" ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    log "installing chromium and chromium-driver"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  if ! command -v wasm-pack >/dev/null; then
    log "installing wasm-pack (about 5 minutes)"
    # Pinned: the version the test command is known to work with (its dependencies resolve freshly, as
    # for wasm-bindgen-cli).
    cargo install wasm-pack --version =0.15.1
  fi
fi
