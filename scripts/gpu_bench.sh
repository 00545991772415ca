#!/usr/bin/env bash
# GPU training benchmark, alphasweep against its PyTorch/cuDNN peer, in one command:
#   1. `alphasweep bench gpu` (single-trial samples/s and the paper's 54-trial grid) -> $OUT/alphasweep.json
#   2. scripts/gpu_bench_torch.py, the same measurements with PyTorch (same panel size) -> $OUT/torch.json
#   3. scripts/gpu_bench_table.py: the two side by side.
# A failure (or timeout) of one engine does not stop the other; the end says which failed and
# the exit status is non-zero then. Logs go to $OUT/alphasweep.log and $OUT/torch.log.
# The two runs are capped at 300 s + 240 s, so the whole thing aims to finish in under 8 minutes
# (plus the build, when there is one).
#
#   bash scripts/gpu_bench.sh
#
# Environment:
#   ALPHASWEEP_BIN  a prebuilt alphasweep binary (built with --features cuda,wgpu); skips the
#                   cargo build. The usual way on a GPU machine without internet.
#   DEVICE          alphasweep's --device (default cuda)
#   TORCH_DEVICE    gpu_bench_torch.py's --device: auto (default), cuda or cpu
#   TORCH_ARGS      extra gpu_bench_torch.py arguments, e.g. "--quick" for a CPU smoke test
#   ALPHASWEEP_ARGS extra `alphasweep bench gpu` arguments, e.g. "--quick" (with DEVICE=wgpu and
#                   VK_DRIVER_FILES=.../lvp_icd.x86_64.json: a smoke test on Mesa's lavapipe)
#   CELL            the recurrent cell of both sides: lstm (default) or gru
#   OUT             output folder (default gpu-bench)
# CUDA_PATH is set to /usr/local/cuda when that exists and CUDA_PATH is unset.
set -uo pipefail  # no -e: each part reports its own failure
cd "$(dirname "$0")/.." || exit 1
if [ -d /usr/local/cuda ] && [ -z "${CUDA_PATH:-}" ]; then export CUDA_PATH=/usr/local/cuda; fi

OUT="${OUT:-gpu-bench}"
DEVICE="${DEVICE:-cuda}"
CELL="${CELL:-lstm}"
TORCH_DEVICE="${TORCH_DEVICE:-auto}"
read -r -a TORCH_EXTRA <<< "${TORCH_ARGS:-}"
read -r -a OURS_EXTRA <<< "${ALPHASWEEP_ARGS:-}"
OURS_TIMEOUT=300
TORCH_TIMEOUT=240
DEFAULT_WINDOWS=309600
mkdir -p "$OUT" || exit 1
rm -f "$OUT/alphasweep.json" "$OUT/torch.json"  # no stale results from an earlier run
failed=()

# Why a command ended with status $1, in words.
why() { case "$1" in 124) echo "timed out";; *) echo "exit status $1";; esac; }

# The binary: prebuilt, or built here.
BIN=""
if [ -n "${ALPHASWEEP_BIN:-}" ]; then
  if [ -x "$ALPHASWEEP_BIN" ]; then BIN="$ALPHASWEEP_BIN"
  else echo "ALPHASWEEP_BIN=$ALPHASWEEP_BIN is not an executable file"; failed+=("alphasweep (no binary)"); fi
else
  if cargo build --release --features cuda,wgpu; then
    BIN="${CARGO_TARGET_DIR:-target}/release/alphasweep"
  else
    echo "cargo build failed"; failed+=("alphasweep (build)")
  fi
fi

echo "== card"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
else
  echo "no nvidia-smi"
fi

# 1. alphasweep
if [ -n "$BIN" ]; then
  echo "== alphasweep bench gpu --device $DEVICE --cell $CELL (timeout ${OURS_TIMEOUT}s)"
  timeout "$OURS_TIMEOUT" "$BIN" bench gpu --device "$DEVICE" --cell "$CELL" --json "$OUT/alphasweep.json" "${OURS_EXTRA[@]}" 2>&1 | tee "$OUT/alphasweep.log"
  rc=${PIPESTATUS[0]}
  if [ "$rc" -ne 0 ]; then
    echo "alphasweep bench gpu failed: $(why "$rc")"; failed+=("alphasweep ($(why "$rc"))")
  elif [ ! -s "$OUT/alphasweep.json" ]; then
    echo "alphasweep bench gpu wrote no $OUT/alphasweep.json"; failed+=("alphasweep (no JSON)")
  fi
fi

# 2. PyTorch, on the same number of training windows as alphasweep's panel.
WINDOWS=$(python3 -c '
import json, sys
try:
    print(int(json.load(open(sys.argv[1]))["panel"]["train_windows"]))
except Exception:
    print(sys.argv[2])
' "$OUT/alphasweep.json" "$DEFAULT_WINDOWS" 2>/dev/null) || WINDOWS=$DEFAULT_WINDOWS
echo "== gpu_bench_torch.py --device $TORCH_DEVICE --cell $CELL --train-windows $WINDOWS ${TORCH_EXTRA[*]} (timeout ${TORCH_TIMEOUT}s)"
timeout "$TORCH_TIMEOUT" python3 scripts/gpu_bench_torch.py --device "$TORCH_DEVICE" --cell "$CELL" --json "$OUT/torch.json" \
  --train-windows "$WINDOWS" "${TORCH_EXTRA[@]}" 2>&1 | tee "$OUT/torch.log"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
  echo "gpu_bench_torch.py failed: $(why "$rc")"; failed+=("pytorch ($(why "$rc"))")
fi

# 3. Side by side (the table script shows n/a for a missing side).
echo "== side by side"
python3 scripts/gpu_bench_table.py "$OUT/alphasweep.json" "$OUT/torch.json" | tee "$OUT/table.txt"

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "done: $OUT/alphasweep.json $OUT/torch.json $OUT/table.txt"
