r"""The oracle side of the seed-001 §3.2 claims (:mod:`verify.catalogue.expansion`): the points
(moderate logits, eq. (5) and leading-order implicit points), the Perron--Frobenius split from
running the chain (:func:`~verify.oracles.markov.stationary_by_powers`), the symbolic zero its
properties must equal, :math:`A^{-1}` by a linear solve with its scale, and the remainders of eq. (5)
and of the leading order of :math:`P = JJ^\top` along :math:`\eta = 1 - h_0 h` -- all from the
primitive definitions in :mod:`verify.oracles.implicit` and :mod:`verify.oracles.markov`."""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from .. import strategies as S
from ..oracles import implicit as O
from ..oracles import markov
from ..tolerances import EPS

__all__ = [
    "moderate_logits", "split_reference", "zeros",
    "inverse_reference", "inverse_scale", "eq5_points", "H0_ETA", "eq5_remainder",
    "leading_points", "leading_remainder",
]


def moderate_logits():
    """Logits up to 5 in magnitude: the chain mixes, so v is well conditioned."""
    return S.logit_matrices(min_size=1, max_size=5, max_magnitude=5.0, large_rows=False)


# ---------------------------------------------------------------------------
# implicit.perron-frobenius-split
# ---------------------------------------------------------------------------


def split_reference(F):
    Sm = O.softmax_rows(np.asarray(F, dtype=float))
    v = markov.stationary_by_powers(Sm)
    return np.concatenate([v, (Sm - np.outer(np.ones(len(v)), v)).ravel()])


def zeros(n):
    return sp.zeros(1 + 3 * n, 1)


# ---------------------------------------------------------------------------
# implicit.inverse-expansion (eq. 5)
# ---------------------------------------------------------------------------


def inverse_reference(p):
    return markov.inverse_by_solve(O.softmax_rows(p.F), p.eta)


def inverse_scale(p):
    return float(np.abs(inverse_reference(p)).max())


def eq5_points():
    return S.implicit_points(min_size=1, max_size=4, max_logit=5.0, large_rows=False, max_eta=0.999)


H0_ETA = 0.5  #: eta ladders start at eta = 1 - H0_ETA and halve 1 - eta


def eq5_remainder(candidate, p, hs, precise=False):
    r"""``||A^{-1}x - leading(x)||`` along :math:`\eta = 1 - h_0 h` (``F``, ``x = w`` fixed): O(1).

    Float64: the solve's roundoff, 100 eps ``|A^{-1}x|/h``, grows like :math:`h^{-2}` and stops the ladder
    near :math:`h = 10^{-7}`. ``precise=True``: :math:`A^{-1}x` by a 60-digit mpmath solve at the same
    (float, exactly representable) ``eta``; the floor is then the candidate's own float64 roundoff,
    100 eps ``|leading|``, which grows only like :math:`h^{-1}`."""
    if precise:
        return _eq5_remainder_mp(candidate, p, hs)
    rem, floor = [], []
    for h in hs:
        q = p._replace(eta=1.0 - H0_ETA * h)
        exact = np.linalg.solve(np.eye(q.n) - q.eta * O.softmax_rows(q.F), q.w)
        lead = np.asarray(candidate.numeric(q)["leading"], dtype=float)
        rem.append(float(np.abs(exact - lead).max()))
        floor.append(100 * EPS * np.abs(exact).max() / h + 1e-300)
    return np.array(rem), np.array(floor)


def _eq5_remainder_mp(candidate, p, hs, dps=60):
    rem, floor = [], []
    with mpmath.workdps(dps):
        for h in hs:
            q = p._replace(eta=1.0 - H0_ETA * h)
            exact = O.theta_hat_mp([mpmath.mpf(float(v)) for v in O.pack(q.w, q.F)], eta=q.eta)
            lead = np.asarray(candidate.numeric(q)["leading"], dtype=float)
            rem.append(float(max(abs(e - mpmath.mpf(float(v))) for e, v in zip(exact, lead))))
            floor.append(100 * EPS * float(np.abs(lead).max()) + 1e-300)
    return np.array(rem), np.array(floor)


# ---------------------------------------------------------------------------
# implicit.preconditioner-leading-order
# ---------------------------------------------------------------------------


def leading_points():
    return S.implicit_points(min_size=2, max_size=4, max_logit=3.0, max_reward=5.0, large_rows=False)


def leading_remainder(candidate, p, hs):
    r"""``max|JJ^T - leading|`` along :math:`\eta = 1 - h_0 h` with ``w``, ``F`` fixed: O((1-eta)^-1)."""
    rem, floor = [], []
    for h in hs:
        q = p._replace(eta=1.0 - H0_ETA * h)
        P = O.gram_oracle(O.pack(q.w, q.F), eta=q.eta)
        lead = np.asarray(candidate.numeric(q), dtype=float)
        rem.append(float(np.abs(P - lead).max()))
        cond = O.roundoff_amplification(q.F, q.eta)  # >= cond(A)
        floor.append(1000 * EPS * cond * float(np.abs(P).max()))
    return np.array(rem), np.array(floor)
