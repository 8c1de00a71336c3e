"""Speed target: at least 1e7 Gumbel-max samples per second on one core (run on demand).

    python benchmarks/bench_gumbel.py [k]

Draws 2e7 samples of argmax_i(log p_i + G_i) for k categories (default 5) with the
sampler of `estimators.gumbel-max` and prints the rate. Exits 1 below 1e7 samples/s.
"""

import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from verify.oracles.estimators import gumbel_max_counts  # noqa: E402


def main(k: int = 5) -> int:
    rng = np.random.default_rng(0)
    logits = np.log(np.arange(1, k + 1, dtype=float))
    gumbel_max_counts(logits, rng, 1_000_000)  # warm up
    N = 20_000_000
    t = time.perf_counter()
    counts = gumbel_max_counts(logits, rng, N)
    dt = time.perf_counter() - t
    rate = N / dt
    p = np.exp(logits) / np.exp(logits).sum()
    print(f"k={k}: {N:.0e} samples in {dt:.2f} s = {rate:.3g} samples/s (target >= 1e7); "
          f"max |freq - p| = {np.abs(counts / N - p).max():.1e}")
    return 0 if rate >= 1e7 else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
