"""Every numeric tolerance of the toolkit, in one table, each with its reason.

A comparison passes when ``|candidate - reference| <= rtol * |reference| + atol * scale``
entrywise, where ``scale`` is the largest magnitude in the reference block
(not its size: scaling by array size hides errors).

>>> TOLERANCES["derivative.complex_step"].rtol
1e-10
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Tolerance", "TOLERANCES", "EPS", "MP_DPS", "ROUNDOFF_MARGIN", "STOCHASTIC_DELTA",
           "ASYMPTOTIC_WINDOW", "ASYMPTOTIC_SPREAD", "ASYMPTOTIC_MIN_DECIDED", "ANSWER_MP_CONFIRM",
           "SAME_ORDER_DRIFT", "tolerance"]

EPS = float(np.finfo(np.float64).eps)

#: Working precision (decimal digits) of every mpmath reference.
MP_DPS = 50

#: An asymptotic check fits a remainder only where it exceeds this multiple of its
#: roundoff noise (the larger of the analytic estimate and the noise measured at
#: probe steps). Noise of 1/10 moves log r by <= 0.1, a slope over 3 halvings by
#: <= 0.05. Measured on 1500 drawn points of implicit.preconditioner: the analytic
#: estimate is a median 150x above the real noise but 4.4x *below* it at worst,
#: which is why the measured noise is used too.
ROUNDOFF_MARGIN = 10.0

#: An asymptotic check decides at a point when its last ASYMPTOTIC_WINDOW local slopes
#: log2(r_k / r_{k+1}) (successive halvings of h) agree within ASYMPTOTIC_SPREAD. For a
#: remainder C h^p (1 + c h^q + ...), the local slope is p + O(h^q) and its successive
#: differences shrink by 2^-q; once three agree within 0.1 the last one is within
#: 0.1 / (2^q - 1) of p (0.1 for q = 1, 0.24 for q = 1/2), inside the 0.3 of
#: "asymptotic.slope", while the mutants' slopes differ by >= 1.
ASYMPTOTIC_WINDOW = 3
ASYMPTOTIC_SPREAD = 0.1

#: An asymptotic check is ``undecided`` (not consistent) unless at least this fraction of
#: its points decided (converged slope or remainder at roundoff on the whole ladder).
ASYMPTOTIC_MIN_DECIDED = 0.5

#: False-failure rate of one Monte Carlo comparison (one point). A check evaluates
#: at most a few hundred points, so its false-failure rate is <= 1e-6 by a union bound.
STOCHASTIC_DELTA = 1e-9

#: verify check: a float64 disagreement counts only if it stays above this relative size at
#: 50 digits (roundoff there is ~1e-50; a wrong answer keeps an O(1) difference).
ANSWER_MP_CONFIRM = 1e-20

#: verify check, same_order, where SymPy's limit finds none: the ratio answer/reference may change by
#: this factor between t = 2^100 and 2^200 along a ray to infinity (mpmath, 60 digits). Lower-order terms
#: change it by < 1.01 (n + n/log n against n: 1.007); a log factor by 2, n^0.01 by 2, log(log(n)) by 1.16,
#: log(log(log(n))) by 1.105 (verify/answers/orders.py).
SAME_ORDER_DRIFT = 1.1


@dataclass(frozen=True)
class Tolerance:
    """Relative and absolute tolerance with the reason they are what they are."""

    rtol: float
    atol: float
    reason: str

    def bound(self, reference, scale):
        """Entrywise tolerance ``rtol * |reference| + atol * scale``."""
        return self.rtol * np.abs(reference) + self.atol * scale


TOLERANCES: dict[str, Tolerance] = {
    "derivative.complex_step": Tolerance(
        rtol=1e-10,
        atol=1e-12,
        reason=(
            "complex step has no subtractive cancellation; its truncation error h^2|f'''|/6 "
            "is below 1e-50 at h=1e-30, so the reference carries only the roundoff of f "
            "(about cond(A)*eps <= 1e-12 relative for eta <= 1-1e-4). rtol=1e-10 leaves a "
            "100x margin and still detects a planted relative error of 1e-9 in any entry "
            "within 1e-2 of the block's largest."
        ),
    ),
    "derivative.richardson": Tolerance(
        rtol=1e-7,
        atol=1e-9,
        reason=(
            "central differences with 3 Richardson levels reach about eps^(6/7) ~ 1e-13.7 "
            "truncation but roundoff eps*|f|/h ~ 1e-12*|f|; 1e-7 covers functions whose "
            "values are 1e4 times their derivatives (eta near 1)."
        ),
    ),
    "identity.float64": Tolerance(
        rtol=1e-9,
        atol=1e-11,
        reason=(
            "both sides are float64 evaluations of O(n^3) linear algebra with condition "
            "number up to 1e4 (eta <= 1-1e-4): forward error <= n*cond*eps ~ 1e-11; "
            "rtol=1e-9 gives a 100x margin."
        ),
    ),
    "identity.mpmath": Tolerance(
        rtol=1e-9,
        atol=1e-11,
        reason=(
            "the float64 candidate is judged against a 50-digit reference, so only the "
            "candidate's own roundoff counts; same budget as identity.float64."
        ),
    ),
    "bound.slack": Tolerance(
        rtol=1e-9,
        atol=1e-12,
        reason=(
            "eigenvalues of symmetric matrices are computed with absolute error "
            "~ n*eps*||P||; a violation must exceed that to be reported."
        ),
    ),
    "simulation.gd": Tolerance(
        rtol=1e-8,
        atol=1e-10,
        reason=(
            "gradient descent stops when float64 cannot decrease L further; then "
            "L - L* <= ||grad||^2/(2 mu) ~ 1e-13 relative on the drawn problems. 1e-8 leaves "
            "room for ill-conditioned draws; a wrong optimum is off by O(1)."
        ),
    ),
    "optimisation.argmin": Tolerance(
        rtol=1e-6,
        atol=1e-7,
        reason=(
            "a minimiser found by Brent's method is accurate to ~sqrt(eps) relative (the "
            "objective is flat to second order at its minimum); 1e-6 allows for that, and "
            "a wrong minimiser is off by O(1)."
        ),
    ),
    "quadrature": Tolerance(
        rtol=1e-9,
        atol=1e-10,
        reason=(
            "adaptive quadrature (scipy quad) run at epsabs=1e-13, epsrel=1e-12 on smooth, "
            "exponentially decaying integrands; 1e-9 leaves a 1000x margin."
        ),
    ),
    "answers.equal": Tolerance(
        rtol=1e-9,
        atol=1e-12,
        reason=(
            "verify check evaluates short answer expressions in float64 at instances with entries of "
            "size <= 10 (matrices with condition number <= 20): roundoff is ~1e-14 relative, a wrong "
            "answer is off by O(1); every disagreement is then re-checked at 50 digits "
            "(ANSWER_MP_CONFIRM)."
        ),
    ),
    "asymptotic.slope": Tolerance(
        rtol=0.0,
        atol=0.3,
        reason=(
            "the converged local slope of a remainder O(h^p) (ASYMPTOTIC_WINDOW local "
            "slopes within ASYMPTOTIC_SPREAD, every rung >= ROUNDOFF_MARGIN x its noise) is "
            "within 0.1 of p for an O(h) correction (0.24 for O(h^0.5)); an O(h^(p-1)) "
            "term moves it by 1, so 0.3 separates the two with margin on both sides."
        ),
    ),
}


def tolerance(key: str) -> Tolerance:
    """Look a tolerance up by key, with a helpful error for a misspelt key."""
    try:
        return TOLERANCES[key]
    except KeyError:
        from .errors import ValidationError

        raise ValidationError(
            f"tolerance key={key!r} is unknown; use one of {sorted(TOLERANCES)}"
        ) from None
