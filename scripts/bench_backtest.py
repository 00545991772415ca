#!/usr/bin/env python3
# Backtest speed: alphasweep against vectorbt, on the same market and predictions, in one
# script; plus an independent Python re-implementation of alphasweep's exact rules that
# checks the final equities agree.
#
# Usage (from the repository root, after `cargo build --release`):
#   pip install -r scripts/requirements.txt      # pandas, numpy, vectorbt
#   python3 scripts/bench_backtest.py --runs 7
#
# It writes the synthetic market (300 stocks, 2017-01-01 .. 2022-03-31: 1,297 trading days)
# and seeded random scores for every listed stock-day into a temporary folder, then times
# (medians, in-process, data already loaded):
#   - alphasweep: `alphasweep bench backtest` (rule flags + four top-N backtests, N = 20, 30,
#     50, 100, rayon across N);
#   - vectorbt: top-N equal-weight target weights from the same scores (traded the next day)
#     and `Portfolio.from_orders(size_type="targetpercent", size_granularity=100)` for the
#     four N. vectorbt has no sell-only tax, no minimum fees and no per-side blocking, so it
#     runs the nearest strategy it can express: a symmetric 0.15% fee (0.1% commission plus
#     half of the 0.1% stamp tax, spread over both sides), no minimums, no trade at either
#     price limit or while suspended, and continuing holdings are resized to 1/N each day;
#   - reference: a plain Python loop of alphasweep's exact rules (docs/BACKTEST.md), for the
#     equity check, timed for information only.
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

TOPS = [20, 30, 50, 100]
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def load(mkt):
    d = pd.read_csv(os.path.join(mkt, "daily.csv.gz"), usecols=["date", "code", "close", "volume", "adj_factor", "is_st"])
    piv = {f: d.pivot(index="date", columns="code", values=f).sort_index() for f in ["close", "volume", "adj_factor", "is_st"]}
    dates, codes = piv["close"].index.to_numpy(), piv["close"].columns.to_numpy()
    close = piv["close"].to_numpy()
    member = np.zeros_like(close, dtype=bool)
    u = pd.read_csv(os.path.join(mkt, "universe.csv.gz"))
    ci = {c: i for i, c in enumerate(codes)}
    for code, a, b in u.itertuples(index=False):
        if code in ci:
            member[(dates >= a) & (dates <= b), ci[code]] = True
    return dates, codes, close, piv["volume"].to_numpy(), piv["adj_factor"].to_numpy(), piv["is_st"].to_numpy(), member


def flags(dates, codes, close, volume, adj, st, tol=0.005):
    """(priced, suspended, limit_up, limit_down, adj_step) as in src/backtest/rules.rs."""
    priced = np.isfinite(close)
    suspended = priced & ~(volume > 0)
    step = np.ones_like(close)
    step[1:] = adj[1:] / adj[:-1]
    step[~(np.isfinite(step) & (step > 0))] = 1.0
    prev = np.full_like(close, np.nan)
    prev[1:] = close[:-1]
    ref = prev / step
    star = np.array([c[2:5] in ("688", "689") for c in codes])
    chinext = np.array([c[2:5] in ("300", "301") for c in codes])
    reform = (dates >= "2020-08-24")[:, None]
    lim = np.where(st > 0.5, 0.05, 0.10)
    lim = np.where(star[None, :] | (chinext[None, :] & reform), 0.20, lim)
    t = tol + 1e-6 * ref
    ok = priced & np.isfinite(ref) & (ref > 0)
    step[~priced] = 1.0
    return priced, suspended, ok & (close >= ref * (1 + lim) - t), ok & (close <= ref * (1 - lim) + t), step


def reference(dates, close, member, fl, score, top, capital=1e7, lot=100.0):
    """alphasweep's day loop in plain Python (daily rebalance, default costs before 2023)."""
    priced, susp, lup, ldn, step = fl
    nd, ns = close.shape
    has = np.isfinite(score).any(axis=1)
    first, last = int(np.argmax(has)), min(int(nd - 1 - np.argmax(has[::-1])) + 1, nd - 1)
    cash, shares, price, bought = capital, np.zeros(ns), np.full(ns, np.nan), np.full(ns, -1)
    held, sells, buys = [], [], []
    com = lambda v: max(v * 0.001, 5.0) if v > 0 else 0.0
    tax = lambda v: max(v * 0.001, 1.0) if v > 0 else 0.0
    for d in range(first + 1, last + 1):
        t = d - 1
        for s in held:
            if priced[d, s]:
                shares[s] *= step[d, s]
                price[s] = close[d, s]
        cand = np.flatnonzero(np.isfinite(score[t]) & member[t] & priced[t] & ~susp[t])
        if len(cand):
            order = cand[np.lexsort((cand, -score[t, cand]))][:top]
            intop = set(order.tolist())
            sells = [s for s in held if s not in intop]
            buys = [s for s in order if shares[s] == 0]
        target = (cash + sum(shares[s] * price[s] for s in held)) / top
        keep = []
        for s in sells:
            if shares[s] == 0:
                continue
            if not priced[d, s] or susp[d, s] or bought[s] == d or ldn[d, s]:
                keep.append(s)
                continue
            v = shares[s] * close[d, s]
            cash += v - com(v) - tax(v)
            shares[s] = 0.0
            held.remove(s)
        sells = keep
        slots, filled, keep = top - len(held), 0, []
        wanted = [s for s in buys if shares[s] == 0]
        for i, s in enumerate(wanted):
            if filled >= slots:
                keep += wanted[i:]
                break
            left = min(slots - filled, len(wanted) - i)
            if not priced[d, s] or susp[d, s] or lup[d, s]:
                keep.append(s)
                continue
            p, avail = close[d, s], min(target, cash / left)
            lots = np.floor(avail / (p * lot * 1.001))
            while lots > 0 and lots * lot * p + com(lots * lot * p) > avail:
                lots -= 1
            if lots < 1:
                keep.append(s)
                continue
            v = lots * lot * p
            cash -= v + com(v)
            held.append(s)
            shares[s], price[s], bought[s] = lots * lot, p, d
            filled += 1
        buys = keep
    return cash + sum(shares[s] * price[s] for s in held)


def vectorbt_run(vbt, close_adj, member, fl, score):
    priced, susp, lup, ldn, _ = fl
    ok = np.isfinite(score) & member & priced & ~susp
    s = np.where(ok, score, -np.inf)
    rank = (-s).argsort(axis=1).argsort(axis=1)
    blocked = ~priced | susp | lup | ldn
    out = []
    for n in TOPS:
        w = np.where((rank < n) & ok, 1.0 / n, 0.0)
        size = np.full_like(w, np.nan)
        size[1:] = w[:-1]  # signal at t, trade at t + 1
        size[blocked] = np.nan
        pf = vbt.Portfolio.from_orders(
            close=close_adj, size=size, size_type="targetpercent", fees=0.0015, init_cash=1e7,
            cash_sharing=True, group_by=True, call_seq="auto", size_granularity=100, freq="1D",
        )
        out.append(float(pf.final_value()))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "alphasweep"))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        mkt = os.path.join(tmp, "mkt")
        subprocess.run([a.bin, "synth", "--out", mkt, "--stocks", "300", "--start", "2017-01-01", "--end", "2022-03-31"], check=True)
        dates, codes, close, volume, adj, st, member = load(mkt)
        rng = np.random.default_rng(20261127)
        score = np.where(np.isfinite(close), rng.standard_normal(close.shape), np.nan)
        long = pd.DataFrame(score, index=dates, columns=codes).stack().rename("score").reset_index()
        long.columns = ["date", "code", "score"]
        long["model"] = "random"
        pred = os.path.join(tmp, "pred.csv.gz")
        long.to_csv(pred, index=False, float_format="%.17g")
        print(f"market: {len(dates)} days x {len(codes)} stocks; {len(long)} predictions; N = {TOPS}")

        out = subprocess.run([a.bin, "bench", "backtest", "--data", mkt, "--predictions", pred, "--runs", str(a.runs)],
                             check=True, capture_output=True, text=True).stdout
        flags_only, ours = (float(x) for x in re.findall(r"median_s=([0-9.]+)", out))
        print(f"alphasweep (bench backtest, {a.runs} runs): median {ours:.4f} s (rule flags alone {flags_only:.4f} s)")

        fl = flags(dates, codes, close, volume, adj, st)
        t = time.perf_counter()
        ref = [reference(dates, close, member, fl, score, n) for n in TOPS]
        print(f"python reference loop (exact rules, once): {time.perf_counter() - t:.3f} s")
        sub = subprocess.run([a.bin, "backtest", "--data", mkt, "--predictions", pred, "--out", os.path.join(tmp, "out")],
                             check=True, capture_output=True, text=True)
        summ = pd.read_csv(os.path.join(tmp, "out", "summary.csv")).set_index("portfolio")
        worst = 0.0
        for n, v in zip(TOPS, ref):
            mine = summ.loc[f"top_{n}", "final_equity"]
            worst = max(worst, abs(mine / v - 1))
            print(f"  top_{n}: alphasweep final equity {mine:,.2f} CNY, python reference {v:,.2f} CNY")
        print(f"largest relative difference: {worst:.2e}")

        try:
            import vectorbt as vbt
        except ImportError:
            print("vectorbt is not installed: no peer timing")
            return
        close_adj = close * adj
        close_adj = pd.DataFrame(close_adj).ffill().bfill().to_numpy()
        times = []
        for i in range(a.runs + 1):
            t = time.perf_counter()
            fl = flags(dates, codes, close, volume, adj, st)
            finals = vectorbt_run(vbt, close_adj, member, fl, score)
            s = time.perf_counter() - t
            if i == 0:
                print(f"vectorbt {vbt.__version__} warm-up (numba compile) {s:.3f} s; final values {[round(f) for f in finals]}")
            else:
                times.append(s)
        peer = statistics.median(times)
        print(f"vectorbt (flags + four from_orders, {a.runs} runs): median {peer:.4f} s")
        print(f"speed-up: {peer / ours:.1f}x")
        if worst > 1e-9:
            sys.exit("the python reference disagrees with alphasweep")


if __name__ == "__main__":
    main()
