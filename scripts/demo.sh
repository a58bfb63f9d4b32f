#!/usr/bin/env bash
# The main job: installs what is missing, builds pkg/, then starts the embedded authorization server and
# the example app on 127.0.0.1 and prints the URL and the test account. Ctrl-C stops everything.
#   bash scripts/demo.sh [--profile auth0|workos|wso2|default] [--app rust]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/build.sh >/dev/null
if [[ " $* " == *" --app rust "* ]]; then bash scripts/rust-spa.sh; fi
exec node scripts/demo.mjs "$@"
