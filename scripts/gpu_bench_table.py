#!/usr/bin/env python3
"""Side-by-side tables of `alphasweep bench gpu --json` and scripts/gpu_bench_torch.py --json.

    python3 scripts/gpu_bench_table.py ALPHASWEEP_JSON TORCH_JSON [--markdown]

Both files have the schema
  {"engine", "device", "single": [{"units", "lstm_layers", "dense_layers", "mem_day", "batch",
   "samples_per_s"}, ...], "grid": [{"batch", "trials", "epoch_s", "projected_50_epochs_s",
   "measured"}, ...], ...}
(alphasweep's adds "panel", PyTorch's adds "torch", "cudnn" and "quick"; both may carry "cell",
"lstm" when absent, and files of different cells are refused).

Single-trial rows are matched on (units, lstm_layers, dense_layers, mem_day, batch), with the
ratio alphasweep samples/s / PyTorch samples/s (above 1: alphasweep is faster). Grid rows are
matched on batch, with the speed-up PyTorch time / alphasweep time (above 1: alphasweep is
faster). A row in only one file shows "n/a" for the other; a missing or unreadable file is
reported and treated as empty, so the table still shows the other engine's numbers.
--markdown prints markdown tables (for docs/PERFORMANCE.md). Standard library only.
"""
import argparse
import json
import sys

SHAPE_KEYS = ("units", "lstm_layers", "dense_layers", "mem_day", "batch")
NA = "n/a"


def load(path, label):
    """The parsed JSON, or None (with a note on stderr) when it cannot be read."""
    try:
        with open(path) as f:
            data = json.load(f)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return data
    except (OSError, ValueError) as e:
        print(f"warning: {label} results unavailable ({path}: {e})", file=sys.stderr)
        return None


def fmt(x, spec):
    return NA if x is None else format(x, spec)


def ratio(num, den):
    """num / den formatted as '1.23x', or n/a when either side is missing or den is zero."""
    if num is None or den is None or den == 0:
        return NA
    return f"{num / den:.2f}x"


class Table:
    """Collects rows and prints them aligned (plain text) or as a markdown table."""

    def __init__(self, headers, align):
        self.headers, self.align, self.rows = headers, align, []  # align: '<' or '>' per column

    def add(self, *cells):
        self.rows.append([str(c) for c in cells])

    def print(self, markdown):
        if markdown:
            print("| " + " | ".join(self.headers) + " |")
            print("|" + "|".join("---:" if a == ">" else ":---" for a in self.align) + "|")
            for r in self.rows:
                print("| " + " | ".join(r) + " |")
            return
        widths = [max(len(h), *(len(r[i]) for r in self.rows)) if self.rows else len(h)
                  for i, h in enumerate(self.headers)]
        for r in [self.headers] + self.rows:
            print("  ".join(format(c, f"{a}{w}") for c, a, w in zip(r, self.align, widths)).rstrip())


def describe(data, label):
    """One line naming the engine's device and versions."""
    if data is None:
        return f"{label}: n/a (no results)"
    parts = [f"device {data.get('device', NA)}", f"cell {data.get('cell', 'lstm')}"]
    if data.get("torch"):
        parts.append(f"torch {data['torch']}")
    if "cudnn" in data:
        parts.append(f"cudnn {data['cudnn']}")
    panel = data.get("panel")
    if isinstance(panel, dict):
        parts.append("panel " + ", ".join(f"{k} {v}" for k, v in panel.items()))
    if data.get("quick"):
        parts.append("QUICK smoke test")
    return f"{label}: " + "; ".join(parts)


def single_rows(data):
    """{(units, lstm_layers, dense_layers, mem_day, batch): samples/s}, in file order."""
    out = {}
    for r in (data or {}).get("single") or []:
        try:
            out[tuple(int(r[k]) for k in SHAPE_KEYS)] = r.get("samples_per_s")
        except (KeyError, TypeError, ValueError):
            print(f"warning: skipping malformed single row {r!r}", file=sys.stderr)
    return out


def grid_rows(data):
    """{batch: grid row}, in file order."""
    out = {}
    for g in (data or {}).get("grid") or []:
        try:
            out[int(g["batch"])] = g
        except (KeyError, TypeError, ValueError):
            print(f"warning: skipping malformed grid row {g!r}", file=sys.stderr)
    return out


def merged_keys(a, b):
    """Keys of a in order, then those only in b, in order."""
    return list(a) + [k for k in b if k not in a]


def minutes(g):
    s = g.get("projected_50_epochs_s") if g else None
    return None if s is None else s / 60


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("alphasweep_json")
    ap.add_argument("torch_json")
    ap.add_argument("--markdown", action="store_true", help="print markdown tables")
    a = ap.parse_args()

    ours = load(a.alphasweep_json, "alphasweep")
    peer = load(a.torch_json, "pytorch")
    if ours is None and peer is None:
        sys.exit("error: neither results file could be read")
    md = a.markdown

    for line in (describe(ours, "alphasweep"), describe(peer, "pytorch")):
        print(f"- {line}" if md else line)
    cells = {d.get("cell", "lstm") for d in (ours, peer) if d is not None}
    if len(cells) > 1:
        sys.exit(f"error: the two files time different cells ({', '.join(sorted(cells))})")

    # Single-trial throughput.
    s_ours, s_peer = single_rows(ours), single_rows(peer)
    if s_ours or s_peer:
        print("\n**Single trial, training samples/s**\n" if md else "\nSingle trial, training samples/s")
        t = Table(["(units, lstm, dense, mem_day)", "batch", "alphasweep", "pytorch", "alphasweep/pytorch"],
                  ["<", ">", ">", ">", ">"])
        keys = merged_keys(s_ours, s_peer)
        first = {}  # each shape's first appearance, so a shape's batches are listed together
        for k in keys:
            first.setdefault(k[:4], len(first))
        for key in sorted(keys, key=lambda k: (first[k[:4]], k[4])):
            x, y = s_ours.get(key), s_peer.get(key)
            t.add("(" + ", ".join(map(str, key[:4])) + ")", key[4], fmt(x, ",.0f"), fmt(y, ",.0f"), ratio(x, y))
        t.print(md)

    # The 54-trial grid: one epoch of each trial, and 50 epochs projected.
    g_ours, g_peer = grid_rows(ours), grid_rows(peer)
    if g_ours or g_peer:
        print("\n**Grid: one epoch of every trial, and 50 epochs**\n" if md
              else "\nGrid: one epoch of every trial, and 50 epochs")
        t = Table(["batch", "trials", "alphasweep epoch s", "pytorch epoch s", "alphasweep 50 ep. min",
                   "pytorch 50 ep. min", "speed-up (pytorch/alphasweep)"],
                  ["<", ">", ">", ">", ">", ">", ">"])
        notes = []
        for batch in merged_keys(g_ours, g_peer):
            x, y = g_ours.get(batch), g_peer.get(batch)
            trials = sorted({g["trials"] for g in (x, y) if g and "trials" in g})
            if len(trials) > 1:
                notes.append(f"batch {batch}: trial counts differ ({x['trials']} vs {y['trials']}); "
                             "the times are not comparable")
            ex, ey = (x or {}).get("epoch_s"), (y or {}).get("epoch_s")
            t.add(batch, "/".join(map(str, trials)) or NA, fmt(ex, ".2f"), fmt(ey, ".2f"),
                  fmt(minutes(x), ".1f"), fmt(minutes(y), ".1f"), ratio(ey, ex))
            for label, g in (("alphasweep", x), ("pytorch", y)):
                if g and g.get("measured"):
                    notes.append(f"batch {batch}, {label}: {g['measured']}")
        t.print(md)
        if notes:
            print()
            for n in notes:
                print(f"- {n}" if md else f"  {n}")


if __name__ == "__main__":
    main()
