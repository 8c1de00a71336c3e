r"""The candidate side of the seed-001 §3.2 claims (:mod:`verify.catalogue.expansion`): adapters from a
check's point to :mod:`derivations.expansion` (the Perron--Frobenius split, the closed form of
:math:`A^{-1}` with the leading action of eq. (5), the leading order of :math:`P`), their SymPy forms,
and the mutants of each (outer products transposed, wrong :math:`v`, coefficients and powers off,
series started at 1, :math:`D` dropped)."""

from __future__ import annotations

import numpy as np
import sympy as sp

from derivations import expansion as E
from derivations import implicit as D

__all__ = [
    "split_candidate", "split_mutant", "split_sym",
    "expansion_candidate", "expansion_mutant", "expansion_sym",
    "leading_candidate", "leading_mutant",
]


# ---------------------------------------------------------------------------
# implicit.perron-frobenius-split
# ---------------------------------------------------------------------------


def split_candidate(F):
    """The derived split ``(v, M)`` of ``sigma(F)``, flattened."""
    v, M = E.perron_split(D._softmax_rows(np.asarray(F, dtype=float)))
    return np.concatenate([v, M.ravel()])


def split_mutant(F, *, transpose=False, v_rule="stationary"):
    """Mutants: the outer product transposed, or a wrong ``v``."""
    Sm = D._softmax_rows(np.asarray(F, dtype=float))
    n = Sm.shape[0]
    if v_rule == "stationary":
        v = E.stationary_distribution(Sm)
    elif v_rule == "column-mean":
        v = Sm.mean(axis=0)  # the average row: stationary only for doubly stochastic S
    else:
        v = np.full(n, 1.0 / n)  # the normalised right eigenvector 1
    M = Sm - (np.outer(v, np.ones(n)) if transpose else np.outer(np.ones(n), v))
    return np.concatenate([v, M.ravel()])


def split_sym(n, *, transpose=False, v_rule="stationary"):
    """The three defining properties and stationarity, each of which must vanish."""
    Sm = E.stochastic_sym(n)
    one = sp.ones(n, 1)
    if v_rule == "stationary":
        v = E.stationary_sym(Sm)
    elif v_rule == "column-mean":
        v = Sm.T * one / n
    else:
        v = one / n
    M = Sm - (v * one.T if transpose else one * v.T)
    return sp.Matrix.vstack(v.T * one - sp.Matrix([[1]]), M * one, M.T * v, Sm.T * v - v)


# ---------------------------------------------------------------------------
# implicit.inverse-expansion (eq. 5)
# ---------------------------------------------------------------------------


def expansion_candidate(p):
    """``{"inverse": A^-1 closed form, "leading": (1-eta)^-1 1 v^T x with x = w}``, both derived."""
    return {"inverse": E.inverse_expansion(p.F, p.eta), "leading": E.inverse_leading_action(p.F, p.eta, p.w)}


def expansion_mutant(p, *, coeff="eta", transpose=False, from_one=False):
    """Mutants: the outer coefficient, the outer product or the series start changed."""
    Sm = D._softmax_rows(p.F)
    n = Sm.shape[0]
    v, M = E.perron_split(Sm)
    outer = np.outer(v, np.ones(n)) if transpose else np.outer(np.ones(n), v)
    c = p.eta / (1 - p.eta) if coeff == "eta" else 1.0 / (1 - p.eta)
    series = np.linalg.inv(np.eye(n) - p.eta * M) - (np.eye(n) if from_one else 0.0)
    return {"inverse": c * outer + series, "leading": outer @ p.w / (1 - p.eta)}


def expansion_sym(n, *, coeff="eta", transpose=False, from_one=False):
    eta_coeff = None if coeff == "eta" else (lambda eta: 1 / (1 - eta))
    out = E.inverse_expansion_sym(n, eta_coeff=eta_coeff, transpose_outer=transpose)
    return out - sp.eye(n) if from_one else out


# ---------------------------------------------------------------------------
# implicit.preconditioner-leading-order
# ---------------------------------------------------------------------------


def leading_candidate(p):
    """The derived leading term of ``P``."""
    return E.preconditioner_leading(p.w, p.F, p.eta)


def leading_mutant(p, *, power=2, transpose=False, with_D=True):
    """Mutants: one power of (1 - eta), the outer products transposed, or D dropped."""
    parts = D.preconditioner_parts(p.w, p.F, p.eta)
    v = E.stationary_distribution(parts.S)
    weights = (p.eta**2 * parts.d if with_D else 0.0) + 1.0
    n = len(v)
    if transpose:
        return float(weights.sum()) * np.outer(v, v) / (1 - p.eta) ** power
    return float(v @ (weights * v)) * np.ones((n, n)) / (1 - p.eta) ** power
