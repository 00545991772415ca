#!/usr/bin/env python3
# Peer timing: real qlib computing Alpha158 (without VWAP0, there is no $vwap
# in the bins) for the CSI 300 members over 2010-01-01..2020-08-01.
#
# Made with (python 3.11.7), see scripts/requirements-qlib.txt:
#   pyqlib==0.9.7  pandas==2.3.3  numpy==2.4.6  joblib==1.6.0
#
# Usage (from the repository root; see scripts/golden_qlib.py for the venv):
#   bash scripts/qlib_data_copy.sh              # once -> ~/.cache/alphasweep-qlib-data
#   ~/.cache/alphasweep-qlib-venv/bin/python scripts/bench_alpha158_qlib.py [--repeat N] [--kernels 2] [--data DIR]
#
# Prints one JSON line: {"seconds": s, "rows": n, "cols": m, "instruments": k}
# (seconds is the median over --repeat runs; "runs" lists each run).
#
# What is timed: one D.features(D.instruments("csi300"), <157 Alpha158 fields>,
# "2010-01-01", "2020-08-01", freq="day") call, after qlib.init (init is not
# timed). The "csi300" market is a dict of membership spells, so qlib keeps
# only rows inside each instrument's spells (and computes each instrument's
# expressions over the whole 2010..2020-08 range, with left extension).
# Workers: qlib.init(kernels=K) sets C["kernels"]; D.features runs one joblib
# task per instrument on min(K, #instruments) worker processes (backend
# "multiprocessing", a new pool per call).
#
# No caching between repeats: qlib.init(expression_cache=None,
# dataset_cache=None) disables the disk expression/dataset caches (nothing is
# written under the provider dir or ~/.cache/qlib_simple_cache), and before
# every run the in-memory caches H["f"] (expression results) and H["i"]
# (instrument lists) of the parent process are cleared; the worker processes
# are forked fresh for each D.features call, so they start with empty caches
# too.
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

warnings.simplefilter("ignore")

ROOT = Path(__file__).resolve().parent.parent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--kernels", type=int, default=2)
    ap.add_argument("--data", default=os.path.expanduser("~/.cache/alphasweep-qlib-data"))
    ap.add_argument("--start", default="2010-01-01")
    ap.add_argument("--end", default="2020-08-01")
    ap.add_argument("--market", default="csi300")
    args = ap.parse_args()

    data_dir = Path(args.data)
    if not (data_dir / "features" / "sh600519").is_dir():
        subprocess.run(["bash", str(ROOT / "scripts" / "qlib_data_copy.sh"), str(data_dir)],
                       check=True, stdout=subprocess.DEVNULL)

    import qlib
    from qlib.config import C
    from qlib.contrib.data.loader import Alpha158DL
    from qlib.data import D
    from qlib.data.cache import H

    qlib.init(
        provider_uri=str(data_dir),
        region="cn",
        kernels=args.kernels,
        expression_cache=None,
        dataset_cache=None,
        logging_level="WARNING",
    )
    assert C["expression_cache"] is None and C["dataset_cache"] is None
    fields, names = Alpha158DL.get_feature_config()
    fields = [f for f in fields if "$vwap" not in f]

    runs = []
    for _ in range(max(1, args.repeat)):
        H["f"].clear()
        H["i"].clear()
        t0 = time.perf_counter()
        insts = D.instruments(args.market)
        df = D.features(insts, fields, start_time=args.start, end_time=args.end, freq="day")
        runs.append(time.perf_counter() - t0)
    out = {
        "seconds": round(statistics.median(runs), 3),
        "rows": int(df.shape[0]),
        "cols": int(df.shape[1]),
        "instruments": int(df.index.get_level_values("instrument").nunique()),
    }
    if len(runs) > 1:
        out["runs"] = [round(r, 3) for r in runs]
    out["kernels"] = args.kernels
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
