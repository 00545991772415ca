#!/usr/bin/env bash
# GPU training throughput: builds alphasweep with the GPU backends and prints samples/s for
# the benchmark configurations plus large batches on each available GPU backend, next to the
# CPU. Run on a machine with an NVIDIA GPU (CUDA_PATH is set when /usr/local/cuda exists).
#   bash scripts/gpu_bench.sh [BATCHES]
set -euo pipefail
cd "$(dirname "$0")/.."
BATCHES="${1:-50}"
if [ -d /usr/local/cuda ] && [ -z "${CUDA_PATH:-}" ]; then export CUDA_PATH=/usr/local/cuda; fi
cargo build --release --features cuda,wgpu
BIN="${CARGO_TARGET_DIR:-target}/release/alphasweep"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || echo "no nvidia-smi"
printf '%-28s %8s %12s\n' "(units,lstm,dense,mem,batch)" device samples_per_s
for cfg in "32 1 1 10 32" "32 2 2 10 256" "64 2 1 15 256" "128 3 3 15 512" "32 3 3 15 1024" "32 3 3 15 4096"; do
  set -- $cfg
  for dev in cuda wgpu cpu; do
    out=$("$BIN" bench train --units "$1" --lstm-layers "$2" --dense-layers "$3" --mem-day "$4" --batch "$5" \
          --batches "$BATCHES" --device "$dev" 2>&1) || { printf '%-28s %8s %12s\n' "($1,$2,$3,$4,$5)" "$dev" "n/a: $(echo "$out" | tail -1)"; continue; }
    printf '%-28s %8s %12s\n' "($1,$2,$3,$4,$5)" "$dev" "$(echo "$out" | sed -n 's/^samples_per_s=//p')"
  done
done
