#!/usr/bin/env bash
# Fuzzes alphasweep's loaders and parsers (examples/fuzz, a mutation fuzzer on stable Rust,
# seeds in fuzz/corpus/TARGET/). Findings (panics, inputs slower than 2 s) are saved to
# fuzz/findings/ and make the script exit 1.
#   scripts/fuzz.sh 60                 # every target, 60 s each
#   scripts/fuzz.sh 300 qlib standard  # two targets, 5 minutes each
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(standard qlib baostock accounts qlib_pit index_changes config expr ledger)
fi
cargo build --release --example fuzz
bin="${CARGO_TARGET_DIR:-target}/release/examples/fuzz"
status=0
for t in "${targets[@]}"; do
    "$bin" "$t" "$seconds" "${FUZZ_SEED:-1}" || status=1
done
exit $status
