#!/usr/bin/env python3
"""Training throughput: alphasweep's fused CPU engine (and burn's flex backend) against the
equivalent PyTorch model, same shapes, same machine, same run.

    pip install torch   # CPU is enough
    cargo build --release
    python3 scripts/bench_train.py [--batches 40] [--runs 5] [--threads 2] [--no-flex] [--torch-bf16]
    python3 scripts/bench_train.py --grid [--grid-batches 1000] [--threads 2]

Default mode, for each (units, lstm_layers, dense_layers, mem_day, batch) of CONFIGS:
PyTorch with torch.set_num_threads(--threads): nn.LSTM(7 -> units, lstm_layers, batch_first,
dropout 0.1 between layers), dense ReLU layers with dropout 0.1, a 1-unit output, Adam(lr
1e-3), MSE; samples/s over --batches steps after 5 warm-up steps on random inputs of the
panel's shape (throughput does not depend on the values). alphasweep: `alphasweep bench train`
with the same numbers, on windows of the full-size synthetic panel (300 stocks x 1,361 days x
7 factors): `--device cpu --threads N` (the fused engine) and `--device flex` (burn). Each
measurement is repeated --runs times, interleaved; the table shows medians, and the ratio
column is the median of the per-run ratios (engine and PyTorch timed back to back).

--grid: the paper's 54 trials (mem_day 5/10/15 x lstm 1/2/3 x dense 1/2/3 x units 16/32,
batch 32), one epoch each for the engine and PyTorch. An epoch is the panel's training
windows / 32 batches; by default each trial times --grid-batches batches and projects the
epoch from that rate (--grid-batches 0 times whole epochs). The output says which.
"""
import argparse
import os
import re
import statistics
import subprocess
import time

import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "alphasweep")
# The four shapes of earlier tables, then the Alpha360 LSTM's (60 steps, batch 800; still 7 inputs).
CONFIGS = [(32, 1, 1, 10, 32), (32, 2, 2, 10, 256), (64, 2, 1, 15, 256), (128, 3, 3, 15, 512), (64, 2, 1, 60, 800)]
GRID = [(u, l, d, m, 32) for m in (5, 10, 15) for l in (1, 2, 3) for d in (1, 2, 3) for u in (16, 32)]
FEATURES = 7


class Net(nn.Module):
    def __init__(self, units, lstm_layers, dense_layers):
        super().__init__()
        self.lstm = nn.LSTM(FEATURES, units, lstm_layers, batch_first=True, dropout=0.1 if lstm_layers > 1 else 0.0)
        layers = []
        for _ in range(dense_layers):
            layers += [nn.Dropout(0.1), nn.Linear(units, units), nn.ReLU()]
        self.dense = nn.Sequential(*layers, nn.Dropout(0.1))
        self.out = nn.Linear(units, 1)

    def forward(self, x):
        h, _ = self.lstm(x)
        return self.out(self.dense(h[:, -1])).squeeze(1)


def cpu_model():
    """The CPU's model name and its bf16 matrix features, from /proc/cpuinfo."""
    try:
        info = open("/proc/cpuinfo").read()
    except OSError:
        return "unknown CPU"
    name = re.search(r"model name\s*:\s*(.*)", info)
    found = re.search(r"flags\s*:\s*(.*)", info)
    flags = set(found.group(1).split()) if found else set()
    bf16 = [f for f in ("avx512_bf16", "amx_bf16", "amx_tile") if f in flags]
    return f"{name.group(1) if name else 'unknown CPU'} ({os.cpu_count()} CPUs; bf16 features: {', '.join(bf16) or 'none'})"


def torch_samples_per_s(units, layers, dense, mem, batch, batches, bf16=False):
    """PyTorch samples/s; `bf16`: under torch.autocast("cpu", dtype=torch.bfloat16)."""
    torch.manual_seed(0)
    net = Net(units, layers, dense)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    xs = [torch.randn(batch, mem, FEATURES) for _ in range(8)]
    ys = [torch.randn(batch) for _ in range(8)]
    for i in range(5 + batches):
        if i == 5:
            t = time.perf_counter()
        opt.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            pred = net(xs[i % 8])
        loss = nn.functional.mse_loss(pred.float(), ys[i % 8])
        loss.backward()
        opt.step()
    return batch * batches / (time.perf_counter() - t)


def ours(units, layers, dense, mem, batch, batches, device, threads=None):
    """(samples/s, training windows of the panel)."""
    cmd = [BIN, "bench", "train", "--units", str(units), "--lstm-layers", str(layers), "--dense-layers", str(dense),
           "--mem-day", str(mem), "--batch", str(batch), "--batches", str(batches), "--device", device]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    windows = int(re.search(r"([0-9]+) training windows", out).group(1))
    return float(re.search(r"samples_per_s=([0-9.]+)", out).group(1)), windows


def table(a):
    print(cpu_model())
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads; alphasweep --device cpu --threads {a.threads}; "
          f"samples/s over {a.batches} batches after 5 warm-up, median of {a.runs} runs")
    head = f"{'(units, lstm, dense, mem_day, batch)':<38}{'engine':>10}{'burn flex':>11}{'PyTorch':>10}{'engine/PyTorch':>16}{'flex/PyTorch':>14}"
    if a.torch_bf16:
        head += f"{'PyTorch bf16':>14}{'engine/bf16':>13}"
    print(head)
    bf16_error = None
    for c in CONFIGS:
        eng, flex, pt, ratio, pb, ratio_b = [], [], [], [], [], []
        for _ in range(a.runs):
            e, _ = ours(*c, a.batches, "cpu", a.threads)
            p = torch_samples_per_s(*c, a.batches)
            eng.append(e)
            pt.append(p)
            ratio.append(e / p)
            if not a.no_flex:
                flex.append(ours(*c, a.batches, "flex")[0])
            if a.torch_bf16 and bf16_error is None:
                try:
                    b = torch_samples_per_s(*c, a.batches, bf16=True)
                    pb.append(b)
                    ratio_b.append(e / b)
                except RuntimeError as err:  # oneDNN has no bf16 LSTM without the CPU's bf16 units
                    bf16_error = str(err).splitlines()[0]
        f = statistics.median(flex) if flex else float("nan")
        p = statistics.median(pt)
        line = f"{str(c):<38}{statistics.median(eng):>10.0f}{f:>11.0f}{p:>10.0f}{statistics.median(ratio):>15.2f}x{f / p:>13.2f}x"
        if a.torch_bf16:
            line += f"{statistics.median(pb):>14.0f}{statistics.median(ratio_b):>12.2f}x" if pb else f"{'failed':>14}{'-':>13}"
        print(line, flush=True)
    if bf16_error:
        print(f"PyTorch bf16 failed on this CPU: {bf16_error}")


def grid(a):
    whole = a.grid_batches == 0
    print(f"The paper's 54 trials, batch 32: one epoch each; PyTorch {torch.__version__} with {torch.get_num_threads()} threads, "
          f"alphasweep --device cpu --threads {a.threads}.")
    _, windows = ours(16, 1, 1, 10, 32, 1, "cpu", a.threads)
    epoch = windows // 32
    if whole:
        print(f"Timing whole epochs ({epoch} batches of 32).")
    else:
        print(f"PROJECTED: each trial times {a.grid_batches} batches (after 5 warm-up) and projects one epoch of {epoch} "
              f"batches of 32 from that rate.")
    print(f"{'(units, lstm, dense, mem_day, batch)':<38}{'engine s':>10}{'PyTorch s':>11}{'speed-up':>10}")
    n = epoch if whole else a.grid_batches
    tot_e = tot_p = 0.0
    ratios = []
    for c in GRID:
        e, windows = ours(*c, n, "cpu", a.threads)
        p = torch_samples_per_s(*c, n)
        se, sp = epoch * 32 / e, epoch * 32 / p
        tot_e += se
        tot_p += sp
        ratios.append(sp / se)
        print(f"{str(c):<38}{se:>10.2f}{sp:>11.2f}{sp / se:>9.2f}x", flush=True)
    print(f"all 54 epochs: engine {tot_e:.1f} s, PyTorch {tot_p:.1f} s, {tot_p / tot_e:.2f}x; per-trial speed-up "
          f"min {min(ratios):.2f}x, median {statistics.median(ratios):.2f}x, max {max(ratios):.2f}x")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batches", type=int, default=40)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2, help="PyTorch threads and alphasweep --threads")
    ap.add_argument("--no-flex", action="store_true", help="skip burn's flex backend (slow on large models)")
    ap.add_argument("--torch-bf16", action="store_true",
                    help="a second peer: PyTorch under torch.autocast('cpu', dtype=torch.bfloat16)")
    ap.add_argument("--grid", action="store_true", help="time one epoch of each of the paper's 54 trials")
    ap.add_argument("--grid-batches", type=int, default=1000, help="batches timed per trial (0: whole epochs)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.grid:
        grid(a)
    else:
        table(a)


if __name__ == "__main__":
    main()
