#!/usr/bin/env bash
# Alpha158 on the shared qlib bins: alphasweep beside qlib's own D.features, same files,
# same machine, interleaved runs, medians.
#
#   scripts/bench_alpha158.sh [RUNS]      (default 3)
#
# alphasweep: `alphasweep bench features --config configs/qlib-alpha158.toml --members` (157
# features for the CSI 300 members' stock-days, 2010-01-04 .. 2020-07-31, float32 rows:
# the frame qlib returns) with its source pointed at the folder qlib reads (the lower-case
# copy, not the archive); the figure is loading the bins plus the process's first
# evaluation (load_s + the warm-up: cold, as qlib's one call is). The same without
# --members (157 `[date, stock]` float64 matrices, every stock of the bins, the form the
# pipeline reads) is printed beside it. qlib: scripts/bench_alpha158_qlib.py, one
# D.features call for the csi300 market over the same dates with 2 worker processes (its
# bins read inside the call; qlib.init not timed). Needs a release build (ALPHASWEEP_BIN,
# default target/release/alphasweep), the venv of scripts/requirements-qlib.txt
# (QLIB_PYTHON, default ~/.cache/alphasweep-qlib-venv/bin/python) and the lower-case copy
# of the bins made by scripts/qlib_data_copy.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
BIN=${ALPHASWEEP_BIN:-target/release/alphasweep}
PY=${QLIB_PYTHON:-$HOME/.cache/alphasweep-qlib-venv/bin/python}
DATA=$HOME/.cache/alphasweep-qlib-data
[[ -d $DATA ]] || bash scripts/qlib_data_copy.sh >/dev/null
# The same config, reading the bins qlib reads.
CONFIG=$(mktemp --suffix .toml)
trap 'rm -f "$CONFIG"' EXIT
sed "s#^path = .*#path = \"$DATA\"#" configs/qlib-alpha158.toml >"$CONFIG"
grep -q "^path = \"$DATA\"" "$CONFIG"
ours=()
panel=()
peer=()
# load_s + the warm-up of one `bench features` process (extra flags passed on).
ours_run() {
  local out load comp
  out=$("$BIN" bench features --config "$CONFIG" --runs 1 "$@" 2>&1)
  load=$(echo "$out" | sed -n 's/^load_s=//p')
  comp=$(echo "$out" | sed -n 's/^warm-up \([0-9.]*\) s.*/\1/p')
  echo "$load + $comp" | bc -l
}
for i in $(seq "$RUNS"); do
  ours+=("$(ours_run --members)")
  panel+=("$(ours_run)")
  peer+=("$("$PY" scripts/bench_alpha158_qlib.py --kernels 2 | python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')")
  echo "run $i: alphasweep member rows ${ours[-1]} s, [date, stock] matrices ${panel[-1]} s (load + features), qlib ${peer[-1]} s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mo=$(median "${ours[@]}")
mm=$(median "${panel[@]}")
mp=$(median "${peer[@]}")
echo "median: alphasweep member rows $mo s, matrices $mm s, qlib $mp s"
echo "ratio: qlib / member rows $(echo "$mp / $mo" | bc -l | cut -c1-5)x, qlib / matrices $(echo "$mp / $mm" | bc -l | cut -c1-5)x"
