#!/usr/bin/env bash
# Builds the libFuzzer harness with -sanitize=fuzzer,address and fuzzes one target.
#   ./fuzz.sh TARGET [SECONDS]     e.g. ./fuzz.sh WireTLV 60
#   ./fuzz.sh --list               lists the targets
# The corpus starts from Regressions/TARGET and grows in corpus/TARGET (not committed).
# A crash is written to crash-*; copy it into Regressions/TARGET/ once fixed, so that
# `swift test` (FuzzRegressionTests) replays it for ever.
set -euo pipefail
cd "$(dirname "$0")"
build() {
  swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library >&2
}
if [ "${1:-}" = "--list" ]; then
  build
  # The harness lists its targets from LLVMFuzzerInitialize, before any input runs.
  WINTEROP_FUZZ_TARGET=--list .build/debug/WinteropFuzzer -runs=0 2>/dev/null
  exit 0
fi
target=${1:?usage: ./fuzz.sh TARGET [SECONDS]}
seconds=${2:-60}
build
mkdir -p "corpus/$target" "Regressions/$target"
WINTEROP_FUZZ_TARGET="$target" .build/debug/WinteropFuzzer \
  -max_total_time="$seconds" -max_len=70000 -timeout=10 -print_final_stats=1 \
  "corpus/$target" "Regressions/$target"
