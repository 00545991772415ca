#!/usr/bin/env bash
# The Slurm path tested on a real one-node Slurm 22.05 cluster started on this machine (as
# root, without systemd; run by .ci/run):
#   1. installs slurmctld, slurmd and munge if missing; starts munged, slurmctld and slurmd
#      from a temporary folder (own key, socket, ports, state, logs);
#   2. runs the reference: configs/sweep-quick.toml (tiny settings below) unsharded, one
#      thread per trial;
#   3. submits scripts/slurm-sweep.sh for it as a 4-task job array (1 CPU each) plus the
#      dependent merge job; requeues task 3 (`scontrol requeue`) after its first trial and
#      before its second, so its --resume finishes the shard;
#   4. checks: the merged ledger has the reference's trials with the same status, epochs and
#      metrics; shard 3 lost nothing and reran nothing; `merge` refuses a shard missing a
#      trial and names it; `alphasweep status` sees 8 of 8; the GPU path hands each shard
#      process its own CUDA_VISIBLE_DEVICES (fake GPUs, a stand-in binary).
# Every daemon it started is stopped by pid and the folder removed on any exit; on failure
# the daemon and job logs are printed. If Slurm cannot start, it says why and fails.
#   ALPHASWEEP_BIN=target/release/alphasweep scripts/slurm-test.sh
#   (SLURM_TEST_LIMIT=900 seconds in all; SLURM_TEST_KEEP=1 keeps the folder)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
LIMIT=${SLURM_TEST_LIMIT:-900}
BIN=$(realpath -m "${ALPHASWEEP_BIN:-$REPO/target/release/alphasweep}")
CONFIG=$REPO/configs/sweep-quick.toml
# Tiny and deterministic: 8 trials of 2 epochs; the 128-unit trials take seconds, so the
# requeue lands between shard 3's two trials.
SWEEP_ARGS=(--device cpu --set sweep.epochs=2 --set train.batch_size=32 --set "sweep.units=[64,128]")
START=$SECONDS PASSED=0 TMP="" PIDS=() NAMES=() WAIT_INFO=""

log() { echo "slurm-test [$((SECONDS - START))s]: $*"; }
fail() { echo "slurm-test: FAILED: $*" >&2; exit 1; }
ok() { PASSED=$((PASSED + 1)); log "ok: $*"; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM USR1
  set +e # clean up as much as possible whatever fails here
  [ -n "${WATCHDOG:-}" ] && kill "$WATCHDOG" 2>/dev/null
  [ -n "${REF:-}" ] && kill -KILL "$REF" 2>/dev/null && wait "$REF" 2>/dev/null
  if [ -n "$TMP" ] && [ -f "$TMP/slurm.conf" ] && [ "${#PIDS[@]}" -gt 0 ]; then
    scancel --quiet --full --user=root 2>/dev/null || true
    for _ in $(seq 1 20); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.5; done
  fi
  if [ "$rc" -ne 0 ] && [ -n "$TMP" ]; then
    echo "---- logs (the test failed) ----" >&2
    for f in "$TMP"/log/* "$TMP"/out/logs/* "$TMP"/gpu/logs/*; do
      [ -f "$f" ] && { echo "== $f (last 40 lines)" >&2; tail -n 40 "$f" >&2; }
    done
  fi
  # Job processes left behind (a job's environment names our slurm.conf), then the daemons.
  if [ -n "$TMP" ]; then
    local e p env
    for e in /proc/[0-9]*/environ; do
      p=${e#/proc/}; p=${p%/environ}
      env=$(tr '\0' '\n' 2>/dev/null < "$e") || continue
      if grep -qx "SLURM_CONF=$TMP/slurm.conf" <<< "$env" && grep -q '^SLURM_JOB_ID=' <<< "$env"; then
        kill -KILL "$p" 2>/dev/null && log "killed leftover job process $p"
      fi
    done
  fi
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill -TERM "${PIDS[$i]}" 2>/dev/null && log "stopped ${NAMES[$i]} (pid ${PIDS[$i]})"
    for _ in $(seq 1 20); do kill -0 "${PIDS[$i]}" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "${PIDS[$i]}" 2>/dev/null || true
    wait "${PIDS[$i]}" 2>/dev/null || true
  done
  if [ -n "$TMP" ] && [ "${SLURM_TEST_KEEP:-0}" != 1 ]; then rm -rf "$TMP"; fi
  [ "$rc" -eq 0 ] || echo "slurm-test: $PASSED passed, 1 failed" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'fail "interrupted"' INT TERM
trap 'fail "overall time limit of ${LIMIT}s exceeded (SLURM_TEST_LIMIT)"' USR1
# The watchdog: after LIMIT seconds it signals this script (its sleep dies with it).
( trap 'kill "$SP" 2>/dev/null; exit 0' TERM; sleep "$LIMIT" & SP=$!; wait "$SP" && kill -USR1 $$ ) 2>/dev/null &
WATCHDOG=$!

# Waits up to $1 seconds for the command after it to succeed; fails with $2 otherwise, or
# at once if one of the daemons has exited.
wait_for() {
  local t=$1 what=$2 i; shift 2
  local end=$((SECONDS + t))
  until "$@"; do
    for i in "${!PIDS[@]}"; do
      kill -0 "${PIDS[$i]}" 2>/dev/null || fail "${NAMES[$i]} (pid ${PIDS[$i]}) exited; its log is below (while waiting: $what)"
    done
    [ "$SECONDS" -lt "$end" ] || fail "$what (waited ${t}s)${WAIT_INFO:+; last seen: $WAIT_INFO}"
    sleep 0.5
  done
}

# ---- 1. packages, binary ---------------------------------------------------------------
[ "$(id -u)" = 0 ] || fail "must run as root: slurmd starts jobs as any user and this cluster's SlurmUser is root"
[ -x "$BIN" ] || fail "alphasweep binary not found at $BIN: build it (cargo build --release) or set ALPHASWEEP_BIN"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null \
  || ! command -v sbatch >/dev/null; then
  log "installing slurmctld slurmd munge (Debian packages)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd munge slurm-client; } \
    > /tmp/slurm-test-apt.log 2>&1 || { tail -n 20 /tmp/slurm-test-apt.log >&2; fail "apt-get install slurmctld slurmd munge failed (log above)"; }
fi
log "$(slurmctld -V), $(munged --version 2>&1 | head -n 1)"

# ---- 2. munge, slurmctld, slurmd -------------------------------------------------------
TMP=$(mktemp -d /tmp/alphasweep-slurm.XXXXXX)
mkdir -p "$TMP"/{munge,run,state,spool,log,dev}
chmod 700 "$TMP/munge"; chmod 755 "$TMP" "$TMP/run"
dd if=/dev/urandom of="$TMP/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$TMP/munge/munge.key"
SOCK=$TMP/run/munge.socket
munged -F -f --socket="$SOCK" --key-file="$TMP/munge/munge.key" --pid-file="$TMP/run/munged.pid" \
  --seed-file="$TMP/munge/seed" --log-file="$TMP/log/munged.log" > "$TMP/log/munged.log" 2>&1 &
PIDS+=($!); NAMES+=(munged)
munge_ok() { munge -n -S "$SOCK" 2>/dev/null | unmunge -S "$SOCK" >/dev/null 2>&1; }
wait_for 15 "munged did not answer on $SOCK (munge -n | unmunge failed; see log/munged.log)" munge_ok
ok "munged answers on its own socket"

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 30000))
    (echo > "/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  fail "no free TCP port found on 127.0.0.1"
}
NODE=$(hostname -s)
CPUS=$(nproc)
CTLD_PORT=$(free_port); SLURMD_PORT=$(free_port)
[ "$CTLD_PORT" != "$SLURMD_PORT" ] || SLURMD_PORT=$((CTLD_PORT + 1))
# Two fake GPUs (character devices like /dev/null) to test the --gpus-per-task plumbing.
for g in 0 1; do mknod "$TMP/dev/nvidia$g" c 1 3 || fail "mknod for the fake GPU devices failed"; done
cat > "$TMP/gres.conf" <<EOF
NodeName=$NODE Name=gpu File=$TMP/dev/nvidia[0-1]
EOF
cat > "$TMP/slurm.conf" <<EOF
ClusterName=alphasweep-test
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire: a requeued job may start again this many seconds after the requeue (default 120).
AuthInfo=socket=$SOCK,cred_expire=10
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/run/slurmctld.pid
SlurmdPidFile=$TMP/run/slurmd.pid
SlurmctldLogFile=$TMP/log/slurmctld.log
SlurmdLogFile=$TMP/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
KillWait=5
MinJobAge=600
GresTypes=gpu
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS Gres=gpu:2 State=UNKNOWN
PartitionName=test Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$TMP/slurm.conf
slurmctld -D -f "$SLURM_CONF" > "$TMP/log/slurmctld.out" 2>&1 &
PIDS+=($!); NAMES+=(slurmctld)
ctld_up() { scontrol ping 2>/dev/null | grep -q UP; }
wait_for 30 "slurmctld did not come up on port $CTLD_PORT (scontrol ping)" ctld_up
slurmd -D -f "$SLURM_CONF" > "$TMP/log/slurmd.out" 2>&1 &
PIDS+=($!); NAMES+=(slurmd)
node_idle() { WAIT_INFO="sinfo state and reason: $(sinfo -h -n "$NODE" -o "%T %E" 2>&1)"; [[ $WAIT_INFO == *": idle "* ]]; }
wait_for 60 "node $NODE did not become idle" node_idle
WAIT_INFO=""
ok "one-node cluster up: node $NODE idle, $CPUS CPUs, 2 fake GPUs, partition test"

# ---- 3. the reference, then the array with a requeue ------------------------------------
CPU0=$(awk '/Cpus_allowed_list/ {print $2}' /proc/self/status | cut -d, -f1 | cut -d- -f1)
log "reference: the same sweep unsharded, on one CPU (one thread per trial, as in each task)"
# In the background, so that the time limit's signal is handled while it runs.
taskset -c "$CPU0" "$BIN" sweep --config "$CONFIG" "${SWEEP_ARGS[@]}" --out "$TMP/ref" > "$TMP/log/reference.log" 2>&1 &
REF=$!
wait "$REF" || { tail -n 20 "$TMP/log/reference.log" >&2; fail "the reference sweep failed"; }
REF=""
ok "reference sweep: $(($(wc -l < "$TMP/ref/ledger.csv") - 1)) trials"

OUT=$TMP/out
ALPHASWEEP_BIN=$BIN scripts/slurm-sweep.sh --cpus-per-task 1 "$CONFIG" "$OUT" 4 "${SWEEP_ARGS[@]}" > "$TMP/log/submit.log" 2>&1 \
  || { cat "$TMP/log/submit.log" >&2; fail "scripts/slurm-sweep.sh could not submit"; }
ARRAY=$(sed -n 's/^ARRAY_JOB=//p' "$TMP/log/submit.log"); MERGE=$(sed -n 's/^MERGE_JOB=//p' "$TMP/log/submit.log")
[ -n "$ARRAY" ] && [ -n "$MERGE" ] || fail "no job ids in the submit output: $(cat "$TMP/log/submit.log")"
ok "submitted: array $ARRAY (4 tasks), merge $MERGE"

rows() { local f=$1/ledger.csv; [ -f "$f" ] && echo $(($(wc -l < "$f") - 1)) || echo 0; }
first_done() { [ "$(rows "$OUT/shard-3")" -ge 1 ]; }
wait_for 300 "shard 3 finished no trial" first_done
[ "$(rows "$OUT/shard-3")" -eq 1 ] || fail "shard 3 finished both trials before the requeue (machine too fast for this test?)"
BEFORE=$(sed -n 2p "$OUT/shard-3/ledger.csv")
scontrol requeue "${ARRAY}_3" || fail "scontrol requeue ${ARRAY}_3 failed"
log "requeued task ${ARRAY}_3 with 1 of its 2 trials in the ledger"
# `status` on the live shard folders (read while the tasks write them).
"$BIN" status "$OUT" || fail "alphasweep status on the running shards failed"
# `merge` refuses the incomplete shard and names the missing trial.
cp -r "$OUT/shard-3" "$TMP/partial-3"; rm -f "$TMP/partial-3/.lock"
MISSING=$(python3 - "$CONFIG" "$TMP/ref/ledger.csv" "$TMP/partial-3/ledger.csv" <<'EOF'
import csv, sys
ref = [r["trial"] for r in csv.DictReader(open(sys.argv[2]))]
have = {r["trial"] for r in csv.DictReader(open(sys.argv[3]))}
print([t for i, t in enumerate(ref) if i % 4 == 3 and t not in have][0])
EOF
)
if "$BIN" merge --out "$TMP/refused" "$TMP/partial-3" > "$TMP/log/refused.log" 2>&1; then
  fail "merge accepted an incomplete shard"
fi
grep -q "$MISSING" "$TMP/log/refused.log" || fail "merge's refusal does not name $MISSING: $(cat "$TMP/log/refused.log")"
ok "merge refuses shard 3 while it lacks $MISSING, naming it"

job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1; }
merge_done() {
  local s; s=$(job_state "$MERGE")
  case $s in COMPLETED) return 0 ;; FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) fail "merge job $MERGE ended $s" ;; esac
  return 1
}
wait_for $((LIMIT - (SECONDS - START) - 60)) "the array and merge did not finish" merge_done
ok "array and merge job completed"

# ---- 4. checks ---------------------------------------------------------------------------
RESTARTS=$(scontrol show job "${ARRAY}_3" | sed -n 's/.*Restarts=\([0-9]*\).*/\1/p')
[ "$RESTARTS" = 1 ] || fail "task ${ARRAY}_3 shows Restarts=$RESTARTS, expected 1"
grep -q "1 finished already" "$OUT/logs/shard-3.log" || fail "shard 3's second run did not resume from 1 finished trial"
grep -q "^$MISSING," "$OUT/shard-3/ledger.csv" || fail "shard 3 did not finish $MISSING after the requeue"
python3 - "$TMP/ref/ledger.csv" "$OUT/merged/ledger.csv" "$OUT/shard-3/ledger.csv" "$BEFORE" <<'EOF' || fail "ledger comparison (above)"
import csv, io, sys
ref, merged, shard3, before = sys.argv[1:5]
cols = ["status", "epochs_run", "best_epoch", "score"] + [f"{s}_{m}" for s in ("valid", "test")
        for m in ("loss", "mape", "ic", "rank_ic", "direction")]
def rows(p):
    rs = list(csv.DictReader(open(p)))
    ids = [r["trial"] for r in rs]
    assert len(ids) == len(set(ids)), f"{p}: a trial appears twice"
    return {r["trial"]: r for r in rs}
a, b, s3 = rows(ref), rows(merged), rows(shard3)
assert sorted(a) == sorted(b), f"trials differ: reference {sorted(a)} merged {sorted(b)}"
bad = [(t, c, a[t][c], b[t][c]) for t in a for c in cols if a[t][c] != b[t][c]]
assert not bad, f"merged differs from the unsharded reference: {bad}"
assert len(s3) == 2, f"shard 3 has {len(s3)} trials, expected 2"
old = next(csv.DictReader(io.StringIO(open(shard3).readline() + before)))
assert s3[old["trial"]]["seconds"] == old["seconds"], f"{old['trial']} was rerun after the requeue"
print(f"compared {len(a)} trials x {len(cols)} columns: equal; shard 3 kept {old['trial']} from before the requeue")
EOF
ok "merged ledger = unsharded reference (trials, status, epochs, valid/test metrics); the requeued shard lost and reran nothing"

"$BIN" status "$OUT" > "$TMP/log/status.txt" || fail "alphasweep status $OUT failed"
grep -q "8 of 8 trials finished" "$TMP/log/status.txt" || fail "status: $(cat "$TMP/log/status.txt")"
"$BIN" status --json "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin); assert s["total"]["finished"]==8 and len(s["shards"])==4, s' \
  || fail "status --json"
ok "alphasweep status sees 4 shards, 8 of 8 trials"

# ---- 5. the GPU plumbing, with a stand-in for alphasweep --------------------------------
mkdir -p "$TMP/gpu"
cat > "$TMP/fake-alphasweep" <<'EOF'
#!/usr/bin/env bash
# Records how slurm-sweep.sh started it: the shard, the device flag and the visible GPU.
out=""; shard=""; dev=""; while [ $# -gt 0 ]; do case $1 in --out) out=$2 ;; --shard) shard=$2 ;; --device) dev=$2 ;; esac; shift; done
[ "$out" ] && mkdir -p "$out" && echo "$shard $dev ${CUDA_VISIBLE_DEVICES:-unset}" > "$out/seen"
EOF
chmod +x "$TMP/fake-alphasweep"
ALPHASWEEP_BIN=$TMP/fake-alphasweep scripts/slurm-sweep.sh --gpus-per-task 2 --shards-per-gpu 2 --cpus-per-task 1 \
  "$CONFIG" "$TMP/gpu" 8 > "$TMP/log/submit-gpu.log" 2>&1 || { cat "$TMP/log/submit-gpu.log" >&2; fail "GPU submit"; }
GMERGE=$(sed -n 's/^MERGE_JOB=//p' "$TMP/log/submit-gpu.log")
wait_for 120 "the GPU-plumbing jobs did not finish" bash -c "[ \"\$(scontrol show job $GMERGE | grep -o 'JobState=[A-Z]*')\" = JobState=COMPLETED ]"
SEEN=$(cat "$TMP"/gpu/shard-*/seen | sort -t/ -k1,1n | tr '\n' ';')
[ "$SEEN" = "0/8 cuda 0;1/8 cuda 0;2/8 cuda 1;3/8 cuda 1;4/8 cuda 0;5/8 cuda 0;6/8 cuda 1;7/8 cuda 1;" ] \
  || fail "GPU plumbing: expected shards 0-7 on GPUs 0,0,1,1 per task with --device cuda, got: $SEEN"
ok "--gpus-per-task 2 --shards-per-gpu 2: 2 tasks, each shard process sees one GPU and runs --device cuda"

log "done in $((SECONDS - START)) s"
echo "slurm-test: $PASSED passed, 0 failed"
