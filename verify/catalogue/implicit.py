r"""Claims of seed 001 (Gehring et al. 2021), §2.3 and Theorem 1.

Each claim binds: the derivation (:mod:`derivations.implicit`), the candidate formula,
the oracle (:mod:`verify.oracles.implicit`, primitive definitions only), the strategy
(:mod:`verify.strategies`) and the mutants its checks must refute.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from derivations import implicit as D

from .. import strategies as S
from ..checks import AsymptoticCheck, BoundCheck, DerivativeCheck, NumericIdentity, SymbolicIdentity
from ..model import Claim, Formula, Mutant
from ..numerics import complex_step_jacobian, mp_jacobian
from ..oracles import implicit as O
from ..tolerances import EPS, tolerance

__all__ = ["CLAIMS"]

SOURCE = "seed 001 (Gehring et al., NeurIPS 2021)"
ASSUMPTIONS = (
    r"$n \ge 1$; $w \in \mathbb{R}^n$; $F \in \mathbb{R}^{n\times n}$ finite",
    r"$\eta \in [0, 1)$",
    r"$\sigma$ is the row-wise softmax, so $\sigma(F)$ is row-stochastic and $A = I - \eta\sigma(F)$ is invertible",
)


def _psi(p):
    return O.pack(p.w, p.F)


def _blocks(p, J_ref):
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
    cond = float(np.linalg.cond(np.eye(n) - p.eta * O.softmax_rows(p.F)))
    inflate = max(1.0, 10.0 * n * EPS * cond / atol)
    s_w = float(np.abs(J_w).max())
    return [(slice(0, n), s_w * inflate), (slice(n, None), max(float(np.abs(J_F).max()), s_w * theta) * inflate)]


def _primitive(p):
    return partial(O.theta_hat, eta=p.eta), _psi(p)


def _primitive_mp(p):
    return partial(O.theta_hat_mp, eta=p.eta), _psi(p)


# ---------------------------------------------------------------------------
# implicit.ift-jacobian
# ---------------------------------------------------------------------------


def _jacobian_from_parts(p, *, transpose_w=False, with_eta=True, full_softmax=True):
    parts = D.preconditioner_parts(p.w, p.F, p.eta)
    C = parts.C if full_softmax else parts.S * parts.theta[None, :]
    J_F = (parts.eta if with_eta else 1.0) * parts.A_inv[:, :, None] * C[None, :, :]
    J_w = parts.A_inv.T if transpose_w else parts.A_inv
    return np.hstack([J_w, J_F.reshape(p.n, p.n * p.n)])


def _jacobian_candidate(p):
    J_w, J_F = D.jacobian(p.w, p.F, p.eta)
    return np.hstack([J_w, J_F.reshape(p.n, p.n * p.n)])


def _ift_sym(size, *, transpose_w=False, with_eta=True):
    if size == "n":
        m = D.matrix_symbols()
        A, eta = m["A"], m["eta"]
        Aw = A.I.T if transpose_w else A.I
        return A * (Aw * m["dw"] + (eta if with_eta else 1) * A.I * m["dS"] * m["theta"])
    J = D.ift_jacobian_sym(size)
    n = size
    J_w, J_F = J[:, :n], J[:, n:]
    if transpose_w:
        J_w = J_w.T
    if not with_eta:
        J_F = J_F / D.symbols(n)["eta"]
    return sp.Matrix.hstack(J_w, J_F)


def _ift_reference(size):
    if size == "n":
        m = D.matrix_symbols()
        return m["dw"] + m["eta"] * m["dS"] * m["theta"]
    return D.direct_jacobian_sym(size)


_implicit_points = partial(S.implicit_points, max_size=4)

IFT_JACOBIAN = Claim(
    id="implicit.ift-jacobian",
    title="Jacobians of the implicit weights by the implicit function theorem",
    source=SOURCE + ", §2.3 and eq. (2)",
    statement=(
        r"$\frac{\partial\hat\theta}{\partial w} = A^{-1}$ and "
        r"$\frac{\partial\hat\theta_i}{\partial F_{kj}} = \eta\,[A^{-1}]_{ik}\,c_{kj}$ with "
        r"$c_{kj} = \sigma_{kj}(\hat\theta_j - [\sigma(F)\hat\theta]_k)$."
    ),
    assumptions=ASSUMPTIONS,
    derivation=D.ift_jacobian_derivation(),
    candidate=Formula(
        latex=r"J = [A^{-1},\ \eta A^{-1}C]", numeric=_jacobian_candidate, sympy=_ift_sym
    ),
    checks=(
        SymbolicIdentity(
            reference=_ift_reference, sizes=("n", 2), sample_sizes=(3,),
            description="IFT Jacobian equals direct differentiation of A^{-1}w (n=2 proof, "
            "n=3 random rational points, linearised constraint at symbolic n)",
        ),
        DerivativeCheck(
            primitive=_primitive, primitive_mp=_primitive_mp, strategy=_implicit_points,
            blocks=_blocks,
            description="complex-step Jacobian of theta = solve(I - eta softmax(F), w)",
        ),
    ),
    mutants=(
        Mutant("transposed-J_w", r"$\partial\hat\theta/\partial w = A^{-\top}$ (denominator layout)",
               Formula(r"[A^{-\top}, \eta A^{-1}C]", partial(_jacobian_from_parts, transpose_w=True),
                       partial(_ift_sym, transpose_w=True))),
        Mutant("dropped-eta", r"$\partial\hat\theta/\partial F = A^{-1}C$ (factor $\eta$ dropped)",
               Formula(r"[A^{-1}, A^{-1}C]", partial(_jacobian_from_parts, with_eta=False),
                       partial(_ift_sym, with_eta=False))),
        Mutant("diagonal-softmax-derivative",
               r"$c_{kj} = \sigma_{kj}\hat\theta_j$ (softmax Jacobian taken as $\mathrm{diag}(\sigma)$)",
               Formula(r"c_{kj} = \sigma_{kj}\hat\theta_j",
                       partial(_jacobian_from_parts, full_softmax=False))),
    ),
)


# ---------------------------------------------------------------------------
# implicit.softmax-jacobian-symmetry
# ---------------------------------------------------------------------------


class LogitsAndValues(NamedTuple):
    """A point ``(F, theta)``."""

    F: np.ndarray
    theta: np.ndarray

    def readable(self):
        return {"F": self.F.tolist(), "theta": self.theta.tolist()}


def _logits_and_values():
    return st.integers(1, 4).flatmap(
        lambda n: st.builds(LogitsAndValues, S.logit_matrices(size=n), S.reward_vectors(size=n))
    )


def _softmax_jacobians(F):
    """``M[k, i, j]`` = d softmax(F)_ki / dF_kj by complex step of the primitive softmax."""
    n = F.shape[0]
    return np.stack(
        [complex_step_jacobian(lambda X: O.softmax_rows(X), F[k])[0] for k in range(n)]
    )


def _paper_d(p, *, theta_on_row=False):
    M = _softmax_jacobians(p.F)
    if theta_on_row:  # sum_i (sum_j M_kij theta_i)^2
        inner = M.sum(axis=2) * p.theta[None, :]
    else:  # sum_i (sum_j M_kij theta_j)^2
        inner = np.einsum("kij,j->ki", M, p.theta)
    return (inner**2).sum(axis=1)


def _d_scale(p):
    """d_k sums squares of sums whose terms are |M_kij theta_j|; those set the roundoff."""
    M = np.abs(_softmax_jacobians(p.F))
    inner = np.einsum("kij,j->ki", M, np.abs(p.theta)).max()
    return p.theta.size * inner**2


def _paper_d_columnwise(p):
    return _paper_d(LogitsAndValues(p.F.T, p.theta))


def _natural_d(p):
    M = _softmax_jacobians(p.F)
    return (np.einsum("kij,i->kj", M, p.theta) ** 2).sum(axis=1)


def _paper_d_sym_mutant(n):
    t = D.symbols(n)["t"]
    out = []
    for k in range(n):
        M = D.softmax_derivative_sym(n, k)
        out.append(sum(sum(M[i, j] * t[i] for j in range(n)) ** 2 for i in range(n)))
    return sp.Matrix(out)


def _paper_d_sym_columnwise(n):
    u = D.symbols(n)["u"]
    return D.paper_d_sym(n).xreplace({u[k, j]: u[j, k] for k in range(n) for j in range(n)})


SOFTMAX_SYMMETRY = Claim(
    id="implicit.softmax-jacobian-symmetry",
    title="The softmax Jacobian is symmetric, so Theorem 1's index order in d_k is harmless",
    source=SOURCE + ", Theorem 1 (definition of d)",
    statement=(
        r"$\frac{\partial\sigma(F)_{ki}}{\partial F_{kj}} = \frac{\partial\sigma(F)_{kj}}{\partial F_{ki}}$, "
        r"hence $\sum_i(\sum_j \frac{\partial\sigma_{ki}}{\partial F_{kj}}\theta_j)^2 = "
        r"\sum_j(\sum_i \frac{\partial\sigma_{ki}}{\partial F_{kj}}\theta_i)^2$."
    ),
    assumptions=(r"$F \in \mathbb{R}^{n\times n}$ finite, $\theta \in \mathbb{R}^n$",),
    derivation=D.softmax_symmetry_derivation(),
    candidate=Formula(
        latex=r"d_k^{\text{paper}}", numeric=_paper_d, sympy=D.paper_d_sym
    ),
    checks=(
        SymbolicIdentity(reference=D.natural_d_sym, sizes=(2, 3, 4),
                         description="paper-order d equals chain-rule-order d, exactly"),
        NumericIdentity(reference=_natural_d, strategy=_logits_and_values, scale=_d_scale,
                        description="both orders from the complex-step softmax Jacobian"),
    ),
    mutants=(
        Mutant("theta-on-differentiated-index",
               r"$\sum_i(\sum_j \partial\sigma_{ki}/\partial F_{kj}\,\theta_i)^2$ (rows of the softmax Jacobian sum to 0)",
               Formula(r"\sum_i\theta_i^2(\sum_j\partial_{kj}\sigma_{ki})^2",
                       partial(_paper_d, theta_on_row=True), _paper_d_sym_mutant)),
        Mutant("column-softmax", r"softmax taken over columns: $\partial\sigma_{ik}/\partial F_{jk}$",
               Formula(r"d_k(F^\top)", _paper_d_columnwise, _paper_d_sym_columnwise)),
    ),
)


# ---------------------------------------------------------------------------
# implicit.preconditioner (Theorem 1)
# ---------------------------------------------------------------------------


def _P_from_parts(p, *, eta_power=2, transpose_first=False, square=True, identity=True):
    parts = D.preconditioner_parts(p.w, p.F, p.eta)
    d = parts.d if square else parts.C.sum(axis=1)
    mid = np.diag(parts.eta**eta_power * d + (1.0 if identity else 0.0))
    Ai = parts.A_inv
    return Ai.T @ mid @ Ai if transpose_first else Ai @ mid @ Ai.T


def _P_candidate(p):
    return D.preconditioner(p.w, p.F, p.eta)


def _P_sym(size):
    if size == "n":
        return D.preconditioner_matrix_level()
    return D.preconditioner_sym(size)


def _P_sym_eta_not_squared(size):
    r"""Mutant: :math:`A^{-1}(\eta D + I)A^{-\top}`, the derived form with :math:`\eta` for :math:`\eta^2`."""
    if size == "n":
        m = D.matrix_symbols()
        A, C, eta = m["A"], m["C"], m["eta"]
        return A.I * (eta * C * C.T + sp.Identity(m["n"])) * A.I.T
    eta, Ainv, d = D.symbols(size)["eta"], D.A_sym(size).LUsolve(sp.eye(size)), D.natural_d_sym(size)
    return Ainv * sp.diag(*[eta * d[k] + 1 for k in range(size)]) * Ainv.T


def _P_sym_transposes_swapped(size):
    r"""Mutant: :math:`A^{-\top}(\eta^2 D + I)A^{-1}`, the derived middle factor between swapped transposes."""
    if size == "n":
        m = D.matrix_symbols()
        A, C, eta = m["A"], m["C"], m["eta"]
        return A.I.T * (eta**2 * C * C.T + sp.Identity(m["n"])) * A.I
    eta, Ainv, d = D.symbols(size)["eta"], D.A_sym(size).LUsolve(sp.eye(size)), D.natural_d_sym(size)
    return Ainv.T * sp.diag(*[eta**2 * d[k] + 1 for k in range(size)]) * Ainv


def _gram_reference_sym(size):
    return D.jacobian_gram_matrix_level() if size == "n" else D.jacobian_gram_sym(size)


def _gram_oracle(p):
    return O.gram_oracle(_psi(p), eta=p.eta)


def _gram_oracle_mp(p):
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


def _points_with_targets():
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


def _gradient_step_remainder(candidate, q, hs):
    r"""``||theta(psi - a g) - theta(psi) + a P r||`` for a ladder of step sizes ``a``.

    ``g`` is the gradient of ``L(theta(psi))`` from the complex-step Jacobian of the
    primitive; a correct ``P`` leaves an :math:`O(a^2)` remainder. The change of
    ``theta`` is computed by :func:`~verify.oracles.implicit.theta_change`, accurate
    relative to itself, so the roundoff floor shrinks with ``a`` and the quadratic
    term stays visible over the whole ladder.
    """
    p, y = q.point, q.y
    psi = _psi(p)
    theta = O.theta_hat(psi[None, :], eta=p.eta)[0]
    J, _ = O.jacobian_oracle(psi, eta=p.eta)
    r = theta - y
    g = J.T @ r
    P = np.asarray(candidate.numeric(p), dtype=float)
    alphas = 0.5 / max(1.0, float(np.linalg.norm(J, 2)) ** 2) * hs
    moved = O.theta_change(psi, -alphas[:, None] * g[None, :], eta=p.eta)
    Pr = P @ r
    rem = np.linalg.norm(moved + alphas[:, None] * Pr[None, :], axis=1)
    cond = float(np.linalg.cond(np.eye(p.n) - p.eta * O.softmax_rows(p.F)))
    # Roundoff relative to the first-order change a|Jg|. 1000 eps cond rather than
    # ~eps cond: float noise measured at <= 1.6 eps cond, but a 50-digit replay of
    # a saturated point (F = [[0,-20],[0,20]], eta = 0.998) showed the float first-
    # order terms (g, P r) disagreeing with exact arithmetic at ~225 eps, and a
    # remainder 1e-12 of the first-order change says nothing about its order.
    floor = 1000 * EPS * cond * alphas * (np.linalg.norm(J @ g) + np.linalg.norm(Pr))
    return rem, floor


PRECONDITIONER = Claim(
    id="implicit.preconditioner",
    title="Theorem 1: gradient flow on (w, F) is preconditioned gradient flow on theta",
    source=SOURCE + ", Theorem 1, eq. (4)",
    statement=(
        r"$\frac{d}{dt}\hat\theta = -P\,\nabla L(\hat\theta)$ with "
        r"$P = A^{-1}(\eta^2 D + I)A^{-\top}$, $D = \operatorname{diag}(d)$, "
        r"$d_k = \sum_i(\sum_j \frac{\partial\sigma(F)_{ki}}{\partial F_{kj}}\hat\theta_j)^2$; "
        r"equivalently $P = J J^\top$, $J = \partial\hat\theta/\partial(w, F)$."
    ),
    assumptions=ASSUMPTIONS + (r"$L$ differentiable; here $L(\theta) = \frac12\|\theta - y\|^2$ in the step check",),
    derivation=D.preconditioner_derivation(),
    candidate=Formula(latex=r"A^{-1}(\eta^2 D + I)A^{-\top}", numeric=_P_candidate, sympy=_P_sym),
    checks=(
        SymbolicIdentity(reference=_gram_reference_sym, sizes=("n", 2),
                         description="P = J J^T at matrix level (symbolic n) and elementwise at n=2"),
        NumericIdentity(reference=_gram_oracle, reference_mp=_gram_oracle_mp, strategy=_implicit_points,
                        description="P against J J^T, J by complex step of the primitive"),
        AsymptoticCheck(remainder=_gradient_step_remainder, strategy=_points_with_targets, order=2.0, steps=16,
                        description="one real gradient step on (w, F) moves theta by -a P grad L + O(a^2)"),
    ),
    mutants=(
        Mutant("eta-not-squared", r"$A^{-1}(\eta D + I)A^{-\top}$",
               Formula(r"A^{-1}(\eta D + I)A^{-\top}", partial(_P_from_parts, eta_power=1),
                       _P_sym_eta_not_squared)),
        Mutant("transposes-swapped", r"$A^{-\top}(\eta^2 D + I)A^{-1}$",
               Formula(r"A^{-\top}(\eta^2 D + I)A^{-1}", partial(_P_from_parts, transpose_first=True),
                       _P_sym_transposes_swapped)),
        Mutant("d-not-squared", r"$d_k = \sum_j c_{kj}$ (square dropped)",
               Formula(r"d_k = \sum_j c_{kj}", partial(_P_from_parts, square=False))),
        Mutant("identity-dropped", r"$\eta^2 A^{-1} D A^{-\top}$ (the $w$-path $J_wJ_w^\top$ forgotten)",
               Formula(r"\eta^2A^{-1}DA^{-\top}", partial(_P_from_parts, identity=False))),
    ),
)


# ---------------------------------------------------------------------------
# implicit.preconditioner-lower-bound
# ---------------------------------------------------------------------------


def _lambda_min_oracle(p):
    return float(np.linalg.eigvalsh(_gram_oracle(p)).min())


def _bound_points():
    return S.implicit_points(max_size=8, max_eta=0.999)


def _F_coordinates(p):
    """Local search moves F freely and eta through a logit, clipped to [0, 0.999]."""
    n = p.n

    def rebuild(x):
        x = np.asarray(x, dtype=float)
        eta = float(np.clip(1.0 / (1.0 + np.exp(-x[-1])), 0.0, 0.999))
        return S.ImplicitPoint(p.w, x[:-1].reshape(n, n), eta)

    e = min(max(p.eta, 1e-6), 0.999)
    return np.concatenate([p.F.ravel(), [np.log(e / (1 - e))]]), rebuild


def _bound(fn):
    return lambda p: fn(p.n, p.eta)


LOWER_BOUND = Claim(
    id="implicit.preconditioner-lower-bound",
    title="Theorem 1: lambda_min(P) >= (1 + eta sqrt(n))^-2, a time-independent constant",
    source=SOURCE + ", Theorem 1 (lambda_min(P) >= c > 0)",
    statement=(
        r"$\lambda_{\min}(P) \ge c(n, \eta) = (1 + \eta\sqrt{n})^{-2}$ for all $w$ and $F$; "
        r"the paper asserts only some $c > 0$. The worst case $\sigma(F) \to \mathbf{1}e_1^\top$ "
        r"gives $\lambda_{\min} \approx 1/n$ as $\eta \to 1$, so $c$ has the right order in $n$."
    ),
    assumptions=ASSUMPTIONS,
    derivation=D.lower_bound_derivation(),
    candidate=Formula(latex=r"(1 + \eta\sqrt n)^{-2}",
                      numeric=_bound(D.preconditioner_lower_bound)),
    checks=(
        BoundCheck(oracle=_lambda_min_oracle, strategy=_bound_points, coordinates=_F_coordinates, effort=5,
                   description="lambda_min of J J^T (J by complex step) against c, n <= 8"),
    ),
    mutants=(
        Mutant("no-inverse", r"$c = 1$ (from $\lambda_{\min}(\eta^2D + I) \ge 1$, forgetting $A^{-1}$)",
               Formula("1", lambda p: 1.0)),
        Mutant("doubly-stochastic-norm", r"$c = (1 + \eta)^{-2}$ (assumes $\|\sigma(F)\|_2 \le 1$)",
               Formula(r"(1+\eta)^{-2}", _bound(lambda n, eta: (1 + eta) ** -2))),
        Mutant("square-dropped", r"$c = (1 + \eta\sqrt n)^{-1}$ (exponent off by one)",
               Formula(r"(1+\eta\sqrt n)^{-1}", _bound(lambda n, eta: 1 / (1 + eta * np.sqrt(n))))),
    ),
)

CLAIMS = (IFT_JACOBIAN, SOFTMAX_SYMMETRY, PRECONDITIONER, LOWER_BOUND)
