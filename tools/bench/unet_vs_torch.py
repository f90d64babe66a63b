#!/usr/bin/python3
"""Alternates `./fcn4j bench unet` and the PyTorch reference script on one size and prints medians.

Usage: /usr/bin/python3 tools/bench/unet_vs_torch.py [--size small|standard] [--runs 3] [--threads 2]

Each run is a fresh process, fcn4j first, then PyTorch; the table gives the median over the runs
of each figure and the ratio fcn4j / PyTorch. A second table gives the median over the runs of
each process's fastest timed step and batch, which shows how far the medians are from what each
framework reaches when nothing disturbs it. The machine is shared, so the load average before and
after is printed with the tables.
"""
import argparse
import json
import os
import statistics
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TORCH_SCRIPT = os.path.join(os.path.dirname(ROOT), "shared", "bench", "torch_unet_bench.py")


def lines(cmd):
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def pick(records, kind, key):
    for r in records:
        if r.get("kind") == kind and key in r:
            return r[key]
    raise KeyError("no %s line with %s" % (kind, key))


def fastest(records):
    """Images per second of the fastest timed batch."""
    return pick(records, "model", "N") / (pick(records, "infer", "min_ms") / 1e3)


def ratio_table(title, keys, fcn, ref):
    """Prints a table header and, per key, the medians over the runs and their ratio."""
    print("| %s | fcn4j | PyTorch | fcn4j / PyTorch |" % title)
    print("| --- | --- | --- | --- |")
    for key in keys:
        a = statistics.median(r[key] for r in fcn)
        b = statistics.median(r[key] for r in ref)
        print("| %s | %.1f | %.1f | %.2f |" % (key, a, b, a / b))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="small", choices=["small", "standard"])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--torch-script", default=TORCH_SCRIPT)
    args = ap.parse_args()

    print("load before:", os.getloadavg())
    fcn, ref = [], []
    for _ in range(args.runs):
        f = lines(["./fcn4j", "bench", "unet", "--size", args.size, "--threads", str(args.threads)])
        t = lines(["/usr/bin/python3", args.torch_script, "--size", args.size, "--threads", str(args.threads),
                   "--no-probe"])
        fcn.append({"train_step_ms": pick(f, "train", "train_step_ms"),
                    "infer_img_per_s": pick(f, "infer", "infer_img_per_s"),
                    "first_step_ms": pick(f, "startup", "first_step_ms"),
                    "peak_rss_mb": pick(f, "startup", "peak_rss_mb"),
                    "fastest_step_ms": pick(f, "train", "min_ms"),
                    "fastest_batch_img_per_s": fastest(f)})
        ref.append({"train_step_ms": pick(t, "train", "train_step_ms"),
                    "infer_img_per_s": pick(t, "infer", "infer_img_per_s"),
                    "fastest_step_ms": pick(t, "train", "min_ms"),
                    "fastest_batch_img_per_s": fastest(t)})
        print(json.dumps({"fcn4j": fcn[-1], "pytorch": ref[-1]}))
    print("load after:", os.getloadavg())

    title = "%s, %d threads" % (args.size, args.threads)
    ratio_table(title, ("train_step_ms", "infer_img_per_s"), fcn, ref)
    for key in ("first_step_ms", "peak_rss_mb"):
        print("| %s | %.0f | | |" % (key, statistics.median(r[key] for r in fcn)))
    print()
    ratio_table(title + ", fastest of each run", ("fastest_step_ms", "fastest_batch_img_per_s"), fcn, ref)

if __name__ == "__main__":
    main()
