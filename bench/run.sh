#!/usr/bin/env bash
# `make bench` equivalent: installs the pinned peers, builds pkg/, runs bench/run.mjs (results.md, chart.svg)
# and the Worker throughput measurement (worker/results.md). Not part of the test command.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/build.sh >/dev/null
(cd bench && npm install --no-audit --no-fund) >/dev/null
mkdir -p bench/node_modules && ln -sfn ../../pkg bench/node_modules/pkce-wasm
node bench/run.mjs
[ "${SKIP_WORKER:-}" = 1 ] || bash bench/worker/run.sh
