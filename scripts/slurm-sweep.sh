#!/usr/bin/env bash
# A sweep as a Slurm job array: each array task runs one or more shards of the grid, then a
# merge job joins the shard folders into one ledger and one best-K set.
#
#   scripts/slurm-sweep.sh [OPTIONS] CONFIG OUT_DIR SHARDS [extra sweep args...]
#
#   --gpus-per-task G   each task asks for G GPUs (--gres=gpu:G) and runs one shard process
#                       per GPU (times --shards-per-gpu), each seeing only its GPU through
#                       CUDA_VISIBLE_DEVICES and run with --device cuda. Default 0: CPU.
#   --shards-per-gpu K  shard processes per GPU (default 1; each trains --jobs packs at once,
#                       2 by default, so one GPU already has 2 packs in flight).
#   --cpus-per-task C   CPUs per task (CPU sweeps use them all: one trial per CPU).
#   --sbatch ARG        one more sbatch option for the array and the merge job, e.g.
#                       --sbatch --partition=gpu --sbatch --time=04:00:00 (repeatable).
#   --dry-run           print the sbatch commands instead of submitting them.
#
# Shard I of SHARDS runs `alphasweep sweep --config CONFIG --shard I/SHARDS --resume --out
# OUT_DIR/shard-I`, logging to OUT_DIR/logs/shard-I.log; the array has SHARDS / (G x K)
# tasks (rounded up; SHARDS tasks on the CPU). Tasks are submitted with --requeue, so a
# preempted or requeued task resumes its shards where they stopped. The merge job runs when
# every task succeeded and refuses shards that lack trials. OUT_DIR must be on a file
# system every node mounts. Watch with `alphasweep status OUT_DIR`. Slurm's own SBATCH_*
# variables (SBATCH_PARTITION, SBATCH_TIMELIMIT, ...) apply to both jobs.
# e.g. scripts/slurm-sweep.sh --gpus-per-task 8 --sbatch --time=04:00:00 \
#        configs/sweep-2700.toml /shared/$USER/s2700 64
set -euo pipefail

# Inside an array task: start this task's shard processes and wait for them.
if [ "${1:-}" = "--task" ]; then
  shift
  BIN=$1; CONFIG=$2; OUT=$3; SHARDS=$4; GPUS=$5; PER_GPU=$6; shift 6
  T=${SLURM_ARRAY_TASK_ID:?--task runs inside a Slurm array task (SLURM_ARRAY_TASK_ID unset)}
  DEVICES=()
  if [ "$GPUS" -gt 0 ]; then
    IFS=, read -r -a DEVICES <<< "${CUDA_VISIBLE_DEVICES:-}"
    if [ "${#DEVICES[@]}" -eq 0 ] || [ "${DEVICES[0]}" = "" ]; then
      echo "task $T: asked for $GPUS GPU(s) but CUDA_VISIBLE_DEVICES is empty: does the cluster's gres.conf define gpu?" >&2
      exit 2
    fi
    SLOTS=$(( GPUS * PER_GPU ))
    DEVICE_ARGS=(--device cuda)
    for a in "$@"; do case $a in --device|--device=*) DEVICE_ARGS=() ;; esac; done
  else
    SLOTS=1; DEVICE_ARGS=()
  fi
  PIDS=()
  trap 'kill -TERM "${PIDS[@]}" 2>/dev/null || true' TERM INT
  for ((s = 0; s < SLOTS; s++)); do
    I=$(( T * SLOTS + s ))
    [ "$I" -lt "$SHARDS" ] || break
    ENVS=()
    if [ "$GPUS" -gt 0 ]; then ENVS=("CUDA_VISIBLE_DEVICES=${DEVICES[$(( s / PER_GPU % ${#DEVICES[@]} ))]}"); fi
    echo "task $T (restart ${SLURM_RESTART_COUNT:-0}) on $(hostname): shard $I/$SHARDS ${ENVS[*]:-}"
    env "${ENVS[@]}" "$BIN" sweep --config "$CONFIG" --shard "$I/$SHARDS" --resume --out "$OUT/shard-$I" \
      "${DEVICE_ARGS[@]}" "$@" >> "$OUT/logs/shard-$I.log" 2>&1 &
    PIDS+=($!)
  done
  RC=0
  for p in "${PIDS[@]}"; do
    while true; do
      set +e; wait "$p"; r=$?; set -e
      # A trap interrupts `wait` with a status over 128 while the shard still runs: wait again.
      if [ "$r" -gt 128 ] && kill -0 "$p" 2>/dev/null; then continue; fi
      break
    done
    [ "$r" -eq 0 ] || { echo "task $T: a shard process exited with $r (see $OUT/logs/)" >&2; RC=$r; }
  done
  exit "$RC"
fi

usage() { sed -n '2,28p' "$0"; exit 2; }
GPUS=0; PER_GPU=1; CPUS=""; DRY=0; SB=()
while [ $# -gt 0 ]; do
  case $1 in
    --gpus-per-task) GPUS=${2:?}; shift 2 ;;
    --shards-per-gpu) PER_GPU=${2:?}; shift 2 ;;
    --cpus-per-task) CPUS=${2:?}; shift 2 ;;
    --sbatch) SB+=("${2:?}"); shift 2 ;;
    --dry-run) DRY=1; shift ;;
    -h|--help) usage ;;
    --*) echo "unknown option $1 (options go before CONFIG)" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -ge 3 ] || usage
CONFIG=$(realpath -m "$1"); OUT=$(realpath -m "$2"); SHARDS=$3; shift 3
for v in "$GPUS" "$PER_GPU" "$SHARDS"; do
  [[ $v =~ ^[0-9]+$ ]] || { echo "not a whole number: $v" >&2; exit 2; }
done
[ "$SHARDS" -ge 1 ] && [ "$PER_GPU" -ge 1 ] || { echo "SHARDS and --shards-per-gpu must be at least 1" >&2; exit 2; }
[ -f "$CONFIG" ] || { echo "config not found: $CONFIG" >&2; exit 2; }
BIN=${ALPHASWEEP_BIN:-$(command -v alphasweep || echo "$(cd "$(dirname "$0")/.." && pwd)/target/release/alphasweep")}
[ -x "$BIN" ] || { echo "alphasweep binary not found at $BIN (set ALPHASWEEP_BIN)" >&2; exit 2; }
BIN=$(realpath "$BIN")

SLOTS=1; TASK_OPTS=()
if [ "$GPUS" -gt 0 ]; then SLOTS=$(( GPUS * PER_GPU )); TASK_OPTS+=("--gres=gpu:$GPUS"); fi
[ -z "$CPUS" ] || TASK_OPTS+=("--cpus-per-task=$CPUS")
TASKS=$(( (SHARDS + SLOTS - 1) / SLOTS ))

ARRAY_CMD=(sbatch --parsable --array="0-$((TASKS - 1))" --job-name=alphasweep-shard --requeue --open-mode=append
  --output="$OUT/logs/task-%a.log" "${TASK_OPTS[@]}" "${SB[@]}"
  "$(realpath "$0")" --task "$BIN" "$CONFIG" "$OUT" "$SHARDS" "$GPUS" "$PER_GPU" "$@")
MERGE_CMD=(sbatch --parsable --job-name=alphasweep-merge --kill-on-invalid-dep=yes --output="$OUT/logs/merge.log"
  "${SB[@]}" --wrap="$(printf '%q ' "$BIN" merge --out "$OUT/merged")$(printf '%q' "$OUT")/shard-*")
echo "$SHARDS shards in $TASKS array task(s), $SLOTS shard(s) per task$([ "$GPUS" -gt 0 ] && echo ", $PER_GPU per GPU")"
if [ "$DRY" = 1 ]; then
  printf '%q ' "${ARRAY_CMD[@]}"; echo
  printf '%q ' "${MERGE_CMD[@]:0:2}" "--dependency=afterok:<array job id>" "${MERGE_CMD[@]:2}"; echo
  exit 0
fi
mkdir -p "$OUT/logs"
ARRAY=$("${ARRAY_CMD[@]}")
echo "submitted shard array $ARRAY ($TASKS tasks; logs in $OUT/logs/)"
MERGE=$("${MERGE_CMD[@]:0:2}" --dependency=afterok:"${ARRAY%%;*}" "${MERGE_CMD[@]:2}")
echo "submitted merge job $MERGE (after every task succeeds): results in $OUT/merged"
echo "watch it: alphasweep status --watch=60 $OUT"
# The last two lines for scripts: the job ids.
echo "ARRAY_JOB=${ARRAY%%;*}"
echo "MERGE_JOB=${MERGE%%;*}"
