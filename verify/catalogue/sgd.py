r"""Claims of seed 001 §3.1--3.2 about SGD: Theorems 2--5 and Corollaries 2--3.

Oracles simulate minibatch SGD from the loss's definition
(:mod:`verify.oracles.sgd`): every minibatch is enumerated (exact expectations) or
sampled (Monte Carlo with a finite-sample radius). Nothing here evaluates a derived
expectation to check a derived expectation.
"""

from __future__ import annotations

from functools import partial

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from derivations import expansion as E
from derivations import implicit as D
from derivations import sgd as G

from .. import strategies as S
from ..checks import AsymptoticCheck, BoundCheck, ExpectationCheck, NumericIdentity, SymbolicIdentity
from ..model import Claim, Formula, Mutant
from ..oracles import implicit as O
from ..oracles import sgd as SG
from ..tolerances import EPS

__all__ = ["CLAIMS"]

SOURCE = "seed 001 (Gehring et al., NeurIPS 2021)"
DATA = (
    r"$n \ge 2$ data points with features $\phi_i \in \mathbb{R}^d$, residuals $r_i = \phi_i^\top\theta - y_i$, "
    r"$L = \frac12\sum_i r_i^2$, $\mathbf r = \sum_i r_i\phi_i$",
    r"minibatches of size $1 \le k \le n$ drawn uniformly without replacement; "
    r"$L_B = \frac{1}{2k}\sum_{i\in B} r_i^2$",
)
IMPLICIT = (
    r"$\hat\theta = (I - \eta\sigma(F))^{-1}w \in \mathbb{R}^d$; SGD acts on $\psi = (w, F)$; $\eta \in [0, 1)$",
)


def _mean_of(values):
    return float(np.mean(values))


# ---------------------------------------------------------------------------
# Theorem 2: explicit parameterization
# ---------------------------------------------------------------------------


def _t2_candidate(p):
    r"""Theorem 2's derived leading term :math:`-\frac{\alpha}{n}\|\mathbf r\|^2` at ``p``."""
    return G.expected_loss_decrease_explicit(p.phi, p.residual(), p.alpha)


def _t2_mutant(p, *, scale="n", use_gradient=True):
    """Mutants: the leading term with a wrong denominator or the residual vector for the gradient."""
    r = p.residual()
    g = p.phi.T @ r
    sq = float(g @ g) if use_gradient else float(r @ r)
    denom = {"n": p.n, "k": p.k, "one": 1}[scale]
    return -p.alpha / denom * sq


def _alpha0(phi):
    return 0.5 / (1.0 + float(np.linalg.norm(phi, 2)) ** 2)


def _t2_remainder(candidate, p, hs):
    r"""``|E[L(theta - a g_B)] - L(theta) - candidate(a)|`` by enumerating every minibatch: O(a^2)."""
    alphas = _alpha0(p.phi) * hs
    batches = SG.minibatches(p.n, p.k)
    dL = SG.explicit_loss_changes(p.phi, p.y, p.theta, batches, alphas).mean(axis=1)
    cand = np.array([candidate.numeric(p._replace(alpha=a)) for a in alphas])
    g = SG.minibatch_gradients(p.phi, p.y, p.theta, batches)
    first = alphas * float(np.abs(g @ (p.phi.T @ p.residual())).max())
    floor = 100 * EPS * p.n * (first + np.abs(cand))
    return np.abs(dL - cand), floor


def _first_order_explicit(p, batches):
    r""":math:`\frac{d}{d\alpha}L(\theta - \alpha g_B)` at 0, by complex step in :math:`\alpha`."""
    g = SG.minibatch_gradients(p.phi, p.y, p.theta, batches)
    return SG.loss_change(p.phi, p.residual(), -1j * SG.H_CS * g).imag / SG.H_CS


def _singletons(n):
    return np.arange(n)[:, None]


def _range_explicit(p):
    """The coefficient for a minibatch is the mean of the singletons' coefficients."""
    c = _first_order_explicit(p, _singletons(p.n))
    return float(c.min()), float(c.max())


@st.composite
def _large_linear(draw):
    """Large data sets from a drawn seed (Hypothesis shrinks the seed, n, d and k)."""
    n = draw(st.sampled_from((40, 300, 2000, 10_000)))
    d = draw(st.integers(1, 3))
    k = draw(st.integers(1, 32))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    phi = rng.normal(size=(n, d)) / np.sqrt(d)
    theta = rng.normal(size=d)
    y = phi @ theta + rng.normal(size=n) + draw(st.sampled_from((0.0, 1.0)))
    return S.LinearSGDPoint(phi, y, rng.normal(size=d), k)


def _small_linear():
    return S.linear_sgd_points(min_n=2, max_n=6, max_d=3)


T2 = Claim(
    id="implicit.expected-loss-decrease-explicit",
    title="Theorem 2: E[L(theta_{t+1}) - L(theta_t)] = -(alpha/n)||r||^2 + O(alpha^2)",
    source=SOURCE + ", §3.1, Theorem 2",
    statement=(
        r"For SGD on the explicit parameterization, $\mathbb E[L(\theta_{t+1}) - L(\theta_t)\mid\theta_t] "
        r"= -\frac{\alpha}{n}\|\mathbf r(\theta_t)\|_2^2 + O(\alpha^2)$."
    ),
    assumptions=DATA,
    derivation=G.expected_decrease_derivation(implicit=False),
    candidate=Formula(r"-\frac{\alpha}{n}\|\mathbf r\|^2", _t2_candidate),
    checks=(
        AsymptoticCheck(remainder=_t2_remainder, strategy=_small_linear, order=2.0, steps=10,
                        description="exact expectation over all minibatches; remainder O(alpha^2) by slope"),
        ExpectationCheck(values=_first_order_explicit, value_range=_range_explicit,
                         sizes=lambda p: (p.n, p.k), strategy=_large_linear, samples=4000,
                         description="first-order coefficient for n up to 10^4: Monte Carlo over minibatches"),
    ),
    mutants=(
        Mutant("k-instead-of-n", r"$-\frac{\alpha}{k}\|\mathbf r\|^2$",
               Formula(r"-\frac{\alpha}{k}\|\mathbf r\|^2", partial(_t2_mutant, scale="k"))),
        Mutant("residual-vector-not-gradient", r"$-\frac{\alpha}{n}\sum_i r_i^2$ ($= -\frac{2\alpha}{n}L$)",
               Formula(r"-\frac{\alpha}{n}\sum_i r_i^2", partial(_t2_mutant, use_gradient=False))),
        Mutant("full-batch-rate", r"$-\alpha\|\mathbf r\|^2$ (the $1/n$ dropped)",
               Formula(r"-\alpha\|\mathbf r\|^2", partial(_t2_mutant, scale="one"))),
    ),
    notes=(
        r"The paper's second step, $\gtrsim -\frac{\alpha}{n}L(\theta) + O(\alpha^2)$, needs "
        r"$\|\mathbf r\|^2 \le c\,L$, i.e. $c = 2\|\phi^\top\phi\|_2$ (Assumption 1 makes it $O(1)$)."
    ),
)


# ---------------------------------------------------------------------------
# Theorem 3: implicit parameterization
# ---------------------------------------------------------------------------


def _implicit_residual(p):
    theta = D.implicit_weights(p.w, p.F, p.eta)
    return theta, p.phi @ theta - p.y


def _t3_candidate(p):
    r"""Theorem 3's derived leading term :math:`-\frac{\alpha}{n}\langle P\mathbf r, \mathbf r\rangle` at ``p``."""
    _, r = _implicit_residual(p)
    return G.expected_loss_decrease_implicit(p.phi, r, D.preconditioner(p.w, p.F, p.eta), p.alpha)


def _t3_mutant(p, *, P_rule="P", scale="n"):
    """Mutants: the leading term with ``P`` forgotten, ``P`` built with ``eta D``, or ``k`` for ``n``."""
    _, r = _implicit_residual(p)
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


def _t3_remainder(candidate, p, hs):
    r"""Exact expectation of the loss change after one implicit SGD step, minus the candidate: O(a^2)."""
    psi = O.pack(p.w, p.F)
    batches = SG.minibatches(p.n, p.k)
    theta, J, G_B = SG.implicit_parameter_steps(p.phi, p.y, psi, p.eta, batches)
    a0 = 0.25 / (1.0 + (float(np.linalg.norm(J, 2)) * float(np.linalg.norm(p.phi, 2))) ** 2)
    alphas = a0 * hs
    dtheta = SG.steps_to_theta_changes(psi, p.eta, G_B, alphas)  # J is computed once
    r = p.phi @ theta - p.y
    dL = SG.loss_change(p.phi, r, dtheta).mean(axis=1)
    cand = np.array([candidate.numeric(p._replace(alpha=a)) for a in alphas])
    cond = float(np.linalg.cond(np.eye(len(theta)) - p.eta * O.softmax_rows(p.F)))
    first = np.abs(dtheta).max(axis=(1, 2)) * float(np.abs(p.phi.T @ r).sum())
    floor = 1000 * EPS * cond * (first + np.abs(cand))
    return np.abs(dL - cand), floor


def _first_order_implicit(p, batches):
    r""":math:`\frac{d}{d\alpha}L(\hat\theta(\psi - \alpha G_B))` at 0: complex step through the constraint."""
    psi = O.pack(p.w, p.F)
    theta, _, G_B = SG.implicit_parameter_steps(p.phi, p.y, psi, p.eta, batches)
    moved = O.theta_hat(psi[None, :] - 1j * SG.H_CS * G_B, eta=p.eta)
    dtheta = moved.imag / SG.H_CS
    return dtheta @ (p.phi.T @ (p.phi @ theta - p.y))  # O(d) per minibatch, not O(n)


def _range_implicit(p):
    c = _first_order_implicit(p, _singletons(p.n))
    return float(c.min()), float(c.max())


@st.composite
def _large_implicit(draw):
    n = draw(st.sampled_from((40, 300, 2000, 10_000)))
    d = draw(st.integers(2, 3))
    k = draw(st.integers(1, 32))
    seed = draw(st.integers(0, 2**16))
    eta = draw(S.discount_factors(max_value=0.95, near_one=False))
    rng = np.random.default_rng(seed)
    phi = rng.normal(size=(n, d)) / np.sqrt(d)
    return S.ImplicitSGDPoint(phi, rng.normal(size=n) + 1.0, rng.normal(size=d), rng.normal(size=(d, d)),
                              eta, k)


def _small_implicit():
    return S.implicit_sgd_points(min_n=2, max_n=5, max_d=3, max_eta=0.95)


T3 = Claim(
    id="implicit.expected-loss-decrease-implicit",
    title="Theorem 3: E[L(theta_{t+1}) - L(theta_t)] = -(alpha/n)<P r, r> + O(alpha^2)",
    source=SOURCE + ", §3.1, Theorem 3",
    statement=(
        r"For SGD on $(w, F)$, $\mathbb E[L(\hat\theta_{t+1}) - L(\hat\theta_t)\mid\hat\theta_t] "
        r"= -\frac{\alpha}{n}\langle P\mathbf r(\hat\theta_t), \mathbf r(\hat\theta_t)\rangle + O(\alpha^2)$."
    ),
    assumptions=DATA + IMPLICIT,
    derivation=G.expected_decrease_derivation(implicit=True),
    candidate=Formula(r"-\frac{\alpha}{n}\langle P\mathbf r, \mathbf r\rangle", _t3_candidate),
    checks=(
        AsymptoticCheck(remainder=_t3_remainder, strategy=_small_implicit, order=2.0, steps=12,
                        description="real SGD steps on (w, F) for every minibatch; remainder O(alpha^2)"),
        ExpectationCheck(values=_first_order_implicit, value_range=_range_implicit,
                         sizes=lambda p: (p.n, p.k), strategy=_large_implicit, samples=4000,
                         description="first-order coefficient for n up to 10^4: Monte Carlo over minibatches"),
    ),
    mutants=(
        Mutant("explicit-rate", r"$-\frac{\alpha}{n}\|\mathbf r\|^2$ ($P$ forgotten)",
               Formula(r"-\frac{\alpha}{n}\|\mathbf r\|^2", partial(_t3_mutant, P_rule="identity"))),
        Mutant("eta-not-squared", r"$P$ built with $\eta D$",
               Formula(r"-\frac{\alpha}{n}\langle P_\eta\mathbf r, \mathbf r\rangle", partial(_t3_mutant, P_rule="eta"))),
        Mutant("k-instead-of-n", r"$-\frac{\alpha}{k}\langle P\mathbf r, \mathbf r\rangle$",
               Formula(r"-\frac{\alpha}{k}\langle P\mathbf r, \mathbf r\rangle", partial(_t3_mutant, scale="k"))),
    ),
)


# ---------------------------------------------------------------------------
# Theorem 4: the 1-direction of the residual
# ---------------------------------------------------------------------------

A0_PATH, E0_PATH = 0.05, 0.2  #: the path alpha = A0 h^4, 1 - eta = E0 h


def _t4_candidate(p, *, power=2, with_D=True, with_ones=True):
    theta, r = _implicit_residual(p)
    parts = D.preconditioner_parts(p.w, p.F, p.eta)
    v = E.stationary_distribution(parts.S)
    d = parts.d if with_D else np.zeros_like(parts.d)
    val = G.ones_direction_rate(p.phi, r, v, d, p.eta, p.alpha) * (1 - p.eta) ** (2 - power)
    if not with_ones:
        ones = p.phi.sum(axis=1)
        norm = float(ones @ ones)
        val = val / norm if norm > 0 else val  # the leading term is 0 there anyway
    return val


def _t4_points():
    return S.implicit_sgd_points(min_n=2, max_n=4, min_d=2, max_d=3, max_logit=2.0)


def _at_fixed_theta(p, eta, **changes):
    r"""The point with discount ``eta`` and :math:`w = (I - \eta\sigma(F))\,\theta` for the drawn
    ``p.w`` used as the fixed :math:`\hat\theta`: residuals and ``D`` stay put as ``eta`` moves."""
    w = (np.eye(len(p.w)) - eta * O.softmax_rows(p.F)) @ p.w
    return p._replace(w=w, eta=eta, **changes)


def _t4_remainder(candidate, p, hs):
    r"""Along :math:`\alpha = a_0h^4`, :math:`1-\eta = e_0h` with :math:`\hat\theta, F` fixed: the
    leading term is :math:`O(h^2)`, the remainder :math:`O(\alpha/(1-\eta) + \alpha^2(1-\eta)^{-3}) = O(h^3 + h^5)`.

    (On the path :math:`\alpha = a_0h^3` the :math:`\alpha^2(1-\eta)^{-3}` term is also :math:`O(h^3)`
    against a leading :math:`O(h^2)` remainder, and its large constant hid the asymptotic slope
    behind a pre-asymptotic dip until :math:`h \approx 10^{-4}`.)

    (With ``w`` fixed instead, :math:`\hat\theta` and the residuals grow like :math:`(1-\eta)^{-1}`
    and the same path gives a leading term :math:`O(1)` and a remainder :math:`O(h)`.)"""
    batches = SG.minibatches(p.n, p.k)
    d = p.w.size
    rem, floor = [], []
    for h in hs:
        eta, alpha = 1.0 - E0_PATH * h, A0_PATH * h**4
        q = _at_fixed_theta(p, eta, alpha=alpha)
        psi = O.pack(q.w, q.F)
        theta, _, dtheta = SG.implicit_theta_changes(q.phi, q.y, psi, eta, batches, [alpha])
        d_par = (dtheta[0] @ (q.phi.T @ q.phi)).sum(axis=1) / d  # change of 1^T r / d per minibatch
        exact = float(d_par.mean())
        cand = float(candidate.numeric(q))
        cond = float(np.linalg.cond(np.eye(d) - eta * O.softmax_rows(q.F)))
        rem.append(abs(exact - cand))
        # roundoff of theta_change is ~ eps cond relative to itself (measured <= 1.6 eps cond
        # for the gradient step of implicit.preconditioner); the floor is 10 eps cond, and
        # only remainders 10x above it are fitted (ROUNDOFF_MARGIN)
        floor.append(10 * EPS * cond * (float(np.abs(d_par).max()) + abs(cand)))
    return np.array(rem), np.array(floor)


T4 = Claim(
    id="implicit.ones-direction-rate",
    title="Theorem 4: E[r_par(t+1) - r_par(t)] = -alpha r_par/(1-eta)^2 v^T(eta^2 D+I)v ||X^T 1||^2/n + remainder",
    source=SOURCE + ", §3.2, Theorem 4",
    statement=(
        r"With $\mathbf r = r^\parallel\mathbf 1 + \mathbf r^\perp$ (orthogonal split), "
        r"$\mathbb E[\Delta r^\parallel] = -\frac{\alpha r^\parallel}{(1-\eta)^2}v^\top(\eta^2D+I)v"
        r"\frac{\|X^\top\mathbf 1\|^2}{n} + O\bigl(\alpha^2 + \frac{\alpha}{1-\eta}\bigr)$ at a given "
        r"$\hat\theta_t$ (so $\hat\theta$ and $F$ are fixed as $\eta$ moves)."
    ),
    assumptions=DATA + IMPLICIT + (
        r"checked along $\alpha = a_0h^4$, $1-\eta = e_0h$, $h\to0$: leading term $O(h^2)$, remainder $O(h^3)$",
    ),
    derivation=G.ones_direction_derivation(),
    candidate=Formula(r"-\frac{\alpha r^\parallel}{(1-\eta)^2}v^\top(\eta^2D+I)v\frac{\|X^\top\mathbf 1\|^2}{n}",
                      _t4_candidate),
    checks=(
        AsymptoticCheck(remainder=_t4_remainder, strategy=_t4_points, order=3.0, steps=20,
                        description="real implicit SGD steps, every minibatch, along the (alpha, eta) path"),
    ),
    mutants=(
        Mutant("one-power-of-1-minus-eta", r"$(1-\eta)^{-1}$ instead of $(1-\eta)^{-2}$",
               Formula(r"-\frac{\alpha r^\parallel}{1-\eta}\cdots", partial(_t4_candidate, power=1))),
        Mutant("D-dropped", r"$v^\top v$ instead of $v^\top(\eta^2D+I)v$",
               Formula(r"-\frac{\alpha r^\parallel}{(1-\eta)^2}v^\top v\cdots", partial(_t4_candidate, with_D=False))),
        Mutant("ones-norm-dropped", r"$\frac1n$ instead of $\frac{\|X^\top\mathbf 1\|^2}{n}$",
               Formula(r"-\frac{\alpha r^\parallel}{(1-\eta)^2}v^\top(\eta^2D+I)v\frac1n",
                       partial(_t4_candidate, with_ones=False))),
    ),
    notes=(
        r"The paper's remainder $O(\alpha^2 + \frac{1}{1-\eta})$ drops a factor: the $P$-expansion error "
        r"enters multiplied by $\alpha$, so it is $O(\frac{\alpha}{1-\eta})$ (as written the remainder does "
        r"not vanish as $\alpha\to0$). Its second step, $\lesssim -\frac{\alpha r^\parallel}{(1-\eta)^2}$, "
        r"holds only for $r^\parallel > 0$; for $r^\parallel < 0$ the inequality reverses. The "
        r"$O(\alpha^2)$ constant grows like $(1-\eta)^{-3}$, so the two limits do not commute."
    ),
)


# ---------------------------------------------------------------------------
# Theorem 5.1: explicit second-moment ratio (exact)
# ---------------------------------------------------------------------------


def _bold_r_ok(p):
    U = p.residual()[:, None] * p.phi
    total = np.linalg.norm(U.sum(axis=0))
    return total > 1e-3 * max(1.0, float(np.abs(U).sum()))


def _ratio_points():
    return S.linear_sgd_points(min_n=2, max_n=7, max_d=3).filter(_bold_r_ok)


def _ratio_explicit_candidate(p, *, variant="derived"):
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


def _ratio_sym(size, *, variant="derived"):
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


def _ratio_enumerated(p):
    r"""``E||Delta theta||^2 / ||E Delta theta||^2`` over every minibatch (step ``alpha`` cancels)."""
    batches = SG.minibatches(p.n, p.k)
    g = SG.minibatch_gradients(p.phi, p.y, p.theta, batches)
    mean = g.mean(axis=0)
    return float((g * g).sum(axis=1).mean() / (mean @ mean))


def _ratio_scale(p):
    """The ratio is a quotient; its roundoff is relative to sum_i |u_i| squared over ||sum u_i||^2."""
    U = p.residual()[:, None] * p.phi
    return float(np.abs(U).sum() ** 2 / (U.sum(axis=0) @ U.sum(axis=0)))


RATIO_SIZES = ((2, 1, 2), (3, 2, 2), (4, 2, 2), (4, 3, 1), (5, 2, 1))

T5_EXPLICIT = Claim(
    id="sgd.second-moment-ratio-explicit",
    title="Theorem 5.1: E||dtheta||^2 / ||E dtheta||^2 = n(k-1)/(k(n-1)) + n(n-k)/(k(n-1)) sum r_i^2||phi_i||^2/||r||^2",
    source=SOURCE + ", §3.2, Theorem 5 (1)",
    statement=(
        r"$\frac{\mathbb E\|\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2} = \frac{n(k-1)}{k(n-1)} + "
        r"\frac{(n-k)n}{k(n-1)}\frac{\sum_i r_i^2\|\phi_i\|^2}{\|\mathbf r\|^2}$ exactly (not only to leading order)."
    ),
    assumptions=DATA + (r"$\mathbf r \ne 0$ (otherwise the mean update vanishes)",),
    derivation=G.second_moment_derivation(),
    candidate=Formula(r"\frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum_i\|u_i\|^2}{\|\sum_i u_i\|^2}",
                      _ratio_explicit_candidate, _ratio_sym),
    checks=(
        SymbolicIdentity(reference=G.second_moment_enumerated_sym, sizes=RATIO_SIZES,
                         description="symbolic sum over all minibatches, (n, k, d) as listed"),
        NumericIdentity(reference=_ratio_enumerated, strategy=_ratio_points, scale=_ratio_scale,
                        description="every minibatch enumerated, gradients by complex step"),
    ),
    mutants=(
        Mutant("variance-not-second-moment", r"the ratio minus 1 (what `variance / mean square' would be)",
               Formula(r"\frac{\mathrm{Var}}{\|\mathbb E\|^2}", partial(_ratio_explicit_candidate, variant="variance"),
                       partial(_ratio_sym, variant="variance"))),
        Mutant("with-replacement", r"$1 + \frac1k\bigl(\frac{n\sum\|u_i\|^2}{\|U\|^2} - 1\bigr)$ (sampling with replacement)",
               Formula(r"1 + \frac1k(\cdots)", partial(_ratio_explicit_candidate, variant="with-replacement"),
                       partial(_ratio_sym, variant="with-replacement"))),
        Mutant("factor-n-dropped", r"$\frac{n-k}{k(n-1)}$ in the second term",
               Formula(r"\frac{n(k-1)}{k(n-1)} + \frac{n-k}{k(n-1)}\cdots", partial(_ratio_explicit_candidate, variant="without-n"),
                       partial(_ratio_sym, variant="without-n"))),
    ),
    notes=(
        r"The paper calls this the (variance)/(mean square) ratio; it is the second moment over the "
        r"squared mean, $1 + \mathrm{Var}/\|\mathbb E\Delta\theta\|^2$. The formula itself is exact."
    ),
)


# ---------------------------------------------------------------------------
# Theorem 5.2: implicit ratio, eta -> 1 limit
# ---------------------------------------------------------------------------


def _ratio_implicit_candidate(p, *, variant="derived"):
    _, r = _implicit_residual(p)
    if variant == "explicit-formula":
        return G.second_moment_ratio_explicit(p.phi, r, p.k)
    out = G.second_moment_ratio_implicit_limit(p.phi, r, p.k)
    return out - 1.0 if variant == "variance" else out


def _implicit_ratio_ok(p):
    """The drawn ``w`` is used as the fixed theta-hat; the limit needs sum_i a_i != 0."""
    r = p.phi @ p.w - p.y
    a = r * p.phi.sum(axis=1)
    return abs(a.sum()) > 1e-2 * max(1.0, float(np.abs(a).sum()))


def _t5i_points():
    return S.implicit_sgd_points(min_n=2, max_n=5, min_d=2, max_d=3, max_logit=2.0).filter(_implicit_ratio_ok)


def _t5i_remainder(candidate, p, hs):
    r"""Ratio of first-order implicit updates, every minibatch enumerated, along :math:`1-\eta = e_0h`
    with :math:`\hat\theta` held at the drawn ``w`` (so the residuals are fixed): O(1-eta)."""
    batches = SG.minibatches(p.n, p.k)
    rem, floor = [], []
    for h in hs:
        eta = 1.0 - E0_PATH * h
        q = _at_fixed_theta(p, eta)
        psi = O.pack(q.w, q.F)
        _, _, G_B = SG.implicit_parameter_steps(q.phi, q.y, psi, eta, batches)
        moved = O.theta_hat(psi[None, :] - 1j * SG.H_CS * G_B, eta=eta)
        dtheta = moved.imag / SG.H_CS  # first-order update per minibatch (alpha cancels)
        mean = dtheta.mean(axis=0)
        exact = float((dtheta * dtheta).sum(axis=1).mean() / (mean @ mean))
        cand = float(candidate.numeric(q))
        cond = float(np.linalg.cond(np.eye(len(q.w)) - eta * O.softmax_rows(q.F)))
        rem.append(abs(exact - cand))
        floor.append(1000 * EPS * cond * max(exact, abs(cand)) * _ratio_scale_implicit(q))
    return np.array(rem), np.array(floor)


def _ratio_scale_implicit(q):
    _, r = _implicit_residual(q)
    a = r * q.phi.sum(axis=1)
    return float(np.abs(a).sum() ** 2 / a.sum() ** 2)


T5_IMPLICIT = Claim(
    id="sgd.second-moment-ratio-implicit",
    title="Theorem 5.2: the implicit ratio -> n(k-1)/(k(n-1)) + n(n-k)/(k(n-1)) sum<1,r_i phi_i>^2/(sum<1,r_i phi_i>)^2 + O(1-eta)",
    source=SOURCE + ", §3.2, Theorem 5 (2)",
    statement=(
        r"To first order in $\alpha$, $\frac{\mathbb E\|\Delta\hat\theta\|^2}{\|\mathbb E\Delta\hat\theta\|^2} = "
        r"\frac{n(k-1)}{k(n-1)} + \frac{(n-k)n}{k(n-1)}\frac{\sum_i\langle\mathbf 1, r_i\phi_i\rangle^2}"
        r"{(\sum_i\langle\mathbf 1, r_i\phi_i\rangle)^2} + O(1-\eta)$ ($F$ and $\hat\theta$ fixed)."
    ),
    assumptions=DATA + IMPLICIT + (
        r"$\sum_i\langle\mathbf 1, r_i\phi_i\rangle \ne 0$; the update is taken to first order in $\alpha$ "
        r"(the ratio at finite $\alpha$ has an extra $O(\alpha)$)",
    ),
    derivation=G.implicit_ratio_derivation(),
    candidate=Formula(r"\frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum_i a_i^2}{(\sum_i a_i)^2}",
                      _ratio_implicit_candidate),
    checks=(
        AsymptoticCheck(remainder=_t5i_remainder, strategy=_t5i_points, order=1.0, steps=20,
                        description="first-order implicit updates, all minibatches, as eta -> 1: remainder O(1-eta)"),
    ),
    mutants=(
        Mutant("explicit-formula", r"the explicit ratio ($\|u_i\|^2$ instead of $\langle\mathbf 1, u_i\rangle^2$)",
               Formula(r"\text{Theorem 5.1}", partial(_ratio_implicit_candidate, variant="explicit-formula"))),
        Mutant("variance-not-second-moment", r"the ratio minus 1",
               Formula(r"\cdots - 1", partial(_ratio_implicit_candidate, variant="variance"))),
    ),
    notes=(
        r"The left-hand side in the paper has $\Delta\theta$ in the numerator and $\Delta\hat\theta$ in the "
        r"denominator; both must be $\Delta\hat\theta$. The limit needs $\langle\mathbf 1, \mathbf r\rangle \ne 0$."
    ),
)


# ---------------------------------------------------------------------------
# Corollary 2: one-hot features (erratum + corrected claim)
# ---------------------------------------------------------------------------


@st.composite
def _one_hot_points(draw):
    n = draw(st.integers(2, 6))
    n_states = draw(st.integers(1, n))
    states = draw(S.one_hot_states(n=n, n_states=n_states))
    r = draw(hnp.arrays(np.float64, (n,), elements=st.integers(-4, 4).map(float)))
    k = draw(st.integers(1, n))
    return states, r, k


def _one_hot_ok(p):
    states, r, _ = p
    sums = np.bincount(states, weights=r)
    return float(sums @ sums) > 0


def _one_hot_strategy():
    return _one_hot_points().filter(_one_hot_ok)


def _one_hot_enumerated(p):
    """The explicit SGD ratio with one-hot features, every minibatch enumerated."""
    states, r, k = p
    n_states = int(states.max()) + 1
    phi = np.eye(n_states)[states]
    point = S.LinearSGDPoint(phi, -r, np.zeros(n_states), k)  # theta = 0, y = -r: residuals r
    return _ratio_enumerated(point)


def _one_hot_candidate(p):
    _, r, k = p
    return G.one_hot_ratio(len(r), k)


def _one_hot_corrected_candidate(p, *, variant="derived"):
    states, r, k = p
    out = G.one_hot_ratio_corrected(states, r, k)
    return out - 1.0 if variant == "variance" else out


ONE_HOT = Claim(
    id="sgd.one-hot-ratio",
    title="Corollary 2 as written: with one-hot features the explicit ratio is n/k",
    source=SOURCE + ", §3.2, Corollary 2",
    statement=r"With one-hot features, $\frac{\mathbb E\|\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2} = \frac nk$.",
    assumptions=DATA + (r"$\phi(x_i) = e_{s_i}$ (one-hot); states may repeat, as in the paper's own data (§4)",),
    derivation=G.one_hot_derivation(),
    candidate=Formula(r"\frac nk", _one_hot_candidate),
    checks=(
        NumericIdentity(reference=_one_hot_enumerated, strategy=_one_hot_strategy,
                        description="every minibatch enumerated, one-hot features"),
    ),
    expected="refuted",
    corrected_by="sgd.one-hot-ratio-corrected",
    notes=(
        r"False when two data points share a state: then $\|\mathbf r\|^2 \ne \sum_i r_i^2$. Smallest "
        r"counterexample: $n = 2$ points in the same state, $k = 1$, equal residuals: the ratio is 1, not 2. "
        r"The unstated assumption is that the $n$ states are distinct (or $k = n$)."
    ),
)

ONE_HOT_CORRECTED = Claim(
    id="sgd.one-hot-ratio-corrected",
    title="Corollary 2 corrected: one-hot ratio with repeated states; n/k iff the states are distinct (or k = n)",
    source=SOURCE + ", §3.2, Corollary 2 (corrected)",
    statement=(
        r"With $\phi(x_i) = e_{s_i}$: $\frac{\mathbb E\|\Delta\theta\|^2}{\|\mathbb E\Delta\theta\|^2} = "
        r"\frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum_i r_i^2}{\sum_s(\sum_{i:s_i=s}r_i)^2}$, "
        r"which is $\frac nk$ when the states are distinct."
    ),
    assumptions=DATA + (r"$\phi(x_i) = e_{s_i}$; $\sum_s(\sum_{i:s_i=s}r_i)^2 > 0$",),
    derivation=G.one_hot_corrected_derivation(),
    candidate=Formula(r"\frac{n(k-1)}{k(n-1)} + \frac{n(n-k)}{k(n-1)}\frac{\sum_i r_i^2}{\sum_s(\sum_{i:s_i=s}r_i)^2}",
                      _one_hot_corrected_candidate),
    checks=(
        NumericIdentity(reference=_one_hot_enumerated, strategy=_one_hot_strategy,
                        description="every minibatch enumerated, one-hot features, repeated states allowed"),
    ),
    mutants=(
        Mutant("paper-n-over-k", r"$\frac nk$ (Corollary 2 as written)", Formula(r"\frac nk", _one_hot_candidate)),
        Mutant("variance-not-second-moment", r"the ratio minus 1",
               Formula(r"\cdots - 1", partial(_one_hot_corrected_candidate, variant="variance"))),
    ),
)


# ---------------------------------------------------------------------------
# Corollary 3: balanced residuals
# ---------------------------------------------------------------------------


@st.composite
def _balanced_points(draw):
    n = draw(st.integers(2, 8))
    r = draw(hnp.arrays(np.float64, (n,), elements=st.floats(0.1, 10.0, allow_nan=False)))
    k = draw(st.integers(1, n))
    return r, k


def _balanced_limit_ratio(p):
    r"""The :math:`\eta\to1` ratio by enumeration: one-hot features make :math:`\langle\mathbf 1, g_B\rangle`
    the minibatch mean of the residuals."""
    r, k = p
    batches = SG.minibatches(len(r), k)
    m = r[batches].mean(axis=1)
    return float((m * m).mean() / m.mean() ** 2)


def _balanced_candidate(p, *, variant="paper"):
    r, k = p
    lo, hi = float(r.min()), float(r.max())
    if variant == "paper":
        return G.balanced_residual_bound(k, lo, hi)
    if variant == "inverted":
        return 1.0 + (lo / hi) ** 2 / k
    if variant == "one-dropped":
        return (hi / lo) ** 2 / k
    return 1.0 + 1.0 / k  # rho dropped


def _balanced_coordinates(p):
    r, k = p
    x0 = np.log(r)

    def rebuild(x):
        return np.clip(np.exp(x), 0.1, 10.0), k

    return x0, rebuild


BALANCED = Claim(
    id="sgd.balanced-residual-bound",
    title="Corollary 3: implicit ratio <= 1 + (1/k)(r_max/r_min)^2 (constant c = 1)",
    source=SOURCE + ", §3.2, Corollary 3",
    statement=(
        r"If $0 < r_{\min} \le r_i \le r_{\max}$, the $\eta\to1$ implicit ratio with one-hot features is "
        r"$\le 1 + \frac1k(r_{\max}/r_{\min})^2$: the paper's $\lesssim$ holds with constant $c = 1$."
    ),
    assumptions=DATA + (
        r"one-hot features (so $\langle\mathbf 1, r_i\phi_i\rangle = r_i$; repeated states allowed)",
        r"the $\eta\to1$ limit of Theorem 5.2",
    ),
    derivation=G.balanced_bound_derivation(),
    candidate=Formula(r"1 + \frac1k\Bigl(\frac{r_{\max}}{r_{\min}}\Bigr)^2", _balanced_candidate),
    checks=(
        BoundCheck(oracle=_balanced_limit_ratio, strategy=_balanced_points, coordinates=_balanced_coordinates,
                   sense="upper", effort=3,
                   description="adversarial search over residuals in [0.1, 10] and batch sizes"),
    ),
    mutants=(
        Mutant("ratio-inverted", r"$1 + \frac1k(r_{\min}/r_{\max})^2$",
               Formula(r"1 + \frac1k(r_{\min}/r_{\max})^2", partial(_balanced_candidate, variant="inverted"))),
        Mutant("one-dropped", r"$\frac1k(r_{\max}/r_{\min})^2$",
               Formula(r"\frac1k(r_{\max}/r_{\min})^2", partial(_balanced_candidate, variant="one-dropped"))),
        Mutant("rho-dropped", r"$1 + \frac1k$",
               Formula(r"1 + \frac1k", partial(_balanced_candidate, variant="rho-dropped"))),
    ),
    notes=(
        r"Only the one-hot case is meaningful: for general features $\langle\mathbf 1, r_i\phi_i\rangle$ may "
        r"vanish or change sign and no bound in $r_{\max}/r_{\min}$ exists. The bound is loose: by "
        r"P\'olya--Szeg\H{o}, $(r_{\max}/r_{\min})^2$ can be replaced by $\frac{(r_{\max}+r_{\min})^2}{4r_{\max}r_{\min}}$."
    ),
)


CLAIMS = (T2, T3, T4, T5_EXPLICIT, T5_IMPLICIT, ONE_HOT, ONE_HOT_CORRECTED, BALANCED)
