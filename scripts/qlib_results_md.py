#!/usr/bin/env python3
"""Write the "qlib's CSI 300 protocol" section of docs/RESULTS.md from `alphasweep run`
folders made with configs/qlib-alpha158.toml / qlib-alpha360.toml (standard library only).

Every alphasweep figure is read from the run folders (sweep/split.json, the best
checkpoint's eval.json, backtest/summary.csv, run.json); the only constants are qlib's
figures, each labelled with where it comes from.

    python3 scripts/qlib_results_md.py --run out/alpha158 [--run out/alpha360] \
        [--note TEXT] --write docs/RESULTS.md

The section replaces what lies between `<!-- qlib-protocol:begin -->` and
`<!-- qlib-protocol:end -->` in the file (appended when the markers are missing).
"""
import argparse
import csv
import json
import math
import subprocess
import tomllib
from pathlib import Path

BEGIN, END = "<!-- qlib-protocol:begin -->", "<!-- qlib-protocol:end -->"

# (model, features, IC, ICIR, rank IC, rank ICIR, annualized excess, IR, max drawdown, source)
QLIB = [
    ("LSTM", "Alpha360", 0.0448, None, 0.0549, None, 0.0647, 0.90, None,
     "qlib's published CSI 300 benchmark (test 2017-01..2020-08), as quoted in issue 15"),
    ("GRU", "Alpha360", 0.0493, None, None, None, None, None, None, "same"),
    ("ALSTM", "Alpha360", 0.0497, None, None, None, None, None, None, "same"),
    ("LSTM", "Alpha158 (20 selected)", 0.0318, None, None, None, None, None, None, "same"),
    ("LightGBM", "Alpha158 without VWAP0, CSZScoreNorm label", 0.0393, 0.287, 0.0402, 0.300, 0.0255, 0.379, -0.113,
     "qlib 0.9.7 on these shared bins, `scripts/qlib_peer.py --model lightgbm` (IC vs the raw return; max DD of the excess)"),
    ("LightGBM", "same, CSRankNorm label (`--label-norm csrank`)", 0.0346, 0.249, 0.0457, 0.332, 0.0027, 0.044, -0.126,
     "same script; its IC against the rank-normalized label is 0.0479"),
    ("LSTM", "Alpha360 without VWAP, 15 epochs", 0.025, None, 0.037, None, None, None, None,
     "qlib 0.9.7 run on these shared bins, CPU, as measured in issue 15 (not rerun here)"),
]


def fmt(v, pct=False):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v * 100:+.2f}%" if pct else f"{v:.4f}"


def run_row(run: Path):
    cfg = tomllib.loads((run / "config.toml").read_text())
    split = json.loads((run / "sweep" / "split.json").read_text())
    best = sorted((run / "sweep" / "checkpoints").glob("*/eval.json"))
    ledger = list(csv.DictReader(open(run / "sweep" / "ledger.csv")))
    done = [r for r in ledger if r.get("score") not in ("", "NaN", None)]
    done.sort(key=lambda r: -float(r["score"]))
    top = done[0]["trial"] if done else None
    ev = json.loads((run / "sweep" / "checkpoints" / top / "eval.json").read_text())["test"] if top else {}
    bt = {r["portfolio"]: r for r in csv.DictReader(open(run / "backtest" / "summary.csv"))}
    port = next(k for k in bt if k.startswith("top_"))
    b = bt[port]
    f = lambda k: float(b[k]) if b.get(k) not in ("", None) else float("nan")
    sets = cfg.get("factors", {}).get("set", [])
    sets = sets if isinstance(sets, list) else [sets]
    return {
        "features": "+".join(sets) + f" ({split['factors']} features)",
        "trial": top,
        "ic": ev.get("ic"), "ic_ir": ev.get("ic_ir"), "rank_ic": ev.get("rank_ic"), "rank_ic_ir": ev.get("rank_ic_ir"),
        "excess": f("excess_ann_return"), "ir": f("information_ratio"), "mdd": f("max_drawdown"),
        "port": port, "test": split["test"], "train": split["train"], "valid": split["valid"],
        "trials": len(done), "kept": len(best),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", action="append", required=True, type=Path)
    ap.add_argument("--note", default="")
    ap.add_argument("--write", type=Path, required=True)
    a = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    rows = [run_row(r) for r in a.run]
    out = [BEGIN, "", "## qlib's CSI 300 protocol (issue 15)", ""]
    out.append(f"Runs of `alphasweep run --config configs/qlib-alpha158.toml` (commit {commit}), "
               "written by `scripts/qlib_results_md.py` from the run folders. Test IC and rank IC are "
               "per-date means over the test period, ICIR = mean / standard deviation over dates. "
               "**alphasweep's IC is against the label the model trains on (here ranked per date, CSRankNorm); "
               "qlib's is against the raw return, which gives a lower Pearson IC for the same scores "
               "(qlib's LightGBM below: 0.0479 against the ranked label, 0.0346 against the raw return). "
               "Rank IC is the same either way: compare rank IC.** "
               "the backtest is top-k dropout with qlib's costs (see the config), excess over the CSI 300 "
               "index, max drawdown of the portfolio itself.")
    if a.note:
        out += ["", a.note]
    out += ["", "| model | features | IC | ICIR | rank IC | rank ICIR | ann. excess | IR | max DD | source |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| alphasweep LSTM, best of {r['trials']} trials ({r['trial']}) | {r['features']} | {fmt(r['ic'])} | "
                   f"{fmt(r['ic_ir'])} | {fmt(r['rank_ic'])} | {fmt(r['rank_ic_ir'])} | {fmt(r['excess'], True)} | "
                   f"{fmt(r['ir'])} | {fmt(r['mdd'], True)} | this run: test {r['test']['first']} .. {r['test']['last']}, "
                   f"{r['test']['samples']} samples; {r['port']} |")
    for m, feats, ic, icir, ric, ricir, ex, ir, mdd, src in QLIB:
        out.append(f"| qlib {m} | {feats} | {fmt(ic)} | {fmt(icir)} | {fmt(ric)} | {fmt(ricir)} | {fmt(ex, True)} | "
                   f"{fmt(ir)} | {fmt(mdd, True)} | {src} |")
    for r in rows:
        out += ["", f"Segments: train {r['train']['first']} .. {r['train']['last']} ({r['train']['samples']} samples), "
                f"valid {r['valid']['first']} .. {r['valid']['last']} ({r['valid']['samples']}), "
                f"test {r['test']['first']} .. {r['test']['last']} ({r['test']['samples']}); the best trial "
                "was chosen on the validation IC, nothing on the test period."]
    out += ["", END]
    text = a.write.read_text() if a.write.exists() else ""
    block = "\n".join(out)
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    a.write.write_text(text)


if __name__ == "__main__":
    main()
