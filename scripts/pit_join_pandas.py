#!/usr/bin/env python3
"""Point-in-time join of quarterly accounts onto the daily grid: the pandas peer of alphasweep's PIT join.

    pip install -r scripts/requirements-pit.txt
    python3 scripts/pit_join_pandas.py [--data ../shared/data] [--start 2012-06-01] [--end 2023-06-30] [--repeat 3]

Input: baostock_csi300_fundamentals_2012_2023/ (data README, section 5). What it computes, as a
competent quant would in pandas (vectorized, no Python loop over rows):
  1. read daily   the 670 daily files streamed out of the .tar.xz (tarfile, nothing unpacked to
                  disk), columns date, code, close, volume, turn, tradestatus, peTTM, pbMRQ, isST;
                  calendar = sorted union of dates in [start, end]; grid = calendar x stocks.
  2. read accts   profit and growth joined on (code, statDate), pubDate = the later of the two.
  3. ytd -> ttm   netProfit and revenue (netProfit / npMargin) are year-to-date: single quarter =
                  YTD - previous quarter's YTD of the same fiscal year (Q1 = YTD; NaN if the previous
                  quarter is missing); TTM = sum of the latest four consecutive single quarters, as
                  of each report row (NaN if any is missing).
  4. asof join    on (stock, day t) the report with the latest statDate among those with pubDate < t
                  (visible from the first trading day after the announcement): merge_asof by stock,
                  allow_exact_matches=False, against reports in pubDate order from which a late report
                  for an older period (statDate below the running max of its stock) is dropped.
  5. membership   CSI 300 membership per day replayed from the changes file (merge_asof on the
                  latest change per stock: member iff it was an `in`); count member-days with a
                  visible report.
Prints the median time of each phase over --repeat runs, some checks, and `TOTAL_SECONDS <s>`.
"""
import argparse
import io
import os
import statistics
import tarfile
import time

import numpy as np
import pandas as pd

SUB = "baostock_csi300_fundamentals_2012_2023"
DAILY_COLS = ["date", "code", "close", "volume", "turn", "tradestatus", "peTTM", "pbMRQ", "isST"]
OUT_COLS = ["net_profit_ttm", "revenue_ttm", "roeAvg", "YOYNI", "totalShare", "epsTTM"]


def read_daily(path, start, end):
    """All daily files of the archive, streamed, as one long frame; calendar; stock ids."""
    frames = []
    with tarfile.open(path, mode="r|xz") as tf:
        for m in tf:
            if m.isfile() and m.name.endswith(".csv"):
                raw = tf.extractfile(m).read()
                frames.append(pd.read_csv(io.BytesIO(raw), usecols=DAILY_COLS, parse_dates=["date"]))
    daily = pd.concat(frames, ignore_index=True)
    daily = daily[(daily["date"] >= start) & (daily["date"] <= end)]
    calendar = pd.DatetimeIndex(np.sort(daily["date"].unique()), name="date")
    codes = pd.Index(np.sort(daily["code"].unique()), name="code")
    daily["sid"] = codes.get_indexer(daily["code"])  # int stock id: cheap `by` key
    # [date x stock] grid, date-major (merge_asof needs it sorted on date); NaN where no bar
    grid_ix = pd.MultiIndex.from_product([calendar, np.arange(len(codes))], names=["date", "sid"])
    grid = daily.drop(columns="code").set_index(["date", "sid"]).reindex(grid_ix).reset_index()
    return grid, calendar, codes, len(daily)


def read_accounts(d, codes):
    p = pd.read_csv(os.path.join(d, "profit_data.csv.gz"), parse_dates=["pubDate", "statDate"])
    g = pd.read_csv(os.path.join(d, "growth_data.csv.gz"), parse_dates=["pubDate", "statDate"])
    acc = p.merge(g, on=["code", "statDate"], how="outer", suffixes=("", "_g"), indicator=True)
    n_diff = int((acc["pubDate"] != acc["pubDate_g"])[acc["_merge"] == "both"].sum())
    acc["pubDate"] = acc[["pubDate", "pubDate_g"]].max(axis=1)
    acc["sid"] = codes.get_indexer(acc["code"])
    info = {
        "rows profit/growth": f"{len(p)}/{len(g)}",
        "dup (code,statDate) profit/growth": f"{p.duplicated(['code', 'statDate']).sum()}/{g.duplicated(['code', 'statDate']).sum()}",
        "rows only in one table": int((acc["_merge"] != "both").sum()),
        "pubDate differs profit vs growth": n_diff,
        "pubDate < statDate": int((acc["pubDate"] < acc["statDate"]).sum()),
        "account rows of codes without a daily file": int((acc["sid"] < 0).sum()),
    }
    acc = acc[acc["sid"] >= 0].drop(columns=["pubDate_g", "code", "_merge"])
    return acc, info


def ytd_to_ttm(acc):
    acc = acc.sort_values(["sid", "statDate"], ignore_index=True)
    sd = acc["statDate"]
    acc["q"] = sd.dt.year * 4 + (sd.dt.month - 1) // 3  # fiscal quarter key, as alphasweep's
    fq = acc["q"] % 4  # 0 = Q1
    npm = acc["npMargin"]
    acc["revenue"] = acc["netProfit"] / npm.where(npm != 0)

    def back(k):
        """Mask of rows whose k-th predecessor is the same stock's quarter q-k (i.e. consecutive)."""
        return (acc["sid"].shift(k) == acc["sid"]) & (acc["q"].shift(k) == acc["q"] - k)

    prev_ok = back(1)
    for col, out in (("netProfit", "net_profit"), ("revenue", "revenue")):
        ytd = acc[col]
        single = ytd.where(fq == 0, (ytd - ytd.shift(1)).where(prev_ok))
        ttm = single + single.shift(1) + single.shift(2) + single.shift(3)  # NaN propagates
        acc[out + "_ttm"] = ttm.where(back(3))  # same stock, four consecutive quarters
    # look-ahead check: a report announced before an earlier quarter of the same stock
    earlier_max = acc.groupby("sid")["pubDate"].cummax().shift(1).where(acc["sid"].shift(1) == acc["sid"])
    ooo = acc["pubDate"] < earlier_max
    info = {
        "out-of-order rows (pubDate < an earlier quarter's)": int(ooo.sum()),
        "  of which with a TTM (uses a quarter not yet public)": int((ooo & acc["net_profit_ttm"].notna()).sum()),
        "quarter gaps (previous quarter missing)": int((~prev_ok & (acc["sid"].shift(1) == acc["sid"])).sum()),
        "rows with net_profit_ttm / revenue_ttm": f"{acc['net_profit_ttm'].notna().sum()} / {acc['revenue_ttm'].notna().sum()} of {len(acc)}",
    }
    return acc, info


def asof_join(grid, acc):
    rep = acc.sort_values(["pubDate", "statDate"], ignore_index=True)
    # a late report for an older period must not replace a newer one already announced
    newest = rep.groupby("sid")["statDate"].cummax()
    keep = rep["statDate"] == newest
    rep = rep[keep].drop_duplicates(["sid", "pubDate"], keep="last")  # same-day FY + Q1: the Q1
    rep = rep[["sid", "pubDate", "statDate"] + OUT_COLS]
    out = pd.merge_asof(grid, rep, left_on="date", right_on="pubDate", by="sid",
                        allow_exact_matches=False, direction="backward")
    return out, int((~keep).sum())


def membership(out, codes, d):
    ch = pd.read_csv(os.path.join(d, "csi300_changes_2005_2022.csv"), dtype={"code": str},
                     parse_dates=["change_date"])
    six = pd.Index(codes.str[3:])
    ch["sid"] = six.get_indexer(ch["code"])
    missing = ch.loc[ch["sid"] < 0, "code"].nunique()
    ev = ch[ch["sid"] >= 0].sort_values("change_date")[["sid", "change_date", "change"]]
    m = pd.merge_asof(out[["date", "sid"]], ev, left_on="date", right_on="change_date", by="sid",
                      direction="backward")  # the latest change on or before the day
    out["member"] = (m["change"] == "in").to_numpy()
    return out, missing


def run(args):
    d = os.path.join(args.data, SUB)
    t = {}
    t0 = time.perf_counter()
    grid, calendar, codes, n_rows = read_daily(os.path.join(d, "stock_code_daily_bars_valuation.tar.xz"),
                                               args.start, args.end)
    t1 = time.perf_counter()
    acc, info_a = read_accounts(d, codes)
    t2 = time.perf_counter()
    acc, info_t = ytd_to_ttm(acc)
    t3 = time.perf_counter()
    out, n_superseded = asof_join(grid, acc)
    t4 = time.perf_counter()
    out, missing = membership(out, codes, d)
    n_member_vis = int((out["member"] & out["statDate"].notna()).sum())
    t5 = time.perf_counter()
    t.update({"read daily": t1 - t0, "read accounts": t2 - t1, "ytd->ttm": t3 - t2,
              "asof join": t4 - t3, "membership": t5 - t4, "total": t5 - t0})
    info = {**info_a, **info_t, "late reports for an older period (dropped)": n_superseded,
            "index codes without a daily file": missing}
    return t, out, calendar, codes, n_rows, n_member_vis, info


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(root, "..", "shared", "data"))
    ap.add_argument("--start", default="2012-06-01")
    ap.add_argument("--end", default="2023-06-30")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    args.start, args.end = pd.Timestamp(args.start), pd.Timestamp(args.end)

    runs = [run(args) for _ in range(max(1, args.repeat))]
    _, out, calendar, codes, n_rows, n_member_vis, info = runs[-1]
    print(f"pandas {pd.__version__}, numpy {np.__version__}; {len(runs)} run(s), median seconds")
    for phase in runs[0][0]:
        vals = [r[0][phase] for r in runs]
        print(f"  {phase:<14} {statistics.median(vals):8.3f}   (min {min(vals):.3f}, max {max(vals):.3f})")

    print("checks")
    print(f"  stock-days: grid {len(out)} = {len(calendar)} days x {len(codes)} stocks; daily rows {n_rows}; "
          f"with a visible report {out['statDate'].notna().sum()}")
    per_day = out[out["date"] >= "2013-01-01"].groupby("date")["member"].sum()
    print(f"  CSI 300 members per day from 2013 (min/median/max): {per_day.min()}/{per_day.median():g}/{per_day.max()}")
    print(f"  member-days {int(out['member'].sum())}, with a visible report {n_member_vis}")
    for k, v in info.items():
        print(f"  {k}: {v}")
    sid = codes.get_loc("sh.600519")
    sel = out[(out["sid"] == sid) & out["date"].isin(pd.to_datetime(["2020-04-22", "2020-04-23"]))]
    for _, r in sel.iterrows():
        print(f"  sh.600519 {r['date']:%Y-%m-%d}: statDate {r['statDate']:%Y-%m-%d} (pub {r['pubDate']:%Y-%m-%d}) "
              f"net_profit_ttm {r['net_profit_ttm']:.6g} revenue_ttm {r['revenue_ttm']:.6g} epsTTM {r['epsTTM']:.6g}")
    print(f"TOTAL_SECONDS {statistics.median(r[0]['total'] for r in runs):.3f}")


if __name__ == "__main__":
    main()
