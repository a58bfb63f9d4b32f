#!/usr/bin/env bash
# Runs the example Worker with `wrangler dev` against the embedded authorization server, both on 127.0.0.1.
# Then open http://127.0.0.1:8787/login (sign in as alice / wonderland) and http://127.0.0.1:8787/me.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../../scripts/lib.sh"
cd "$ROOT"
bash scripts/build.sh >/dev/null
mkdir -p "$here/node_modules" && ln -sfn ../../../pkg "$here/node_modules/pkce-wasm"
[ -f "$here/.dev.vars" ] || cp "$here/.dev.vars.example" "$here/.dev.vars"
node idp/server.mjs --port 4400 &
idp=$!
trap 'kill $idp 2>/dev/null || true' EXIT
export WRANGLER_SEND_METRICS=false WRANGLER_HIDE_BANNER=true CLOUDFLARE_CF_FETCH_ENABLED=false
cd "$here" && wrangler dev --local --ip 127.0.0.1 --port 8787
