"""Speed target: preconditioner(w, F, eta) at n = 1000 costs at most 3x one np.linalg.inv.

Run on demand:  python benchmarks/bench_preconditioner.py [n]
Prints the median times and their ratio; exits 1 if the ratio exceeds 3.
"""

import sys
import time

import numpy as np

from derivations.implicit import preconditioner


def _median_time(fn, repeats=7):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def main(n: int = 1000) -> int:
    rng = np.random.default_rng(0)
    w, F, eta = rng.normal(size=n), rng.normal(size=(n, n)), 0.9
    A = np.eye(n) - eta * np.exp(F) / np.exp(F).sum(axis=1, keepdims=True)
    preconditioner(w, F, eta)  # warm up
    t_inv = _median_time(lambda: np.linalg.inv(A))
    t_p = _median_time(lambda: preconditioner(w, F, eta))
    ratio = t_p / t_inv
    print(f"n={n}: inv {t_inv * 1e3:.1f} ms, preconditioner {t_p * 1e3:.1f} ms, ratio {ratio:.2f} (target <= 3)")
    return 0 if ratio <= 3 else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
