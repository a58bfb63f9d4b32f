#!/usr/bin/env bash
# Builds pkg/ and measures the Worker throughput (bench/worker/results.md). Not part of the test command.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$ROOT"
bash scripts/build.sh >/dev/null
mkdir -p bench/worker/node_modules && ln -sfn ../../../pkg bench/worker/node_modules/pkce-wasm
node bench/worker/run.mjs
