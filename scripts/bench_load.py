#!/usr/bin/env python3
"""Loading benchmark: alphasweep against pandas/numpy on the same files, same machine, same run.

    pip install -r scripts/requirements.txt
    cargo build --release
    python3 scripts/bench_load.py [--data ../shared/data] [--runs 5]

Cases (median of --runs timed runs after one warm-up, each tool in its own process):
  csv   qlib_csi300/csi300_members_daily_2014_2022.csv.gz (1.1 M rows x 9 columns)
        pandas: read_csv                       -> one long DataFrame
        pandas: read_csv + pivot of the 7 value columns to [date x code] (what a panel is)
        alphasweep: read, validate, build the [date, stock] panel (`alphasweep bench load`)
  bins  the qlib provider folder (574 instruments x 7 fields of .day.bin, extracted to a temp dir)
        numpy: np.fromfile per .bin (qlib's own reader) into per-field [date x code] arrays
        alphasweep: the same files into the panel
"""
import argparse
import glob
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "alphasweep")


def median_time(fn, runs):
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def alphasweep_load(path, fmt, runs):
    out = subprocess.run([BIN, "bench", "load", "--data", path, "--format", fmt, "--runs", str(runs)],
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r"median_s=([0-9.]+)", out).group(1))


def pandas_csv(path):
    return pd.read_csv(path)


def pandas_csv_panel(path):
    df = pd.read_csv(path)
    return {c: df.pivot(index="date", columns="instrument", values=c)
            for c in ["open", "high", "low", "close", "volume", "change", "factor"]}


def numpy_bins(root):
    cal = open(os.path.join(root, "calendars", "day.txt")).read().split()
    n = len(cal)
    dirs = sorted(glob.glob(os.path.join(root, "features", "*")))
    fields = {}
    for j, d in enumerate(dirs):
        for f in glob.glob(os.path.join(d, "*.day.bin")):
            name = os.path.basename(f)[:-8]
            a = np.fromfile(f, dtype="<f4")
            m = fields.setdefault(name, np.full((n, len(dirs)), np.nan, dtype=np.float64))
            start = int(a[0])
            m[start:start + len(a) - 1, j] = a[1:]
    return fields


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} not found: run `cargo build --release` first")
    csv = os.path.join(a.data, "qlib_csi300", "csi300_members_daily_2014_2022.csv.gz")
    tarball = os.path.join(a.data, "qlib_csi300", "qlib_csi300_subset_bins.tar.gz")
    print(f"pandas {pd.__version__}, numpy {np.__version__}, {os.cpu_count()} CPUs; median of {a.runs} runs")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        std = os.path.join(tmp, "standard")
        os.makedirs(std)
        os.symlink(os.path.abspath(csv), os.path.join(std, "daily.csv.gz"))
        ours = alphasweep_load(std, "standard", a.runs)
        out = subprocess.run([BIN, "bench", "gunzip", "--file", csv, "--runs", str(a.runs)],
                             check=True, capture_output=True, text=True).stdout
        gunzip = float(re.search(r"median_s=([0-9.]+)", out).group(1))
        print(f"(decompressing the .csv.gz alone, zlib-rs, one thread: {gunzip:.3f} s: the floor under any csv.gz load)")
        pd_read = median_time(lambda: pandas_csv(csv), a.runs)
        pd_panel = median_time(lambda: pandas_csv_panel(csv), max(1, a.runs // 2))
        rows += [("csv.gz 1.1M rows", "pandas.read_csv", pd_read, ours),
                 ("csv.gz 1.1M rows", "pandas.read_csv + pivot to panel", pd_panel, ours)]
        with tarfile.open(tarball) as t:
            t.extractall(tmp, filter="data")
        qlib_dir = os.path.join(tmp, "qlib_csi300_subset")
        ours_bins = alphasweep_load(qlib_dir, "qlib", a.runs)
        np_bins = median_time(lambda: numpy_bins(qlib_dir), a.runs)
        rows.append(("qlib bins 574x7 files", "numpy.fromfile per bin", np_bins, ours_bins))
        ours_tar = alphasweep_load(tarball, "qlib", a.runs)
        print(f"(alphasweep reading the bins straight from the .tar.gz: {ours_tar:.3f} s)")
    print(f"{'case':<24}{'peer':<36}{'peer s':>8}{'alphasweep s':>14}{'speed-up':>10}")
    for case, peer, p, o in rows:
        print(f"{case:<24}{peer:<36}{p:>8.3f}{o:>14.3f}{p / o:>9.1f}x")


if __name__ == "__main__":
    main()
