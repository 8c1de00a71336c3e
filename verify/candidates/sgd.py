r"""Candidate side of :mod:`verify.catalogue.sgd` (seed 001, Theorems 2--5 and Corollaries 2--3):
adapters from a check's point to :mod:`derivations.sgd` (with :mod:`derivations.implicit` and
:mod:`derivations.expansion` for :math:`P`, :math:`D` and :math:`v`), and the mutants.

* ``implicit.expected-loss-decrease-explicit``: :func:`t2_candidate`; :func:`t2_mutant` (wrong
  denominator, residual vector for the gradient);
* ``implicit.expected-loss-decrease-implicit``: :func:`t3_candidate`; :func:`t3_mutant` (``P``
  forgotten, ``eta D`` in ``P``, ``k`` for ``n``);
* ``implicit.ones-direction-rate``: :func:`t4_candidate`, whose keywords give the mutants;
* ``sgd.second-moment-ratio-explicit``: :func:`ratio_explicit_candidate` and its SymPy form
  :func:`ratio_sym`, whose ``variant`` gives the mutants;
* ``sgd.second-moment-ratio-implicit``: :func:`ratio_implicit_candidate` (``variant`` for the mutants);
* ``sgd.one-hot-ratio`` (and ``-corrected``): :func:`one_hot_candidate`, :func:`one_hot_corrected_candidate`;
* ``sgd.balanced-residual-bound``: :func:`balanced_candidate` (``variant`` for the mutants).
"""

from __future__ import annotations

import numpy as np

from derivations import expansion as E
from derivations import implicit as D
from derivations import sgd as G

from ..probes.sgd import implicit_residual

__all__ = ["t2_candidate", "t2_mutant", "t3_candidate", "t3_mutant", "t4_candidate", "ratio_explicit_candidate",
           "ratio_sym", "ratio_implicit_candidate", "one_hot_candidate", "one_hot_corrected_candidate",
           "balanced_candidate"]


def t2_candidate(p):
    r"""Theorem 2's derived leading term :math:`-\frac{\alpha}{n}\|\mathbf r\|^2` at ``p``."""
    return G.expected_loss_decrease_explicit(p.phi, p.residual(), p.alpha)


def t2_mutant(p, *, scale="n", use_gradient=True):
    """Mutants: the leading term with a wrong denominator or the residual vector for the gradient."""
    r = p.residual()
    g = p.phi.T @ r
    sq = float(g @ g) if use_gradient else float(r @ r)
    denom = {"n": p.n, "k": p.k, "one": 1}[scale]
    return -p.alpha / denom * sq


def t3_candidate(p):
    r"""Theorem 3's derived leading term :math:`-\frac{\alpha}{n}\langle P\mathbf r, \mathbf r\rangle` at ``p``."""
    _, r = implicit_residual(p)
    return G.expected_loss_decrease_implicit(p.phi, r, D.preconditioner(p.w, p.F, p.eta), p.alpha)


def t3_mutant(p, *, P_rule="P", scale="n"):
    """Mutants: the leading term with ``P`` forgotten, ``P`` built with ``eta D``, or ``k`` for ``n``."""
    _, r = implicit_residual(p)
    g = p.phi.T @ r
    if P_rule == "P":
        P = D.preconditioner(p.w, p.F, p.eta)
    elif P_rule == "identity":
        P = np.eye(len(g))
    else:  # eta instead of eta^2
        parts = D.preconditioner_parts(p.w, p.F, p.eta)
        P = parts.A_inv @ np.diag(p.eta * parts.d + 1.0) @ parts.A_inv.T
    denom = p.n if scale == "n" else p.k
    return -p.alpha / denom * float(g @ P @ g)


def t4_candidate(p, *, power=2, with_D=True, with_ones=True):
    theta, r = implicit_residual(p)
    parts = D.preconditioner_parts(p.w, p.F, p.eta)
    v = E.stationary_distribution(parts.S)
    d = parts.d if with_D else np.zeros_like(parts.d)
    val = G.ones_direction_rate(p.phi, r, v, d, p.eta, p.alpha) * (1 - p.eta) ** (2 - power)
    if not with_ones:
        ones = p.phi.sum(axis=1)
        norm = float(ones @ ones)
        val = val / norm if norm > 0 else val  # the leading term is 0 there anyway
    return val


def ratio_explicit_candidate(p, *, variant="derived"):
    r = p.residual()
    n, k = p.n, p.k
    U = r[:, None] * p.phi
    sum_sq, sq_sum = float((U * U).sum()), float(U.sum(axis=0) @ U.sum(axis=0))
    if variant == "with-replacement":
        return 1.0 + (n * sum_sq / sq_sum - 1.0) / k
    out = G.second_moment_ratio_explicit(p.phi, r, k)
    if variant == "variance":
        return out - 1.0
    if variant == "without-n" and n > 1:
        return n * (k - 1) / (k * (n - 1)) + (n - k) / (k * (n - 1)) * sum_sq / sq_sum
    return out


def ratio_sym(size, *, variant="derived"):
    import sympy as sp

    if variant == "with-replacement":
        n, k, d = size
        base = G.second_moment_ratio_sym(size)
        # 1 + (n S / |U|^2 - 1)/k written through the derived form's pieces
        lead = sp.Rational(n * (k - 1), k * (n - 1))
        coeff = sp.Rational(n * (n - k), k * (n - 1))
        ratio_sums = (base - lead) / coeff
        return 1 + (n * ratio_sums - 1) / k
    return G.second_moment_ratio_sym(size, variance=variant == "variance", without_n=variant == "without-n")


def ratio_implicit_candidate(p, *, variant="derived"):
    _, r = implicit_residual(p)
    if variant == "explicit-formula":
        return G.second_moment_ratio_explicit(p.phi, r, p.k)
    out = G.second_moment_ratio_implicit_limit(p.phi, r, p.k)
    return out - 1.0 if variant == "variance" else out


def one_hot_candidate(p):
    _, r, k = p
    return G.one_hot_ratio(len(r), k)


def one_hot_corrected_candidate(p, *, variant="derived"):
    states, r, k = p
    out = G.one_hot_ratio_corrected(states, r, k)
    return out - 1.0 if variant == "variance" else out


def balanced_candidate(p, *, variant="paper"):
    r, k = p
    lo, hi = float(r.min()), float(r.max())
    if variant == "paper":
        return G.balanced_residual_bound(k, lo, hi)
    if variant == "inverted":
        return 1.0 + (lo / hi) ** 2 / k
    if variant == "one-dropped":
        return (hi / lo) ** 2 / k
    return 1.0 + 1.0 / k  # rho dropped
