#!/usr/bin/env bash
# A sweep as a Slurm job array: one shard of the grid per array task, then a merge job that
# joins the shard folders into one ledger and one best-K set.
#
#   scripts/slurm-sweep.sh CONFIG OUT_DIR SHARDS [extra sweep args...]
#   e.g. scripts/slurm-sweep.sh configs/sweep-2700.toml /scratch/$USER/s2700 16 --device cuda
#
# Submits `SHARDS` array tasks (each runs `alphasweep sweep --shard I/SHARDS --resume` into
# OUT_DIR/shard-I, so a requeued or preempted task continues where it stopped) and a merge
# job that starts when all of them succeed. Slurm options (partition, GPUs, time) come from
# the environment, e.g. SBATCH_PARTITION=gpu SBATCH_GRES=gpu:1 SBATCH_TIMELIMIT=04:00:00.
# Any job-array runner works the same way: run shard I of N with
#   alphasweep sweep --config CONFIG --shard I/N --resume --out OUT/shard-I
# (Kubernetes indexed jobs: I = JOB_COMPLETION_INDEX), then
#   alphasweep merge --out OUT/merged OUT/shard-*
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '2,16p' "$0"; exit 2
fi
CONFIG=$1; OUT=$2; SHARDS=$3; shift 3
BIN=${ALPHASWEEP_BIN:-$(command -v alphasweep || echo "$(cd "$(dirname "$0")/.." && pwd)/target/release/alphasweep")}
[ -x "$BIN" ] || { echo "alphasweep binary not found (set ALPHASWEEP_BIN)" >&2; exit 2; }
mkdir -p "$OUT/logs"
EXTRA=$(printf ' %q' "$@")

ARRAY=$(sbatch --parsable --array=0-$((SHARDS - 1)) --job-name=alphasweep-shard \
  --output="$OUT/logs/shard-%a.log" --requeue \
  --wrap="\"$BIN\" sweep --config \"$CONFIG\" --shard \${SLURM_ARRAY_TASK_ID}/\${SLURM_ARRAY_TASK_COUNT} --resume --out \"$OUT/shard-\${SLURM_ARRAY_TASK_ID}\"$EXTRA")
echo "submitted shard array $ARRAY ($SHARDS tasks)"

SHARD_DIRS=$(for i in $(seq 0 $((SHARDS - 1))); do printf ' %q' "$OUT/shard-$i"; done)
MERGE=$(sbatch --parsable --dependency=afterok:"$ARRAY" --job-name=alphasweep-merge \
  --output="$OUT/logs/merge.log" --wrap="\"$BIN\" merge --out \"$OUT/merged\"$SHARD_DIRS")
echo "submitted merge job $MERGE (after all shards succeed): results in $OUT/merged"
