#!/usr/bin/env python3
# Peer run for comparison only: qlib's OWN models (LightGBM on Alpha158, LSTM on
# Alpha360) on the same shared qlib bins, split and machine that alphasweep's
# configs/qlib-alpha158.toml / configs/qlib-alpha360.toml use, with qlib's CSI 300
# benchmark protocol. It prints the metrics alphasweep reports (IC, ICIR, rank IC,
# rank ICIR on the test segment; annualized excess return, information ratio and
# max drawdown of the excess from qlib's own top-k dropout backtest). Nothing here
# feeds alphasweep; it is only a yardstick.
#
# Made with (python 3.11.7), see scripts/requirements-qlib.txt:
#   pyqlib==0.9.7  pandas==2.3.3  numpy==2.4.6  scipy==1.17.1  lightgbm==4.7.0
#   (lightgbm comes with pyqlib). --model lstm also needs torch, which is NOT in
#   requirements-qlib.txt (PyPI's torch pulls several GB of CUDA wheels); install a
#   CPU build by hand if wanted, e.g.
#     pip install torch --index-url <the PyTorch CPU wheel index>
#
# Usage (from the repository root; see scripts/golden_qlib.py for the venv):
#   bash scripts/qlib_data_copy.sh      # once -> ~/.cache/alphasweep-qlib-data
#   ~/.cache/alphasweep-qlib-venv/bin/python scripts/qlib_peer.py --model lightgbm [--json]
#   ~/.cache/alphasweep-qlib-venv/bin/python scripts/qlib_peer.py --model lstm --epochs 200 [--json]
#   options: --data DIR (default ~/.cache/alphasweep-qlib-data), --kernels K (qlib
#   feature workers, default 2), --threads T (LightGBM / torch threads, default: CPUs),
#   --seed S (LSTM seed, default 42)
#
# Protocol (qlib's examples/benchmarks/{LightGBM,LSTM} workflow yamls):
#   market csi300, benchmark SH000300; segments train 2010-01-01..2014-12-31,
#   valid 2015-01-01..2016-12-31, test 2017-01-01..2020-08-01 (qlib's yaml starts in
#   2008; these bins start 2010-01-04). Label Ref($close, -2)/Ref($close, -1) - 1.
#   The bins have no $vwap, so the handlers are qlib's DataHandlerLP with qlib's own
#   Alpha158DL / Alpha360DL feature lists minus every field that reads $vwap
#   (Alpha158: 157 of 158, no VWAP0; Alpha360: 300 of 360, no VWAP0..59, hence the
#   LSTM's d_feat = 5, not the yaml's 6: qlib's LSTM reshapes the 300 columns to
#   5 fields x 60 days, and the remaining fields stay in Alpha360DL's field-major
#   order CLOSE, OPEN, HIGH, LOW, VOLUME).
#   Processors:
#     Alpha158 (LightGBM yaml names none, so qlib's Alpha158 defaults):
#       infer none; learn DropnaLabel, CSZScoreNorm(label).
#       (--label-norm csrank switches the learn label to CSRankNorm, as alphasweep's
#       configs/qlib-alpha158.toml does.)
#     Alpha360 (LSTM yaml): infer RobustZScoreNorm(feature, fit on train, clip_outlier)
#       + Fillna(feature); learn DropnaLabel + CSRankNorm(label).
#   Backtest: qlib.contrib.evaluate.backtest_daily, TopkDropoutStrategy topk 50
#   n_drop 5, account 1e8, limit_threshold 0.095, deal_price close, open_cost 0.0005,
#   close_cost 0.0015, min_cost 5, benchmark SH000300, 2017-01-01..2020-08-01.
#
# Metrics, computed here (qlib's recorder / mlflow are not used):
#   ic, rank_ic: mean over test dates of the cross-sectional Pearson / Spearman
#     correlation of the score with the RAW label (next-day return above, not
#     normalized); dates with fewer than 3 pairs are skipped (as alphasweep).
#   icir, rank_icir: mean / std (ddof 1) over dates, not annualized.
#   ic_csrank_label: Pearson IC against the CSRankNorm'd label, which is what
#     alphasweep's eval IC measures when label_norm = "cs_rank" (its label is the
#     normalized one); rank IC is the same either way.
#   excess_ann_return, information_ratio, max_drawdown:
#     qlib.contrib.evaluate.risk_analysis(return - bench - cost) (mode "sum":
#     mean * 252, mean / std * sqrt(252), min of cumsum - running max of cumsum).
#   Also the same without cost (excess_ann_return_no_cost, information_ratio_no_cost),
#   the mean of the report's daily turnover and the sum of its daily cost rates.
import argparse
import logging
import importlib.util
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

warnings.simplefilter("ignore")

ROOT = Path(__file__).resolve().parent.parent

MARKET = "csi300"
BENCHMARK = "SH000300"
DATA_START, DATA_END = "2010-01-01", "2020-08-01"
SEGMENTS = {
    "train": ("2010-01-01", "2014-12-31"),
    "valid": ("2015-01-01", "2016-12-31"),
    "test": ("2017-01-01", "2020-08-01"),
}
LABEL = (["Ref($close, -2)/Ref($close, -1) - 1"], ["LABEL0"])

# qlib examples/benchmarks/LightGBM/workflow_config_lightgbm_Alpha158.yaml, task.model
# (num_threads there is 20; here it is --threads, default the machine's CPUs; the
# number of threads does not change what LightGBM learns beyond float summation order).
# LGBModel's own defaults apply for the rest: num_boost_round 1000,
# early_stopping_rounds 50 (on the valid segment's l2).
LGB_PARAMS = dict(
    loss="mse",
    colsample_bytree=0.8879,
    learning_rate=0.2,
    subsample=0.8789,
    lambda_l1=205.6999,
    lambda_l2=580.9768,
    max_depth=8,
    num_leaves=210,
)

# qlib examples/benchmarks/LSTM/workflow_config_lstm_Alpha360.yaml, task.model
# (d_feat 6 there; 5 here: no VWAP. n_epochs is --epochs, the yaml's 200 by default;
# GPU 0 there: torch uses CUDA when it has it, else the CPU).
LSTM_PARAMS = dict(
    d_feat=5,
    hidden_size=64,
    num_layers=2,
    dropout=0.0,
    lr=1e-3,
    early_stop=20,
    batch_size=800,
    metric="loss",
    loss="mse",
    GPU=0,
)

# qlib's benchmark yamls, port_analysis_config.
TOPK, N_DROP, ACCOUNT = 50, 5, 100_000_000
EXCHANGE_KWARGS = dict(
    limit_threshold=0.095,
    deal_price="close",
    open_cost=0.0005,
    close_cost=0.0015,
    min_cost=5,
)


def no_vwap(fields_names):
    fields, names = fields_names
    keep = [(f, n) for f, n in zip(fields, names) if "$vwap" not in f]
    return [f for f, _ in keep], [n for _, n in keep]


def handler_config(model, label_norm):
    from qlib.contrib.data.loader import Alpha158DL, Alpha360DL

    if model == "lightgbm":
        # qlib's Alpha158 handler's feature config (kbar, price OPEN/HIGH/LOW/VWAP
        # window 0, rolling), minus VWAP0.
        feats = no_vwap(
            Alpha158DL.get_feature_config(
                {"kbar": {}, "price": {"windows": [0], "feature": ["OPEN", "HIGH", "LOW", "VWAP"]}, "rolling": {}}
            )
        )
        infer = []
        norm = "CSRankNorm" if label_norm == "csrank" else "CSZScoreNorm"
        learn = [{"class": "DropnaLabel"}, {"class": norm, "kwargs": {"fields_group": "label"}}]
    else:
        feats = no_vwap(Alpha360DL.get_feature_config())
        fit_s, fit_e = SEGMENTS["train"]
        infer = [
            {
                "class": "RobustZScoreNorm",
                "kwargs": {
                    "fields_group": "feature",
                    "clip_outlier": True,
                    "fit_start_time": fit_s,
                    "fit_end_time": fit_e,
                },
            },
            {"class": "Fillna", "kwargs": {"fields_group": "feature"}},
        ]
        learn = [{"class": "DropnaLabel"}, {"class": "CSRankNorm", "kwargs": {"fields_group": "label"}}]
    return {
        "class": "DataHandlerLP",
        "module_path": "qlib.data.dataset.handler",
        "kwargs": {
            "instruments": MARKET,
            "start_time": DATA_START,
            "end_time": DATA_END,
            "data_loader": {
                "class": "QlibDataLoader",
                "kwargs": {"config": {"feature": feats, "label": LABEL}, "freq": "day"},
            },
            "infer_processors": infer,
            "learn_processors": learn,
            "process_type": "append",  # DataHandlerLP.PTYPE_A, as qlib's Alpha158/Alpha360
        },
    }, len(feats[0])


def per_date_ic(score, label):
    """Per-date Pearson and Spearman IC of score vs label (both Series on (datetime, instrument))."""
    df = pd.DataFrame({"score": score, "label": label}).dropna()
    ic, ric = [], []
    for _, g in df.groupby(level="datetime", sort=True):
        if len(g) < 3:
            continue
        s, y = g["score"].to_numpy(np.float64), g["label"].to_numpy(np.float64)
        if np.std(s) == 0 or np.std(y) == 0:
            continue
        ic.append(np.corrcoef(s, y)[0, 1])
        rs = pd.Series(s).rank().to_numpy()
        ry = pd.Series(y).rank().to_numpy()
        if np.std(rs) > 0 and np.std(ry) > 0:
            ric.append(np.corrcoef(rs, ry)[0, 1])
    return np.array(ic), np.array(ric)


def summarize(v):
    if len(v) == 0:
        return float("nan"), float("nan")
    mean = float(np.mean(v))
    ir = float(mean / np.std(v, ddof=1)) if len(v) > 1 else float("nan")
    return mean, ir


def csrank(label):
    # qlib's CSRankNorm: (rank pct - 0.5) * 3.46 per date.
    return (label.groupby(level="datetime").rank(pct=True) - 0.5) * 3.46


def main():
    ap = argparse.ArgumentParser(description="qlib's own LightGBM/LSTM on the shared bins (peer for comparison only)")
    ap.add_argument("--model", choices=["lightgbm", "lstm"], default="lightgbm")
    ap.add_argument("--epochs", type=int, default=200, help="LSTM epoch cap (qlib's yaml: 200)")
    ap.add_argument("--data", default=os.path.expanduser("~/.cache/alphasweep-qlib-data"))
    ap.add_argument("--json", action="store_true", help="also print one JSON line")
    ap.add_argument("--early-stop", type=int, default=LSTM_PARAMS["early_stop"],
                    help="LSTM epochs without a better valid loss before stopping (qlib's yaml: 20); "
                         "the best epoch's weights are kept either way")
    ap.add_argument("--kernels", type=int, default=2, help="qlib feature worker processes")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="LightGBM / torch threads")
    ap.add_argument("--seed", type=int, default=42, help="LSTM seed")
    ap.add_argument("--label-norm", choices=["cszscore", "csrank"], default="cszscore",
                    help="Alpha158 learn label norm (qlib default CSZScoreNorm; alphasweep's config: csrank)")
    args = ap.parse_args()

    if args.model == "lstm" and importlib.util.find_spec("torch") is None:
        print(
            "qlib_peer.py: --model lstm needs torch (qlib.contrib.model.pytorch_lstm imports it), "
            "and torch is not installed in this Python (" + sys.executable + "). It is deliberately "
            "not in scripts/requirements-qlib.txt (PyPI's torch pulls several GB of CUDA wheels); "
            "install a CPU build by hand to run the LSTM peer. --model lightgbm needs no torch.",
            file=sys.stderr,
        )
        return 2

    data_dir = Path(os.path.expanduser(args.data))
    if not (data_dir / "features" / "sh600519").is_dir():
        subprocess.run(["bash", str(ROOT / "scripts" / "qlib_data_copy.sh"), str(data_dir)],
                       check=True, stdout=subprocess.DEVNULL)

    t0 = time.perf_counter()
    import qlib
    from qlib.data.dataset import DatasetH
    from qlib.data.dataset.handler import DataHandlerLP
    from qlib.utils import init_instance_by_config

    qlib.init(
        provider_uri=str(data_dir),
        region="cn",
        kernels=args.kernels,
        expression_cache=None,
        dataset_cache=None,
        logging_level="WARNING",
    )

    hconf, n_feat = handler_config(args.model, args.label_norm)
    handler = init_instance_by_config(hconf)
    dataset = DatasetH(handler=handler, segments=SEGMENTS)
    t_data = time.perf_counter() - t0

    epochs_run = None
    if args.model == "lightgbm":
        from qlib.contrib.model import gbdt

        # LGBModel.fit logs every boosting round's metric through qlib's recorder
        # (mlflow, which would write ./mlruns); the peer keeps no records, so that
        # call is a no-op here.
        gbdt.R.log_metrics = lambda *a, **k: None
        model = gbdt.LGBModel(**LGB_PARAMS, num_threads=args.threads)
        evals = {}
        model.fit(dataset, evals_result=evals, verbose_eval=0)
        epochs_run = int(model.model.best_iteration or model.model.current_iteration())
    else:
        import torch

        torch.set_num_threads(args.threads)
        from qlib.contrib.model.pytorch_lstm import LSTM

        params = dict(LSTM_PARAMS, early_stop=args.early_stop)
        model = LSTM(**params, n_epochs=args.epochs, seed=args.seed)
        # qlib logs each epoch's train/valid loss at INFO; the peer's qlib.init keeps
        # WARNING (the data loading is chatty), so only this model's log is raised: a
        # 30+ minute fit then shows its progress.
        model.logger.setLevel(logging.INFO)
        evals = {}
        model.fit(dataset, evals_result=evals)
        epochs_run = len(evals.get("valid", []))
    t_fit = time.perf_counter() - t0 - t_data

    score = model.predict(dataset, segment="test")
    if isinstance(score, pd.DataFrame):
        score = score.iloc[:, 0]
    score = score.astype(np.float64)
    raw_label = handler.fetch(
        slice(*SEGMENTS["test"]), col_set="label", data_key=DataHandlerLP.DK_R
    ).iloc[:, 0].astype(np.float64)
    ic, ric = per_date_ic(score, raw_label)
    ic_mean, icir = summarize(ic)
    ric_mean, ricir = summarize(ric)
    ic_cs, _ = per_date_ic(score, csrank(raw_label.dropna()))
    ic_cs_mean, ic_cs_ir = summarize(ic_cs)

    from qlib.contrib.evaluate import backtest_daily, risk_analysis
    from qlib.contrib.strategy import TopkDropoutStrategy

    strategy = TopkDropoutStrategy(signal=score.to_frame("score"), topk=TOPK, n_drop=N_DROP)
    report, _ = backtest_daily(
        start_time=SEGMENTS["test"][0],
        end_time=SEGMENTS["test"][1],
        strategy=strategy,
        account=ACCOUNT,
        benchmark=BENCHMARK,
        exchange_kwargs=dict(EXCHANGE_KWARGS),
    )
    ex = risk_analysis(report["return"] - report["bench"] - report["cost"], freq="day")["risk"]
    ex0 = risk_analysis(report["return"] - report["bench"], freq="day")["risk"]
    wall = time.perf_counter() - t0

    out = {
        "model": args.model,
        "handler": "Alpha158" if args.model == "lightgbm" else "Alpha360",
        "features": n_feat,
        "label_norm": ("CSRankNorm" if args.model == "lstm" or args.label_norm == "csrank" else "CSZScoreNorm"),
        "epoch_cap": args.epochs if args.model == "lstm" else None,
        "epochs_run": epochs_run,
        "early_stop": args.early_stop if args.model == "lstm" else None,
        "test_dates": int(len(ic)),
        "test_rows": int(score.shape[0]),
        "ic": ic_mean,
        "icir": icir,
        "rank_ic": ric_mean,
        "rank_icir": ricir,
        "ic_csrank_label": ic_cs_mean,
        "icir_csrank_label": ic_cs_ir,
        "excess_ann_return": float(ex["annualized_return"]),
        "information_ratio": float(ex["information_ratio"]),
        "max_drawdown": float(ex["max_drawdown"]),
        "excess_ann_return_no_cost": float(ex0["annualized_return"]),
        "information_ratio_no_cost": float(ex0["information_ratio"]),
        "backtest_days": int(len(report)),
        "mean_turnover": float(report["turnover"].mean()),
        "total_cost": float(report["cost"].sum()),
        "threads": args.threads,
        "kernels": args.kernels,
        "seconds_data": round(t_data, 1),
        "seconds_fit": round(t_fit, 1),
        "seconds": round(wall, 1),
        "qlib": qlib.__version__,
    }

    if args.model == "lightgbm":
        what = f"qlib LGBModel on Alpha158 ({n_feat} features, no VWAP0), {epochs_run} boosting rounds (best)"
    else:
        what = (f"qlib LSTM on Alpha360 ({n_feat} features, no VWAP, d_feat 5), epoch cap {args.epochs}, "
                f"{epochs_run} epochs run (early stop {args.early_stop})")
    print(f"qlib peer (comparison only): {what}")
    print(f"  market {MARKET}, test {SEGMENTS['test'][0]}..{SEGMENTS['test'][1]}, "
          f"{out['test_dates']} dates, {out['test_rows']} scores; label norm {out['label_norm']}")
    rows = [
        ("IC", ic_mean), ("ICIR", icir), ("rank IC", ric_mean), ("rank ICIR", ricir),
        ("IC (CSRank label)", ic_cs_mean),
        ("ann. excess (cost)", ex["annualized_return"]), ("IR (cost)", ex["information_ratio"]),
        ("max DD excess (cost)", ex["max_drawdown"]),
        ("ann. excess (no cost)", ex0["annualized_return"]), ("IR (no cost)", ex0["information_ratio"]),
        ("mean daily turnover", out["mean_turnover"]),
    ]
    for k, v in rows:
        print(f"  {k:<22}{v:>10.4f}")
    print(f"  {'seconds':<22}{wall:>10.1f}  (data {t_data:.1f}, fit {t_fit:.1f})")
    if args.json:
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
