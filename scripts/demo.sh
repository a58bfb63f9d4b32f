#!/usr/bin/env bash
# The main job until the example app lands: builds pkg/ and runs the whole flow from Node against a local
# token endpoint (start -> callback validation -> code exchange -> refresh), printing each step.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/build.sh
node examples/node-flow.mjs
