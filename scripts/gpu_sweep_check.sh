#!/usr/bin/env bash
# GPU check of a prebuilt binary (built elsewhere with `--features cuda,wgpu`): the card,
# single-trial training throughput on cuda (LSTM, and one GRU shape), and the paper's 54-trial grid (2 epochs, the
# synthetic 300-stock market) on cuda and wgpu, each under a time limit; trials finished in
# time are in the ledgers, with their seconds. Results go to $OUT (default ./gpu-check).
#   bash scripts/gpu_sweep_check.sh path/to/alphasweep [SECONDS_PER_SWEEP]
set -uo pipefail
BIN=${1:?usage: gpu_sweep_check.sh BIN [SECONDS]}
LIMIT=${2:-150}
OUT=${OUT:-gpu-check}
mkdir -p "$OUT"
if [ -d /usr/local/cuda ] && [ -z "${CUDA_PATH:-}" ]; then export CUDA_PATH=/usr/local/cuda; fi
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "no nvidia-smi"; nproc; } | tee "$OUT/card.txt"
echo "(units,lstm,dense,mem,batch) cell device samples_per_s" | tee "$OUT/bench_train.txt"
for cfg in "16 1 1 5 32 lstm" "32 3 3 15 32 lstm" "32 3 3 15 4096 lstm" "32 3 3 15 4096 gru"; do
  set -- $cfg
  r=$(timeout 45 "$BIN" bench train --units "$1" --lstm-layers "$2" --dense-layers "$3" --mem-day "$4" --batch "$5" \
        --cell "$6" --batches 30 --device cuda 2>&1 | tail -n 1)
  echo "($1,$2,$3,$4,$5) $6 cuda $r" | tee -a "$OUT/bench_train.txt"
done
for dev in cuda wgpu; do
  lim=$LIMIT; [ "$dev" = wgpu ] && lim=$((LIMIT / 2))
  start=$(date +%s.%N)
  timeout -k 20 "$lim" "$BIN" sweep --config configs/paper.toml --set sweep.epochs=2 --device "$dev" \
    --out "$OUT/sweep-$dev" > "$OUT/sweep-$dev.log" 2>&1
  echo "sweep $dev: rc=$? wall=$(echo "$(date +%s.%N) - $start" | bc) s, ledger rows: $(($(wc -l < "$OUT/sweep-$dev/ledger.csv" 2>/dev/null || echo 1) - 1))" | tee -a "$OUT/summary.txt"
  tail -n 5 "$OUT/sweep-$dev.log"
done
rm -rf "$OUT"/sweep-*/checkpoints
