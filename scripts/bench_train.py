#!/usr/bin/env python3
"""Training throughput: alphasweep (burn, CPU) against the equivalent PyTorch model, same
shapes, same machine, same run.

    pip install torch   # CPU is enough
    cargo build --release
    python3 scripts/bench_train.py [--batches 30]

For each (units, lstm_layers, dense_layers, mem_day, batch): PyTorch with
torch.set_num_threads(2): nn.LSTM(7 -> units, lstm_layers, batch_first, dropout 0.1 between
layers), dense ReLU layers with dropout 0.1, a 1-unit output, Adam(lr 1e-3), MSE; samples/s
over --batches steps after 5 warm-up steps on random inputs of the panel's shape (throughput
does not depend on the values). alphasweep: `alphasweep bench train` with the same numbers,
on windows of the full-size synthetic panel (300 stocks x 1,361 days x 7 factors).
"""
import argparse
import os
import re
import subprocess
import time

import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "alphasweep")
CONFIGS = [(32, 1, 1, 10, 32), (32, 2, 2, 10, 256), (64, 2, 1, 15, 256), (128, 3, 3, 15, 512)]
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


def torch_samples_per_s(units, layers, dense, mem, batch, batches):
    torch.manual_seed(0)
    net = Net(units, layers, dense)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    xs = [torch.randn(batch, mem, FEATURES) for _ in range(8)]
    ys = [torch.randn(batch) for _ in range(8)]
    for i in range(5 + batches):
        if i == 5:
            t = time.perf_counter()
        opt.zero_grad()
        loss = nn.functional.mse_loss(net(xs[i % 8]), ys[i % 8])
        loss.backward()
        opt.step()
    return batch * batches / (time.perf_counter() - t)


def ours(units, layers, dense, mem, batch, batches, device):
    out = subprocess.run([BIN, "bench", "train", "--units", str(units), "--lstm-layers", str(layers), "--dense-layers", str(dense),
                          "--mem-day", str(mem), "--batch", str(batch), "--batches", str(batches), "--device", device],
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r"samples_per_s=([0-9.]+)", out).group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batches", type=int, default=30)
    a = ap.parse_args()
    torch.set_num_threads(2)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads; samples/s over {a.batches} batches after 5 warm-up")
    print(f"{'(units, lstm, dense, mem_day, batch)':<38}{'burn flex':>11}{'burn ndarray':>14}{'PyTorch':>10}{'flex/PyTorch':>14}")
    for c in CONFIGS:
        f = ours(*c, a.batches, "cpu")
        n = ours(*c, a.batches, "ndarray")
        p = torch_samples_per_s(*c, a.batches)
        print(f"{str(c):<38}{f:>11.0f}{n:>14.0f}{p:>10.0f}{f / p:>13.2f}x")


if __name__ == "__main__":
    main()
