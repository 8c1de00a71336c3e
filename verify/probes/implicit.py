r"""The oracle side of the seed-001 §2.3 / Theorem 1 claims (:mod:`verify.catalogue.implicit`): the
points (implicit points, logits with values, points with regression targets), the primitive
``theta = solve(I - eta softmax(F), w)`` for the complex-step Jacobian and its block scales, the
symbolic references (direct differentiation of :math:`A^{-1}w`, :math:`JJ^\top`), the Gram oracle
:math:`P = JJ^\top` (float and 50-digit), the complex-step softmax Jacobians behind :math:`d_k`, the
gradient-step remainder of Theorem 1 and the :math:`\lambda_{\min}` oracle with its search
coordinates -- all from the primitive definitions in :mod:`verify.oracles.implicit`."""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import mpmath
import numpy as np
from hypothesis import strategies as st

from derivations import implicit as D

from .. import strategies as S
from ..numerics import complex_step_jacobian, mp_jacobian
from ..oracles import implicit as O
from ..tolerances import EPS, tolerance

__all__ = [
    "SATURATED_STEP", "SATURATED_IFT", "blocks", "primitive", "primitive_mp", "ift_reference", "implicit_points",
    "LogitsAndValues", "logits_and_values", "softmax_jacobians", "d_scale", "natural_d",
    "gram_reference_sym", "gram_oracle", "gram_oracle_mp",
    "PointWithTargets", "points_with_targets", "gradient_step_remainder",
    "lambda_min_oracle", "bound_points", "F_coordinates",
]


def _psi(p):
    return O.pack(p.w, p.F)


# ---------------------------------------------------------------------------
# implicit.ift-jacobian
# ---------------------------------------------------------------------------


def blocks(p, J_ref):
    """w-columns scale with |A^-1|; F-columns are sums of terms |A^-1| |theta| that cancel.

    The float64 candidate inverts A = I - eta softmax(F): its entries carry an absolute error up
    to ~n eps cond(A) |A^-1|, which exceeds the complex-step tolerance's atol (1e-12 of the block)
    once cond(A) > ~1e3 (eta -> 1 with a saturated softmax: thorough seed 7 drew cond ~ 1e5, an
    entry 4e-14 computed as 1.3e-8). The scale grows by 10 n eps cond(A) / atol there (and only
    there), so a well-conditioned point keeps the full detection power and an ill-conditioned one
    is judged against the roundoff its candidate cannot avoid; the mutants differ by O(scale)."""
    n = p.n
    J_w, J_F = J_ref[:, :n], J_ref[:, n:]
    theta = np.abs(O.theta_hat(_psi(p)[None, :], eta=p.eta)).max()
    atol = tolerance("derivative.complex_step").atol
    cond = _amplification(p)  # >= cond(A) (see roundoff_amplification)
    inflate = max(1.0, 10.0 * n * EPS * cond / atol)
    s_w = float(np.abs(J_w).max())
    return [(slice(0, n), s_w * inflate), (slice(n, None), max(float(np.abs(J_F).max()), s_w * theta) * inflate)]


def primitive(p):
    return partial(O.theta_hat, eta=p.eta), _psi(p)


def primitive_mp(p):
    return partial(O.theta_hat_mp, eta=p.eta), _psi(p)


def ift_reference(size):
    if size == "n":
        m = D.matrix_symbols()
        return m["dw"] + m["eta"] * m["dS"] * m["theta"]
    return D.direct_jacobian_sym(size)


implicit_points = partial(S.implicit_points, max_size=4)


# ---------------------------------------------------------------------------
# implicit.softmax-jacobian-symmetry
# ---------------------------------------------------------------------------


class LogitsAndValues(NamedTuple):
    """A point ``(F, theta)``."""

    F: np.ndarray
    theta: np.ndarray

    def readable(self):
        return {"F": self.F.tolist(), "theta": self.theta.tolist()}


def logits_and_values():
    return st.integers(1, 4).flatmap(
        lambda n: st.builds(LogitsAndValues, S.logit_matrices(size=n), S.reward_vectors(size=n))
    )


def softmax_jacobians(F):
    """``M[k, i, j]`` = d softmax(F)_ki / dF_kj by complex step of the primitive softmax."""
    n = F.shape[0]
    return np.stack(
        [complex_step_jacobian(lambda X: O.softmax_rows(X), F[k])[0] for k in range(n)]
    )


def d_scale(p):
    """d_k sums squares of sums whose terms are |M_kij theta_j|; those set the roundoff."""
    M = np.abs(softmax_jacobians(p.F))
    inner = np.einsum("kij,j->ki", M, np.abs(p.theta)).max()
    return p.theta.size * inner**2


def natural_d(p):
    M = softmax_jacobians(p.F)
    return (np.einsum("kij,i->kj", M, p.theta) ** 2).sum(axis=1)


# ---------------------------------------------------------------------------
# implicit.preconditioner (Theorem 1)
# ---------------------------------------------------------------------------


def gram_reference_sym(size):
    return D.jacobian_gram_matrix_level() if size == "n" else D.jacobian_gram_sym(size)


def gram_oracle(p):
    return O.gram_oracle(_psi(p), eta=p.eta)


def gram_oracle_mp(p):
    J = mp_jacobian(partial(O.theta_hat_mp, eta=p.eta), _psi(p))
    Jm = mpmath.matrix(J)
    with mpmath.workdps(50):
        G = Jm * Jm.T
    return [[G[i, j] for j in range(G.cols)] for i in range(G.rows)]


class PointWithTargets(NamedTuple):
    """An implicit point and regression targets ``y`` (loss ``L = ||theta - y||^2 / 2``)."""

    point: S.ImplicitPoint
    y: np.ndarray

    def readable(self):
        return dict(self.point.readable(), y=self.y.tolist())


#: a saturated softmax at eta = 0.999: A = 0.001 I has cond(A) = 1, yet forming A loses three digits; a
#: floor scaled by cond(A) refuted the true P here (found by the full test run's search order)
SATURATED_STEP = PointWithTargets(S.ImplicitPoint(np.array([2.0, 1.0]), np.array([[19.0, -10.0], [1.9, 51.9]]), 0.999),
                                  np.array([1.0, 2.0]))
#: eta = 0.9999 with saturated logits: the IFT Jacobian's roundoff is 1.41x a block scale built on cond(A)
#: (0.016x the scale built on roundoff_amplification), against a 60-digit Jacobian
SATURATED_IFT = S.ImplicitPoint(np.array([2.1, 1.2]), np.array([[50.2, 31.5], [-53.4, 5.1]]), 0.9999)


def points_with_targets():
    """Generic points for the step check.

    Degenerate draws (``theta = y`` so ``r = 0``, constant ``theta`` so ``D = 0``,
    ``eta = 0``) make every candidate agree with P to first order, so they test
    nothing: ``w`` gets the offset ``(0, 1, ..., n-1)``, ``y`` the offset
    ``(1, ..., n)``, and ``eta`` lies in ``[0.05, 0.999]``. ``n = 1`` is left out:
    softmax of one logit is the constant 1, so ``theta`` is linear in ``w`` and the
    remainder is exactly zero. Shrinking still ends at small integers.
    """

    def _at(n):
        def build(w, F, eta, y):
            return PointWithTargets(S.ImplicitPoint(w + np.arange(n), F, eta), y + np.arange(1, n + 1))

        return st.builds(build, S.reward_vectors(size=n), S.logit_matrices(size=n),
                         S.discount_factors(min_value=0.05, max_value=0.999), S.reward_vectors(size=n))

    return st.integers(2, 3).flatmap(_at)


def _gradient_step_remainder_mp(P, q, alphas, dps=60):
    """The same remainder with theta, J and g at 60 digits (mpmath solves, central differences at 50
    digits); the floor is then only the float64 roundoff of the candidate's ``P r``: 100 eps
    :func:`_amplification` times ``a ||P|| ||r||`` (``P`` is computed through ``A^{-1}``), which shrinks
    with ``a``."""
    p, y = q.point, q.y
    with mpmath.workdps(dps):
        psi = [mpmath.mpf(float(v)) for v in _psi(p)]
        theta0 = O.theta_hat_mp(psi, eta=p.eta)
        J = O.jacobian_oracle_mp(_psi(p), eta=p.eta, dps=dps)
        r = [t - float(v) for t, v in zip(theta0, y)]
        g = [mpmath.fsum(J[i][k] * r[i] for i in range(len(r))) for k in range(len(psi))]
        Pr = [mpmath.fsum(mpmath.mpf(float(P[i, j])) * r[j] for j in range(len(r))) for i in range(len(r))]
        rem = []
        for a in alphas:
            am = mpmath.mpf(float(a))
            moved = O.theta_hat_mp([v - am * gk for v, gk in zip(psi, g)], eta=p.eta)
            rem.append(float(mpmath.sqrt(mpmath.fsum((m - t + am * c) ** 2 for m, t, c in zip(moved, theta0, Pr)))))
        r_norm = float(mpmath.sqrt(mpmath.fsum(x * x for x in r)))
    floor = 100 * EPS * _amplification(p) * np.asarray(alphas) * float(np.linalg.norm(P, 2)) * r_norm + 1e-300
    return np.array(rem), floor


def _amplification(p) -> float:
    """:func:`~verify.oracles.implicit.roundoff_amplification` at the point."""
    return O.roundoff_amplification(p.F, p.eta)


def gradient_step_remainder(candidate, q, hs, precise=False):
    r"""``||theta(psi - a g) - theta(psi) + a P r||`` for a ladder of step sizes ``a``.

    ``g`` is the gradient of ``L(theta(psi))`` from the complex-step Jacobian of the
    primitive; a correct ``P`` leaves an :math:`O(a^2)` remainder. The change of
    ``theta`` is computed by :func:`~verify.oracles.implicit.theta_change`, accurate
    relative to itself, so the roundoff floor shrinks with ``a`` and the quadratic
    term stays visible over the whole ladder. ``precise=True``: the primitive side at 60 digits
    (:func:`_gradient_step_remainder_mp`).
    """
    p, y = q.point, q.y
    psi = _psi(p)
    theta = O.theta_hat(psi[None, :], eta=p.eta)[0]
    J, _ = O.jacobian_oracle(psi, eta=p.eta)
    r = theta - y
    g = J.T @ r
    P = np.asarray(candidate.numeric(p), dtype=float)
    alphas = 0.5 / max(1.0, float(np.linalg.norm(J, 2)) ** 2) * hs
    if precise:
        return _gradient_step_remainder_mp(P, q, alphas)
    moved = O.theta_change(psi, -alphas[:, None] * g[None, :], eta=p.eta)
    Pr = P @ r
    rem = np.linalg.norm(moved + alphas[:, None] * Pr[None, :], axis=1)
    cond = _amplification(p)  # >= cond(A): forming A = I - eta sigma(F) can lose digits cond(A) misses
    # Roundoff relative to the first-order change a|Jg|. 1000 eps cond rather than
    # ~eps cond: float noise measured at <= 1.6 eps cond, but a 50-digit replay of
    # a saturated point (F = [[0,-20],[0,20]], eta = 0.998) showed the float first-
    # order terms (g, P r) disagreeing with exact arithmetic at ~225 eps, and a
    # remainder 1e-12 of the first-order change says nothing about its order.
    floor = 1000 * EPS * cond * alphas * (np.linalg.norm(J @ g) + np.linalg.norm(Pr))
    return rem, floor


# ---------------------------------------------------------------------------
# implicit.preconditioner-lower-bound
# ---------------------------------------------------------------------------


def lambda_min_oracle(p):
    return float(np.linalg.eigvalsh(gram_oracle(p)).min())


def bound_points():
    return S.implicit_points(max_size=8, max_eta=0.999)


def F_coordinates(p):
    """Local search moves F freely and eta through a logit, clipped to [0, 0.999]."""
    n = p.n

    def rebuild(x):
        x = np.asarray(x, dtype=float)
        eta = float(np.clip(1.0 / (1.0 + np.exp(-x[-1])), 0.0, 0.999))
        return S.ImplicitPoint(p.w, x[:-1].reshape(n, n), eta)

    e = min(max(p.eta, 1e-6), 0.999)
    return np.concatenate([p.F.ravel(), [np.log(e / (1 - e))]]), rebuild
