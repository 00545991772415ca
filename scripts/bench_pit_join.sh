#!/usr/bin/env bash
# Point-in-time accounts on the real data: alphasweep beside pandas, same inputs, same machine.
#
#   scripts/bench_pit_join.sh [RUNS]      (default 3; interleaved, medians)
#
# Inputs (../shared/data, section 5): the 670 baostock daily files (.tar.xz, read in place),
# the profit and growth tables, the CSI 300 change history, 2012-06-01 .. 2023-06-30.
# alphasweep: `alphasweep factors` loads them, joins the accounts point-in-time (visible the
# trading day after the announcement), computes six account factors, cleans them per date
# and writes the table. pandas: scripts/pit_join_pandas.py, the same join with merge_asof
# (it does not clean or write). Both are whole processes timed with wall clock.
# Needs: a release build (ALPHASWEEP_BIN, default target/release/alphasweep) and the venv
# of scripts/requirements-pit.txt (PIT_PYTHON, default ~/.cache/alphasweep-pit-venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
BIN=${ALPHASWEEP_BIN:-target/release/alphasweep}
PY=${PIT_PYTHON:-$HOME/.cache/alphasweep-pit-venv/bin/python}
DATA=${ALPHASWEEP_SHARED_DATA:-../shared/data}
F=$DATA/baostock_csi300_fundamentals_2012_2023
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
ours=()
peer=()
now() { date +%s.%N; }
for i in $(seq "$RUNS"); do
  t0=$(now)
  "$BIN" factors --data "$F/stock_code_daily_bars_valuation.tar.xz" --data "$F" \
    --data "$F/csi300_changes_2005_2022.csv" --format baostock --format baostock_accounts --format index_changes \
    --start 2012-06-01 --end 2023-06-30 \
    --list NET_PROFIT_PARENT_COMP_TTM,OPER_REV_TTM,S_FA_EPS_BASIC,S_FA_NETPROFITMARGIN,S_VAL_PE,NET_ASSETS_TODAY \
    --out "$OUT/f.csv.gz" >/dev/null 2>"$OUT/ours.log"
  t1=$(now)
  "$PY" scripts/pit_join_pandas.py --data "$DATA" >"$OUT/peer.log" 2>&1
  t2=$(now)
  ours+=("$(echo "$t1 - $t0" | bc)")
  peer+=("$(echo "$t2 - $t1" | bc)")
  echo "run $i: alphasweep ${ours[-1]} s, pandas ${peer[-1]} s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mo=$(printf "%.2f" "$(median "${ours[@]}")")
mp=$(printf "%.2f" "$(median "${peer[@]}")")
echo
echo "| whole process, median of $RUNS | seconds |"
echo "|---|---|"
echo "| alphasweep factors (load, PIT join, 6 factors, clean, write) | $mo |"
echo "| pandas (read, YTD to TTM, merge_asof, membership) | $mp |"
echo "| pandas / alphasweep | $(echo "scale=2; $mp / $mo" | bc) |"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; commit $(git rev-parse --short HEAD)"
