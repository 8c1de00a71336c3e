"""Timing exponents of self-attention (seed 004 §1.3.1), run on demand:

    python benchmarks/bench_attention.py

Times softmax(QK^T/sqrt d)V for n = 512 ... 4096 at d = 64 and for d = 16 ... 256 at
n = 512, and fits log time against log n and log d. The claim `networks.attention-cost`
counts 2 n^2 d multiply-adds exactly; the fitted exponents should be near 2 (in n)
and 1 (in d) once the sizes are large enough for BLAS to dominate. Exits 1 if the n
exponent is outside [1.6, 2.4].
"""

import sys
import time

import numpy as np


def attention(Q, K, V):
    S = Q @ K.T / np.sqrt(Q.shape[1])
    E = np.exp(S - S.max(axis=1, keepdims=True))
    return (E / E.sum(axis=1, keepdims=True)) @ V


def _time(n, d, repeats=7):
    rng = np.random.default_rng(0)
    Q, K, V = (rng.normal(size=(n, d)) for _ in range(3))
    attention(Q, K, V)
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        attention(Q, K, V)
        ts.append(time.perf_counter() - t)
    return float(np.min(ts))  # the least-disturbed run


def main() -> int:
    ns = [512, 1024, 2048, 4096]
    tn = [_time(n, 64) for n in ns]
    slope_n = np.polyfit(np.log(ns[1:]), np.log(tn[1:]), 1)[0]  # the smallest size is overhead-bound
    ds = [16, 32, 64, 128, 256]
    td = [_time(512, d) for d in ds]
    slope_d = np.polyfit(np.log(ds[2:]), np.log(td[2:]), 1)[0]
    print("n:", ", ".join(f"{n}: {t * 1e3:.2f} ms" for n, t in zip(ns, tn)), f"-> exponent {slope_n:.2f} (expected 2)")
    print("d:", ", ".join(f"{d}: {t * 1e3:.2f} ms" for d, t in zip(ds, td)), f"-> exponent {slope_d:.2f} "
          "(expected 1 once the n^2 exponentials stop dominating)")
    return 0 if 1.6 <= slope_n <= 2.4 else 1


if __name__ == "__main__":
    sys.exit(main())
