#!/usr/bin/env python3
# Golden files from empyrical for the alphasweep backtest metrics.
#
# pip packages and versions this was generated with (python 3.11.7):
#   empyrical-reloaded==0.7.1  pandas==3.1.1  numpy==2.4.6
#
# Usage (from the repository root):
#   pip install -r scripts/requirements.txt
#   python3 scripts/golden_backtest.py
#
# Writes tests/golden/backtest/: returns.csv (a deterministic fixture: 300 daily returns
# of a portfolio and a benchmark, numpy default_rng(20261127), with a crash in the middle
# so the drawdown is not trivial), metrics.csv (one metric per row, empyrical where it has
# the statistic, else the pandas formula named in the row) and yearly.csv (compounded
# return per calendar year). The metrics are computed from the CSV as read back, so the
# oracle sees exactly the bits the Rust test reads.
import os

import empyrical as ep
import numpy as np
import pandas as pd

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "golden", "backtest")
YEAR = 252


def fixture(path):
    rng = np.random.default_rng(20261127)
    n = 300
    dates = pd.bdate_range("2021-11-15", periods=n)
    bench = rng.standard_t(5, n) * 0.011 + 0.0002
    port = 1.1 * bench + rng.normal(0.0004, 0.006, n)
    port[140:160] -= 0.012  # a drawdown of about 25%
    bench[140:160] -= 0.008
    df = pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "portfolio": port, "benchmark": bench})
    df.to_csv(path, index=False, float_format="%.17g")


def main():
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "returns.csv")
    fixture(path)
    df = pd.read_csv(path)
    r = df["portfolio"].to_numpy()
    b = df["benchmark"].to_numpy()
    active = r - b
    rf_annual = 0.03
    # Peak and trough positions in the compounded series that starts at 1 before the first
    # return (0 = the start, i + 1 = after return i), as empyrical's drawdown_series anchors it.
    values = np.concatenate([[1.0], np.cumprod(1.0 + r)])
    running = np.maximum.accumulate(values)
    dd = values / running - 1.0
    trough = int(np.argmin(dd))
    peak = int(np.argmax(values[: trough + 1]))
    rows = [
        ("total_return", ep.cum_returns_final(r), "empyrical.cum_returns_final"),
        ("ann_return", ep.annual_return(r), "empyrical.annual_return"),
        ("ann_volatility", ep.annual_volatility(r), "empyrical.annual_volatility"),
        ("sharpe", ep.sharpe_ratio(r), "empyrical.sharpe_ratio"),
        ("sharpe_rf3", ep.sharpe_ratio(r, risk_free=rf_annual / YEAR), "empyrical.sharpe_ratio(risk_free=0.03/252)"),
        ("max_drawdown", ep.max_drawdown(r), "empyrical.max_drawdown"),
        ("max_drawdown_peak", peak, "numpy argmax of the running value up to the trough"),
        ("max_drawdown_trough", trough, "numpy argmin of value / running max - 1"),
        ("calmar", ep.calmar_ratio(r), "empyrical.calmar_ratio"),
        ("benchmark_ann_return", ep.annual_return(b), "empyrical.annual_return"),
        ("excess_ann_return", ep.annual_return(r) - ep.annual_return(b), "annual_return(r) - annual_return(b)"),
        ("information_ratio", ep.excess_sharpe(r, b) * np.sqrt(YEAR), "empyrical.excess_sharpe * sqrt(252)"),
        ("tracking_error", pd.Series(active).std(ddof=1) * np.sqrt(YEAR), "pandas std(r - b, ddof=1) * sqrt(252)"),
        ("win_rate", float(np.mean(r > b)), "mean(r > b)"),
    ]
    with open(os.path.join(OUT, "metrics.csv"), "w") as f:
        f.write("metric,value,source\n")
        for name, value, source in rows:
            f.write(f"{name},{float(value)!r},{source}\n")
    years = pd.to_datetime(df["date"]).dt.year
    yearly = df[["portfolio", "benchmark"]].groupby(years).apply(lambda g: (1.0 + g).prod() - 1.0)
    yearly.index.name = "year"
    yearly.to_csv(os.path.join(OUT, "yearly.csv"), float_format="%.17g")
    print(f"wrote {OUT}: {len(df)} returns, {len(rows)} metrics, {len(yearly)} years")


if __name__ == "__main__":
    main()
