#!/usr/bin/env python3
"""What --precision bf16 does to training outcomes: the same model trained on the planted
synthetic market (configs/train-quick.toml's data and factors) with fp32 and with bf16
products, over several seeds; best epoch, valid IC at it, and test IC / rank IC per run, then
the mean bf16 - fp32 difference with its spread across seeds. Python standard library only.

    cargo build --release
    python3 scripts/bf16_outcomes.py [--seeds 8] [--epochs 15] [--units 32] [--lstm-layers 2]

On a CPU without AVX-512 BF16 the bf16 runs use the emulated path (operands rounded to bf16
in front of f32 products): the same numbers as the native instruction up to the order of the
sums, so the accuracy figures hold there too; the speed does not.
"""
import argparse
import csv
import json
import os
import re
import statistics
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "alphasweep")


def config(seed, epochs, units, layers):
    """configs/train-quick.toml with the training seed, epochs and model size replaced."""
    text = open(os.path.join(ROOT, "configs", "train-quick.toml")).read()
    swaps = [(r"(?m)^epochs = .*$", f"epochs = {epochs}"), (r"(?m)^units = .*$", f"units = {units}"),
             (r"(?m)^lstm_layers = .*$", f"lstm_layers = {layers}")]
    for pat, new in swaps:
        text, n = re.subn(pat, new, text)
        assert n == 1, pat
    # The [train] seed (the last `seed =` line: [synth] and [dataset] keep theirs).
    head, sep, tail = text.rpartition("\nseed = ")
    assert sep, "no [train] seed line"
    return head + f"\nseed = {seed}" + tail[tail.index("\n"):]


def train(cfg_text, precision, workdir):
    cfg = os.path.join(workdir, "train.toml")
    open(cfg, "w").write(cfg_text)
    out = os.path.join(workdir, precision)
    subprocess.run([BIN, "train", "--config", cfg, "--out", out, "--device", "cpu", "--threads", "1", "--precision", precision],
                   check=True, capture_output=True, text=True, cwd=os.path.join(ROOT, "configs"))
    test = json.load(open(os.path.join(out, "test.json")))
    rows = list(csv.DictReader(open(os.path.join(out, "metrics.csv"))))
    best = test["best_epoch"]
    valid_ic = float(rows[best - 1]["valid_ic"]) if best > 0 else float("nan")
    return best, valid_ic, test["test"]["ic"], test["test"]["rank_ic"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--units", type=int, default=32)
    ap.add_argument("--lstm-layers", type=int, default=2)
    a = ap.parse_args()
    print(f"planted synthetic market (configs/train-quick.toml), {a.lstm_layers} x {a.units} LSTM, {a.epochs} epochs, "
          f"selection by valid IC; seeds 1..{a.seeds}")
    print(f"{'seed':>4}  {'precision':<9}{'best epoch':>11}{'valid IC':>10}{'test IC':>10}{'test rank IC':>14}")
    diffs = {k: [] for k in ("valid IC", "test IC", "test rank IC")}
    same_epoch = 0
    for seed in range(1, a.seeds + 1):
        got = {}
        with tempfile.TemporaryDirectory() as d:
            text = config(seed, a.epochs, a.units, a.lstm_layers)
            for p in ("fp32", "bf16"):
                got[p] = train(text, p, d)
                b, v, t, r = got[p]
                print(f"{seed:>4}  {p:<9}{b:>11}{v:>10.4f}{t:>10.4f}{r:>14.4f}", flush=True)
        same_epoch += got["fp32"][0] == got["bf16"][0]
        for i, k in enumerate(diffs, start=1):
            diffs[k].append(got["bf16"][i] - got["fp32"][i])
    print(f"bf16 - fp32 over {a.seeds} seeds (mean, standard deviation across seeds); same best epoch in {same_epoch} of {a.seeds}:")
    for k, v in diffs.items():
        print(f"  {k:<13} {statistics.mean(v):+.4f}  (sd {statistics.stdev(v) if len(v) > 1 else 0.0:.4f})")


if __name__ == "__main__":
    main()
