#!/usr/bin/env bash
# Times fcn4j's sgemm and numpy/OpenBLAS's on the same product, alternating them for a few
# rounds at 1 and 2 threads (and at 1 thread by CPU time), and prints one JSON line per run
# followed by the medians.
# Usage: tools/bench/gemm_vs_openblas.sh [SIZE] [ROUNDS]   (defaults: 1024, 3)
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed for the numpy runs only: set on some
# machines to work around old OpenBLAS builds, they make a current one pick slower kernels.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
size="${1:-1024}"
rounds="${2:-3}"
python="${PYTHON:-/usr/bin/python3}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

echo "load before: $(uptime)" >&2
# Wall-clock runs at 1 and 2 threads, then single-thread runs timed by CPU time, which leaves out
# the time a thread waited for a core while other programs ran.
for round in $(seq 1 "$rounds"); do
  for run in "1" "2" "1 --cpu-time"; do
    set -- $run
    threads="$1"
    clock="${2:-}"
    "$root/fcn4j" bench gemm --m "$size" --n "$size" --k "$size" --threads "$threads" $clock 2>/dev/null \
      | tail -n 1 >> "$out"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$threads" \
      "$python" "$root/tools/bench/numpy_sgemm.py" --m "$size" --n "$size" --k "$size" $clock 2>/dev/null >> "$out"
  done
done
echo "load after: $(uptime)" >&2
cat "$out"

"$python" - "$out" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
def med(bench, threads, clock, key):
    return statistics.median(r[key] for r in runs
                             if r["bench"] == bench and r["threads"] == threads and r["clock"] == clock)
for key in ("gflops", "best_gflops"):
    f1, f2 = med("gemm", 1, "wall", key), med("gemm", 2, "wall", key)
    o1, o2 = med("numpy-sgemm", 1, "wall", key), med("numpy-sgemm", 2, "wall", key)
    fc, oc = med("gemm", 1, "cpu", key), med("numpy-sgemm", 1, "cpu", key)
    print(f"{key}, median over rounds: fcn4j 1 thread {f1:.1f}, 2 threads {f2:.1f} (scaling {f2 / f1:.2f}); "
          f"OpenBLAS 1 thread {o1:.1f}, 2 threads {o2:.1f} (scaling {o2 / o1:.2f}); "
          f"fcn4j / OpenBLAS {f1 / o1:.2f} (1 thread), {f2 / o2:.2f} (2 threads); "
          f"by CPU time, 1 thread: fcn4j {fc:.1f}, OpenBLAS {oc:.1f}, ratio {fc / oc:.2f}")
PY
