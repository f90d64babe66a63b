#!/usr/bin/python3
"""Time PyTorch's Conv2d 3x3 forward and forward+backward as `./fcn4j bench conv` does.

Same workload as kind=conv3x3 of the shared torch_micro_bench.py (F.conv2d, padding 1, no bias,
gradients of input and weight), on one input shape. Prints, per pass, the median and minimum
wall time and the process CPU time per run (time.process_time over the timed runs). On a
shared machine the wall time grows with the other processes' load and the CPU time much less,
so one-thread CPU times compare the work of the two implementations even when the machine is
busy. With more threads, OpenMP workers spin while they wait, and that counts as CPU time too.

Usage: /usr/bin/python3 tools/bench/torch_conv_cpu.py [--threads 2] [--batch 8] [--channels 64]
                                                      [--size 64] [--warmup 5] [--iters 15]
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F


def timed(fn, warmup, iters):
    """Returns the sorted wall times (ms) of iters runs after warmup runs, and CPU ms per run."""
    for _ in range(warmup):
        fn()
    wall = []
    cpu0 = time.process_time()
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        wall.append((time.perf_counter() - t0) * 1e3)
    cpu = (time.process_time() - cpu0) * 1e3 / iters
    return sorted(wall), cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--channels", type=int, default=64)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--iters", type=int, default=15)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    n, c, s = args.batch, args.channels, args.size
    x = torch.randn(n, c, s, s)
    w = torch.randn(c, c, 3, 3) * (1.0 / (c * 9) ** 0.5)
    flop = 2 * n * c * c * 9 * s * s
    print("torch %s, F.conv2d 3x3 padding 1, input (%d, %d, %d, %d), %d threads"
          % (torch.__version__, n, c, s, s, torch.get_num_threads()))

    with torch.no_grad():
        wall, cpu = timed(lambda: F.conv2d(x, w, None, 1, 1), args.warmup, args.iters)
    report("forward", wall, cpu, flop)

    xg = x.clone().requires_grad_(True)
    wg = w.clone().requires_grad_(True)
    gout = torch.randn(n, c, s, s)

    def forward_backward():
        torch.autograd.grad(F.conv2d(xg, wg, None, 1, 1), (xg, wg), gout)

    wall, cpu = timed(forward_backward, args.warmup, args.iters)
    report("forward+backward", wall, cpu, 3 * flop)


def report(name, wall, cpu, flop):
    median = statistics.median(wall)
    print("%-17s median %8.2f ms  min %8.2f ms  %7.1f GFLOP/s  cpu %8.2f ms/run"
          % (name, median, wall[0], flop / (median / 1e3) / 1e9, cpu))


if __name__ == "__main__":
    main()
