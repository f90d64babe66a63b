#!/usr/bin/env python3
"""Time numpy's float32 matrix product (OpenBLAS sgemm on Debian) as fcn4j's `bench gemm` does.

Warm-up products first (at least --warmup of them and --warmup-seconds long), then the median
of the timed ones. The last line on stdout is one JSON
object with the same fields as fcn4j's (m, n, k, threads, ms, gflops, best_gflops) plus the
BLAS core OpenBLAS picked. The thread count is OpenBLAS's: set OPENBLAS_NUM_THREADS.
"""
import argparse
import ctypes
import ctypes.util
import json
import os
import sys
import time

import numpy as np


def openblas_core():
    """Returns OpenBLAS's kernel name (e.g. 'Cooperlake'), or 'unknown' when it cannot be asked."""
    for path in ("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3", ctypes.util.find_library("openblas")):
        if not path:
            continue
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return lib.openblas_get_corename().decode()
        except (OSError, AttributeError):
            continue
    return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--m", type=int, default=1024)
    parser.add_argument("--n", type=int, default=1024)
    parser.add_argument("--k", type=int, default=1024)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--warmup-seconds", type=float, default=1.0)
    parser.add_argument("--cpu-time", action="store_true",
                        help="time with the process CPU time (only meaningful with OPENBLAS_NUM_THREADS=1)")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, (args.m, args.k)).astype(np.float32)
    b = rng.uniform(-1, 1, (args.k, args.n)).astype(np.float32)
    c = np.empty((args.m, args.n), dtype=np.float32)
    warmup_end = time.perf_counter() + args.warmup_seconds
    warmup_runs = 0
    while warmup_runs < args.warmup or time.perf_counter() < warmup_end:
        np.matmul(a, b, out=c)
        warmup_runs += 1
    clock = time.process_time if args.cpu_time else time.perf_counter
    times = []
    for _ in range(args.repeat):
        t0 = clock()
        np.matmul(a, b, out=c)
        times.append((clock() - t0) * 1e3)
    ordered = sorted(times)
    mid = len(ordered) // 2
    median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    flop = 2.0 * args.m * args.n * args.k
    print("times (ms):", [round(t, 3) for t in times], file=sys.stderr)
    print(json.dumps({
        "bench": "numpy-sgemm", "m": args.m, "n": args.n, "k": args.k,
        "clock": "cpu" if args.cpu_time else "wall",
        "threads": int(os.environ.get("OPENBLAS_NUM_THREADS", "0")),
        "ms": round(median, 6), "gflops": round(flop / (median * 1e6), 2),
        "best_gflops": round(flop / (ordered[0] * 1e6), 2),
        "repeat": args.repeat, "warmup": warmup_runs,
        "kernel": "numpy %s, OpenBLAS core %s" % (np.__version__, openblas_core()),
    }))


if __name__ == "__main__":
    main()
