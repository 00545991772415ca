#!/usr/bin/env python3
"""Write the "qlib's CSI 300 protocol" section of docs/RESULTS.md from `alphasweep run`
folders made with configs/qlib-alpha158.toml / qlib-alpha360.toml (standard library only).

Every alphasweep figure is read from the run folders (sweep/split.json, the best
checkpoint's eval.json, backtest/summary.csv and summary.json's `signal`, the IC of the
traded scores against the raw return); the only constants are qlib's figures, each
labelled with where it comes from.

    python3 scripts/qlib_results_md.py --run out/alpha158 [--run out/alpha360] \
        [--peer qlib_lstm.log] [--time NAME=FILE] [--note TEXT] --write docs/RESULTS.md

`--peer` reads the JSON line that `scripts/qlib_peer.py --json` prints last (its log or a
file holding it): a row of qlib's own model run here, and its seconds in the timing table
beside each run's stage seconds (stages.json) and trial seconds (sweep/ledger.csv).
`--time NAME=FILE` reads what GNU `/usr/bin/time -v` printed for the run folder called
NAME (or `peer`, `peer2`, ... for the --peer runs in order): its CPU seconds (user + system) and peak resident
memory join the timing table (CPU seconds hold on a shared machine, wall seconds do not).

The section replaces what lies between `<!-- qlib-protocol:begin -->` and
`<!-- qlib-protocol:end -->` in the file (appended when the markers are missing).
"""
import argparse
import csv
import json
import math
import statistics
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
]

# qlib's LSTM on these bins as measured in issue 15: shown only when no `--peer` LSTM run
# replaces it.
QLIB_LSTM_ISSUE = ("LSTM", "Alpha360 without VWAP, 15 epochs", 0.025, None, 0.037, None, None, None, None,
                   "qlib 0.9.7 run on these shared bins, CPU, as measured in issue 15 (a run here comes from `--peer`)")


MODEL_NAMES = {"lstm": "LSTM", "lightgbm": "LightGBM"}


def fmt(v, pct=False):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v * 100:+.2f}%" if pct else f"{v:.4f}"


def peer_row(path: Path):
    """The last JSON line of a `qlib_peer.py --json` output."""
    lines = [l for l in path.read_text().splitlines() if l.startswith("{")]
    if not lines:
        raise SystemExit(f"{path}: no JSON line (run scripts/qlib_peer.py with --json)")
    return json.loads(lines[-1])


def gnu_time(path: Path):
    """(CPU seconds, wall seconds, peak RSS in GB) from a `/usr/bin/time -v` output."""
    cpu, wall, rss = 0.0, None, None
    for line in path.read_text(errors="replace").splitlines():
        key, _, val = line.strip().rpartition(": ")
        if key in ("User time (seconds)", "System time (seconds)"):
            cpu += float(val)
        elif key.startswith("Elapsed (wall clock) time"):
            parts = [float(x) for x in val.split(":")]
            wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
        elif key == "Maximum resident set size (kbytes)":
            rss = float(val) / 1024 / 1024
    if wall is None:
        raise SystemExit(f"{path}: no `/usr/bin/time -v` figures")
    return cpu, wall, rss


def stage_seconds(run: Path):
    """Seconds per stage from stages.json (0 when the binary did not record them)."""
    p = run / "stages.json"
    rec = json.loads(p.read_text()) if p.exists() else {}
    return {k: float(v.get("seconds", 0.0)) for k, v in rec.items()}


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
    summary = json.loads((run / "backtest" / "summary.json").read_text())
    sig = summary.get("signal") or {}
    sets = cfg.get("factors", {}).get("set", [])
    sets = sets if isinstance(sets, list) else [sets]
    steps = cfg.get("dataset", {}).get("feature_steps", 1)
    width = f"{split['factors'] * steps} features as {steps} steps x {split['factors']}" if steps > 1 else f"{split['factors']} features"
    label = {"cs_rank": "CSRankNorm", "zscore": "CSZScoreNorm", "rank": "rank", "none": "raw"}
    norm = cfg.get("dataset", {}).get("label_norm", "zscore")
    return {
        "label": label.get(norm, norm),
        "name": network_name(done),
        "features": "+".join(sets) + f" ({width})",
        "trial": top,
        "ic": ev.get("ic"), "ic_ir": ev.get("ic_ir"), "rank_ic": ev.get("rank_ic"), "rank_ic_ir": ev.get("rank_ic_ir"),
        "excess": f("excess_ann_return"), "ir": f("information_ratio"), "mdd": f("max_drawdown"),
        "port": port, "test": split["test"], "train": split["train"], "valid": split["valid"],
        "trials": len(done), "kept": len(best),
        "models": ", ".join(summary["meta"]["models"]),
        "sig": sig,
        "stages": stage_seconds(run),
        "trial_seconds": sum(float(r["seconds"]) for r in ledger if r.get("seconds") not in ("", None)),
        "epochs": sum(int(r["epochs_run"]) for r in ledger if r.get("epochs_run") not in ("", None)),
        "run": run,
        "epoch_seconds": epoch_seconds(run, ledger),
    }


def network_name(trials):
    """The networks of a run's trials, from their ids (`-gru`: GRU layers, `-att`: attention
    pooling): "LSTM", "GRU", "LSTM + attention", "LSTM/GRU", ..."""
    ids = [r["trial"] for r in trials]
    cells = sorted({"GRU" if "-gru" in i else "LSTM" for i in ids}, reverse=True) or ["LSTM"]
    att = {"-att" in i for i in ids}
    name = "/".join(cells)
    return name + (" + attention" if att == {True} else " ± attention" if len(att) > 1 else "")


def epoch_seconds(run: Path, ledger):
    """Per trial: (mem_day, LSTM layers, units, epochs, median seconds an epoch) from
    curves.csv."""
    per = {}
    path = run / "sweep" / "curves.csv"
    for r in (csv.DictReader(open(path)) if path.exists() else []):
        if r.get("seconds") not in ("", None):
            per.setdefault(r["trial"], []).append(float(r["seconds"]))
    out = []
    for r in ledger:
        v = per.get(r["trial"], [])
        if v:
            out.append((int(r["mem_day"]), int(r["lstm_layers"]), int(r["units"]), len(v), statistics.median(v)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", action="append", required=True, type=Path)
    ap.add_argument("--peer", action="append", default=[], type=Path,
                    help="output of scripts/qlib_peer.py --json (repeatable)")
    ap.add_argument("--time", action="append", default=[], metavar="NAME=FILE",
                    help="/usr/bin/time -v output of run folder NAME, or of `peer` (`peer2`, ...)")
    ap.add_argument("--note", default="")
    ap.add_argument("--write", type=Path, required=True)
    a = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    rows = [run_row(r) for r in a.run]
    times = {k: gnu_time(Path(v)) for k, v in (t.split("=", 1) for t in a.time)}
    out = [BEGIN, "", "## qlib's CSI 300 protocol (issue 15)", ""]
    out.append(f"Runs of `alphasweep run` with configs/qlib-alpha158.toml and configs/qlib-alpha360.toml "
               f"(table written at commit {commit} by `scripts/qlib_results_md.py` from the run folders). "
               "IC and rank IC are per-date means over the test period, ICIR = mean / standard deviation over dates. "
               "Two alphasweep rows per run: **the best trial's IC against the label it trains on** (normalized per "
               "date; ranked, CSRankNorm, its Pearson IC is higher than against the raw return), and **the traded scores "
               "(the mean of the kept models) against the raw return close t+1 → t+2 of that day's CSI 300 "
               "members: qlib's own IC (its `SigAnaRecord`), the row to compare with qlib's**; the backtest "
               "(top-k dropout with qlib's costs, see the configs) trades those scores: excess over the "
               "CSI 300 index, max drawdown of the portfolio itself.")
    if a.note:
        out += ["", a.note]
    out += ["", "| model | features | IC | ICIR | rank IC | rank ICIR | ann. excess | IR | max DD | source |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        s = r["sig"]
        out.append(f"| alphasweep {r['name']} ({r['run'].name}), {r['models']} (traded scores vs the raw return) | {r['features']} | "
                   f"{fmt(s.get('ic'))} | {fmt(s.get('ic_ir'))} | {fmt(s.get('rank_ic'))} | {fmt(s.get('rank_ic_ir'))} | "
                   f"{fmt(r['excess'], True)} | {fmt(r['ir'])} | {fmt(r['mdd'], True)} | this run: "
                   f"{s.get('dates', 0)} signal dates {s.get('first', '?')} .. {s.get('last', '?')}; {r['port']} |")
        out.append(f"| alphasweep {r['name']} ({r['run'].name}), best of {r['trials']} trials ({r['trial']}), vs its {r['label']} label | "
                   f"{r['features']} | {fmt(r['ic'])} | {fmt(r['ic_ir'])} | {fmt(r['rank_ic'])} | {fmt(r['rank_ic_ir'])} "
                   f"| – | – | – | this run: test {r['test']['first']} .. {r['test']['last']}, {r['test']['samples']} samples |")
    peers = [peer_row(p) for p in a.peer]
    quoted = QLIB if any(q["model"] == "lstm" for q in peers) else QLIB + [QLIB_LSTM_ISSUE]
    for m, feats, ic, icir, ric, ricir, ex, ir, mdd, src in quoted:
        out.append(f"| qlib {m} | {feats} | {fmt(ic)} | {fmt(icir)} | {fmt(ric)} | {fmt(ricir)} | {fmt(ex, True)} | "
                   f"{fmt(ir)} | {fmt(mdd, True)} | {src} |")
    for q in peers:
        feats = (f"{q['handler']} without VWAP ({q['features']} features), {q['label_norm']} label"
                 + (f", epoch cap {q['epoch_cap']}" if q.get("epoch_cap") else ""))
        how = (f"{q['epochs_run']} epochs run, early stop {q['early_stop']}" if q.get("early_stop")
               else f"{q['epochs_run']} epochs/rounds run")
        how += f", {q['threads']} thread(s)" if q.get("threads") else ""
        out.append(f"| qlib {MODEL_NAMES.get(q['model'], q['model'])} | {feats} | {fmt(q['ic'])} | {fmt(q['icir'])} | {fmt(q['rank_ic'])} | "
                   f"{fmt(q['rank_icir'])} | {fmt(q['excess_ann_return'], True)} | {fmt(q['information_ratio'])} | "
                   f"{fmt(q['max_drawdown'], True)} | qlib {q['qlib']} run here, `scripts/qlib_peer.py --model "
                   f"{q['model']} --json` ({how}; max DD of the excess; "
                   f"IC vs the CSRankNorm label {fmt(q['ic_csrank_label'])}) |")
    out += ["", "### Time, same machine", "",
            "| run | what | data, features, screen s | training s | whole run s (wall) | CPU s (user + sys) | peak memory |",
            "|---|---|---|---|---|---|---|"]
    def measured(name):
        t = times.get(name)
        return (f"{t[0]:.0f}", f"{t[2]:.1f} GiB" if t[2] is not None else "–") if t else ("–", "–")
    for r in rows:
        st = r["stages"]
        prep = st.get("data", 0) + st.get("factors", 0) + st.get("screen", 0)
        total = sum(st.values())
        cell = lambda v: f"{v:.0f}" if v > 0 else "–"
        cpu, rss = measured(r["run"].name)
        out.append(f"| alphasweep `run` ({r['run'].name}) | {r['trials']} trials, {r['epochs']} epochs in all, "
                   f"predict + backtest | {cell(prep)} | {r['trial_seconds']:.0f} (sum of trials) | {cell(total)} | "
                   f"{cpu} | {rss} |")
    for i, q in enumerate(peers):
        cpu, rss = measured("peer" if i == 0 else f"peer{i + 1}")
        threads = f", {q['threads']} thread(s)" if q.get("threads") else ""
        out.append(f"| qlib {MODEL_NAMES.get(q['model'], q['model'])} (`qlib_peer.py`{threads}) | 1 model, {q['epochs_run']} epochs/rounds, predict + "
                   f"backtest | {q['seconds_data']:.0f} | {q['seconds_fit']:.0f} | {q['seconds']:.0f} | {cpu} | {rss} |")
    out += ["", "Seconds an epoch (training plus the validation pass), by network: the median over each "
            "trial's epochs (sweep/curves.csv); qlib's: its fit seconds over its epochs.", "",
            "| run | mem_day | LSTM layers x units | epochs | s / epoch |", "|---|---|---|---|---|"]
    for r in rows:
        for days, layers, units, n, med in r["epoch_seconds"]:
            out.append(f"| alphasweep `run` ({r['run'].name}) | {days} | {layers} x {units} | {n} | {med:.1f} |")
    for q in peers:
        if q["model"] == "lstm" and q.get("epochs_run"):
            # qlib_peer.py's LSTM_PARAMS: num_layers 2, hidden_size 64.
            out.append(f"| qlib LSTM (`qlib_peer.py`) | 1 | 2 x 64 | {q['epochs_run']} | "
                       f"{q['seconds_fit'] / q['epochs_run']:.1f} |")
    segments = []
    for r in rows:
        line = (f"Segments: train {r['train']['first']} .. {r['train']['last']} ({r['train']['samples']} samples), "
                f"valid {r['valid']['first']} .. {r['valid']['last']} ({r['valid']['samples']}), "
                f"test {r['test']['first']} .. {r['test']['last']} ({r['test']['samples']}); the best trial "
                "was chosen on the validation IC, nothing on the test period.")
        same = next((names for l, names in segments if l == line), None)
        if same is not None:
            same.append(r["run"].name)
        else:
            segments.append((line, [r["run"].name]))
    for line, names in segments:
        out += ["", f"{', '.join(names)}: {line}"]
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
