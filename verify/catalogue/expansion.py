r"""Claims of seed 001 §3.2: the Perron--Frobenius split, eq. (5) and the leading order of P.

Oracles: the stationary distribution from running the chain (repeated squaring,
:mod:`verify.oracles.markov`), :math:`A^{-1}` from a linear solve, and
:math:`P = JJ^\top` from the complex-step Jacobian of the constraint's solution.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import sympy as sp

from derivations import expansion as E
from derivations import implicit as D

from .. import strategies as S
from ..checks import AsymptoticCheck, NumericIdentity, SymbolicIdentity
from ..model import Claim, Formula, Mutant
from ..oracles import implicit as O
from ..oracles import markov
from ..tolerances import EPS

__all__ = ["CLAIMS"]

SOURCE = "seed 001 (Gehring et al., NeurIPS 2021), §3.2"
ASSUMPTIONS = (
    r"$F \in \mathbb{R}^{n\times n}$ finite, so $S = \sigma(F)$ has positive entries (primitive, not merely irreducible)",
    r"$\eta \in [0, 1)$",
)


def _moderate_logits():
    """Logits up to 5 in magnitude: the chain mixes, so v is well conditioned."""
    return S.logit_matrices(min_size=1, max_size=5, max_magnitude=5.0, large_rows=False)


# ---------------------------------------------------------------------------
# implicit.perron-frobenius-split
# ---------------------------------------------------------------------------


def _split_candidate(F):
    """The derived split ``(v, M)`` of ``sigma(F)``, flattened."""
    v, M = E.perron_split(D._softmax_rows(np.asarray(F, dtype=float)))
    return np.concatenate([v, M.ravel()])


def _split_mutant(F, *, transpose=False, v_rule="stationary"):
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


def _split_reference(F):
    Sm = O.softmax_rows(np.asarray(F, dtype=float))
    v = markov.stationary_by_powers(Sm)
    return np.concatenate([v, (Sm - np.outer(np.ones(len(v)), v)).ravel()])


def _split_sym(n, *, transpose=False, v_rule="stationary"):
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


def _zeros(n):
    return sp.zeros(1 + 3 * n, 1)


PERRON = Claim(
    id="implicit.perron-frobenius-split",
    title="sigma(F) = 1 v^T + M with v^T 1 = 1, M 1 = 0, v^T M = 0, v stationary",
    source=SOURCE + ", display before eq. (5)",
    statement=(
        r"$\sigma(F) = \mathbf 1 v^\top + M$, $v^\top\mathbf 1 = 1$, $M\mathbf 1 = 0$, "
        r"$v^\top M = 0$, where $v$ is the stationary distribution of $\sigma(F)$."
    ),
    assumptions=ASSUMPTIONS[:1],
    derivation=E.perron_split_derivation(),
    candidate=Formula(r"v: (I - S + \mathbf 1\mathbf 1^\top)^\top v = \mathbf 1,\ M = S - \mathbf 1v^\top",
                      _split_candidate, _split_sym),
    checks=(
        SymbolicIdentity(reference=_zeros, sizes=(2, 3),
                         description="the properties vanish identically for a symbolic stochastic S"),
        NumericIdentity(reference=_split_reference, strategy=_moderate_logits,
                        description="v against the rows of S^(2^m) (the chain run to stationarity)"),
    ),
    mutants=(
        Mutant("outer-product-transposed", r"$M = S - v\mathbf 1^\top$",
               Formula(r"M = S - v\mathbf 1^\top", partial(_split_mutant, transpose=True),
                       partial(_split_sym, transpose=True))),
        Mutant("v-is-average-row", r"$v = S^\top\mathbf 1/n$ (stationary only for doubly stochastic $S$)",
               Formula(r"v = S^\top\mathbf 1/n", partial(_split_mutant, v_rule="column-mean"),
                       partial(_split_sym, v_rule="column-mean"))),
        Mutant("v-is-uniform", r"$v = \mathbf 1/n$ (the right eigenvector, normalised)",
               Formula(r"v = \mathbf 1/n", partial(_split_mutant, v_rule="uniform"),
                       partial(_split_sym, v_rule="uniform"))),
    ),
    notes=(
        r"The paper says irreducibility gives `all other eigenvalues strictly smaller' in modulus; "
        r"irreducible periodic chains have other eigenvalues on the unit circle. What holds is "
        r"primitivity, which softmax gives because every entry of $\sigma(F)$ is positive."
    ),
)


# ---------------------------------------------------------------------------
# implicit.inverse-expansion (eq. 5)
# ---------------------------------------------------------------------------


def _expansion_candidate(p):
    """``{"inverse": A^-1 closed form, "leading": (1-eta)^-1 1 v^T x with x = w}``, both derived."""
    return {"inverse": E.inverse_expansion(p.F, p.eta), "leading": E.inverse_leading_action(p.F, p.eta, p.w)}


def _expansion_mutant(p, *, coeff="eta", transpose=False, from_one=False):
    """Mutants: the outer coefficient, the outer product or the series start changed."""
    Sm = D._softmax_rows(p.F)
    n = Sm.shape[0]
    v, M = E.perron_split(Sm)
    outer = np.outer(v, np.ones(n)) if transpose else np.outer(np.ones(n), v)
    c = p.eta / (1 - p.eta) if coeff == "eta" else 1.0 / (1 - p.eta)
    series = np.linalg.inv(np.eye(n) - p.eta * M) - (np.eye(n) if from_one else 0.0)
    return {"inverse": c * outer + series, "leading": outer @ p.w / (1 - p.eta)}


def _expansion_sym(n, *, coeff="eta", transpose=False, from_one=False):
    eta_coeff = None if coeff == "eta" else (lambda eta: 1 / (1 - eta))
    out = E.inverse_expansion_sym(n, eta_coeff=eta_coeff, transpose_outer=transpose)
    return out - sp.eye(n) if from_one else out


def _inverse_reference(p):
    return markov.inverse_by_solve(O.softmax_rows(p.F), p.eta)


def _inverse_scale(p):
    return float(np.abs(_inverse_reference(p)).max())


def _eq5_points():
    return S.implicit_points(min_size=1, max_size=4, max_logit=5.0, large_rows=False, max_eta=0.999)


H0_ETA = 0.5  #: eta ladders start at eta = 1 - H0_ETA and halve 1 - eta


def _eq5_remainder(candidate, p, hs):
    r"""``||A^{-1}x - leading(x)||`` along :math:`\eta = 1 - h_0 h` (``F``, ``x = w`` fixed): O(1)."""
    rem, floor = [], []
    for h in hs:
        q = p._replace(eta=1.0 - H0_ETA * h)
        exact = np.linalg.solve(np.eye(q.n) - q.eta * O.softmax_rows(q.F), q.w)
        lead = np.asarray(candidate.numeric(q)["leading"], dtype=float)
        rem.append(float(np.abs(exact - lead).max()))
        floor.append(100 * EPS * np.abs(exact).max() / h + 1e-300)
    return np.array(rem), np.array(floor)


INVERSE = Claim(
    id="implicit.inverse-expansion",
    title="Eq. (5): A^-1 = eta/(1-eta) 1 v^T + sum_k eta^k M^k, and A^-1 x = (1-eta)^-1 1 (v^T x) + O(1)",
    source=SOURCE + ", eq. (5) and the display before it",
    statement=(
        r"$A^{-1} = \frac{\eta}{1-\eta}\mathbf 1v^\top + \sum_{k\ge0}\eta^kM^k$ and, for fixed $F$ "
        r"and $x$, $A^{-1}x = \frac{1}{1-\eta}\mathbf 1(v^\top x) + O(1)$ as $\eta\to1$."
    ),
    assumptions=ASSUMPTIONS,
    derivation=E.inverse_expansion_derivation(),
    candidate=Formula(r"\frac{\eta}{1-\eta}\mathbf 1v^\top + (I-\eta M)^{-1}", _expansion_candidate,
                      _expansion_sym),
    checks=(
        SymbolicIdentity(reference=E.inverse_direct_sym, sizes=(2,), sample_sizes=(3,),
                         description="closed form against (I - eta S)^-1 for a symbolic stochastic S"),
        NumericIdentity(reference=_inverse_reference, strategy=_eq5_points, part="inverse",
                        scale=_inverse_scale, description="closed form against a linear solve"),
        AsymptoticCheck(remainder=_eq5_remainder, strategy=_eq5_points, order=0.0, steps=24,
                        description="the remainder of eq. (5) stays bounded as eta -> 1 (slope >= 0)"),
    ),
    mutants=(
        Mutant("coefficient-off-by-one", r"$\frac{1}{1-\eta}\mathbf 1v^\top + \sum_{k\ge0}\eta^kM^k$ (identity counted twice)",
               Formula(r"\frac{1}{1-\eta}\mathbf 1v^\top + (I-\eta M)^{-1}",
                       partial(_expansion_mutant, coeff="one"), partial(_expansion_sym, coeff="one"))),
        Mutant("outer-product-transposed", r"$\frac{\eta}{1-\eta}v\mathbf 1^\top + \dots$",
               Formula(r"\frac{\eta}{1-\eta}v\mathbf 1^\top + (I-\eta M)^{-1}",
                       partial(_expansion_mutant, transpose=True), partial(_expansion_sym, transpose=True))),
        Mutant("series-from-one", r"$\frac{\eta}{1-\eta}\mathbf 1v^\top + \sum_{k\ge1}\eta^kM^k$",
               Formula(r"\frac{\eta}{1-\eta}\mathbf 1v^\top + (I-\eta M)^{-1} - I",
                       partial(_expansion_mutant, from_one=True), partial(_expansion_sym, from_one=True))),
    ),
    notes=(
        r"The $O(1)$ in eq.~(5) is uniform only for $F$ in a compact set: its constant is "
        r"$\|(I - M)^{-1}\| + 1$, which grows without bound as $\sigma(F)$ approaches a reducible chain."
    ),
)


# ---------------------------------------------------------------------------
# implicit.preconditioner-leading-order
# ---------------------------------------------------------------------------


def _leading_candidate(p):
    """The derived leading term of ``P``."""
    return E.preconditioner_leading(p.w, p.F, p.eta)


def _leading_mutant(p, *, power=2, transpose=False, with_D=True):
    """Mutants: one power of (1 - eta), the outer products transposed, or D dropped."""
    parts = D.preconditioner_parts(p.w, p.F, p.eta)
    v = E.stationary_distribution(parts.S)
    weights = (p.eta**2 * parts.d if with_D else 0.0) + 1.0
    n = len(v)
    if transpose:
        return float(weights.sum()) * np.outer(v, v) / (1 - p.eta) ** power
    return float(v @ (weights * v)) * np.ones((n, n)) / (1 - p.eta) ** power


def _leading_points():
    return S.implicit_points(min_size=2, max_size=4, max_logit=3.0, max_reward=5.0, large_rows=False)


def _leading_remainder(candidate, p, hs):
    r"""``max|JJ^T - leading|`` along :math:`\eta = 1 - h_0 h` with ``w``, ``F`` fixed: O((1-eta)^-1)."""
    rem, floor = [], []
    for h in hs:
        q = p._replace(eta=1.0 - H0_ETA * h)
        P = O.gram_oracle(O.pack(q.w, q.F), eta=q.eta)
        lead = np.asarray(candidate.numeric(q), dtype=float)
        rem.append(float(np.abs(P - lead).max()))
        cond = float(np.linalg.cond(np.eye(q.n) - q.eta * O.softmax_rows(q.F)))
        floor.append(1000 * EPS * cond * float(np.abs(P).max()))
    return np.array(rem), np.array(floor)


LEADING = Claim(
    id="implicit.preconditioner-leading-order",
    title="P = (1-eta)^-2 1 v^T (eta^2 D + I) v 1^T + O((1-eta)^-1) as eta -> 1",
    source=SOURCE + ", display after eq. (5)",
    statement=(
        r"With $w$ and $F$ held fixed, $P = \frac{1}{(1-\eta)^2}\mathbf 1v^\top(\eta^2D+I)v\mathbf 1^\top "
        r"+ O\bigl((1-\eta)^{-1}\bigr)$ as $\eta\to1$."
    ),
    assumptions=ASSUMPTIONS + (
        r"$w$ and $F$ fixed as $\eta\to1$: then $\hat\theta$ grows like $(1-\eta)^{-1}$ but only along "
        r"$\mathbf 1$, which $c_{kj}$ cancels, so $D = O(1)$",
    ),
    derivation=E.leading_order_derivation(),
    candidate=Formula(r"\frac{1}{(1-\eta)^2}\mathbf 1v^\top(\eta^2D+I)v\mathbf 1^\top", _leading_candidate),
    checks=(
        AsymptoticCheck(remainder=_leading_remainder, strategy=_leading_points, order=-1.0, steps=16,
                        description="||P - leading|| grows no faster than (1-eta)^-1 (slope >= -1)"),
    ),
    mutants=(
        Mutant("one-power-of-1-minus-eta", r"$(1-\eta)^{-1}$ instead of $(1-\eta)^{-2}$",
               Formula(r"\frac{1}{1-\eta}\mathbf 1v^\top(\eta^2D+I)v\mathbf 1^\top",
                       partial(_leading_mutant, power=1))),
        Mutant("outer-products-transposed", r"$\frac{1}{(1-\eta)^2}v\mathbf 1^\top(\eta^2D+I)\mathbf 1v^\top$",
               Formula(r"\frac{1}{(1-\eta)^2}v\mathbf 1^\top(\eta^2D+I)\mathbf 1v^\top",
                       partial(_leading_mutant, transpose=True))),
        Mutant("D-dropped", r"$\frac{1}{(1-\eta)^2}\mathbf 1v^\top v\mathbf 1^\top$",
               Formula(r"\frac{1}{(1-\eta)^2}\mathbf 1v^\top v\mathbf 1^\top", partial(_leading_mutant, with_D=False))),
    ),
    notes=(
        r"The paper's leading coefficient $(1-\eta)^{-2}$ could equally be $\eta^2(1-\eta)^{-2}$ (the "
        r"exact coefficient from eq.~(5)); the two differ by $(1+\eta)/(1-\eta) = O((1-\eta)^{-1})$, inside "
        r"the remainder. Holding $\hat\theta$ fixed instead of $w$ also works ($D$ is then constant)."
    ),
)


CLAIMS = (PERRON, INVERSE, LEADING)
