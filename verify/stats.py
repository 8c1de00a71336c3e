r"""Confidence radii for Monte Carlo means, with stated false-failure rates.

Both bounds need an a-priori range ``[lo, hi]`` of the samples; they are finite-sample
(not asymptotic) and hold for i.i.d. draws.

* Hoeffding: :math:`|\bar X - \mu| \le R\sqrt{\ln(2/\delta)/(2N)}` with probability
  :math:`\ge 1 - \delta`.
* Empirical Bernstein (Maurer and Pontil 2009, Thm 4, two-sided by a union bound):
  :math:`|\bar X - \mu| \le \sqrt{2V_N\ln(4/\delta)/N} + \frac{7R\ln(4/\delta)}{3(N-1)}`,
  where :math:`V_N` is the unbiased sample variance. Much tighter when the samples
  concentrate well inside their range.

:func:`mean_radius` returns the smaller of the two; the union costs a factor 2 in
``delta`` which it pays.

>>> import numpy as np
>>> x = np.random.default_rng(0).random(10_000)
>>> r = mean_radius(x, 0.0, 1.0, delta=1e-6)
>>> bool(abs(x.mean() - 0.5) <= r), round(r, 3)
(True, 0.02)
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["hoeffding_radius", "empirical_bernstein_radius", "mean_radius"]


def hoeffding_radius(N: int, lo: float, hi: float, *, delta: float) -> float:
    return (hi - lo) * math.sqrt(math.log(2.0 / delta) / (2.0 * N))


def empirical_bernstein_radius(x, lo: float, hi: float, *, delta: float) -> float:
    x = np.asarray(x, dtype=float)
    N = x.size
    if N < 2:
        return math.inf
    R = hi - lo
    log_term = math.log(4.0 / delta)
    return math.sqrt(2.0 * float(x.var(ddof=1)) * log_term / N) + 7.0 * R * log_term / (3.0 * (N - 1))


def mean_radius(x, lo: float, hi: float, *, delta: float) -> float:
    """Radius that covers the true mean with probability >= 1 - delta (both bounds at delta/2)."""
    from .errors import ValidationError

    if not (0 < delta < 1):
        raise ValidationError(f"delta={delta!r} must lie in (0, 1)")
    if not hi >= lo:
        raise ValidationError(f"the sample range [lo, hi] = [{lo!r}, {hi!r}] is empty")
    x = np.asarray(x, dtype=float)
    if x.size and (x.min() < lo - 1e-12 * max(1.0, abs(lo)) or x.max() > hi + 1e-12 * max(1.0, abs(hi))):
        raise ValidationError(
            f"samples leave their stated range [{lo!r}, {hi!r}] (min {x.min()!r}, max {x.max()!r}); "
            "the range must be an a-priori bound"
        )
    return min(hoeffding_radius(x.size, lo, hi, delta=delta / 2),
               empirical_bernstein_radius(x, lo, hi, delta=delta / 2))
