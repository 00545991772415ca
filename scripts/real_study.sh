#!/usr/bin/env bash
# The real CSI 300 study end to end, and docs/RESULTS.md regenerated from its folders:
#   scripts/real_study.sh [OUT]            (default out/real)
# 1. alphasweep run (data, factors, screen on the training period, the 54-configuration
#    sweep, predict with the best 3, top-N backtest on the test period);
# 2. predict --walk-forward with the best configuration, yearly folds from 2017-07;
# 3. backtest of the walk-forward predictions;
# 4. scripts/results_md.py writes docs/RESULTS.md (with the run's wall time).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/real}
BIN=${ALPHASWEEP_BIN:-target/release/alphasweep}
t0=$(date +%s)
"$BIN" run --config configs/csi300-real.toml --out "$OUT" --device cpu
secs=$(( $(date +%s) - t0 ))
best=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['best']['checkpoint'])" "$OUT/sweep/summary.json")
"$BIN" predict --walk-forward --model "$OUT/sweep/$best" --from 2017-07-01 --step-months 12 --out "$OUT/wf.csv.gz" --device cpu
"$BIN" backtest --config configs/csi300-real.toml --predictions "$OUT/wf.csv.gz" --out "$OUT/wf_backtest"
python3 scripts/results_md.py --run "$OUT" --seconds "$secs" > docs/RESULTS.md
echo "docs/RESULTS.md written from $OUT (run: $secs s)"
