"""Speed targets for the minibatch oracles (run on demand, not a timed test).

    python benchmarks/bench_sgd.py

* exact enumeration, n = 12 data points, k = 4 (495 minibatches), d = 3: the explicit
  second-moment ratio and one implicit SGD step per minibatch (12 step sizes) must each
  take under 50 ms, including building the minibatch index table;
* Monte Carlo, n = 10^4, 4000 sampled minibatches: the first-order coefficient of
  Theorem 3 with its 1e-9 false-failure radius (reported relative to the mean).

Exits 1 if an enumeration target is missed.
"""

import sys
import time

import numpy as np

import verify  # noqa: F401  (import cost outside the timings)
from verify.catalogue import sgd as C
from verify.checks import ExpectationCheck
from verify.oracles import implicit as O
from verify.oracles import sgd as SG
from verify.probes import sgd as P
from verify.strategies import ImplicitSGDPoint, LinearSGDPoint


def _median_ms(fn, repeats=9, clear=None):
    times = []
    for _ in range(repeats):
        if clear:
            clear()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * float(np.median(times))


def main() -> int:
    rng = np.random.default_rng(0)
    n, k, d = 12, 4, 3
    phi, y = rng.normal(size=(n, d)), rng.normal(size=n)
    lin = LinearSGDPoint(phi, y, rng.normal(size=d), k)
    imp = ImplicitSGDPoint(phi, y, rng.normal(size=d), rng.normal(size=(d, d)), 0.9, k)
    alphas = 1e-3 * 2.0 ** -np.arange(12)
    psi = O.pack(imp.w, imp.F)
    clear = SG._minibatches.cache_clear

    t_ratio = _median_ms(lambda: P.ratio_enumerated(lin), clear=clear)
    t_step = _median_ms(lambda: SG.implicit_theta_changes(phi, y, psi, imp.eta, SG.minibatches(n, k), alphas),
                        clear=clear)
    print(f"enumeration n={n} k={k} ({SG.n_minibatches(n, k)} minibatches): explicit ratio {t_ratio:.1f} ms, "
          f"implicit SGD step x{len(alphas)} step sizes {t_step:.1f} ms (target < 50 ms each)")

    N = 10_000
    big = ImplicitSGDPoint(rng.normal(size=(N, d)) / np.sqrt(d), rng.normal(size=N) + 1.0, rng.normal(size=d),
                           rng.normal(size=(d, d)), 0.9, 16)
    check = ExpectationCheck(values=P.first_order_implicit, value_range=P.range_implicit,
                             sizes=lambda p: (p.n, p.k), strategy=None, samples=4000)
    t0 = time.perf_counter()
    ratio, info = check.at(C.T3.candidate, big, seed=0)
    t_mc = 1e3 * (time.perf_counter() - t0)
    print(f"Monte Carlo n={N} k=16, 4000 minibatches: {t_mc:.0f} ms, E = {info['expectation']:.4g}, "
          f"radius {info['mc_radius']:.3g} ({info['mc_radius'] / abs(info['expectation']):.1%} of |E|, "
          f"delta = 1e-9), candidate within {ratio:.2f} of the allowed error")
    return 0 if max(t_ratio, t_step) < 50 else 1


if __name__ == "__main__":
    sys.exit(main())
