#!/usr/bin/env python3
"""GPU training throughput of the PyTorch/cuDNN equivalent of alphasweep's model: the peer for
`alphasweep bench gpu`. scripts/gpu_bench.sh runs both and scripts/gpu_bench_table.py prints them
side by side.

    python3 scripts/gpu_bench_torch.py [--device auto|cuda|cpu] [--json torch.json] [--cell lstm|gru]
        [--seconds 2.0] [--grid-steps 100] [--train-windows 309600] [--skip-single] [--skip-grid]
    python3 scripts/gpu_bench_torch.py --quick --device cpu --json /tmp/torch_quick.json   # smoke test

The model, fp32: nn.LSTM (--cell gru: nn.GRU) (7 features -> units, lstm_layers, batch_first,
dropout 0.1 between recurrent layers), the last time step's hidden state, dropout 0.1, dense_layers x (Linear(units, units),
ReLU, dropout 0.1), Linear(units, 1); MSE loss, plain Adam(lr 1e-3), in training mode (dropout
on). Inputs are random: a pool of distinct [batch, mem_day, 7] batches and [batch] labels made
on the device once per case and cycled through, so no host-to-device copy is timed (throughput
does not depend on the values). On CUDA, torch.backends.cudnn.benchmark is on and the timed
region is bracketed by torch.cuda.synchronize().

Measurements:
  single  for (units, lstm_layers, dense_layers, mem_day) in SHAPES and batch in BATCHES:
          samples/s of training steps (forward + backward + Adam step), timed for --seconds
          (at least 5 steps) after warm-up steps (which also let cuDNN pick its algorithms).
  grid    the paper's 54 trials (mem_day 5/10/15 x lstm 1/2/3 x dense 1/2/3 x units 16/32) at
          batch 32 and at batch 4096, trained trial after trial, each with a fresh model and
          optimizer. One epoch is ceil(--train-windows / batch) steps. Each trial times
          --grid-steps steps after a few warm-up steps and projects its epoch time from that
          rate (--grid-steps 0, or an epoch no longer than --grid-steps, times whole epochs);
          epoch_s is the sum over the trials and projected_50_epochs_s is 50 x epoch_s.

--quick (CPU smoke test): only the first shape at batches 32 and 512, and the grid's first 4
trials at batch 32 with 5 timed steps each; the JSON then says "quick": true.

The JSON (--json) has the schema that `alphasweep bench gpu --json` writes:
  {"engine": "pytorch", "device": ..., "torch": ..., "cudnn": <version or null>, "quick": false,
   "cell": "lstm" | "gru", "single": [{"units", "lstm_layers", "dense_layers", "mem_day", "batch", "samples_per_s"}, ...],
   "grid": [{"batch", "trials", "epoch_s", "projected_50_epochs_s", "measured"}, ...]}
With the defaults it takes about 2 minutes on an H100.
"""
import argparse
import json
import math
import sys
import time

import torch
from torch import nn

FEATURES = 7
DROPOUT = 0.1
# (units, lstm_layers, dense_layers, mem_day) of the single-trial table, and its batch sizes.
SHAPES = [(16, 1, 1, 5), (32, 3, 3, 15), (128, 2, 2, 20)]
BATCHES = [32, 512, 4096]
# The paper's grid, in (units, lstm_layers, dense_layers, mem_day) order.
GRID = [(u, l, d, m) for m in (5, 10, 15) for l in (1, 2, 3) for d in (1, 2, 3) for u in (16, 32)]
GRID_BATCHES = [32, 4096]
POOL = 64  # distinct input batches per case, cycled through
MIN_STEPS = 5  # timed steps per single case, at least


# The recurrent cell, set from --cell in main(): nn.LSTM or nn.GRU.
CELL = {"lstm": nn.LSTM, "gru": nn.GRU}
RNN = nn.LSTM


class Net(nn.Module):
    """LSTM (GRU) stack -> last hidden state -> dense ReLU stack -> one output, with dropout 0.1."""

    def __init__(self, units, lstm_layers, dense_layers):
        super().__init__()
        # nn.LSTM and nn.GRU apply their dropout between stacked layers only (not after the last one).
        self.lstm = RNN(FEATURES, units, lstm_layers, batch_first=True,
                        dropout=DROPOUT if lstm_layers > 1 else 0.0)
        layers = [nn.Dropout(DROPOUT)]
        for _ in range(dense_layers):
            layers += [nn.Linear(units, units), nn.ReLU(), nn.Dropout(DROPOUT)]
        layers.append(nn.Linear(units, 1))
        self.head = nn.Sequential(*layers)

    def forward(self, x):
        out, _ = self.lstm(x)  # [batch, mem_day, units]
        return self.head(out[:, -1]).squeeze(1)  # [batch]


class Trainer:
    """One model, its optimizer and a device-resident pool of random batches."""

    def __init__(self, shape, batch, device, pool=POOL):
        units, lstm_layers, dense_layers, mem_day = shape
        torch.manual_seed(0)
        self.net = Net(units, lstm_layers, dense_layers).to(device).train()
        self.opt = torch.optim.Adam(self.net.parameters(), lr=1e-3)
        self.xs = torch.randn(pool, batch, mem_day, FEATURES, device=device)
        self.ys = torch.randn(pool, batch, device=device)
        self.batch = batch
        self.device = device
        self.i = 0  # position in the pool

    def steps(self, n):
        """n training steps (queued asynchronously on CUDA; see sync())."""
        for _ in range(n):
            k = self.i % len(self.xs)
            self.i += 1
            self.opt.zero_grad(set_to_none=True)
            loss = nn.functional.mse_loss(self.net(self.xs[k]), self.ys[k])
            loss.backward()
            self.opt.step()

    def sync(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def timed(self, n):
        """Seconds for exactly n steps, the queue drained before and after."""
        self.sync()
        t = time.perf_counter()
        self.steps(n)
        self.sync()
        return time.perf_counter() - t

    def timed_for(self, seconds, min_steps=MIN_STEPS):
        """(steps, seconds): run steps in growing chunks until `seconds` have passed, with at
        least min_steps steps. Synchronises once per chunk only, so the queue stays full."""
        self.sync()
        t = time.perf_counter()
        done, chunk = 0, min_steps
        while True:
            self.steps(chunk)
            self.sync()
            done += chunk
            elapsed = time.perf_counter() - t
            if elapsed >= seconds:
                return done, elapsed
            # Aim the next chunk at the remaining time (at most doubling the work done so far).
            rate = done / elapsed if elapsed > 0 else float("inf")
            chunk = max(1, min(done, math.ceil((seconds - elapsed) * rate)))


def release(device):
    """Free the previous case's tensors before the next one is allocated."""
    if device.type == "cuda":
        torch.cuda.empty_cache()


def bench_single(shapes, batches, device, seconds, warmup, log):
    rows = []
    for shape in shapes:
        for batch in batches:
            tr = Trainer(shape, batch, device)
            tr.steps(warmup)  # cuDNN autotuning, allocator and Adam state warm-up
            steps, elapsed = tr.timed_for(seconds)
            sps = batch * steps / elapsed
            units, lstm_layers, dense_layers, mem_day = shape
            rows.append({"units": units, "lstm_layers": lstm_layers, "dense_layers": dense_layers,
                         "mem_day": mem_day, "batch": batch, "samples_per_s": round(sps, 1)})
            log(f"single {shape} batch {batch}: {steps} steps in {elapsed:.2f} s, {sps:,.0f} samples/s")
            del tr
            release(device)
    return rows


def bench_grid(trials, batch, device, train_windows, grid_steps, warmup, log):
    """One grid row: the trials trained one after the other at this batch size."""
    epoch_steps = math.ceil(train_windows / batch)
    whole = grid_steps == 0 or grid_steps >= epoch_steps
    n = epoch_steps if whole else grid_steps
    epoch_s = 0.0
    for t, shape in enumerate(trials):
        tr = Trainer(shape, batch, device)
        tr.steps(warmup)
        elapsed = tr.timed(n)
        trial_s = elapsed * epoch_steps / n  # projected (or, for whole epochs, measured) epoch time
        epoch_s += trial_s
        log(f"grid batch {batch} trial {t + 1}/{len(trials)} {shape}: {n} steps in {elapsed:.3f} s, "
            f"epoch {trial_s:.2f} s")
        del tr
        release(device)
    measured = "whole epochs" if whole else f"projected from {n} steps per trial"
    return {"batch": batch, "trials": len(trials), "epoch_s": round(epoch_s, 3),
            "projected_50_epochs_s": round(50 * epoch_s, 3), "measured": measured}


def pick_device(name):
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        sys.exit("error: --device cuda but torch.cuda.is_available() is false "
                 f"(torch {torch.__version__}, built for CUDA {torch.version.cuda})")
    return torch.device(name)


def print_tables(res, out=sys.stdout):
    print(f"engine pytorch, device {res['device']}, torch {res['torch']}, cudnn {res['cudnn']}"
          + (", QUICK (smoke test)" if res["quick"] else ""), file=out)
    if res["single"]:
        print(f"\n{'(units, lstm, dense, mem_day)':<32}{'batch':>7}{'samples/s':>14}", file=out)
        for r in res["single"]:
            shape = f"({r['units']}, {r['lstm_layers']}, {r['dense_layers']}, {r['mem_day']})"
            print(f"{shape:<32}{r['batch']:>7}{r['samples_per_s']:>14,.0f}", file=out)
    if res["grid"]:
        print(f"\n{'grid batch':<12}{'trials':>7}{'epoch s':>11}{'50 epochs min':>15}  measured", file=out)
        for g in res["grid"]:
            print(f"{g['batch']:<12}{g['trials']:>7}{g['epoch_s']:>11.2f}"
                  f"{g['projected_50_epochs_s'] / 60:>15.2f}  {g['measured']}", file=out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", choices=["auto", "cuda", "cpu"], default="auto",
                    help="auto: cuda when available, else cpu")
    ap.add_argument("--quick", action="store_true", help="CPU smoke test: a few small cases only")
    ap.add_argument("--seconds", type=float, default=None,
                    help="timed seconds per single case (default 2.0; 0.5 with --quick)")
    ap.add_argument("--grid-steps", type=int, default=100,
                    help="steps timed per grid trial, projected to an epoch (0: whole epochs)")
    ap.add_argument("--train-windows", type=int, default=309600,
                    help="training windows of the panel; an epoch is ceil(windows / batch) steps")
    ap.add_argument("--json", metavar="PATH", help="write the results as JSON here")
    ap.add_argument("--skip-single", action="store_true")
    ap.add_argument("--skip-grid", action="store_true")
    ap.add_argument("--cell", choices=sorted(CELL), default="lstm", help="the recurrent cell (default lstm)")
    a = ap.parse_args()
    global RNN
    RNN = CELL[a.cell]
    if a.train_windows < 1 or a.grid_steps < 0:
        ap.error("--train-windows must be >= 1 and --grid-steps >= 0")

    device = pick_device(a.device)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    seconds = a.seconds if a.seconds is not None else (0.5 if a.quick else 2.0)
    if a.quick:
        shapes, batches = SHAPES[:1], [32, 512]
        grid_trials, grid_batches, grid_steps = GRID[:4], [32], 5
        single_warmup, grid_warmup = 3, 2
    else:
        shapes, batches = SHAPES, BATCHES
        grid_trials, grid_batches, grid_steps = GRID, GRID_BATCHES, a.grid_steps
        single_warmup, grid_warmup = 10, 5

    def log(msg):  # progress goes to stderr; stdout carries the tables
        print(msg, file=sys.stderr, flush=True)

    cudnn = torch.backends.cudnn.version() if device.type == "cuda" and torch.backends.cudnn.is_available() else None
    res = {
        "engine": "pytorch",
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "torch": torch.__version__,
        "cudnn": cudnn,
        "quick": a.quick,
        "cell": "lstm" | "gru", "single": [],
        "grid": [],
    }
    log(f"device {res['device']}" + ("" if device.type == "cuda" else f", {torch.get_num_threads()} threads"))
    t0 = time.perf_counter()
    if not a.skip_single:
        res["single"] = bench_single(shapes, batches, device, seconds, single_warmup, log)
    if not a.skip_grid:
        for batch in grid_batches:
            res["grid"].append(bench_grid(grid_trials, batch, device, a.train_windows, grid_steps, grid_warmup, log))
    log(f"total {time.perf_counter() - t0:.1f} s")

    print_tables(res)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
