#!/usr/bin/env bash
# Times fcn4j's sgemm and numpy/OpenBLAS's on the same product, alternating them for a few
# rounds at 1 and 2 threads, and prints one JSON line per run followed by the medians.
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
for round in $(seq 1 "$rounds"); do
  for threads in 1 2; do
    "$root/fcn4j" bench gemm --m "$size" --n "$size" --k "$size" --threads "$threads" 2>/dev/null | tail -n 1 >> "$out"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$threads" \
      "$python" "$root/tools/bench/numpy_sgemm.py" --m "$size" --n "$size" --k "$size" 2>/dev/null >> "$out"
  done
done
echo "load after: $(uptime)" >&2
cat "$out"

"$python" - "$out" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
def med(bench, threads, key):
    return statistics.median(r[key] for r in runs if r["bench"] == bench and r["threads"] == threads)
for key in ("gflops", "best_gflops"):
    f1, f2 = med("gemm", 1, key), med("gemm", 2, key)
    o1, o2 = med("numpy-sgemm", 1, key), med("numpy-sgemm", 2, key)
    print(f"{key}, median over rounds: fcn4j 1 thread {f1:.1f}, 2 threads {f2:.1f} (scaling {f2 / f1:.2f}); "
          f"OpenBLAS 1 thread {o1:.1f}, 2 threads {o2:.1f} (scaling {o2 / o1:.2f}); "
          f"fcn4j / OpenBLAS {f1 / o1:.2f} (1 thread), {f2 / o2:.2f} (2 threads)")
PY
