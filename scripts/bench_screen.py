#!/usr/bin/env python3
"""Screening benchmark: alphasweep against alphalens-reloaded on the same factor table and
prices, same machine, same run.

    pip install -r scripts/requirements.txt alphalens-reloaded==0.5.1
    cargo build --release
    python3 scripts/bench_screen.py [--stocks 300] [--alphalens-factors 3] [--runs 3]

The synthetic market (300 stocks x 1,858 days) and its 41 cleaned factors come from
`alphasweep synth` and `alphasweep factors`. alphasweep's time is `alphasweep bench screen`
(all 41 factors x periods 1, 5, 10 in-process, median; the correlation matrix timed apart).
alphalens runs, per factor, get_clean_factor_and_forward_returns and the computations of
create_full_tear_sheet without plotting (ICs, mean returns by quantile by date and overall,
the spread, factor returns, alpha/beta, turnover for every quantile and period, rank
autocorrelation, cumulative returns). alphalens takes seconds per factor, so it runs on the
first --alphalens-factors factors and its per-factor time is compared with alphasweep's.
"""
import argparse
import os
import re
import subprocess
import tempfile
import time
import warnings

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "alphasweep")


def run(*args):
    return subprocess.run([BIN, *args], check=True, capture_output=True, text=True).stdout


def alphalens_tear_sheet_numbers(factor, prices):
    import alphalens.performance as perf
    import alphalens.utils as utils
    fd = utils.get_clean_factor_and_forward_returns(factor, prices, quantiles=5, periods=(1, 5, 10), filter_zscore=None, max_loss=1.0)
    ic = perf.factor_information_coefficient(fd)
    mr, se = perf.mean_return_by_quantile(fd, by_date=False)
    mrd, sed = perf.mean_return_by_quantile(fd, by_date=True)
    perf.compute_mean_returns_spread(mrd, 5, 1, sed)
    fr = perf.factor_returns(fd)
    perf.factor_alpha_beta(fd, fr)
    perf.cumulative_returns(fr["1D"])
    q = fd["factor_quantile"]
    for p in (1, 5, 10):
        for k in range(1, 6):
            perf.quantile_turnover(q, k, p)
        perf.factor_rank_autocorrelation(fd, p)
    return ic


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stocks", type=int, default=300)
    ap.add_argument("--alphalens-factors", type=int, default=3)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    warnings.filterwarnings("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        market = os.path.join(tmp, "market")
        run("synth", "--out", market, "--stocks", str(a.stocks))
        table = os.path.join(tmp, "factors.csv.gz")
        run("factors", "--data", market, "--out", table)
        bench = run("bench", "screen", "--data", market, "--factors", table, "--runs", str(a.runs))
        corr_s, total_s = [float(v) for v in re.findall(r"median_s=([0-9.]+)", bench)]
        df = pd.read_csv(table, parse_dates=["date"])
        daily = pd.read_csv(os.path.join(market, "daily.csv.gz"), usecols=["date", "code", "close", "adj_factor"], parse_dates=["date"])
    daily["adj"] = daily["close"] * daily["adj_factor"]
    prices = daily.pivot(index="date", columns="code", values="adj")
    codes = [c for c in df.columns if c not in ("date", "code")]
    df = df.set_index(["date", "code"])
    times = []
    for code in codes[: a.alphalens_factors]:
        factor = df[code].dropna()
        t = time.perf_counter()
        import io, contextlib
        with contextlib.redirect_stdout(io.StringIO()):
            alphalens_tear_sheet_numbers(factor, prices)
        times.append(time.perf_counter() - t)
    al_per = float(np.median(times))
    ours_per = (total_s - corr_s) / len(codes)
    import alphalens
    print(f"alphalens-reloaded {alphalens.__version__}, pandas {pd.__version__}, {os.cpu_count()} CPUs; "
          f"{len(df)} factor rows, {prices.shape[0]} dates x {prices.shape[1]} stocks")
    print(f"{'':<44}{'alphalens s':>12}{'alphasweep s':>14}{'speed-up':>10}")
    print(f"{'one factor, periods 1/5/10 (median)':<44}{al_per:>12.3f}{ours_per:>14.4f}{al_per / ours_per:>9.0f}x")
    print(f"{'all %d factors (alphalens: %d x per-factor)' % (len(codes), len(codes)):<44}{al_per * len(codes):>12.1f}{total_s - corr_s:>14.3f}{al_per / ours_per:>9.0f}x")
    print(f"alphasweep also computes the {len(codes)}x{len(codes)} mean Spearman matrix in {corr_s:.3f} s "
          f"(screen + matrix: {total_s:.3f} s); alphalens was timed on {len(times)} factors: {[round(t, 2) for t in times]}")


if __name__ == "__main__":
    main()
