#!/usr/bin/env python3
# Golden files from real qlib for alphasweep's qlib-compatible expression
# language and its Alpha158 / Alpha360 feature sets.
#
# Made with (python 3.11.7), see scripts/requirements-qlib.txt:
#   pyqlib==0.9.7  pandas==2.3.3  numpy==2.4.6  scipy==1.17.1  joblib==1.6.0
#   (qlib 0.9.7 needs pandas<3; torch is not needed and was not installed)
#
# Usage (from the repository root; the data copy is made once):
#   python3.11 -m venv ~/.cache/alphasweep-qlib-venv
#   ~/.cache/alphasweep-qlib-venv/bin/pip install -r scripts/requirements-qlib.txt
#   bash scripts/qlib_data_copy.sh            # -> ~/.cache/alphasweep-qlib-data
#   ~/.cache/alphasweep-qlib-venv/bin/python scripts/golden_qlib.py [--data DIR]
#
# Writes tests/golden/qlib/: alpha158.csv.gz, alpha360.csv.gz, ops.csv.gz,
# nanvol_alpha158.csv.gz, nanvol_ops.csv.gz, alpha158.tsv, alpha360.tsv,
# ops.tsv, f64_vs_f32.tsv and README.md. Deterministic: fixed stock list,
# fixed dates, gzip with mtime 0; rerunning gives byte-identical files.
#
# Values come from qlib.data.D.features(instruments, fields, start_time,
# end_time, freq="day") with qlib.init(provider_uri=<lower-case copy of the
# shared bins>, region="cn") and no expression/dataset cache. The output of
# D.features is float32; CSV values are '%.9g' of that float32 (round-trips
# exactly), NaN is an empty field, +-inf is 'inf'/'-inf'.
import argparse
import gzip
import io
import os
import platform
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

warnings.simplefilter("ignore")

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "golden" / "qlib"

START, END = "2018-01-01", "2019-12-31"
FULL_START = "2010-01-01"  # before the first calendar day (2010-01-04)

# ---- the 30 stocks (all have feature bins in the shared tarball) ----------
# LARGE: CSI 300 members on 2018-01-02 (instruments/csi300.txt) with bins from
# 2016-01-05 or earlier through 2019-12-31, ranked by mean daily traded value
# (volume * close / factor) over 2018-01-02..2019-12-31; the top 21, in rank
# order. SZ000063 (ZTE) also has a 2018-04-17..2018-06-12 suspension.
LARGE = [
    "SH601318", "SH600519", "SH600030", "SZ000725", "SZ000063", "SZ000858",
    "SZ300059", "SZ000651", "SH600036", "SH600887", "SZ000333", "SZ000002",
    "SZ002415", "SH601166", "SZ000001", "SH600276", "SZ002230", "SH600048",
    "SH601688", "SH603799", "SH601398",
]
# LISTED: first row (listing day) inside the period.
LISTED = {
    "SH603259": "2018-05-08",  # WuXi AppTec
    "SH601138": "2018-06-08",  # Foxconn Industrial Internet
    "SZ300750": "2018-06-11",  # CATL
    "SH601319": "2018-11-16",  # PICC
    "SH688008": "2019-07-22",  # Montage (STAR market, first STAR day)
}
# SUSPENDED: longest volume==0 runs inside the period (see README).
SUSPENDED = ["SZ002739", "SZ002252", "SZ000629", "SH600221"]
STOCKS = LARGE + list(LISTED) + SUSPENDED
ALPHA360_STOCKS = LARGE[:9] + ["SH601138", "SZ300750", "SH688008"] + ["SZ002739", "SZ000629", "SH600221"]

FIRST_DAYS = 70  # every trading day of a newly listed stock's first 70 days
STEP158, STEP360 = 5, 20

# NaN-volume segments (no NaN volume exists inside 2018-2019 for these bins):
# every trading day, one D.features call per segment.
NANVOL_SEGMENTS = [
    (["SZ000629"], "2017-04-01", "2017-10-31"),  # NaN volume inside a long suspension
    (["SH600030", "SH600221"], "2021-12-01", "2022-06-30"),  # NaN volume next to trading days
]

# ---- hand-picked expressions: (name, expression, start_time) ---------------
# start_time is the D.features start_time used (END is always 2019-12-31).
NANC = "If($volume>0, $close, 0/$volume)"  # close, NaN (0/0) on volume==0 days
OPS = [
    ("OPEN", "$open"), ("HIGH", "$high"), ("LOW", "$low"), ("CLOSE", "$close"),
    ("VOLUME", "$volume"), ("FACTOR", "$factor"), ("CHANGE", "$change"),
    ("RAWCLOSE", "$close/$factor"),
    ("NEG", "0-$close"),
    ("ARITH1", "$high-$low*2+$open/$close"),
    ("ARITH2", "($close-$open)/($high-$low+1e-12)"),
    ("ARITH3", "2*$close-$high-$low"),
    ("POWER2", "Power($close/Ref($close,1), 2)"),
    ("POWER_HALF", "Power($volume, 0.5)"),
    ("POWOP", "($high/$low)**3"),
    ("GT", "$close>$open"), ("GE", "$close>=Ref($close,1)"), ("LT", "$close<$open"),
    ("LE", "$high<=$close"), ("EQ", "$close==Ref($close,1)"), ("NE", "$volume!=0"),
    ("AND", "($close>$open)&($volume>0)"),
    ("OR", "($close>Ref($close,1))|($volume==0)"),
    ("REF1", "Ref($close,1)"), ("REF5", "Ref($close,5)/$close"), ("REF60", "Ref($volume,60)"),
    ("MEAN5", "Mean($close,5)"), ("SUM20", "Sum($volume,20)"), ("STD20", "Std($close,20)"),
    ("VAR60", "Var($close/Ref($close,1)-1,60)"),
    ("SKEW20", "Skew($close/Ref($close,1)-1,20)"),
    ("KURT60", "Kurt($close/Ref($close,1)-1,60)"),
    ("MAX20", "Max($high,20)"), ("MIN60", "Min($low,60)"),
    ("IDXMAX20", "IdxMax($high,20)"), ("IDXMIN5", "IdxMin($low,5)"),
    ("QTL80_20", "Quantile($close,20,0.8)"), ("QTL25_5", "Quantile($volume,5,0.25)"),
    ("MED20", "Med($close,20)"), ("MAD20", "Mad($close,20)"),
    ("RANK20", "Rank($close,20)"), ("RANKV5", "Rank($volume,5)"),
    ("COUNT_BOOL20", "Count($close>$open,20)"), ("COUNTV10", "Count($volume,10)"),
    ("DELTA5", "Delta($close,5)"),
    ("SLOPE20", "Slope($close,20)"), ("RSQ60", "Rsquare($close,60)"), ("RESI5", "Resi($close,5)"),
    ("WMA20", "WMA($close,20)"),
    ("EMA10", "EMA($close,10)"),
    ("EMA_A01", "EMA($close,0.1)"),
    ("MEAN_EWM05", "Mean($close,0.5)"),
    ("CORR20", "Corr($close,$volume,20)"), ("COV60", "Cov($high,$low,60)"),
    ("CORR5_RET", "Corr($close/Ref($close,1), $volume/Ref($volume,1), 5)"),
    ("COV5_RET", "Cov($close/Ref($close,1)-1, Log($volume+1), 5)"),
    ("ABS", "Abs($close-Ref($close,1))"), ("SIGN", "Sign($close-$open)"),
    ("SIGN_D", "Sign(Delta($volume,1))"),
    ("LOGV1", "Log($volume+1)"), ("LOGV", "Log($volume)"),
    ("GREATER", "Greater($open,$close)"), ("LESS", "Less(Ref($close,1),$open)"),
    ("GREATER0", "Greater($close-Ref($close,1), 0)"),
    ("IF", "If($close>$open, $high, $low)"), ("IF_NUM", "If($volume>0, 1, 0)"),
    # nested
    ("MEAN_REF", "Mean(Ref($close,1),5)"),
    ("STD_RET20", "Std($close/Ref($close,1)-1, 20)"),
    ("MEAN_STD", "Mean(Std($close,5),20)/$close"),
    ("RANK_VR", "Rank(Mean($volume,5)/(Mean($volume,60)+1e-12),20)"),
    ("SLOPE_LOG60", "Slope(Log($close),60)"),
    ("MAX_ABS_D", "Max(Abs(Delta($close,1)),20)"),
    ("REF_MEAN", "Ref(Mean($close,20),5)/$close"),
    ("INF_MEAN5", "Mean($volume/Ref($volume,1),5)"),
    # NaN inputs: NANC is NaN on every volume==0 day (suspensions)
    ("NANC", NANC),
    ("NAN_COUNT10", "Count(%s,10)" % NANC),
    ("NAN_MEAN5", "Mean(%s,5)" % NANC),
    ("NAN_SUM20", "Sum(%s,20)" % NANC),
    ("NAN_STD20", "Std(%s,20)" % NANC),
    ("NAN_MAX5", "Max(%s,5)" % NANC),
    ("NAN_IDXMAX5", "IdxMax(%s,5)" % NANC),
    ("NAN_IDXMIN20", "IdxMin(%s,20)" % NANC),
    ("NAN_RANK5", "Rank(%s,5)" % NANC),
    ("NAN_QTL20", "Quantile(%s,20,0.5)" % NANC),
    ("NAN_MED5", "Med(%s,5)" % NANC),
    ("NAN_MAD20", "Mad(%s,20)" % NANC),
    ("NAN_WMA5", "WMA(%s,5)" % NANC),
    ("NAN_EMA5", "EMA(%s,5)" % NANC),
    ("NAN_SLOPE20", "Slope(%s,20)" % NANC),
    ("NAN_RSQ20", "Rsquare(%s,20)" % NANC),
    ("NAN_RESI20", "Resi(%s,20)" % NANC),
    ("NAN_SKEW20", "Skew(%s,20)" % NANC),
    ("NAN_CORR20", "Corr(%s,$open,20)" % NANC),
    ("NAN_DELTA1", "Delta(%s,1)" % NANC),
    ("LABEL0", "Ref($close, -2)/Ref($close, -1) - 1"),
]
OPS = [(n, e, START) for n, e in OPS]
# Expanding (N=0) and EMA depend on where qlib starts loading the series
# (README, "query window"): these use start_time=2010-01-01, i.e. the whole
# history from each stock's first row.
OPS += [("REF0", "Ref($close,0)", START)]
OPS += [
    ("REF0_FULL", "Ref($close, 0)", FULL_START),
    ("DELTA5_FULL", "Delta($close, 5)", FULL_START),
    ("NAN_DELTA1_FULL", "Delta(%s, 1)" % NANC, FULL_START),
    ("MAX_ABS_D_FULL", "Max(Abs(Delta($close, 1)), 20)", FULL_START),
    ("EMA10_FULL", "EMA($close, 10)", FULL_START),
    ("NAN_EMA5_FULL", "EMA(%s, 5)" % NANC, FULL_START),
    ("EXPMEAN_FULL", "Mean($close,0)", FULL_START),
    ("EXPMAX_FULL", "Max($high,0)", FULL_START),
]


def versions():
    import joblib
    import qlib
    import scipy

    return {
        "python": platform.python_version(),
        "pyqlib": qlib.__version__,
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
    }


def init_qlib(data_dir, kernels):
    import qlib

    qlib.init(
        provider_uri=str(data_dir),
        region="cn",
        expression_cache=None,
        dataset_cache=None,
        kernels=kernels,
        logging_level="WARNING",
    )


def features(instruments, exprs, start, end):
    from qlib.data import D

    df = D.features(list(instruments), list(exprs), start_time=start, end_time=end, freq="day")
    assert list(df.columns) == list(exprs), "qlib changed column names"
    return df


def trading_days(start, end):
    from qlib.data import D

    return pd.DatetimeIndex(D.calendar(start_time=start, end_time=end, freq="day"))


def keep_mask(index, step, first_days):
    """Rows to keep: every `step`-th trading day of the period (day 0 =
    first trading day) plus each newly listed stock's first `first_days` rows."""
    days = trading_days(START, END)
    sampled = set(days[::step])
    dt = index.get_level_values("datetime")
    inst = index.get_level_values("instrument")
    keep = np.array([d in sampled for d in dt])
    for code in LISTED:
        pos = np.flatnonzero(inst == code)
        keep[pos[:first_days]] = True
    return keep


def to_csv_gz(df, names, path):
    out = df.copy()
    out.columns = names
    out = out.reset_index()
    out.insert(0, "date", out.pop("datetime").dt.strftime("%Y-%m-%d"))
    out.insert(1, "code", out.pop("instrument").str.upper())
    out = out.sort_values(["date", "code"], kind="mergesort")
    buf = io.StringIO()
    out.to_csv(buf, index=False, float_format="%.9g", na_rep="", lineterminator="\n")
    raw = buf.getvalue().encode()
    bio = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=bio, mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    path.write_bytes(bio.getvalue())
    return len(out), len(names), path.stat().st_size


def check_stocks(data_dir):
    """Assert the stated properties of the stock list against the bins."""
    df = features(STOCKS, ["$volume"], FULL_START, "2020-12-31")
    first = df.reset_index().groupby("instrument").datetime.min()
    last = df.reset_index().groupby("instrument").datetime.max()
    for c in LARGE + SUSPENDED:
        assert first[c] <= pd.Timestamp("2016-01-05") and last[c] >= pd.Timestamp(END), c
    for c, d in LISTED.items():
        assert first[c] == pd.Timestamp(d), (c, first[c])
    facts = {}
    for c in SUSPENDED + ["SZ000063"]:
        v = df.loc[c, "$volume"].loc[START:END]
        z = (v == 0).astype(int).values
        best = cur = 0
        for x in z:
            cur = cur + 1 if x else 0
            best = max(best, cur)
        facts[c] = (int(best), int((v == 0).sum()))
    return facts


def window_dependence(pairs, got):
    """Recompute `pairs` with start_time=2010-01-01 (whole history) and list
    the columns whose period values differ from the start_time=2018-01-01 ones."""
    exprs = list(dict.fromkeys(e for _, e in pairs))
    full = features(STOCKS, exprs, FULL_START, END).loc[got.index]
    out = []
    for j, (n, e) in enumerate(pairs):
        x = got.iloc[:, j].to_numpy(np.float64)
        y = full[e].to_numpy(np.float64)
        nanmis = np.isnan(x) != np.isnan(y)
        both = np.isfinite(x) & np.isfinite(y)
        ad = np.abs(x[both] - y[both])
        rd = ad / np.maximum(np.abs(y[both]), 1e-30)
        bad = nanmis.copy()
        bad[both] |= ad > 1e-6 + 1e-5 * np.abs(y[both])
        if bad.any():
            dts = got.index.get_level_values("datetime")[bad]
            codes = sorted(set(got.index.get_level_values("instrument")[bad]))
            out.append((n, int(nanmis.sum()), float(ad.max()) if ad.size else 0.0,
                        float(rd.max()) if rd.size else 0.0, int(bad.sum()),
                        str(dts.min().date()), str(dts.max().date()),
                        " ".join(codes) if len(codes) <= 3 else "%d stocks" % len(codes)))
    return out


def f64_sensitivity(data_dir, exprs, names, f32_df):
    """Recompute Alpha158 with the leaf bins widened to float64 before any
    operator runs; compare to the normal (float32 leaves) result."""
    from qlib.data.storage import file_storage as fs

    orig = fs.FileFeatureStorage.__getitem__

    def getitem64(self, i):
        r = orig(self, i)
        return r.astype(np.float64) if isinstance(r, pd.Series) else r

    fs.FileFeatureStorage.__getitem__ = getitem64
    try:
        from qlib.data.cache import H

        H["f"].clear()
        d64 = features(STOCKS, exprs, START, END)
    finally:
        fs.FileFeatureStorage.__getitem__ = orig
        from qlib.data.cache import H

        H["f"].clear()
    a = f32_df.to_numpy(np.float64)
    b = d64.reindex(f32_df.index).to_numpy(np.float64)
    rows = []
    for j, n in enumerate(names):
        x, y = a[:, j], b[:, j]
        both = np.isfinite(x) & np.isfinite(y)
        nan_mismatch = int((np.isnan(x) != np.isnan(y)).sum())
        ad = np.abs(x[both] - y[both])
        rd = ad / np.maximum(np.abs(y[both]), 1e-12)
        rows.append(
            (n, int(both.sum()), nan_mismatch,
             float(ad.max()) if ad.size else 0.0,
             float(rd.max()) if rd.size else 0.0,
             float(np.quantile(rd, 0.999)) if rd.size else 0.0)
        )
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.expanduser("~/.cache/alphasweep-qlib-data"))
    ap.add_argument("--kernels", type=int, default=1)
    ap.add_argument("--no-f64-check", action="store_true")
    args = ap.parse_args()
    data_dir = Path(args.data)
    if not (data_dir / "features" / "sh600519").is_dir():
        subprocess.run(["bash", str(ROOT / "scripts" / "qlib_data_copy.sh"), str(data_dir)], check=True)
    init_qlib(data_dir, args.kernels)
    from qlib.contrib.data.loader import Alpha158DL, Alpha360DL

    OUT.mkdir(parents=True, exist_ok=True)
    vers = versions()
    facts = check_stocks(data_dir)
    summary = []

    # ---- expression lists ----
    f158, n158 = Alpha158DL.get_feature_config()
    f360, n360 = Alpha360DL.get_feature_config()
    with open(OUT / "alpha158.tsv", "w") as fh:
        fh.write("name\texpression\tstatus\n")
        for n, e in zip(n158, f158):
            fh.write("%s\t%s\t%s\n" % (n, e, "excluded_vwap" if "$vwap" in e else "included"))
    with open(OUT / "alpha360.tsv", "w") as fh:
        fh.write("name\texpression\tstatus\n")
        for n, e in zip(n360, f360):
            fh.write("%s\t%s\t%s\n" % (n, e, "excluded_vwap" if "$vwap" in e else "included"))
    with open(OUT / "ops.tsv", "w") as fh:
        fh.write("name\texpression\tstart_time\n")
        for n, e, s in OPS:
            fh.write("%s\t%s\t%s\n" % (n, e, s))
    k158 = [(n, e) for n, e in zip(n158, f158) if "$vwap" not in e]
    k360 = [(n, e) for n, e in zip(n360, f360) if "$vwap" not in e]
    names158, exprs158 = [n for n, _ in k158], [e for _, e in k158]
    names360, exprs360 = [n for n, _ in k360], [e for _, e in k360]

    # ---- alpha158 ----
    d158 = features(STOCKS, exprs158, START, END)
    kept158 = d158[keep_mask(d158.index, STEP158, FIRST_DAYS)]
    summary.append(("alpha158.csv.gz",) + to_csv_gz(kept158, names158, OUT / "alpha158.csv.gz"))

    # ---- alpha360 ----
    d360 = features(ALPHA360_STOCKS, exprs360, START, END)
    kept360 = d360[keep_mask(d360.index, STEP360, FIRST_DAYS)]
    summary.append(("alpha360.csv.gz",) + to_csv_gz(kept360, names360, OUT / "alpha360.csv.gz"))

    # ---- ops ----
    parts = []
    for start in sorted({s for _, _, s in OPS}, reverse=True):
        exprs = [e for _, e, s in OPS if s == start]
        d = features(STOCKS, exprs, start, END)
        parts.append(d.loc[(slice(None), slice(START, END)), :])
    dops = pd.concat(parts, axis=1)
    dops.columns = [n for s in sorted({s for _, _, s in OPS}, reverse=True) for n, _, s2 in OPS if s2 == s]
    dops = dops[[n for n, _, _ in OPS]]
    kept_ops = dops[keep_mask(dops.index, STEP158, FIRST_DAYS)]
    summary.append(("ops.csv.gz",) + to_csv_gz(kept_ops, list(dops.columns), OUT / "ops.csv.gz"))

    # ---- query-window dependence: same expressions with start_time=2010-01-01 ----
    wdep = window_dependence(
        [(n, e) for n, e, s in OPS if s == START] + list(zip(names158, exprs158)),
        pd.concat([dops[[n for n, _, s in OPS if s == START]], d158.reindex(dops.index)], axis=1),
    )

    # ---- NaN-volume segments (every trading day) ----
    ops_main = [(n, e) for n, e, s in OPS if s == START]
    seg158, segops = [], []
    nanvol_days = []
    for insts, s, e in NANVOL_SEGMENTS:
        v = features(insts, ["$volume"], s, e)["$volume"]
        for code in insts:
            d = v.loc[code]
            nanvol_days.append("%s: %s" % (code, ", ".join(str(x.date()) for x in d.index[d.isna()])))
        seg158.append(features(insts, exprs158, s, e))
        segops.append(features(insts, [x for _, x in ops_main], s, e))
    summary.append(("nanvol_alpha158.csv.gz",) + to_csv_gz(pd.concat(seg158), names158, OUT / "nanvol_alpha158.csv.gz"))
    summary.append(("nanvol_ops.csv.gz",) + to_csv_gz(pd.concat(segops), [n for n, _ in ops_main], OUT / "nanvol_ops.csv.gz"))

    # ---- float64-leaf sensitivity of Alpha158 ----
    f64rows = None
    if not args.no_f64_check:
        f64rows = f64_sensitivity(data_dir, exprs158, names158, d158)
        with open(OUT / "f64_vs_f32.tsv", "w") as fh:
            fh.write("name\tn_finite\tnan_mismatch\tmax_abs_diff\tmax_rel_diff\tp999_rel_diff\n")
            for r in f64rows:
                fh.write("%s\t%d\t%d\t%.3g\t%.3g\t%.3g\n" % r)

    write_readme(vers, facts, summary, len(names158), len(names360), f64rows, wdep, nanvol_days)
    total = 0
    print("file                      rows  cols      bytes")
    for f, r, c, b in summary:
        total += b
        print("%-24s %5d %5d %10d" % (f, r, c, b))
    for f in ["alpha158.tsv", "alpha360.tsv", "ops.tsv", "f64_vs_f32.tsv", "README.md"]:
        if (OUT / f).exists():
            b = (OUT / f).stat().st_size
            total += b
            print("%-24s %5s %5s %10d" % (f, "", "", b))
    print("total bytes: %d" % total)


def write_readme(vers, facts, summary, n158, n360, f64rows, wdep, nanvol_days):
    text = README.format(
        versions=", ".join("%s %s" % kv for kv in vers.items()),
        large=", ".join(LARGE),
        listed="\n".join("  - %s listed %s" % kv for kv in LISTED.items()),
        suspended="\n".join(
            "  - %s: longest volume==0 run %d trading days, %d volume==0 days in 2018-2019" % (c, *facts[c])
            for c in SUSPENDED),
        zte="SZ000063: longest volume==0 run %d days, %d volume==0 days" % facts["SZ000063"],
        a360=", ".join(ALPHA360_STOCKS),
        files="\n".join("| %s | %d | %d | %d |" % s for s in summary),
        n158=n158, n360=n360,
        ndays=len(trading_days(START, END)),
        nanvol="\n".join("  - " + x for x in nanvol_days),
        f64=f64_table(f64rows),
        wdep="\n".join(["| column | NaN mismatches | max abs diff | max rel diff | rows differing | first | last | stocks |",
                        "|---|---|---|---|---|---|---|---|"]
                       + ["| %s | %d | %.3g | %.3g | %d | %s | %s | %s |" % r for r in wdep]),
    )
    (OUT / "README.md").write_text(text)


def f64_table(rows):
    if not rows:
        return "(not computed: --no-f64-check)"
    rows = sorted(rows, key=lambda r: -r[4])
    big = [r for r in rows if r[4] > 1e-5 or r[2] > 0]
    lines = ["| feature | finite values | NaN mismatches | max abs diff | max rel diff | 99.9% rel diff |",
             "|---|---|---|---|---|---|"]
    for r in big:
        lines.append("| %s | %d | %d | %.3g | %.3g | %.3g |" % r)
    rest = [r for r in rows if r not in big]
    if rest:
        lines.append("")
        lines.append("All other %d features: max rel diff <= %.3g, no NaN mismatches." % (len(rest), max(r[4] for r in rest)))
    return "\n".join(lines)


README = """# qlib golden files (Alpha158, Alpha360, expression operators)

Made by `scripts/golden_qlib.py` (rerunnable, byte-identical output) with
{versions}. Data: the shared bins `qlib_csi300_subset_bins.tar.gz`, extracted
by `scripts/qlib_data_copy.sh` (feature folders renamed to lower case, which
qlib needs on Linux). No `$vwap`, `$amount` in the bins.

Every value comes from one call
`D.features(instruments, fields, start_time, end_time, freq="day")` after
`qlib.init(provider_uri=<copy>, region="cn", expression_cache=None, dataset_cache=None)`.
Instruments are passed as a plain list (no CSI 300 membership filter), so a
stock has a row on every calendar day from its first bin row on; suspended
days are rows (prices carried forward, volume 0; a few are volume NaN).

## Files

| file | rows | value columns | bytes |
|---|---|---|---|
{files}

CSV: header `date,code,<names>`; `date` YYYY-MM-DD, `code` upper case
(SH600519); rows sorted by date, code. Values are the float32 that
`D.features` returns, printed `%.9g` (parses back to the same float32); NaN is an
empty field; +-inf is `inf`/`-inf` (ops files only). Gzip with mtime 0.

- `alpha158.csv.gz`: Alpha158DL.get_feature_config() default config, {n158}
  features in qlib's names and order; VWAP0 (`$vwap/$close`) excluded.
  start_time 2018-01-01, end_time 2019-12-31. Rows: every 5th trading day
  of the period (2018-01-02, 2018-01-09, ...: calendar positions 0, 5, 10, ...
  of the {ndays} trading days) for all 30 stocks, plus every row of each listed
  stock's first 70 trading days.
- `alpha360.csv.gz`: Alpha360DL.get_feature_config(), {n360} features (the 60
  VWAP* excluded), every 20th trading day (positions 0, 20, ...) plus the
  listed stocks' first 70 days, 15 stocks: {a360}.
- `ops.csv.gz`: the expressions of `ops.tsv` (name, expression, start_time),
  same rows as alpha158. Most use start_time 2018-01-01; the `*_FULL` ones use
  2010-01-01 (the whole history; see "Query window" below). `LABEL0` is qlib's
  default label `Ref($close, -2)/Ref($close, -1) - 1` (reads 2020 data at the end).
- `nanvol_alpha158.csv.gz`, `nanvol_ops.csv.gz`: every trading day, because
  2018-2019 has no NaN volume for these bins: SZ000629 with
  start_time 2017-04-01, end_time 2017-10-31 (NaN volume inside a long
  suspension) and SH600030, SH600221 with start_time 2021-12-01, end_time
  2022-06-30 (NaN volume next to trading days). NaN-volume days (prices carried
  forward on them):
{nanvol}
  Same Alpha158 columns;
  ops columns are those of ops.tsv with start_time 2018-01-01 (here the query
  start is the segment start).
- `alpha158.tsv`, `alpha360.tsv`: name, expression, status (`included` or
  `excluded_vwap`) for every feature of qlib's loaders, VWAP ones included.
- `ops.tsv`: name, expression, start_time.
- `f64_vs_f32.tsv`: Alpha158 recomputed by qlib with the leaf bins widened to
  float64 before any operator runs, against the normal run (see "Precision").

## Stocks (30)

- 21 large: CSI 300 members on 2018-01-02 (`instruments/csi300.txt`) with bins
  from 2016-01-05 or earlier to after 2019-12-31, ranked by mean daily traded
  value (volume * close / factor) over 2018-2019; top 21 in rank order:
  {large}. {zte} (ZTE's 2018 suspension).
- 5 listed in the period (first bin row = listing day; rows before it do not exist):
{listed}
- 4 with long suspensions:
{suspended}

## Operator semantics (qlib 0.9.7, read from qlib/data/ops.py, qlib/data/_libs/rolling.pyx, pandas 2.3.3, and checked by running them)

Parsing. `$name` becomes `Feature("name")`, `Name(` becomes `Operators.Name(`,
then the string is evaluated by Python. So Python syntax and precedence apply:
`**` (Power) > `*` `/` > `+` `-` > `&` > `|` > comparisons. Consequences:
`$a>$b & $c>0` is a TypeError (`&` on two float Features); write
`($a>$b)&($c>0)`. Chained comparisons are silently wrong: `$close>$open>0`
evaluates to `$open>0`. Unary minus is not supported (`-$close` is a TypeError,
no `__neg__`); write `0-$close`. `~` is not supported (use `Not(x)`).
Numbers are Python literals (`5`, `0.8`, `1e-12`); int vs float matters for
window arguments (see N below). A scalar may be on either side of a binary
operator (`0-$close`, `2*$close`, `0/$volume`).

Leaves: `$open $high $low $close $volume $factor $change` are float32 series
read from the bins, one row per calendar trading day from the stock's first
row. Prices are adjusted (raw * factor).

Dtypes. Leaves are float32. Element-wise ops keep numpy dtypes: float32 op
float32 -> float32, float32 op python scalar -> float32 (numpy 2 weak
scalars; so `$volume+1e-12` is float32 and equals `$volume` unless volume is 0,
where it is float32(1e-12)). Every rolling/pair-rolling op returns float64;
float32 op float64 -> float64. Comparisons, `&`, `|`, `Not` give bool; bool in
arithmetic acts as 0/1. `Sign` casts its input to float32 first (so
`Sign(float64)` loses precision). `If` is `np.where` (bool/float32 branches ->
float32, python ints -> int64). The final column of every field is cast to
float32 by D.features.

Element-wise (NaN propagates unless stated):
- `+ - * /`: numpy; x/0 = +-inf, 0/0 = NaN (no error).
- `> >= < <= ==`: False when either side is NaN; `!=` is True then.
- `&` `|` (And, Or): np.bitwise_and/or; inputs must be bool (comparisons);
  float inputs raise TypeError. `Not(x)`: bitwise_not of bool.
- `Abs` np.abs; `Log` np.log (log 0 = -inf, log of negative = NaN);
  `Sign` np.sign of float32 (0 -> 0, NaN -> NaN); `Power(a,b)` np.power (a
  negative base with non-integer exponent gives NaN); `a**b` is the same op.
- `Greater(a,b)`/`Less(a,b)`: np.maximum/np.minimum, NaN if either is NaN.
- `If(c,a,b)`: np.where(c, a, b); c is truthy when True or nonzero, and NaN
  counts as true (takes a). Result index is c's.

Rolling ops `Op(x, N)`, N an int >= 1. All use pandas `rolling(N,
min_periods=1)` over the last N rows (rows = trading days, suspended days
included; the window is shorter only at the start of the loaded series). Inside
pandas rolling, +-inf is turned into NaN before aggregating (everything except
Count). "valid" = non-NaN, non-inf values of the window. Unless stated, the
result is NaN when the window has no valid value.
- `Ref(x,N)`: x shifted by N rows (N<0 reads the future: NaN past the end of
  the data). `Ref(x,0)` is not x: it is the FIRST value of the loaded series,
  broadcast to all rows (depends on the query window; see below).
- `Mean`, `Sum`, `Max`, `Min`: over valid values (Sum of an all-NaN window is
  NaN, not 0). pandas uses Kahan-compensated running sums; a window whose valid
  values are all identical returns that value exactly.
- `Std`, `Var`: sample, ddof=1; need >= 2 valid values, else NaN. Running
  (Welford-style add/remove) algorithm; a window of identical values gives
  exactly 0; a negative result is clipped to 0. Because it is a running update,
  near-constant windows carry history-dependent error around 1e-6..1e-5 absolute
  on price-sized values (seen on SZ002739's suspension, see "Query window").
- `Skew`: pandas bias-corrected sample skewness (adjusted Fisher-Pearson, G1),
  needs >= 3 valid; all-identical valid values -> 0; population variance of the
  window <= 1e-14 (near-constant) -> NaN. Constructor rejects N < 3 (N=0 allowed).
- `Kurt`: pandas bias-corrected excess kurtosis (G2, same as
  scipy.stats.kurtosis(bias=False)), needs >= 4 valid; all-identical -> -3 (not
  NaN, not 0); variance <= 1e-14 -> NaN. Rejects N < 4.
- `Med`: median of valid values. `Quantile(x,N,q)`: linear interpolation at
  position q*(n-1) of the sorted n valid values (pandas default).
- `Mad`: MEAN absolute deviation around the mean of the valid values
  (not median), i.e. mean(|v - mean(v)|).
- `Rank(x,N)`: pandas rolling rank(pct=True): average rank of the current value
  among the valid values of the window (ties share the average rank), divided by
  the number of valid values. NaN when the current value is NaN/inf. A window of
  20 identical values gives 10.5/20 = 0.525.
- `Count(x,N)`: number of non-NaN values (inf counts as present); an all-NaN
  window gives 0, not NaN. A bool input counts every row.
- `IdxMax`/`IdxMin(x,N)`: `argmax(window)+1` via rolling.apply(raw=True): the
  1-based position in the window counted from the OLDEST row (N = today). Ties ->
  the oldest. If the window holds any NaN (inf included), the result is the
  position of the first NaN (numpy argmax/argmin propagate NaN). All-NaN -> NaN.
- `Delta(x,N)`: x - Ref(x,N) (difference over N rows, not N-1); but see "Query
  window": qlib loads only N-1 extra rows, so the first query day is NaN.
- `WMA(x,N)`: weights w_i = i / (1+2+...+k) for i = 1..k (k = window length,
  NaN rows included, newest has the largest weight), result =
  nanmean(w*x) = sum over valid of w_i*x_i divided by the NUMBER OF VALID values.
  So for a full window without NaN qlib's WMA is the usual WMA divided by N
  (a qlib quirk: WMA($close,20) of a constant 105 is 5.25).
- `EMA(x,N)`: int N -> pandas ewm(span=N, adjust=True, ignore_na=False,
  min_periods=1).mean(), alpha = 2/(N+1): y_t = sum_j (1-alpha)^(t-j) x_j /
  sum_j (1-alpha)^(t-j) over valid j <= t of the LOADED series (NaN/inf rows
  skipped but still age the others; a NaN row outputs the previous value;
  NaN until the first valid value). float 0<N<1 -> same with alpha = N.
  Depends on where loading starts (see "Query window").
- `Slope`, `Rsquare`, `Resi(x,N)` (Cython, float64 running sums): ordinary least
  squares of the valid values of the window against their position
  x = 1..N in the window (NaN rows are skipped but keep their positions).
  Slope = OLS slope, NaN with < 2 valid values. Rsquare = r^2 of that fit; then
  set to NaN where pandas `rolling(N, min_periods=1).std()` (ddof=1) of the
  input is <= 2e-5 (np.isclose(std, 0, atol=2e-5); a NaN std does not count).
  Resi = x_t - (intercept + slope * N), the residual of the CURRENT row;
  NaN when x_t is NaN. inf/-inf are not treated as NaN here: one inf makes
  every later output of that load NaN (the running sums stay inf/NaN).
- `Corr(a,b,N)`, `Cov(a,b,N)`: pandas rolling corr/cov with min_periods=1, on
  pairwise-complete rows (a row counts only if both are valid), ddof=1,
  computed as cov = (mean(ab) - mean(a)mean(b)) * n/(n-1) from running means
  and corr = cov / sqrt(var(a) var(b)) with running variances; need n >= 2.
  Corr is then set to NaN where the rolling std (ddof=1, min_periods=1, each
  series on its own, not pairwise) of a or of b is <= 2e-5. Cov has no such rule.
  Corr/Cov with N=0 fail (ValueError).

N = 0 (int): expanding window from the first loaded row (Mean, Sum, Std, Var,
Skew, Kurt, Max, Min, Med, Count: pandas expanding; Quantile, Rank, IdxMax,
IdxMin, Mad, WMA, Slope, Rsquare, Resi likewise; Delta(x,0) = x - first loaded
value; EMA(x,0) = at each row, weights a^k with a = 1 - 2/(1+n), n = rows so far,
NaN counted as 0 in the numerator but its weight stays in the denominator).
qlib warns that N=0 "will not be accurately calculated": it depends on the
query window.

0 < N < 1 (float): for the generic rolling ops (Mean, Sum, Std, Var, Max, Min,
Med, Count) it means `ewm(alpha=N, min_periods=1).mean()` whatever the op
(`Std($close,0.5)` equals `Mean($close,0.5)`); Skew/Kurt reject it; Rank,
Quantile, IdxMax, IdxMin, Mad, WMA fail ("window must be an integer"); EMA
uses alpha = N. A float N >= 1 (`Mean($close,5.0)`) fails.

## Query window (why `start_time` matters)

For each field and instrument qlib loads the leaf series from calendar index
`max(0, start - L)` to `end + R`, computes the whole expression on that slice,
and keeps rows start..end. (L, R) comes from get_extended_window_size:
Feature (0,0); element-wise/If: max over children; Ref(x,N): (L+N, R) for N>0,
(L, R-N) for N<0, unchanged for N=0; every rolling op incl. Delta, EMA (int N),
Corr, Cov: L+N-1; EMA or Rolling with 0<N<1: L + int(log(1e-6)/log(1-N)) - 1;
N=0: unchanged. Consequences, all visible in ops.csv.gz (start 2018-01-01)
versus the whole-history (start 2010-01-01) values:
- Finite-window ops (everything in Alpha158 and Alpha360) do not depend on the
  query start: the goldens equal a computation over the whole history.
- `Delta(x,N)` gets one row too few: NaN on the first query day (2018-01-02)
  for every stock (DELTA5, SIGN_D, NAN_DELTA1; and MAX_ABS_D's first window
  misses one value). `*_FULL` columns hold the whole-history values.
- `EMA(x,N)` (int N) starts its recursion N-1 rows before the start date, so it
  differs from a whole-history EMA for weeks (EMA10 vs EMA10_FULL: rel up to
  1.3e-2 until 2018-03). With 0<N<1 the start is far enough (1e-6 weight left).
- `Ref(x,0)` and N=0 ops start at the first loaded row (REF0 vs REF0_FULL,
  EXPMEAN_FULL, EXPMAX_FULL).
- Running-sum ops (Std/Var/Corr/Cov/Skew/Kurt, Slope/Rsquare/Resi) carry tiny
  history-dependent rounding.

Columns whose start_time=2018-01-01 values differ from the start_time=2010-01-01
ones by more than 1e-6 + 1e-5*|value| (or NaN vs non-NaN), over all rows of the
period (Alpha158 and the ops with start 2018-01-01 were checked):

{wdep}

## Precision (float32 leaves)

qlib does element-wise arithmetic on leaves in float32 and rolling ops in
float64, then rounds the result to float32. An engine that works in float64
throughout differs from these goldens mostly by float32 rounding (<~6e-6
relative), but more where float32 rounding of a ratio near 1 is amplified:
`$close/Ref($close,1)` in float32 has ~6e-8 resolution, so CORD* differ by up
to ~9e-4 absolute and CORR* by ~1e-5. To match more tightly, compute
element-wise ops of float32 inputs in float32 (as numpy does) and rolling ops
in float64. Alpha158 recomputed by qlib itself with float64 leaves, versus
these goldens (all rows of the period, 30 stocks; f64_vs_f32.tsv has every
feature):

{f64}

## Other quirks noticed

- Suspended days: volume 0 makes `x/($volume+1e-12)` huge (VMA5 about 1e19:
  float32(1e-12) denominators), `$volume/($volume+1e-12)` 0, and
  Log($volume/Ref($volume,1)+1) inf on the first trading day after a suspension
  (x/0) and NaN during it (0/0); pandas rolling then treats that inf as NaN.
- `Mean($close>Ref($close,1),N)` (CNTP/CNTN/CNTD): the comparison is False
  (0), not NaN, on a stock's first row, so the first row counts as "not up".
- `Rsquare` and `Corr` are NaN on (near-)constant windows (suspensions):
  std <= 2e-5 in price units; one-ulp price changes during a suspension stay
  below it.
- SZ300750's listing-day `$change` is 43.99 (%, against the issue price).
- A field qlib has no bin for (`$vwap`) loads as an empty series and gives an
  all-NaN column, no error.
"""

if __name__ == "__main__":
    main()
