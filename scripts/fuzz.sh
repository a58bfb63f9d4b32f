#!/usr/bin/env bash
# Fuzzes every target for FUZZ_SECONDS each (default 300) with cargo-fuzz on the nightly toolchain, starting
# from (and adding to) the local corpus in fuzz/corpus/ (git-ignored). Prints the executions per target.
#   bash scripts/fuzz.sh [target ...]        targets: callback token_response authorize_url
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT/fuzz"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
seconds="${FUZZ_SECONDS:-300}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(callback token_response authorize_url)
cargo +nightly fuzz build
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  log "fuzzing $t for ${seconds}s"
  cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 2>&1 |
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+== ERROR|SUMMARY)' || true
  # Keep the local corpus small: minimise it in place.
  cargo +nightly fuzz cmin "$t" "corpus/$t" >/dev/null 2>&1 || true
  echo "$t: $(ls "corpus/$t" | wc -l) corpus files, $(du -sh "corpus/$t" | cut -f1)"
done
