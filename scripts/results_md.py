#!/usr/bin/env python3
"""Print docs/RESULTS.md from an `alphasweep run` folder (standard library only, Python 3.11).

Every figure is read from the run's files (run.json, data_summary.txt, screen/, sweep/,
backtest/ and, when given or present, a walk-forward backtest folder and its folds CSV);
nothing is copied by hand. The only constants are the published reference figures of
qlib's CSI 300 benchmarks, labelled as such.

    python3 scripts/results_md.py --run /tmp/real1 [--wf-backtest DIR] [--wf-folds CSV] \
        [--seconds N] > docs/RESULTS.md

--wf-backtest defaults to <run>/wf_backtest and --wf-folds to <run>/wf.csv.folds.csv, used
when they exist. The qlib-protocol section is written afterwards by scripts/qlib_results_md.py
(rerun it after this script: this one rewrites the whole file).
"""
import argparse
import csv
import datetime
import gzip
import json
import math
import re
import subprocess
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def load_json(p):
    return json.loads(Path(p).read_text())


def load_csv(p):
    with open(p, newline="") as f:
        return list(csv.DictReader(f))


def fnum(v):
    """A float from a CSV/JSON cell, NaN when empty or missing."""
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def pct(v, signed=False):
    return "—" if math.isnan(v := fnum(v)) else f"{v * 100:{'+' if signed else ''}.1f}%"


def num(v, d=4):
    return "—" if math.isnan(v := fnum(v)) else f"{v:.{d}f}"


def val(v):
    """A config value as TOML writes it (lower-case booleans, whole floats without .0)."""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float) and v.is_integer() and abs(v) >= 1000:
        return f"{v:,.0f}"
    return str(v)


def kv(d):
    """`key = value` pairs of a TOML table, without sub-tables, arrays of tables or empty lists."""
    plain = lambda v: not isinstance(v, (dict, list)) or (isinstance(v, list) and v and not isinstance(v[0], dict))
    return ", ".join(f"{k} = {val(v)}" for k, v in d.items() if plain(v))


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return out + ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]


def git_commit():
    try:
        r = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty", "--abbrev=7"],
                           capture_output=True, text=True, timeout=10)
        return r.stdout.strip() if r.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def summary_lines(text):
    """The data summary's source lines, members/day line and paper-factor support block."""
    lines = text.splitlines()
    sources = [re.sub(r"/[^\s,()]*/([^/\s,()]+)", r"\1", l.split(None, 1)[1]) for l in lines if l.startswith("source ")]
    members = next((" ".join(l.split()[1:]) for l in lines if l.startswith("members/day")), None)
    support, block = None, []
    for i, l in enumerate(lines):
        if l.startswith("paper factors this data supports"):
            support = l.split(":", 1)[1].strip()
            for m in lines[i + 1:]:
                if not m.startswith("  "):
                    break
                m = " ".join(m.split())
                block.append(("  - " if m.startswith("missing") else "- ") + m)
    return sources, members, support, block


def test_dates(run, split):
    """Dates with a prediction inside the test span (split.json has no count of its own)."""
    if "dates" in split.get("test", {}):
        return int(split["test"]["dates"]), "split.json"
    p = run / "predictions.csv.gz"
    if p.exists():
        t = split["test"]
        with gzip.open(p, "rt", newline="") as f:
            dates = {r["date"] for r in csv.DictReader(f) if t["first"] <= r["date"] <= t["last"]}
        return len(dates), "predictions.csv.gz"
    return None, None


def backtest_section(d, capital):
    """The top-N and benchmark table of one backtest folder, plus its per-portfolio facts."""
    s = load_json(d / "summary.json")
    meta, ports = s["meta"], s["portfolios"]
    bench = meta.get("benchmark")
    p0 = ports[0]
    out = [f"Backtest period {p0['start']} .. {p0['end']} ({p0['days']} trading days), "
           f"predictions `{Path(meta.get('predictions', '?')).name}` "
           f"(models: {', '.join(meta.get('models', []))}); {meta.get('timing', '')}; "
           f"{meta.get('in_sample', '')}; in-sample days: {meta.get('in_sample_days', '?')}.", ""]
    rows = []
    for p in ports:
        is_b = p["portfolio"] == bench
        name = f"{bench} (benchmark)" if is_b else p["portfolio"].replace("_", " ")
        rows.append([name, pct(p["ann_return"], True), "—" if is_b else pct(p["excess_ann_return"], True),
                     "—" if is_b else num(p["information_ratio"], 2), pct(p["max_drawdown"]),
                     num(p["sharpe"], 2), "—" if is_b else pct(p["mean_turnover"]),
                     "—" if is_b else f"{fnum(p['total_costs']):,.0f}",
                     "—" if is_b else pct(fnum(p["total_costs"]) / capital)])
    out += table(["portfolio", "ann. return", "excess ann. return", "information ratio", "max drawdown",
                  "Sharpe", "mean daily turnover", "costs (CNY)", "costs / capital"], rows)
    return out, [p for p in ports if p["portfolio"] != bench], p0["days"]


def excess_facts(label, ports, days):
    """Plain statements on the sign and weight of each top-N excess return."""
    years = days / 252
    out = []
    for p in ports:
        ex, ir = fnum(p["excess_ann_return"]), fnum(p["information_ratio"])
        t = ir * math.sqrt(years) if not math.isnan(ir) else math.nan
        word = "beat" if ex > 0 else "lagged"
        sig = ("more than two standard errors from zero" if abs(t) >= 2
               else "within two standard errors of zero") if not math.isnan(t) else "of unknown weight"
        out.append(f"- {label}: {p['portfolio'].replace('_', ' ')} {word} the benchmark by "
                   f"{pct(abs(ex))} a year (IR {num(ir, 2)}, t ≈ IR·√years = {num(t, 2)}: {sig}).")
    signs = {fnum(p["excess_ann_return"]) > 0 for p in ports}
    if len(signs) > 1:
        out.append(f"- {label}: the excess returns do not share one sign across portfolio sizes.")
    ex = [fnum(p["excess_ann_return"]) for p in ports]
    if len(ex) > 2 and all(a < b for a, b in zip(ex, ex[1:])):
        out.append(f"- {label}: excess return rises with N: the fewer stocks a portfolio holds (the more it leans "
                   "on the scores), the lower its excess return.")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True, type=Path)
    ap.add_argument("--wf-backtest", type=Path)
    ap.add_argument("--wf-folds", type=Path)
    ap.add_argument("--seconds", type=float)
    a = ap.parse_args()
    run = a.run
    rj = load_json(run / "run.json")
    cfg = tomllib.loads(rj["config_toml"])
    split = load_json(run / "sweep/split.json")
    sw = load_json(run / "sweep/summary.json")
    best = sw["best"]
    capital = float(cfg.get("backtest", {}).get("capital", 1e7))
    sources, members, support, block = summary_lines((run / "data_summary.txt").read_text())
    o = ["# Results on the real CSI 300 data", ""]
    o += ["<!-- Generated by scripts/results_md.py from the run folder; do not edit by hand. -->", ""]
    o += ["```sh", rj["command"].replace(str(Path(rj["command"].split()[0]).parent) + "/", ""), "```", ""]
    when = [f"generated on {datetime.date.today().isoformat()}"]
    if (c := git_commit()):
        when.append(f"at commit `{c}`")
    if a.seconds is not None:
        when.append(f"wall time {a.seconds:.0f} s ({a.seconds / 60:.1f} min)")
    o += [f"This file is generated by `scripts/results_md.py` from `{run}` ({', '.join(when)}); "
          "regenerate it rather than edit it by hand.", ""]

    # Setup
    d, ds, clean, bt = cfg.get("data", {}), cfg.get("dataset", {}), cfg.get("factors", {}).get("clean", {}), cfg.get("backtest", {})
    o += ["## Setup", ""]
    o.append(f"- **Period:** {d.get('start')} .. {d.get('end')}, split `{ds.get('split')}` "
             f"(train {ds.get('train')}, valid {ds.get('valid')}; look-ahead: {val(split.get('look_ahead'))}); "
             f"{split.get('stocks')} stocks, {split.get('factors')} factors.")
    for k in ("train", "valid", "test"):
        s = split[k]
        o.append(f"  - {k}: {s['first']} .. {s['last']}, {s['samples']:,} samples")
    if members:
        o.append(f"- **Universe:** CSI 300 members of each day; members/day {members}.")
    o.append("- **Data sources:**")
    o += [f"  - {s}" for s in sources]
    if support:
        o.append(f"- **Paper factors supported:** {support}.")
        o += [f"  {b}" for b in block]
    o.append("- **Cleaning** (per date, `[factors.clean]`): " + kv(clean) + ".")
    o.append(f"- **Label:** {ds.get('label')}, horizon {ds.get('horizon')}, label_norm {ds.get('label_norm')}.")
    swc = cfg.get("sweep", {})
    fixed = {k: v for k, v in {**cfg.get("model", {}), **cfg.get("train", {})}.items() 
             if not (swc.get(k) or swc.get(k + "s")) and k != "selection"}
    o.append(f"- **Sweep:** {sw['trials']} trials ({', '.join(f'{k} {n}' for k, n in sw.get('by_status', {}).items())}; "
             f"{sw.get('epochs_run')} of {sw.get('epochs_full')} epochs run); grid: {kv(cfg.get('sweep', {}))}; "
             f"selection by {sw.get('selection')}; fixed: {kv(fixed)}.")
    o.append(f"- **Backtest:** {kv(bt)}; costs: {kv(bt.get('costs', {}))}.")
    o.append("")

    # Screen
    sel = load_csv(run / "screen/selection.csv")
    sj = load_json(run / "screen/screen.json")
    scfg = sj.get("config", {}).get("select") or cfg.get("screen", {}).get("select", {})
    periods = sj.get("config", {}).get("periods") or cfg.get("screen", {}).get("periods", [1])
    stats = {}
    if (run / "screen/screen.csv").exists():
        stats = {r["factor"]: r for r in load_csv(run / "screen/screen.csv") if r["period"] == str(periods[0])}
    cols = [(c, n) for c, n in (("pearson_ic_mean", "IC"), ("ic_mean", "rank IC"), ("icir", "rank ICIR"),
            ("ic_p_nw", "p (NW)"), ("information_ratio", "long-short IR")) if c in next(iter(stats.values()), {})]
    m, first = run / "screen/factors_train.csv.gz.meta.json", next(iter(stats.values()), {})
    c = load_json(m).get("config", {}) if m.exists() else {}
    span = f" ({c.get('start', '?')} .. {c.get('end', '?')}, {first.get('ic_dates', '?')} IC dates)"
    o += ["## Screen", "", f"Run on the training period{span} only; within it, {sj.get('in_sample', 'n/a')}. "
          f"Criterion: **{scfg.get('criterion')}** (first period, {periods[0]} day), weak when the mean rank IC's "
          f"p-value > {scfg.get('max_p_value')}, at most {scfg.get('per_category')} per category, "
          f"|correlation| ≤ {scfg.get('corr_threshold')}. Statistics below are for the {periods[0]}-day period.", ""]
    rows = [[("**" + r["factor"] + "**") if r["selected"] == "true" else r["factor"], r["category"], num(r["score"], 3)]
            + [num(stats.get(r["factor"], {}).get(c), 4) for c, _ in cols]
            + ["yes" if r["selected"] == "true" else "", r["reason"]] for r in sel]
    o += table(["factor", "category", "score"] + [n for _, n in cols] + ["selected", "reason"], rows)
    chosen = [r["factor"] for r in sel if r["selected"] == "true"]
    o += ["", f"Selected {len(chosen)} of {len(sel)}: {', '.join(chosen)}.", ""]

    # Sweep
    n_test, n_src = test_dates(run, split)
    o += ["## Sweep", "", f"Best trial `{best['trial']}` (best epoch {best['best_epoch']} of {best['epochs_run']}): "
          f"valid IC {num(best['valid_ic'])}, valid rank IC {num(best['valid_rank_ic'])}, "
          f"test IC {num(best['test_ic'])}, test rank IC {num(best['test_rank_ic'])}, "
          f"direction valid {num(best['valid_direction'], 3)} / test {num(best['test_direction'], 3)}.", ""]
    # The run keeps no daily ICs of the model, so their spread is borrowed from the screen: the
    # median std of the selected factors' daily rank ICs on the training period.
    sds = sorted(fnum(stats[f]["ic_std"]) for f in chosen if f in stats and "ic_std" in stats[f])
    ic_sd = sds[len(sds) // 2] if sds else math.nan
    se = ic_sd / math.sqrt(n_test) if n_test else math.nan
    if n_test:
        o += [f"Test dates: {n_test} (dates with a prediction in the test span, counted in {n_src}). "
              f"Standard error of a mean daily IC ≈ s/√{n_test} = {num(se)}, with s = {num(ic_sd, 3)} the median "
              "std of the selected factors' daily rank ICs in the screen (the run does not record the model's "
              "own daily ICs, so s is a proxy).", ""]
    ledger = sorted(load_csv(run / "sweep/ledger.csv"), key=lambda r: -fnum(r["score"]) if not math.isnan(fnum(r["score"])) else math.inf)
    o += table(["trial", "valid IC", "valid rank IC", "test IC", "test rank IC", "best epoch / run", "status"],
               [[r["trial"], num(r["valid_ic"]), num(r["valid_rank_ic"]), num(r["test_ic"]), num(r["test_rank_ic"]),
                 f"{r['best_epoch']} / {r['epochs_run']}", r["status"]] for r in ledger])
    o += ["", f"Kept for the ensemble (scores averaged): {', '.join(f'`{k}`' for k in sw.get('kept', []))}.", ""]

    # Backtest
    lines, ports, days = backtest_section(run / "backtest", capital)
    o += ["## Backtest", ""] + lines + [""]

    # Walk-forward
    wf_bt = a.wf_backtest or run / "wf_backtest"
    wf_folds = a.wf_folds or run / "wf.csv.folds.csv"
    o += ["## Walk-forward", ""]
    wf_ports = None
    if wf_folds.exists():
        f = load_csv(wf_folds)
        o += [f"{len(f)} folds, each fitted on the past only and predicted out-of-sample. The network, factors "
              "and training settings are the sweep's best, chosen on its validation period: for folds that "
              "predict dates up to that period's end, the weights are out-of-sample but that choice is not.", ""]
        o += table(list(f[0].keys()), [list(r.values()) for r in f]) + [""]
    if wf_bt.exists() and (wf_bt / "summary.json").exists():
        lines, wf_ports, wf_days = backtest_section(wf_bt, capital)
        o += lines + [""]
    elif not wf_folds.exists():
        o += ["The walk-forward was not run for this run folder (no folds CSV and no walk-forward backtest).", ""]
    else:
        o += ["The walk-forward backtest was not run (no summary.json in " + f"`{wf_bt}`).", ""]

    # Beside the paper and qlib
    o += ["## Beside the paper and qlib", "",
          "Reference figures below are published constants, not computed by this run.", "",
          "- **The paper** (*基于机器学习的多因子 A 股量化选股策略研究*) predicts the close price with a random "
          "(shuffled) split and reports high accuracy. A shuffled split trains on days later than those it tests "
          "on, so it looks ahead: its figures are not comparable with these and are not reproduced.",
          "- **qlib's published CSI 300 benchmarks** (test period 2017-01-01 .. 2020-08-01, not this run's "
          f"{split['test']['first']} .. {split['test']['last']}; top-k-dropout strategy, qlib's features):", ""]
    o += table(["model (published)", "IC", "rank IC", "ann. excess return", "information ratio", "max drawdown"],
               [["qlib LSTM, Alpha360", "0.0448", "0.0549", "6.47%", "0.90", "—"],
                ["qlib LSTM, Alpha158 (20 features)", "0.0318", "0.0435", "3.81%", "0.556", "-12.07%"],
                ["this run, best trial, test", num(best["test_ic"]), num(best["test_rank_ic"]), "—", "—", "—"]]) + [""]
    # What holds and what does not
    o += ["## What holds and what does not", ""]
    tic, tric, vic = fnum(best["test_ic"]), fnum(best["test_rank_ic"]), fnum(best["valid_ic"])
    if not math.isnan(se):
        for name, v in (("test IC", tic), ("test rank IC", tric)):
            verdict = ("indistinguishable from zero" if abs(v) < 2 * se
                       else "more than two standard errors " + ("above" if v > 0 else "below") + " zero")
            o.append(f"- The best trial's {name} ({num(v)}) is {verdict} (2 × standard error ≈ {num(2 * se)}).")
        carried = vic > 0 and tic >= 2 * se
    else:
        o.append("- The test IC's standard error is unknown (no count of test dates or no screen statistics).")
        carried = vic > 0 and tic > 0
    o.append(f"- The best trial's valid IC ({num(vic)}) {'carried' if carried else 'did not carry'} to the test period "
             f"(test IC {num(tic)}).")
    pv, pt = sum(fnum(r["valid_ic"]) > 0 for r in ledger), sum(fnum(r["test_ic"]) > 0 for r in ledger)
    o.append(f"- Across all {len(ledger)} trials, {pv} had a positive valid IC and {pt} a positive test IC.")
    weak = sum(r["reason"].startswith("weak") for r in sel)
    o.append(f"- The screen kept {len(chosen)} of {len(sel)} factors; {weak} failed the p-value test on the training period.")
    o += excess_facts("Test backtest", ports, days)
    cost = [fnum(p["total_costs"]) / capital / (days / 252) for p in ports]
    o.append(f"- Costs took {pct(min(cost))} to {pct(max(cost))} of starting capital a year across the portfolios.")
    if wf_ports:
        o += excess_facts("Walk-forward backtest", wf_ports, wf_days)
    else:
        o.append("- No walk-forward backtest: nothing is claimed beyond the single test period.")
    print("\n".join(o))


if __name__ == "__main__":
    main()
